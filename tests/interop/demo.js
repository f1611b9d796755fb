"use strict";
// `make demo`: a Node Socket.IO server and the C node (siocat) in one cluster over the SNS/SQS emulator, with
// events flowing both ways, in plain words. Everything listens on 127.0.0.1 and stops by itself.
//
//   node tests/interop/demo.js [PATH_TO_SIOCAT]        (default build/siocat; needs `npm ci` in tests/fauxqs and
//                                                       tests/interop, and `make build/siocat`)
// Steps: start fauxqs; start server.js (Socket.IO 4.8 + the AWS test adapter) and connect a real socket.io-client
// "alice" in room "lobby"; start siocat with a virtual socket "bob" in "lobby"; Node broadcasts to the lobby (bob's
// frames are printed as siocat hands them over), C broadcasts back (alice receives it), C asks the cluster for its
// sockets, C sends a serverSideEmit that Node acknowledges; then siocat leaves gracefully (Node sees it at once),
// the server stops and the emulator with it.

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const path = require("node:path");
const fs = require("node:fs");
const { connectClient } = require("./client");
const { jsonlMember } = require("./jsonl");
const brokers = require("./brokers");

const ROOT = path.join(__dirname, "..", "..");
const SIOCAT = path.resolve(process.argv[2] || path.join(ROOT, "build", "siocat"));
const children = new Set();
const say = (who, text) => console.log(`${who.padEnd(8)} ${text}`);

function fail(msg) {
  console.error(`demo: ${msg}`);
  for (const c of children) c.kill("SIGKILL");
  process.exit(1);
}
setTimeout(() => fail("took longer than 60 s"), 60000).unref();

const member = (cmd, args, env, label) => jsonlMember(children, fail, say, cmd, args, env, label);

async function main() {
  if (!fs.existsSync(SIOCAT)) fail(`${SIOCAT} not found: build it first (make build/siocat)`);
  // 1. the emulator
  const { child: fq, endpoint, env: fqEnv } = await brokers.startFauxqs(children, 120)
    .catch((e) => fail(`fauxqs did not start (run \`npm ci\` in tests/fauxqs): ${e.message}`));
  say("fauxqs", `SNS + SQS emulator listening at ${endpoint}`);
  const env = { ...process.env, ...fqEnv };
  const hb = ["--heartbeat-interval", "1000", "--heartbeat-timeout", "4000"];

  // 2. the Node server and its client
  const node = member(process.execPath, [path.join(__dirname, "server.js"), "--label", "node", ...hb], env, "node");
  const nready = await node.wait((ev) => ev.ev === "ready", "ready line");
  say("node", `Socket.IO server up on 127.0.0.1:${nready.port}, uid ${nready.uids["/"]}`);
  const alice = await connectClient(nready.port, "/", { name: "alice", rooms: ["lobby"], ackWith: () => "ok" });
  const show = (args) => JSON.stringify(args.map((a) => Buffer.isBuffer(a) ? `<bytes ${a.toString("hex")}>` : a));
  let gotGreeting;
  const greeted = new Promise((r) => { gotGreeting = r; });
  alice.socket.on("reply", (...args) => say("alice", `got "reply" ${show(args)} (from the C node)`));
  alice.socket.on("greeting", (...args) => { say("alice", `got "greeting" ${show(args)} (from her own server)`); gotGreeting(); });
  say("alice", `socket.io-client connected (socket ${alice.id}), in room "lobby"`);

  // 3. the C node
  const c = member(SIOCAT, ["--label", "c", "--socket", "bob=lobby", ...hb], env, "siocat");
  const cready = await c.wait((ev) => ev.ev === "ready", "ready line");
  say("siocat", `C node up: uid ${cready.uids["/"]}, queue ${cready.queue}, virtual socket "bob" in "lobby"`);
  await c.wait((ev) => ev.ev === "nodeUp", "nodeUp for the Node server");
  await node.wait((ev) => ev.ev === "nodeUp", "nodeUp for the C node");
  const count = await node.send({ cmd: "serverCount" });
  say("node", `sees the C node: serverCount = ${count.count}`);

  // 4. Node -> C
  say("node", `io.to("lobby").emit("greeting", "hello from Node", <2 bytes>)`);
  await node.send({ cmd: "broadcast", rooms: ["lobby"], event: "greeting", args: ["hello from Node", { $bin: "cafe" }] });
  const d1 = await c.wait((ev) => ev.ev === "deliver" && ev.sid === "bob", "delivery to bob");
  say("siocat", `bob gets frame ${d1.text} + binary [${d1.bin.join(", ")}]`);
  await greeted;

  // 5. C -> Node
  say("siocat", `broadcast "reply" to "lobby" from C`);
  await c.send({ cmd: "broadcast", rooms: ["lobby"], event: "reply", args: ["hi from C", 42] });
  await c.wait((ev) => ev.ev === "deliver" && ev.sid === "bob", "local delivery to bob");
  await new Promise((r) => setTimeout(r, 300));

  // 6. C asks the whole cluster for its sockets
  const fs_ = await c.send({ cmd: "fetchSockets", rooms: ["lobby"] });
  say("siocat", `fetchSockets("lobby") -> ${fs_.sockets.map((s) => `${s.id} [${s.rooms.join(", ")}]`).join("; ")}`);

  // 7. serverSideEmit with an ack, answered by the Node server
  const pend = c.send({ cmd: "serverSideEmit", event: "ping", args: ["from C"], ack: true });
  const sse = await node.wait((ev) => ev.ev === "serverSideEmit", "serverSideEmit at Node");
  say("node", `serverSideEmit "${sse.event}" ${JSON.stringify(sse.args)} arrives; answering {"pong":"node"}`);
  await node.send({ cmd: "serverSideAck", ackId: sse.ackId, args: [{ pong: "node" }] });
  const ans = await pend;
  say("siocat", `serverSideEmit ack -> ${JSON.stringify(ans.responses)}`);

  // 8. graceful leave
  say("siocat", "quit: ADAPTER_CLOSE, then DeleteQueue + Unsubscribe");
  c.child.stdin.write('{"cmd":"quit"}\n');
  const t0 = Date.now();
  await node.wait((ev) => ev.ev === "nodeDown", "nodeDown for the C node");
  say("node", `saw the C node leave after ${Date.now() - t0} ms`);
  await c.wait((ev) => ev.ev === "closed", "closed line");
  await new Promise((r) => c.child.exitCode !== null ? r() : c.child.on("exit", r));
  say("siocat", `exited with status ${c.child.exitCode}`);
  alice.close();
  node.child.stdin.end();
  await new Promise((r) => node.child.exitCode !== null ? r() : node.child.on("exit", r));
  fq.stdin.end();
  fq.kill("SIGTERM");
  say("demo", "done: everything stopped");
}

main().catch((e) => fail(e.stack || String(e)));
