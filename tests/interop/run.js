#!/usr/bin/env node
"use strict";
// Interop scenario runner (issue 6). Starts the fauxqs emulator on 127.0.0.1, N cluster members and their clients,
// and runs every scenario from the first and from the last member (so Node->C and C->Node once a siocat is last).
//
//   node tests/interop/run.js [--members node,node,node | node,node,siocat:PATH] [--only REGEX] [--verbose]
//                             [--heartbeat-interval MS] [--heartbeat-timeout MS] [--max-seconds S]
//                             [--summary-prefix WORD] [--transport aws|azure] [--siocat-tls]
//
// A `node` member is server.js (Socket.IO 4.8 + the AWS test adapter) with real socket.io-clients connected; a
// `siocat:PATH` member is the C command-line member, whose sockets are virtual (declared with --socket) and whose
// deliveries arrive as frames on its stdout (protocol: SIOCAT.md). Both take the same JSON-line commands.
// `nodecat` is server.js run like siocat (virtual sockets, frames, clientPacket acks): it checks this runner's
// siocat path and SIOCAT.md itself while no C build is given.
// Every delivery's frames, from either kind, are decoded with socket.io-parser and must equal what the parser itself
// encodes for the expected packet. Ends with "N passed, N failed" (or "WORD: N passed, N failed"); exit status 1
// on any failure. Without `npm ci` in tests/interop and tests/fauxqs it prints SKIPPED and "0 passed, 0 failed, 1 skipped",
// unless SIOC_REQUIRE_ALL=1 (CI), which makes that a failure.
// --transport azure (default aws) runs the same scenarios over Azure Service Bus: the project's in-memory broker
// (tests/sbbroker, AMQP + REST/ATOM, HTTPS with a throw-away openssl certificate) instead of fauxqs; Node members
// use azure-adapter.js over @azure/service-bus, siocat members `--transport azure` with the AMQP connection string
// and the broker's plain-HTTP REST URL (SERVICEBUS_CONNECTION_STRING / SERVICEBUS_REST_URL). The wire-shape check
// against tests/vectors/aws is AWS-only and is reported as skipped. --siocat-tls (with --transport azure) gives
// siocat members the broker's HTTPS REST URL https://localhost:PORT and `--ca-file` the test certificate instead
// (needs a TLS build: make build/siocat-tls).

const { spawn } = require("node:child_process");
const path = require("node:path");
const fs = require("node:fs");
const http = require("node:http");

{
  let missing = null;
  const ti = process.argv.indexOf("--transport");
  const azure = ti > 0 && process.argv[ti + 1] === "azure";
  for (const m of ["socket.io", "socket.io-client", "socket.io-parser", "@msgpack/msgpack",
    ...(azure ? ["@azure/service-bus"] : ["@aws-sdk/client-sns", "@aws-sdk/client-sqs"])]) {
    try { require.resolve(m); } catch (e) { missing = missing || `${m} (run \`npm ci\` in tests/interop)`; }
  }
  if (azure) {
    if (!fs.existsSync(path.join(__dirname, "..", "sbbroker", "node_modules", "rhea", "package.json"))) {
      missing = missing || "rhea (run `npm ci` in tests/sbbroker)";
    }
  } else if (!fs.existsSync(path.join(__dirname, "..", "fauxqs", "node_modules", "fauxqs", "package.json"))) {
    missing = missing || "fauxqs (run `npm ci` in tests/fauxqs)";
  }
  if (missing) {
    const i = process.argv.indexOf("--summary-prefix");
    const prefix = i > 0 && process.argv[i + 1] ? `${process.argv[i + 1]}: ` : "";
    const required = process.env.SIOC_REQUIRE_ALL === "1" || process.env.SIOC_REQUIRE_LIVE === "1";
    process.stdout.write(`${required ? "FAIL" : "SKIPPED"} interop: missing ${missing}\n`);
    process.stdout.write(`${prefix}0 passed, ${required ? 1 : 0} failed, ${required ? 0 : 1} skipped\n`);
    process.exit(required ? 1 : 0);
  }
}

const { connectClient } = require("./client");
const { encodeFrames, decodeFrames, PacketType } = require("./frames");
const { fromJson, canon } = require("./values");

// ---------------------------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const o = { members: "node,node,node", heartbeatInterval: 1000, heartbeatTimeout: 4000, maxSeconds: 150,
    only: null, verbose: false, transport: "aws" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case "--members": o.members = next(); break;
      case "--heartbeat-interval": o.heartbeatInterval = Number(next()); break;
      case "--heartbeat-timeout": o.heartbeatTimeout = Number(next()); break;
      case "--max-seconds": o.maxSeconds = Number(next()); break;
      case "--only": o.only = new RegExp(next()); break;
      case "--verbose": o.verbose = true; break;
      case "--summary-prefix": o.summaryPrefix = next(); break;
      case "--transport": o.transport = next(); break;
      case "--siocat-tls": o.siocatTls = true; break;
      case "-h": case "--help":
        { const lines = fs.readFileSync(__filename, "utf8").split("\n").slice(2);
          process.stdout.write(lines.slice(0, lines.indexOf("")).map((l) => l.replace(/^\/\/ ?/, "")).join("\n") + "\n"); }
        process.exit(0);
        break;
      default: throw new Error(`unknown flag ${a}`);
    }
  }
  o.specs = o.members.split(",").map((s) => {
    if (s === "node" || s === "nodecat") return { kind: s };
    if (s.startsWith("siocat:")) return { kind: "siocat", path: path.resolve(s.slice(7)) };
    throw new Error(`member "${s}": expected node, nodecat or siocat:PATH`);
  });
  if (o.specs.length < 2) throw new Error("need at least 2 members");
  if (o.transport !== "aws" && o.transport !== "azure") throw new Error(`--transport ${o.transport}: expected aws or azure`);
  if (o.siocatTls && o.transport !== "azure") throw new Error("--siocat-tls needs --transport azure");
  return o;
}

const OPT = parseArgs(process.argv.slice(2));
const T_START = Date.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const NSPS = ["/", "/admin"];
const FIRST = 0;
const LAST = OPT.specs.length - 1;
const ORIGINS = [FIRST, LAST];

// Everything the runner starts, so that it can always stop it.
const children = new Set();
function killAll() {
  for (const c of children) { try { c.kill("SIGKILL"); } catch (e) { /* gone */ } }
}
process.on("exit", killAll);

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

