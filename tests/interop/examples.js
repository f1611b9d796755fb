"use strict";
// The examples/ programs as a user runs them, against a real cluster: a Node Socket.IO server (server.js, the
// project's test adapter) with a real socket.io-client, on fauxqs (--transport aws) or the project's Service Bus
// broker (--transport azure). Each program gets only the environment variables the README names.
//
//   node tests/interop/examples.js --transport aws|azure BUILD_DIR      (BUILD_DIR holds basic, emit, emit_tiny)
// Checks: basic joins (the Node server sees it), its own broadcast reaches the Node client and its own socket, a
// Node broadcast reaches its socket as the exact socket.io frame, it leaves by itself (Node sees it go) and exits 0;
// emit publishes to a room only that room's client gets, and exits 0; so does emit_tiny (AWS only: the emitter
// written over the layers), once directly and once through a proxy whose first three connections answer
// Throttling, answer 503 and reset after the request: it retries, and the client gets the event exactly once.
// Ends with "N passed, N failed".
const path = require("node:path");
const fs = require("node:fs");
const { spawn } = require("node:child_process");
const net = require("node:net");
const { connectClient } = require("./client");
const { jsonlMember } = require("./jsonl");
const brokers = require("./brokers");

const args = process.argv.slice(2);
const TRANSPORT = args[args.indexOf("--transport") + 1] === "azure" ? "azure" : "aws";
const BUILD = path.resolve(args[args.length - 1]);
const children = new Set();
let passed = 0;
let failed = 0;
const say = (who, text) => console.log(`${who.padEnd(8)} ${text}`);
const check = (ok, what) => { if (ok) passed++; else failed++; console.log(`${ok ? "ok  " : "FAIL"} ${what}`); };
function fail(msg) {
  console.log(`FAIL ${msg}`);
  for (const c of children) c.kill("SIGKILL");
  console.log(`examples-${TRANSPORT}: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}
setTimeout(() => fail("took longer than 90 s"), 90000).unref();

// A TCP proxy to `target` (http://host:port) on 127.0.0.1 whose first connections fail, one way each: the request
// is read, then answered by a canned reply and closed (a string) or reset (null). Later ones are piped through.
function faultyProxy(target, faults) {
  const u = new URL(target);
  let conns = 0;
  const server = net.createServer((sock) => {
    const fault = conns < faults.length ? faults[conns] : undefined;
    conns++;
    if (fault === undefined) {
      const up = net.connect(+u.port, u.hostname);
      sock.pipe(up).pipe(sock);
      up.on("error", () => sock.destroy());
      sock.on("error", () => up.destroy());
      return;
    }
    sock.on("error", () => {});
    sock.once("data", () => (fault === null ? sock.resetAndDestroy() : sock.end(fault)));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    url: `http://127.0.0.1:${server.address().port}`, conns: () => conns, close: () => server.close() })));
}
const reply = (status, body) => `HTTP/1.1 ${status}\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
const THROTTLED = reply("400 Bad Request", "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>" +
  "<Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>");
const UNAVAILABLE = reply("503 Service Unavailable", "");

// A program printing plain lines: resolves `done` with {code, lines}.
function program(file, argv, env) {
  const child = spawn(path.join(BUILD, file), argv, { stdio: ["ignore", "pipe", "pipe"], env });
  children.add(child);
  const p = { lines: [], stderr: "", waiters: [] };
  child.stdout.on("data", (c) => {
    for (const l of String(c).split("\n").filter(Boolean)) {
      p.lines.push(l);
      for (const w of [...p.waiters]) if (w.pred(l)) { p.waiters.splice(p.waiters.indexOf(w), 1); w.resolve(l); }
    }
  });
  child.stderr.on("data", (c) => { p.stderr += c; });
  p.done = new Promise((r) => child.on("close", (code) => { children.delete(child); r(code); }));
  p.wait = (pred, what, ms = 15000) => {
    const seen = p.lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const t = setTimeout(() => fail(`${file}: no ${what} within ${ms} ms; stderr: ${p.stderr.slice(-1500)}`), ms);
      p.waiters.push({ pred, resolve: (l) => { clearTimeout(t); resolve(l); } });
    });
  };
  return p;
}

async function main() {
  const b = TRANSPORT === "azure" ? await brokers.startSbBroker(children, 120) : await brokers.startFauxqs(children, 120);
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (/^(AWS_|SERVICEBUS_)/.test(k)) delete base[k];
  const env = { ...base, ...b.env };
  const hb = ["--heartbeat-interval", "1000", "--heartbeat-timeout", "4000", "--transport", TRANSPORT];
  const node = jsonlMember(children, fail, say, process.execPath, [path.join(__dirname, "server.js"), "--label", "node", ...hb], env, "node");
  const ready = await node.wait((ev) => ev.ev === "ready", "ready line", 20000);
  const alice = await connectClient(ready.port, "/", { name: "alice", rooms: ["lobby"] });
  const bob = await connectClient(ready.port, "/", { name: "bob", rooms: [] });
  const got = (sock, event) => new Promise((r) => sock.socket.on(event, (...a) => r(a)));
  const aliceHello = got(alice, "hello");
  const aliceNews = got(alice, "news");
  const aliceTiny = got(alice, "tiny");
  let tinyFaulted = 0;
  alice.socket.on("tiny-faulted", () => { tinyFaulted++; });
  let bobNews = null;
  bob.socket.on("news", (...a) => { bobNews = a; });
  bob.socket.on("tiny", (...a) => { bobNews = a; });

  // the C program sees only the variables of its cloud (the README's instructions)
  const cenv = { ...base };
  for (const k of Object.keys(b.env)) if (!/ADMIN|CA_FILE/.test(k)) cenv[k] = b.env[k];
  if (TRANSPORT === "azure") cenv.SERVICEBUS_CONNECTION_STRING = b.azure.amqpCs;

  const basic = program("basic", [], cenv);
  const up = await node.wait((ev) => ev.ev === "nodeUp", "nodeUp for basic", 20000);
  check(!!up.uid, `basic joined the cluster (uid ${up.uid})`);
  const hello = await Promise.race([aliceHello, new Promise((r) => setTimeout(() => r(null), 10000))]);
  check(JSON.stringify(hello) === '["world"]', `basic's broadcast reached the Node client: ${JSON.stringify(hello)}`);
  await basic.wait((l) => l === 'sock1 <- 42["hello","world"]', "local delivery of its own broadcast");
  check(true, "basic delivered its own broadcast to sock1");
  await node.send({ cmd: "broadcast", event: "greeting", args: ["from Node", 7] });
  const frame = await basic.wait((l) => l.includes("greeting"), "delivery of the Node broadcast");
  check(frame === 'sock1 <- 42["greeting","from Node",7]', `the Node broadcast reached sock1 as ${frame}`);
  const down = await node.wait((ev) => ev.ev === "nodeDown", "nodeDown for basic", 25000);
  check(down.uid === up.uid, "basic left the cluster by itself (ADAPTER_CLOSE)");
  const code = await basic.done;
  check(code === 0, `basic exited with status ${code}`);

  const emit = program("emit", ["lobby", "news", "extra"], cenv);
  const news = await Promise.race([aliceNews, new Promise((r) => setTimeout(() => r(null), 15000))]);
  check(JSON.stringify(news) === '["extra"]', `emit's broadcast reached the client in the room: ${JSON.stringify(news)}`);
  await new Promise((r) => setTimeout(r, 300));
  check(bobNews === null, "the client outside the room got nothing");
  const ecode = await emit.done;
  check(ecode === 0 && emit.lines.includes('emitted "news" to room "lobby"'), `emit exited with status ${ecode}: ${emit.lines.join(" | ")}`);
  if (TRANSPORT === "aws") {
    const tiny = program("emit_tiny", ["lobby", "tiny", "from a small box"], cenv);
    const t = await Promise.race([aliceTiny, new Promise((r) => setTimeout(() => r(null), 15000))]);
    check(JSON.stringify(t) === '["from a small box"]', `emit_tiny's broadcast reached the client in the room: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 300));
    check(bobNews === null, "the client outside the room got nothing from emit_tiny");
    const tcode = await tiny.done;
    check(tcode === 0 && tiny.lines.includes('emitted "tiny" to room "lobby"'), `emit_tiny exited with status ${tcode}: ${tiny.lines.join(" | ")} ${tiny.stderr}`);

    const proxy = await faultyProxy(b.env.AWS_ENDPOINT_URL, [THROTTLED, UNAVAILABLE, null]);
    const faulted = program("emit_tiny", ["lobby", "tiny-faulted", "again"], { ...cenv, AWS_ENDPOINT_URL: proxy.url });
    const fcode = await faulted.done;
    await new Promise((r) => setTimeout(r, 1000));
    check(fcode === 0 && faulted.lines.includes("retries: 3"), `emit_tiny retried throttling, 503 and a reset, then exited with status ${fcode}: ${faulted.lines.join(" | ")} ${faulted.stderr}`);
    check(tinyFaulted === 1 && proxy.conns() === 4, `its event reached the client once (${tinyFaulted}) over ${proxy.conns()} connections`);
    proxy.close();
  }
  alice.close();
  bob.close();
  node.child.stdin.end();
  b.child.stdin.end();
  console.log(`examples-${TRANSPORT}: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
main().catch((e) => fail(e.stack || String(e)));
