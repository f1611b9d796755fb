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
const { spawn } = require("node:child_process");
const path = require("node:path");
const fs = require("node:fs");
const readline = require("node:readline");
const { connectClient } = require("./client");

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

// A child speaking JSON lines (server.js or siocat): waits for lines matching a predicate.
function member(cmd, args, env, label) {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env });
  children.add(child);
  child.on("exit", () => children.delete(child));
  const m = { child, lines: [], waiters: [], stderr: "", nextId: 1 };
  child.stderr.on("data", (c) => { m.stderr += c; });
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    let ev;
    try { ev = JSON.parse(line); } catch { return; }
    if (ev.ev === "error") say(label, `error: ${ev.where}: ${ev.message}`);
    m.lines.push(ev);
    for (const w of [...m.waiters]) if (w.pred(ev)) { m.waiters.splice(m.waiters.indexOf(w), 1); w.resolve(ev); }
  });
  m.wait = (pred, what, ms = 10000) => {
    const seen = m.lines.find(pred);
    if (seen) { m.lines.splice(m.lines.indexOf(seen), 1); return Promise.resolve(seen); }
    return new Promise((resolve) => {
      const t = setTimeout(() => fail(`${label}: no ${what} within ${ms} ms\n${m.stderr.slice(-2000)}`), ms);
      m.waiters.push({ pred, resolve: (ev) => { clearTimeout(t); m.lines.splice(m.lines.indexOf(ev), 1); resolve(ev); } });
    });
  };
  m.send = (cmd) => {
    const id = `${label}.${m.nextId++}`;
    child.stdin.write(JSON.stringify({ id, ...cmd }) + "\n");
    return m.wait((ev) => ev.ev === "result" && ev.id === id, `result of ${cmd.cmd}`);
  };
  return m;
}

async function main() {
  if (!fs.existsSync(SIOCAT)) fail(`${SIOCAT} not found: build it first (make build/siocat)`);
  // 1. the emulator
  const fq = spawn(process.execPath, [path.join(ROOT, "tests", "fauxqs", "launch.mjs"), "--watch-stdin",
    "--max-seconds", "120"], { stdio: ["pipe", "pipe", "inherit"] });
  children.add(fq);
  const early = () => fail("fauxqs did not start (run `npm ci` in tests/fauxqs)");
  fq.on("exit", early);
  const endpoint = await new Promise((resolve) => {
    let buf = "";
    fq.stdout.on("data", (c) => { buf += c; const m = /FAUXQS_ENDPOINT=(\S+)/.exec(buf); if (m) resolve(m[1]); });
  });
  fq.off("exit", early);
  say("fauxqs", `SNS + SQS emulator listening at ${endpoint}`);
  const env = { ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
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