class Failure extends Error {}
function check(cond, msg) { if (!cond) throw new Failure(msg); }
function checkEq(actual, expected, what) {
  const a = typeof actual === "string" ? actual : canon(actual);
  const e = typeof expected === "string" ? expected : canon(expected);
  if (a !== e) throw new Failure(`${what}:\n      expected ${e.slice(0, 600)}\n      actual   ${a.slice(0, 600)}`);
}
// Polls fn() until it returns a truthy value (returned) or throws no more; rethrows the last failure at the deadline.
async function eventually(fn, timeoutMs, what, intervalMs = 20) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = null;
    } catch (e) {
      if (!(e instanceof Failure)) throw e;
      last = e;
    }
    if (Date.now() >= deadline) {
      if (last) throw new Failure(`${what} (after ${timeoutMs} ms): ${last.message}`);
      throw new Failure(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(intervalMs);
  }
}
function httpGetJson(url, timeoutMs = 3000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => { body += c; });
      res.on("end", () => { try { resolve(JSON.parse(body)); } catch (e) { reject(e); } });
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url}: timeout`)));
    req.on("error", reject);
  });
}
const sortBy = (list, key) => [...list].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));

// ---------------------------------------------------------------------------------------------------------------
// The emulator and the Service Bus broker (brokers.js)

const brokers = require("./brokers");
let AZURE = null; // {amqpCs, adminCs, restUrl, restUrlTls, caFile, statsUrl}
const startFauxqs = () => brokers.startFauxqs(children, OPT.maxSeconds + 30);
async function startSbBroker() {
  const b = await brokers.startSbBroker(children, OPT.maxSeconds + 30);
  AZURE = b.azure;
  return b;
}

// The names of the subscriptions of the cluster topic (docs/AZURE.md default "socket.io").
async function sbSubscriptions() {
  const st = await httpGetJson(AZURE.statsUrl);
  const topics = st.topics || {};
  const t = Object.keys(topics).find((k) => k.toLowerCase() === "socket.io");
  return t ? Object.keys(topics[t]) : [];
}

// ---------------------------------------------------------------------------------------------------------------
// Topology: the sockets every member has (a restarted member gets them again). Names are per member; the full
// name is <label><name>, e.g. m0a. For each origin o there is a pair of sockets kept for disconnectSockets.

function topology() {
  const t = [
    { name: "a", nsp: "/", rooms: ["roomA"] },
    { name: "b", nsp: "/", rooms: ["roomB"] },
    { name: "c", nsp: "/", rooms: ["roomA", "roomB"] },
    { name: "d", nsp: "/", rooms: [] },
    { name: "x", nsp: "/admin", rooms: ["roomA"] },
  ];
  for (const o of ORIGINS) {
    t.push({ name: `dc${o}`, nsp: "/", rooms: [`dc${o}`] });
    t.push({ name: `dk${o}`, nsp: "/", rooms: [`dk${o}`] });
  }
  return t;
}

// The value a client acknowledges an event with: binary for the c sockets, so BINARY_ACK is exercised.
function ackValue(fullName) {
  if (fullName.endsWith("c")) return { from: fullName, bin: { $bin: Buffer.from(fullName).toString("hex") } };
  return { from: fullName };
}

// ---------------------------------------------------------------------------------------------------------------
// A member: server.js or siocat, driven through the protocol of SIOCAT.md.

let ENDPOINT = null;

class Member {
  constructor(index, spec) {
    this.index = index;
    this.kind = spec.kind;
    this.path = spec.path;
    this.label = `m${index}`;
    this.desc = `${this.label} ${this.kind}`;
    this.virtual = this.kind !== "node"; // sockets declared with --socket, seen through `deliver` frames
    this.child = null;
    this.seq = 0;
  }

  async start() {
    this.events = this.events || []; // kept across restarts: tests look at what happened since their start
    const from = this.events.length;
    this.listeners = new Set();
    this.stdoutTail = [];
    this.stderrTail = [];
    this.exit = null;
    this.sockets = new Map(); // name -> {name, full, nsp, rooms, id, connected, received, client}
    for (const s of topology()) {
      this.sockets.set(s.name, { ...s, rooms: [...s.rooms], full: `${this.label}${s.name}`, id: null,
        connected: false, received: [], client: null });
    }
    this.bySid = new Map();
    const common = ["--label", this.label, "--nsp", "/admin",
      "--heartbeat-interval", String(OPT.heartbeatInterval), "--heartbeat-timeout", String(OPT.heartbeatTimeout)];
    let cmd;
    let args;
    if (this.kind === "node") {
      cmd = process.execPath;
      args = [path.join(__dirname, "server.js"), ...common];
      if (this.index === 0 && OPT.transport === "aws") args.push("--log-requests"); // for the wire-shape test at the end
    } else {
      cmd = this.kind === "nodecat" ? process.execPath : this.path;
      args = this.kind === "nodecat" ? [path.join(__dirname, "server.js"), ...common] : [...common];
      for (const s of this.sockets.values()) {
        s.id = `${this.label}-${s.name}`;
        this.bySid.set(s.id, s);
        args.push("--socket", `${s.id}@${s.nsp}${s.rooms.length ? "=" + s.rooms.join(",") : ""}`);
      }
    }
    const env = { ...process.env, AWS_ENDPOINT_URL: ENDPOINT, AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
    delete env.AWS_PROFILE;
    delete env.AWS_SESSION_TOKEN;
    if (OPT.transport === "azure") {
      args.push("--transport", "azure");
      Object.assign(env, { SERVICEBUS_CONNECTION_STRING: AZURE.amqpCs, SERVICEBUS_REST_URL: AZURE.restUrl,
        SERVICEBUS_ADMIN_CONNECTION_STRING: AZURE.adminCs, SERVICEBUS_CA_FILE: AZURE.caFile });
      if (OPT.siocatTls && this.kind === "siocat") { // REST over HTTPS, the test certificate as the trust anchor
        env.SERVICEBUS_REST_URL = AZURE.restUrlTls;
        args.push("--ca-file", AZURE.caFile);
      }
    }
    this.t0 = Date.now();
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env });
    this.child = child;
    children.add(child);
    child.stdin.on("error", () => {});
    // "close", not "exit": it comes after stdout is drained, so a last result line is never lost.
    this.exited = new Promise((resolve) => {
      child.on("close", (code, signal) => {
        children.delete(child);
        if (this.child === child) this.exit = { code, signal, t: Date.now() };
        resolve({ code, signal });
      });
      child.on("error", (err) => { this.exit = { code: -1, error: err.message }; resolve({ code: -1 }); });
    });
    let outBuf = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (c) => {
      outBuf += c;
      let nl;
      while ((nl = outBuf.indexOf("\n")) >= 0) {
        const line = outBuf.slice(0, nl);
        outBuf = outBuf.slice(nl + 1);
        if (line.trim()) this.onLine(line);
      }
    });
    let errBuf = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c) => {
      errBuf += c;
      let nl;
      while ((nl = errBuf.indexOf("\n")) >= 0) {
        const line = errBuf.slice(0, nl);
        errBuf = errBuf.slice(nl + 1);
        this.stderrTail.push(line);
        if (this.stderrTail.length > 40) this.stderrTail.shift();
        if (OPT.verbose) process.stdout.write(`    [${this.label} stderr] ${line}\n`);
      }
    });

    const ready = await this.waitEvent((e) => e.ev === "ready", 20000, "ready line", from);
    this.readyMs = ready.t - this.t0;
    this.uids = ready.uids || {};
    this.queue = ready.queue || ready.subscription || null; // AWS queue or Azure subscription name
    for (const n of NSPS) check(typeof this.uids[n] === "string" && this.uids[n], `${this.desc}: no uid for ${n}`);
    if (this.virtual && ready.sockets !== undefined) {
      const want = [...this.sockets.values()].map((s) => ({ id: s.id, nsp: s.nsp, rooms: s.rooms }));
      checkEq(canon(sortBy(ready.sockets, (x) => x.id)), canon(sortBy(want, (x) => x.id)), `${this.desc} ready sockets`);
    }
    if (!this.virtual) {
      check(Number.isInteger(ready.port), `${this.desc}: ready line without port`);
      await Promise.all([...this.sockets.values()].map(async (s) => {
        s.client = await connectClient(ready.port, s.nsp, { name: s.full, rooms: s.rooms, ackWith: () => ackValue(s.full) });
        s.id = s.client.id;
        s.received = s.client.received;
        s.connected = true;
      }));
      // The server reports each connection after joining its rooms; wait for all of them.
      await eventually(() => [...this.sockets.values()].every((s) =>
        this.events.slice(from).some((e) => e.ev === "connection" && e.sid === s.id)), 5000, `${this.desc} connections`);
      for (const s of this.sockets.values()) this.bySid.set(s.id, s);
    } else {
      for (const s of this.sockets.values()) s.connected = true;
    }
  }

  onLine(line) {
    if (OPT.verbose) process.stdout.write(`    [${this.label}] ${line.length > 300 ? line.slice(0, 300) + "..." : line}\n`);
    this.stdoutTail.push(line.length > 400 ? line.slice(0, 400) + "..." : line);
    if (this.stdoutTail.length > 40) this.stdoutTail.shift();
    let e;
    try {
      e = JSON.parse(line);
      if (!e || typeof e !== "object" || typeof e.ev !== "string") throw new Error("no ev");
    } catch (err) {
      e = { ev: "error", where: "runner", message: `not a JSON event line: ${line.slice(0, 200)}` };
    }
    e.t = Date.now();
    this.events.push(e);
    try {
      this.react(e);
    } catch (err) {
      this.events.push({ ev: "error", where: "runner", message: `${e.ev}: ${err.message}`, t: Date.now() });
    }
    for (const l of this.listeners) l(e);
  }

  // Automatic behaviour of the runner: answer serverSideEmit requests like an application, and play the clients of
  // a siocat's virtual sockets (decode each delivery, acknowledge events that ask for it).
  react(e) {
    if (e.ev === "result" && typeof e.id === "string" && e.id.startsWith("auto.") && !e.ok) {
      throw new Error(`${e.cmd} failed: ${e.error}`);
    }
    if (e.ev === "serverSideEmit" && e.ackId !== undefined && e.ackId !== null) {
      this.send({ cmd: "serverSideAck", id: `auto.${++this.seq}`, ackId: e.ackId, args: [{ from: this.label }] });
    }
    if (e.ev === "deliver") {
      e.packet = decodeFrames(e); // throws: reported as an error event of this member
      if (!this.virtual) return;
      const s = this.bySid && this.bySid.get(e.sid);
      if (!s) throw new Error(`delivery to unknown socket ${e.sid}`);
      const p = e.packet;
      if (p.type === PacketType.EVENT || p.type === PacketType.BINARY_EVENT) {
        const entry = { event: p.data[0], args: JSON.parse(canon(p.data.slice(1))), t: e.t };
        if (p.id !== undefined) {
          entry.ack = true;
          const f = encodeFrames({ type: PacketType.ACK, nsp: s.nsp, id: p.id, data: [fromJson(ackValue(s.full))] });
          this.send({ cmd: "clientPacket", id: `auto.${++this.seq}`, nsp: s.nsp, sid: s.id, text: f.text, bin: f.bin });
        }
        s.received.push(entry);
      } else if (p.type === PacketType.DISCONNECT) {
        s.received.push({ event: "disconnect", args: ["io server disconnect"], t: e.t });
      }
    }
  }

  send(obj) {
    if (!this.child || this.exit) return;
    this.child.stdin.write(JSON.stringify(obj) + "\n");
  }

  // Sends a command and resolves with its `result` line.
  async cmd(obj, timeoutMs = 8000) {
    check(this.child && !this.exit, `${this.desc} is not running`);
    const id = `${this.label}.${++this.seq}`;
    const from = this.events.length;
    this.send({ ...obj, id });
    const r = await this.waitEvent((e) => e.ev === "result" && e.id === id, timeoutMs, `result of ${obj.cmd}`, from);
    return r;
  }

  waitEvent(pred, timeoutMs, what, fromIndex = 0) {
    for (let i = fromIndex; i < this.events.length; i++) if (pred(this.events[i])) return Promise.resolve(this.events[i]);
    if (this.exit) return Promise.reject(new Failure(`${this.desc} has exited (${JSON.stringify(this.exit)}), no ${what}`));
    return new Promise((resolve, reject) => {
      const l = (e) => { if (pred(e)) { done(); resolve(e); } };
      const timer = setTimeout(() => { done(); reject(new Failure(`${this.desc}: no ${what} within ${timeoutMs} ms`)); },
        timeoutMs);
      const onExit = () => { done(); reject(new Failure(`${this.desc} exited (${JSON.stringify(this.exit)}) before ${what}`)); };
      const child = this.child;
      const done = () => { clearTimeout(timer); this.listeners.delete(l); child.removeListener("close", onExit); };
      this.listeners.add(l);
      child.once("close", onExit);
    });
  }

  // Sockets in nsp selected by rooms/except exactly as docs/PROTOCOL.md §4.2 (connected ones only), by this member's model.
  select(nsp, rooms, except) {
    const inNsp = [...this.sockets.values()].filter((s) => s.nsp === nsp && s.connected);
    const member = (s, r) => s.id === r || s.rooms.includes(r);
    const excluded = (s) => (except || []).some((r) => member(s, r));
    if (rooms && rooms.length) return inNsp.filter((s) => !excluded(s) && rooms.some((r) => member(s, r)));
    return inNsp.filter((s) => !excluded(s));
  }

  running() { return this.child && !this.exit; }

  async stopGracefully(timeoutMs = 8000) {
    if (!this.running()) return;
    const r = await this.cmd({ cmd: "close" }, timeoutMs);
    check(r.ok, `${this.desc}: close failed: ${r.error}`);
    const ex = await Promise.race([this.exited, sleep(timeoutMs).then(() => null)]);
    check(ex, `${this.desc} did not exit within ${timeoutMs} ms of close`);
    for (const s of this.sockets.values()) if (s.client) s.client.close();
  }

  async kill() {
    this.child.kill("SIGKILL");
    await this.exited;
    for (const s of this.sockets.values()) if (s.client) s.client.close();
  }

  tail() {
    const cut = (l) => (l.length > 200 ? l.slice(0, 200) + "..." : l);
    const lines = [`    --- ${this.desc} stdout, last lines`, ...this.stdoutTail.slice(-8).map((l) => `    | ${cut(l)}`)];
    if (this.stderrTail.length) {
      lines.push(`    --- ${this.desc} stderr, last lines`, ...this.stderrTail.slice(-8).map((l) => `    | ${cut(l)}`));
    }
    return lines.join("\n");
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Test bookkeeping

const results = [];
const restoreAfter = new Set(); // members a liveness test stopped and must bring back even when it fails
let MEMBERS = [];

async function test(name, fn) {
  if (OPT.only && !OPT.only.test(name)) return;
  const marks = MEMBERS.map((m) => m.events.length);
  const t0 = Date.now();
  let error = null;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  // Any error a member reported during the test fails it (malformed lines, decode failures, adapter errors).
  const reported = [];
  MEMBERS.forEach((m, i) => {
    for (const e of m.events.slice(marks[i] || 0)) {
      if (e.ev === "error") reported.push(`${m.desc}: ${JSON.stringify({ ...e, t: undefined })}`);
    }
  });
  if (!error && reported.length) error = new Failure(`members reported errors:\n      ${reported.join("\n      ")}`);
  const ms = Date.now() - t0;
  // A failed liveness test must not leave a member down for the next one: restart it (untimed, not a test).
  for (const m of restoreAfter) {
    restoreAfter.delete(m);
    try {
      if (m.running()) await m.kill();
      await m.start();
      await waitFullCluster(8000);
    } catch (e) {
      process.stdout.write(`     could not restore ${m.desc}: ${e.message}\n`);
    }
  }
  results.push({ name, ok: !error, ms });
  if (!error) {
    process.stdout.write(`ok   ${String(results.length).padStart(2)} ${name} (${ms} ms)\n`);
  } else {
    process.stdout.write(`FAIL ${String(results.length).padStart(2)} ${name} (${ms} ms)\n     ${error instanceof Failure ? error.message : error.stack}\n`);
    if (reported.length && error.message.indexOf("members reported") < 0) {
      process.stdout.write(`     members also reported errors:\n      ${reported.join("\n      ")}\n`);
    }
    for (const m of MEMBERS) if (m.events) process.stdout.write(m.tail() + "\n");
  }
}

const fromDesc = (o) => `[from ${MEMBERS[o].desc}]`;
const allSockets = () => MEMBERS.flatMap((m) => [...m.sockets.values()].map((s) => ({ m, s })));

// ---------------------------------------------------------------------------------------------------------------
// Checks shared by scenarios

// After an emit of `event` with `args` (JSON form) in nsp: every target socket of every member receives it exactly
// once with those arguments, no other socket receives it, and every delivery's frames are exactly what
// socket.io-parser encodes for {type EVENT, nsp, id, data} (id: the member's own ack id, the same for all of that
// member's targets of one emit, absent without ack).
async function checkDeliveries({ nsp, event, args, targets, ack, settleMs = 300 }) {
  const targetSet = new Set(targets.map(({ s }) => s));
  await eventually(() => targets.every(({ s }) => s.received.some((r) => r.event === event)), 5000,
    `"${event}" at ${targets.map(({ s }) => s.full).join(",")}`).catch((e) => {
    const missing = targets.filter(({ s }) => !s.received.some((r) => r.event === event)).map(({ s }) => s.full);
    throw new Failure(`${e.message}; missing at ${missing.join(",")}`);
  });
  await sleep(settleMs);
  const expectedArgs = canon(args);
  for (const { m, s } of allSockets()) {
    const got = s.received.filter((r) => r.event === event);
    if (!targetSet.has(s)) {
      check(got.length === 0, `${s.full} (${m.desc}, ${s.nsp}) received "${event}" but is not a target`);
      continue;
    }
    check(got.length === 1, `${s.full} (${m.desc}) received "${event}" ${got.length} times`);
    checkEq(canon(got[0].args), expectedArgs, `${s.full} (${m.desc}) arguments of "${event}"`);
    check(!!got[0].ack === !!ack, `${s.full} (${m.desc}): ack requested=${!!got[0].ack}, expected ${!!ack}`);
  }
  // Frames, per member.
  for (const m of MEMBERS) {
    if (!m.running()) continue;
    const dels = m.events.filter((e) => e.ev === "deliver" && e.packet && Array.isArray(e.packet.data) &&
      e.packet.data[0] === event);
    const mine = targets.filter((t) => t.m === m).map((t) => t.s);
    for (const d of dels) {
      const s = m.bySid.get(d.sid);
      check(s && targetSet.has(s), `${m.desc} delivered "${event}" to non-target socket ${d.sid}`);
    }
    const ids = new Set();
    for (const s of mine) {
      const ds = dels.filter((d) => d.sid === s.id);
      check(ds.length === 1, `${m.desc}: ${ds.length} deliveries of "${event}" to ${s.full}`);
      const d = ds[0];
      checkEq(d.nsp, nsp, `${m.desc} deliver nsp for ${s.full}`);
      const id = d.packet.id;
      if (ack) check(Number.isInteger(id) && id >= 0, `${m.desc}: ack broadcast delivered without an ack id`);
      else check(id === undefined, `${m.desc}: plain broadcast delivered with ack id ${id}`);
      ids.add(id);
      const want = encodeFrames({ type: PacketType.EVENT, nsp, id, data: [event, ...fromJson(args)] });
      checkEq(d.text, want.text, `${m.desc} text frame to ${s.full}`);
      checkEq(JSON.stringify(d.bin || []), JSON.stringify(want.bin), `${m.desc} binary frames to ${s.full}`);
    }
    check(ids.size <= 1, `${m.desc} used several ack ids for one broadcast: ${[...ids].join(",")}`);
  }
}

function targetsOf(nsp, rooms, except) {
  return MEMBERS.flatMap((m) => m.select(nsp, rooms, except).map((s) => ({ m, s })));
}

async function broadcastAndCheck(o, { nsp = "/", rooms = [], except = [], event, args }) {
  const r = await MEMBERS[o].cmd({ cmd: "broadcast", nsp, rooms, except, event, args });
  check(r.ok, `broadcast failed: ${r.error}`);
  await checkDeliveries({ nsp, event, args, targets: targetsOf(nsp, rooms, except) });
}

// fetchSockets from member v: the answer (any order) must be exactly the expected sockets, each with its rooms
// (own id first, then join order), a 9-key handshake in Node's key order and a data value.
const HANDSHAKE_KEYS = ["headers", "time", "address", "xdomain", "secure", "issued", "url", "query", "auth"];
function checkFetched(sockets, expected, what) {
  check(Array.isArray(sockets), `${what}: no sockets array`);
  const got = sortBy(sockets.map((x) => ({ id: x.id, rooms: x.rooms })), (x) => x.id);
  const want = sortBy(expected.map(({ s }) => ({ id: s.id, rooms: [s.id, ...s.rooms] })), (x) => x.id);
  checkEq(canon(got), canon(want), `${what}: ids and rooms`);
  for (const x of sockets) {
    check(x.handshake && typeof x.handshake === "object", `${what}: socket ${x.id} without handshake`);
    checkEq(JSON.stringify(Object.keys(x.handshake)), JSON.stringify(HANDSHAKE_KEYS), `${what}: handshake keys of ${x.id}`);
    check(typeof x.handshake.issued === "number" && typeof x.handshake.time === "string" &&
      typeof x.handshake.url === "string", `${what}: handshake field types of ${x.id}`);
    check("data" in x, `${what}: socket ${x.id} without data`);
  }
}

async function fetchFrom(v, sel, timeoutMs = 8000) {
  const r = await MEMBERS[v].cmd({ cmd: "fetchSockets", nsp: sel.nsp || "/", rooms: sel.rooms || [],
    except: sel.except || [] }, timeoutMs);
  check(r.ok, `fetchSockets on ${MEMBERS[v].desc} failed: ${r.error}`);
  return r.sockets;
}

async function serverCounts() {
  const out = {};
  for (const m of MEMBERS) {
    if (!m.running()) continue;
    for (const n of NSPS) out[`${m.label}${n}`] = (await m.cmd({ cmd: "serverCount", nsp: n })).count;
  }
  return out;
}
async function waitFullCluster(timeoutMs = 8000) {
  const n = MEMBERS.filter((m) => m.running()).length;
  await eventually(async () => {
    const c = await serverCounts();
    const bad = Object.entries(c).filter(([, v]) => v !== n);
    check(bad.length === 0, `serverCount should be ${n}: ${JSON.stringify(c)}`);
    return true;
  }, timeoutMs, "every member to count the whole cluster", 100);
}

// ---------------------------------------------------------------------------------------------------------------
// Scenarios

async function scenarios() {
  await test("cluster forms: every member counts every member in / and /admin (serverCount)", async () => {
    await waitFullCluster(10000);
  });

  for (const o of ORIGINS) {
    await test(`broadcast to all ${fromDesc(o)}`, () => broadcastAndCheck(o, {
      event: `all-${o}`, args: [1, "two", { k: [true, null, 1.5, -7] }, "é/\u2028\"q\"\n"],
    }));
  }
  for (const o of ORIGINS) {
    await test(`broadcast to rooms (room + socket id, one delivery per socket) ${fromDesc(o)}`, () => broadcastAndCheck(o, {
      rooms: ["roomB", MEMBERS[LAST].sockets.get("d").id], event: `room-${o}`, args: ["r"],
    }));
  }
  for (const o of ORIGINS) {
    await test(`broadcast with except (room and socket id) ${fromDesc(o)}`, async () => {
      await broadcastAndCheck(o, { rooms: ["roomA"], except: ["roomB"], event: `exc1-${o}`, args: [] });
      await broadcastAndCheck(o, {
        except: ["roomA", MEMBERS[(o + 1) % MEMBERS.length].sockets.get("b").id], event: `exc2-${o}`, args: [{}],
      });
    });
  }
  for (const o of ORIGINS) {
    await test(`broadcast binary (placeholders, nested, empty, 64 KiB) ${fromDesc(o)}`, async () => {
      await broadcastAndCheck(o, {
        event: `bin-${o}`,
        args: [1, { $bin: "0304" }, { a: { $bin: "01" }, b: [{ $bin: "" }, "s", { $bin: "ff00ff" }] }],
      });
      const big = Buffer.alloc(65536);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7 + o) & 0xff;
      await broadcastAndCheck(o, { rooms: ["roomA"], event: `bigbin-${o}`, args: [{ $bin: big.toString("hex") }] });
    });
  }
  for (const o of ORIGINS) {
    await test(`broadcast in two namespaces (/admin, then / to the same room name) ${fromDesc(o)}`, async () => {
      await broadcastAndCheck(o, { nsp: "/admin", event: `ns-${o}`, args: ["admin", { $bin: "0a" }] });
      await broadcastAndCheck(o, { nsp: "/admin", rooms: ["roomA"], event: `nsr-${o}`, args: [] });
      await broadcastAndCheck(o, { nsp: "/", rooms: ["roomA"], event: `nsr2-${o}`, args: [] });
    });
  }
  for (const o of ORIGINS) {
    await test(`broadcast with acks (per-client acks incl. binary, client counts) ${fromDesc(o)}`, async () => {
      const event = `ack-${o}`;
      const args = [42, { q: "?" }];
      const t0 = Date.now();
      const r = await MEMBERS[o].cmd({ cmd: "broadcast", nsp: "/", rooms: ["roomA"], except: [], event, args,
        ack: true, timeout: 4000 }, 8000);
      const took = Date.now() - t0;
      check(r.ok, `broadcast failed: ${r.error}`);
      const targets = targetsOf("/", ["roomA"], []);
      checkEq(r.err, null, "ack broadcast error");
      checkEq(canon(sortBy(r.acks, canon)), canon(sortBy(targets.map(({ s }) => ackValue(s.full)), canon)), "acks");
      check(took < 3500, `acks took ${took} ms: completed by the timeout, not by the counts`);
      await checkDeliveries({ nsp: "/", event, args, targets, ack: true, settleMs: 100 });
    });
    await test(`broadcast with acks to nobody completes with [] (every peer sends clientCount 0) ${fromDesc(o)}`, async () => {
      const t0 = Date.now();
      const r = await MEMBERS[o].cmd({ cmd: "broadcast", nsp: "/", rooms: ["nobody"], except: [], event: `ack0-${o}`,
        args: [], ack: true, timeout: 4000 }, 8000);
      check(r.ok, `broadcast failed: ${r.error}`);
      checkEq(r.err, null, "ack broadcast error");
      checkEq(canon(r.acks), "[]", "acks");
      check(Date.now() - t0 < 3500, "completed by the timeout, not by the client counts");
    });
  }
  for (const o of ORIGINS) {
    await test(`serverSideEmit, then with ack ${fromDesc(o)}`, async () => {
      const event = `sse-${o}`;
      const args = [1, "two", { $bin: "aabb" }, { n: null }];
      const marks = MEMBERS.map((m) => m.events.length);
      const r = await MEMBERS[o].cmd({ cmd: "serverSideEmit", nsp: "/", event, args });
      check(r.ok, `serverSideEmit failed: ${r.error}`);
      const seen = (m, i) => m.events.slice(marks[i]).filter((e) => e.ev === "serverSideEmit" && e.event === event);
      await eventually(() => MEMBERS.every((m, i) => i === o || seen(m, i).length >= 1), 5000, `"${event}" on peers`);
      await sleep(300);
      MEMBERS.forEach((m, i) => {
        const s = seen(m, i);
        if (i === o) { check(s.length === 0, `origin ${m.desc} received its own serverSideEmit`); return; }
        check(s.length === 1, `${m.desc} got "${event}" ${s.length} times`);
        checkEq(s[0].nsp, "/", `${m.desc} serverSideEmit nsp`);
        checkEq(canon(s[0].args), canon(args), `${m.desc} serverSideEmit args`);
        check(s[0].ackId === undefined || s[0].ackId === null, `${m.desc}: ack requested for a plain serverSideEmit`);
      });

      const t0 = Date.now();
      const ra = await MEMBERS[o].cmd({ cmd: "serverSideEmit", nsp: "/", event: `${event}-ack`, args: ["q"], ack: true },
        8000);
      const took = Date.now() - t0;
      check(ra.ok, `serverSideEmit with ack failed: ${ra.error}`);
      checkEq(ra.err, null, "serverSideEmit ack error");
      const want = MEMBERS.filter((m, i) => i !== o).map((m) => ({ from: m.label }));
      checkEq(canon(sortBy(ra.responses, canon)), canon(sortBy(want, canon)), "serverSideEmit responses");
      check(took < 4000, `responses took ${took} ms`);
    });
  }
  for (const o of ORIGINS) {
    await test(`fetchSockets (room, namespace, nobody: empty answers count) ${fromDesc(o)}`, async () => {
      checkFetched(await fetchFrom(o, { rooms: ["roomA"] }), targetsOf("/", ["roomA"], []), "/ roomA");
      checkFetched(await fetchFrom(o, { nsp: "/admin" }), targetsOf("/admin", [], []), "/admin all");
      checkFetched(await fetchFrom(o, { rooms: ["roomB"], except: ["roomA"] }), targetsOf("/", ["roomB"], ["roomA"]),
        "/ roomB except roomA");
      const t0 = Date.now();
      checkFetched(await fetchFrom(o, { rooms: ["nobody"] }), [], "/ nobody");
      check(Date.now() - t0 < 3000, "an empty fetchSockets waited for the timeout: some member did not answer");
    });
  }
  for (const o of ORIGINS) {
    const v = o === FIRST ? LAST : FIRST; // verify from another member
    await test(`socketsJoin ${fromDesc(o)}`, async () => {
      const r = await MEMBERS[o].cmd({ cmd: "socketsJoin", nsp: "/", rooms: ["roomB"], except: [], target: ["roomJ"] });
      check(r.ok, `socketsJoin failed: ${r.error}`);
      for (const { s } of targetsOf("/", ["roomB"], [])) s.rooms.push("roomJ");
      await eventually(async () => { checkFetched(await fetchFrom(v, { rooms: ["roomJ"] }), targetsOf("/", ["roomJ"], []), "roomJ"); return true; },
        5000, "roomJ members");
    });
    await test(`socketsLeave (with except, then all) ${fromDesc(o)}`, async () => {
      let r = await MEMBERS[o].cmd({ cmd: "socketsLeave", nsp: "/", rooms: ["roomJ"], except: ["roomA"], target: ["roomJ"] });
      check(r.ok, `socketsLeave failed: ${r.error}`);
      for (const { s } of targetsOf("/", ["roomJ"], ["roomA"])) s.rooms = s.rooms.filter((x) => x !== "roomJ");
      await eventually(async () => { checkFetched(await fetchFrom(v, { rooms: ["roomJ"] }), targetsOf("/", ["roomJ"], []), "roomJ after leave except roomA"); return true; },
        5000, "roomJ members");
      r = await MEMBERS[o].cmd({ cmd: "socketsLeave", nsp: "/", rooms: [], except: [], target: ["roomJ"] });
      check(r.ok, `socketsLeave failed: ${r.error}`);
      for (const { s } of allSockets()) s.rooms = s.rooms.filter((x) => x !== "roomJ");
      await eventually(async () => { checkFetched(await fetchFrom(v, { rooms: ["roomJ"] }), [], "roomJ after leave all"); return true; },
        5000, "roomJ empty");
    });
  }
  for (const o of ORIGINS) {
    await test(`disconnectSockets (close false, then close true) ${fromDesc(o)}`, async () => {
      for (const [room, close] of [[`dc${o}`, false], [`dk${o}`, true]]) {
        const targets = targetsOf("/", [room], []);
        check(targets.length === MEMBERS.length, `expected one ${room} socket per member`);
        const r = await MEMBERS[o].cmd({ cmd: "disconnectSockets", nsp: "/", rooms: [room], except: [], close });
        check(r.ok, `disconnectSockets failed: ${r.error}`);
        await eventually(() => targets.every(({ s }) => s.received.some((x) => x.event === "disconnect")), 5000,
          `disconnect of ${room} sockets`);
        for (const { m, s } of targets) {
          const d = s.received.filter((x) => x.event === "disconnect");
          checkEq(canon(d[0].args), canon(["io server disconnect"]), `${s.full} (${m.desc}) disconnect reason`);
          // The DISCONNECT frame itself, as socket.io-parser writes it.
          const frames = m.events.filter((e) => e.ev === "deliver" && e.sid === s.id && e.packet &&
            e.packet.type === PacketType.DISCONNECT);
          check(frames.length === 1, `${m.desc}: ${frames.length} DISCONNECT frames to ${s.full}`);
          checkEq(frames[0].text, encodeFrames({ type: PacketType.DISCONNECT, nsp: "/" }).text, `${m.desc} DISCONNECT frame`);
          if (m.virtual) { // SIOCAT.md §4.3 (server.js reports Node's reason instead of `close`)
            const line = await m.waitEvent((e) => e.ev === "disconnect" && e.sid === s.id, 2000, `disconnect line for ${s.id}`);
            if (typeof line.close === "boolean") checkEq(String(line.close), String(close), `${m.desc} disconnect close flag`);
          }
          s.connected = false;
        }
      }
      // Nobody else was disconnected, and the cluster no longer lists them.
      await sleep(200);
      for (const { m, s } of allSockets()) {
        if (s.connected) check(!s.received.some((x) => x.event === "disconnect"), `${s.full} (${m.desc}) was disconnected too`);
      }
      const v = o === FIRST ? LAST : FIRST;
      await eventually(async () => { checkFetched(await fetchFrom(v, { rooms: [`dc${o}`, `dk${o}`] }), [], "disconnected sockets"); return true; },
        5000, "disconnected sockets gone");
    });
  }
  await test("serverCount on every member, both namespaces", async () => {
    const c = await serverCounts();
    for (const [k, v] of Object.entries(c)) checkEq(String(v), String(MEMBERS.length), `serverCount ${k}`);
  });

  // Liveness. A graceful stop (ADAPTER_CLOSE) must be seen at once; a killed member only after the heartbeat timeout.
  for (const o of ORIGINS) {
    await test(`graceful stop seen at once (ADAPTER_CLOSE), queue deleted, restart rejoins: ${MEMBERS[o].desc}`, async () => {
      const m = MEMBERS[o];
      const survivors = MEMBERS.filter((x) => x !== m);
      const marks = survivors.map((x) => x.events.length);
      const uids = { ...m.uids };
      const t0 = Date.now();
      if (m.queue && OPT.transport === "azure") { // the check after the stop below must be able to fail
        const subs = (await sbSubscriptions()).map((x) => x.toLowerCase());
        check(subs.includes(m.queue.toLowerCase()), `subscription ${m.queue} not in the broker before the stop`);
      }
      restoreAfter.add(m);
      await m.stopGracefully();
      checkEq(String(m.exit.code), "0", `${m.desc} exit code`);
      await Promise.all(survivors.map((x, i) => Promise.all(NSPS.map((n) => x.waitEvent((e) =>
        e.ev === "nodeDown" && e.nsp === n && e.uid === uids[n], 3000, `nodeDown ${n} ${uids[n]}`, marks[i])))));
      const downs = survivors.flatMap((x, i) => x.events.slice(marks[i]).filter((e) => e.ev === "nodeDown"));
      for (const d of downs) checkEq(d.reason, "close", "nodeDown reason");
      const latency = Math.max(...downs.map((d) => d.t - t0));
      process.stdout.write(`     ${m.desc} seen gone by every survivor ${latency} ms after the close command\n`);
      check(latency < 2000, `graceful stop took ${latency} ms to be seen`);
      const c = await serverCounts();
      for (const [k, v] of Object.entries(c)) checkEq(String(v), String(MEMBERS.length - 1), `serverCount ${k} after close`);
      if (m.queue && OPT.transport === "azure") {
        const subs = (await sbSubscriptions()).map((x) => x.toLowerCase());
        check(!subs.includes(m.queue.toLowerCase()), `subscription ${m.queue} still exists after a graceful stop`);
      } else if (m.queue) {
        const queues = (await httpGetJson(`${ENDPOINT}/_fauxqs/queues`)).map((q) => q.name);
        check(!queues.includes(m.queue), `queue ${m.queue} still exists after a graceful stop`);
      }
      const t1 = Date.now();
      restoreAfter.delete(m);
      await m.start();
      await waitFullCluster(8000);
      process.stdout.write(`     restarted ${m.desc}: ready in ${m.readyMs} ms, counted by all ${Date.now() - t1} ms after start\n`);
    });
  }
  for (const o of ORIGINS) {
    await test(`killed member detected after the heartbeat timeout: ${MEMBERS[o].desc}`, async () => {
      const m = MEMBERS[o];
      const survivors = MEMBERS.filter((x) => x !== m);
      const marks = survivors.map((x) => x.events.length);
      const uids = { ...m.uids };
      const t0 = Date.now();
      if (o !== ORIGINS[ORIGINS.length - 1]) restoreAfter.add(m);
      await m.kill();
      const limit = OPT.heartbeatTimeout + 1000 + 2000;
      await Promise.all(survivors.map((x, i) => Promise.all(NSPS.map((n) => x.waitEvent((e) =>
        e.ev === "nodeDown" && e.nsp === n && e.uid === uids[n], limit, `nodeDown ${n} ${uids[n]}`, marks[i])))));
      const downs = survivors.flatMap((x, i) => x.events.slice(marks[i]).filter((e) => e.ev === "nodeDown"));
      for (const d of downs) checkEq(d.reason, "timeout", "nodeDown reason");
      const ts = downs.map((d) => d.t - t0);
      process.stdout.write(`     ${m.desc} killed; survivors dropped it after ${Math.min(...ts)}..${Math.max(...ts)} ms` +
        ` (heartbeat ${OPT.heartbeatInterval} ms, timeout ${OPT.heartbeatTimeout} ms)\n`);
      check(Math.min(...ts) >= OPT.heartbeatTimeout - OPT.heartbeatInterval - 300,
        `dropped after ${Math.min(...ts)} ms: earlier than the heartbeat timeout allows`);
      const c = await serverCounts();
      for (const [k, v] of Object.entries(c)) checkEq(String(v), String(MEMBERS.length - 1), `serverCount ${k} after kill`);
      if (restoreAfter.delete(m)) {
        await m.start();
        await waitFullCluster(8000);
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The test adapter against the upstream adapter's captured requests (tests/vectors/aws, docs docs/AWS.md): every SNS/SQS
// request body member 0 (a Node member, run with --log-requests) sent must have exactly the shape of the capture of
// the same call: same parameters in the same order, same constant values; start-up and shutdown in docs/AWS.md's order.

const VECTOR_DIR = path.join(__dirname, "..", "vectors", "aws");
function vectorBody(file) {
  const t = fs.readFileSync(path.join(VECTOR_DIR, file), "latin1");
  const req = t.split("======== REQUEST ========")[1].split("======== RESPONSE")[0];
  const i = req.indexOf("\r\n\r\n");
  return Buffer.from(req.slice(i + 4).replace(/\n$/, ""), "latin1").toString("utf8").replace(/\n$/, "");
}
const parseForm = (body) => body.split("&").map((kv) => {
  const i = kv.indexOf("=");
  return [decodeURIComponent(kv.slice(0, i)), decodeURIComponent(kv.slice(i + 1))];
});
const SNS_TEMPLATES = { CreateTopic: "01-sns-CreateTopic.txt", Subscribe: "05-sns-Subscribe-sqs-raw.txt",
  Unsubscribe: "18-sns-Unsubscribe.txt" };
const PUBLISH_TEMPLATES = { "-": "06-sns-Publish-INITIAL_HEARTBEAT.txt", "-data": "08-sns-Publish-BROADCAST-binary-data.txt",
  "req-data": "09-sns-Publish-FETCH_SOCKETS_RESPONSE-requesterUid.txt" };
const SQS_TEMPLATES = { "AmazonSQS.CreateQueue": "02-sqs-CreateQueue.txt", "AmazonSQS.GetQueueAttributes": "03-sqs-GetQueueAttributes.txt",
  "AmazonSQS.SetQueueAttributes": "04-sqs-SetQueueAttributes-Policy.txt", "AmazonSQS.ReceiveMessage": "13-sqs-ReceiveMessage-BROADCAST-String+Binary.txt",
  "AmazonSQS.DeleteMessageBatch": "16-sqs-DeleteMessageBatch.txt", "AmazonSQS.DeleteQueue": "17-sqs-DeleteQueue.txt" };
const VARIABLE_FORM = /^(TopicArn|Endpoint|SubscriptionArn|MessageAttributes\.entry\.\d+\.Value\.(StringValue|BinaryValue)|Message)$/;
const RESPONSE_TYPES = new Set([8, 10, 11, 12]);
const NO_DATA_TYPES = new Set([1, 2, 13]);

function checkSnsRequest(body) {
  const got = parseForm(body);
  const action = (got.find(([k]) => k === "Action") || [])[1];
  let file = SNS_TEMPLATES[action];
  let type = null;
  if (action === "Publish") {
    const names = got.filter(([k]) => /^MessageAttributes\.entry\.\d+\.Name$/.test(k)).map(([, v]) => v);
    file = PUBLISH_TEMPLATES[`${names.includes("requesterUid") ? "req" : ""}-${names.includes("data") ? "data" : ""}`];
    type = Number((got.find(([k]) => k === "Message") || [])[1]);
    check(Number.isInteger(type) && type >= 1 && type <= 13, `Publish with Message ${type}`);
    check(RESPONSE_TYPES.has(type) === names.includes("requesterUid"), `type ${type}: requesterUid presence`);
    check(NO_DATA_TYPES.has(type) === !names.includes("data"), `type ${type}: data attribute presence`);
    const nsp = got.find(([k, v]) => k.endsWith(".Name") && v === "nsp");
    check(nsp, `type ${type}: no nsp attribute`);
    const data = got.findIndex(([k, v]) => k.endsWith(".Name") && v === "data");
    if (data >= 0) require("@msgpack/msgpack").decode(Buffer.from(got[data + 2][1], "base64"));
  }
  check(file, `SNS ${action}: no captured counterpart (unexpected call or attribute set)`);
  const want = parseForm(vectorBody(file));
  checkEq(JSON.stringify(got.map(([k]) => k)), JSON.stringify(want.map(([k]) => k)), `SNS ${action} ${type || ""} parameters (vs ${file})`);
  got.forEach(([k, v], i) => {
    if (VARIABLE_FORM.test(k)) return;
    checkEq(v, want[i][1], `SNS ${action} ${k} (vs ${file})`);
  });
  return { op: action, type };
}

function checkSqsRequest(target, body) {
  const file = SQS_TEMPLATES[target];
  check(file, `SQS ${target}: no captured counterpart`);
  const got = JSON.parse(body);
  const want = JSON.parse(vectorBody(file));
  checkEq(JSON.stringify(Object.keys(got)), JSON.stringify(Object.keys(want)), `${target} keys (vs ${file})`);
  for (const k of Object.keys(got)) {
    if (k === "QueueUrl") check(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\/socket-io-[0-9a-f]{16}$/.test(got[k]), `${target} QueueUrl ${got[k]}`);
    else if (k === "QueueName") check(/^socket-io-[0-9a-f]{16}$/.test(got[k]), `QueueName ${got[k]}`);
    else if (k === "Entries") {
      check(Array.isArray(got[k]) && got[k].length >= 1 && got[k].length <= 10, "DeleteMessageBatch entries");
      for (const e of got[k]) checkEq(JSON.stringify(Object.keys(e)), JSON.stringify(Object.keys(want[k][0])), "entry keys");
    } else if (k === "Attributes") {
      const norm = (p) => p.replace(/socket-io-[0-9a-f]{16}/g, "socket-io-Q");
      checkEq(norm(got[k].Policy), norm(want[k].Policy), "queue policy (docs/AWS.md §5)");
    } else checkEq(canon(got[k]), canon(want[k]), `${target} ${k} (vs ${file})`);
  }
  return { op: target.replace("AmazonSQS.", "") };
}

async function wireShapeTest() {
  const m = MEMBERS[0];
  if (m.kind !== "node") return;
  if (OPT.transport !== "aws") {
    process.stdout.write("skip    test adapter requests vs tests/vectors/aws: AWS-only (SNS/SQS request captures; " +
      "the Azure adapter speaks AMQP through @azure/service-bus)\n");
    return;
  }
  await test("test adapter requests have the upstream adapter's exact shape (tests/vectors/aws)", async () => {
    const reqs = m.events.filter((e) => e.ev === "awsRequest");
    check(reqs.length > 20, `only ${reqs.length} requests logged`);
    const ops = reqs.map((r) => (r.svc === "sns" ? checkSnsRequest(r.body) : checkSqsRequest(r.target, r.body)));
    const types = new Set(ops.filter((o) => o.op === "Publish").map((o) => o.type));
    for (let t = 1; t <= 13; t++) check(types.has(t), `no Publish of type ${t} seen`);
    // Per incarnation (split at CreateTopic): docs/AWS.md §2.1 start-up order, INITIAL_HEARTBEAT first; §2.4 shutdown.
    const runs = [];
    for (const o of ops) { if (o.op === "CreateTopic") runs.push([]); runs[runs.length - 1].push(o); }
    check(runs.length >= 2, "member 0 should have started more than once");
    const seq = (r) => r.map((o) => o.op + (o.type ? o.type : ""));
    for (const r of runs) {
      const calls = seq(r).filter((x) => x !== "ReceiveMessage" && x !== "DeleteMessageBatch"); // polling runs alongside
      checkEq(JSON.stringify(calls.slice(0, 7)),
        JSON.stringify(["CreateTopic", "CreateQueue", "GetQueueAttributes", "SetQueueAttributes", "Subscribe", "Publish1", "Publish1"]),
        "start-up sequence");
    }
    const closedRuns = runs.filter((r) => r.some((o) => o.op === "DeleteQueue"));
    check(closedRuns.length >= 1, "no graceful shutdown logged");
    for (const r of closedRuns) {
      const s = seq(r);
      checkEq(JSON.stringify(s.slice(-2).sort()), JSON.stringify(["DeleteQueue", "Unsubscribe"]), "shutdown ends with DeleteQueue + Unsubscribe");
      check(s.filter((x) => x === "Publish13").length === 2, "one ADAPTER_CLOSE per namespace before the queue goes");
      check(s.lastIndexOf("Publish13") < s.length - 2, "ADAPTER_CLOSE after DeleteQueue");
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------

function finish(code) {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  killAll();
  process.stdout.write(`total ${((Date.now() - T_START) / 1000).toFixed(1)} s, members: ${OPT.members}` +
    `${OPT.transport === "aws" ? "" : `, transport ${OPT.transport}`}\n`);
  process.stdout.write(`${OPT.summaryPrefix ? OPT.summaryPrefix + ": " : ""}${passed} passed, ${failed} failed\n`);
  process.exit(failed || code ? 1 : 0);
}

async function main() {
  const watchdog = setTimeout(() => {
    process.stdout.write(`FAIL watchdog: the run exceeded ${OPT.maxSeconds} s\n`);
    results.push({ name: "watchdog", ok: false, ms: 0 });
    finish(1);
  }, OPT.maxSeconds * 1000);
  watchdog.unref();

  process.stdout.write(`interop: members ${OPT.members}; ${OPT.transport === "aws" ? "" : `transport ${OPT.transport}; `}${OPT.siocatTls ? "siocat REST over HTTPS (https://localhost, test CA); " : ""}heartbeat ${OPT.heartbeatInterval} ms, timeout ${OPT.heartbeatTimeout} ms\n`);
  let fq;
  try {
    fq = OPT.transport === "azure" ? await startSbBroker() : await startFauxqs();
    ENDPOINT = fq.endpoint;
    MEMBERS = OPT.specs.map((s, i) => new Member(i, s));
    for (const m of MEMBERS) if (m.kind === "siocat" && !fs.existsSync(m.path)) throw new Error(`no siocat at ${m.path}`);
    const t0 = Date.now();
    await Promise.all(MEMBERS.map((m) => m.start()));
    process.stdout.write(`started ${OPT.transport === "azure" ? "sbbroker" : "fauxqs"} at ${ENDPOINT} and ${MEMBERS.length} members in ${Date.now() - t0} ms ` +
      `(${MEMBERS.map((m) => `${m.desc} ${m.readyMs} ms`).join(", ")})\n`);
  } catch (e) {
    process.stdout.write(`FAIL setup: ${e.message}\n`);
    for (const m of MEMBERS) if (m.events) process.stdout.write(m.tail() + "\n");
    results.push({ name: "setup", ok: false, ms: 0 });
    return finish(1);
  }
  await scenarios();
  await wireShapeTest();
  if (AZURE) { // what crossed between protocols: Node members use AMQP, siocat members REST
    try {
      const st = await httpGetJson(AZURE.statsUrl);
      process.stdout.write(`     sbbroker: AMQP in ${st.amqp.received} out ${st.amqp.delivered}, REST in ${st.http.received} ` +
        `out ${st.http.delivered}, completed ${st.completed}, abandoned ${st.abandoned}, auth failures ` +
        `${st.amqp.auth_failures + st.http.auth_failures}\n`);
    } catch (e) { process.stdout.write(`     sbbroker stats unavailable: ${e.message}\n`); }
  }
  // Stop what is still running, gracefully (each must exit by itself), then the emulator.
  await Promise.all(MEMBERS.map((m) => m.stopGracefully().catch((e) => {
    process.stdout.write(`FAIL shutdown of ${m.desc}: ${e.message}\n`);
    results.push({ name: `shutdown ${m.desc}`, ok: false, ms: 0 });
  })));
  fq.child.stdin.end();
  finish(0);
}

main().catch((e) => {
  process.stdout.write(`FAIL runner: ${e.stack}\n`);
  results.push({ name: "runner", ok: false, ms: 0 });
  finish(1);
});
