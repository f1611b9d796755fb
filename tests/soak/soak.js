#!/usr/bin/env node
"use strict";
// Soak: a cluster on fauxqs runs mixed traffic for a bounded time, and nothing may leak, grow, get lost or arrive
// twice (issue 15, item 6).
//
//   node tests/soak/soak.js --siocat build/siocat [--seconds 600] [--restart-every S] [--rate OPS_PER_S]
//                           [--alloc-count build/soak/alloc_count.so] [--summary-prefix WORD] [--verbose]
//
// Members (all on one fauxqs, namespace "/", virtual sockets declared on the command line, SIOCAT.md):
//   c1  siocat, up for the whole run: its RSS (/proc/PID/status VmRSS) and its live heap blocks (malloc - free,
//       counted by bench/alloc_count.c preloaded into it) are sampled every 2 s;
//   c2  siocat, stopped gracefully and started again every --restart-every seconds (default: the run / 5);
//   n   server.js in siocat mode (Socket.IO 4.8 + the AWS test adapter), its RSS sampled too.
// Each member holds sockets <m>-a (room ra), <m>-b (room rb) and <m>-x (no room). Operations go out from the
// members in turn, each carrying a unique number k in its arguments: broadcasts to all / to a room / with except,
// broadcasts with acks (the runner answers every ack like a client), serverSideEmit with and without ack (the
// runner answers), fetchSockets, and socketsJoin / socketsLeave of a fresh room checked by fetchSockets and by a
// broadcast into it (expected: the joined sockets, then nobody). Every delivery is counted per (k, socket): each
// intended receiver must get k exactly once (no duplicate, no loss) and nobody else may get it.
// "Flat" for a memory series: after a warm-up (the first 10 % of the run, at least 10 s) the samples are cut in
// thirds, and the largest value of the last third must be within 5 % of the largest of the first third (RSS of c1;
// c1's live heap blocks within 5 % or 8 blocks). The Node member's RSS is reported, not judged (its GC decides).
// Any `error` line from a member, a failed command, a member that does not exit 0 after `closed` also fails.
// Ends with one "N passed, N failed" line (prefixed by --summary-prefix); exit 1 on any failure. Without npm ci in
// tests/interop and tests/fauxqs it prints SKIPPED and "0 passed, 0 failed" (unless SIOC_REQUIRE_LIVE=1).

const { spawn } = require("node:child_process");
const path = require("node:path");
const fs = require("node:fs");

const INTEROP = path.join(__dirname, "..", "interop");

function parseArgs(argv) {
  const o = { seconds: Number(process.env.SOAK_SECONDS || 600), siocat: null, restartEvery: 0, rate: 25,
    allocCount: null, prefix: "soak", verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case "--seconds": o.seconds = Number(next()); break;
      case "--siocat": o.siocat = path.resolve(next()); break;
      case "--restart-every": o.restartEvery = Number(next()); break;
      case "--rate": o.rate = Number(next()); break;
      case "--alloc-count": o.allocCount = path.resolve(next()); break;
      case "--summary-prefix": o.prefix = next(); break;
      case "--verbose": o.verbose = true; break;
      default: throw new Error(`unknown flag ${a}`);
    }
  }
  if (!o.siocat) throw new Error("--siocat PATH is required");
  if (!(o.seconds > 0)) throw new Error("--seconds must be > 0");
  if (!o.restartEvery) o.restartEvery = Math.max(15, o.seconds / 5);
  return o;
}

const OPT = parseArgs(process.argv.slice(2));
{
  let missing = null;
  for (const m of ["socket.io", "socket.io-parser", "@aws-sdk/client-sns"]) {
    try { require.resolve(m, { paths: [INTEROP] }); } catch (e) { missing = missing || `${m} (npm ci in tests/interop)`; }
  }
  if (!fs.existsSync(path.join(__dirname, "..", "fauxqs", "node_modules", "fauxqs"))) missing = missing || "fauxqs (npm ci in tests/fauxqs)";
  if (missing) {
    const req = process.env.SIOC_REQUIRE_LIVE === "1";
    process.stdout.write(`${req ? "FAIL" : "SKIPPED"} soak: missing ${missing}\n${OPT.prefix}: 0 passed, ${req ? 1 : 0} failed\n`);
    process.exit(req ? 1 : 0);
  }
}
const { startFauxqs } = require(path.join(INTEROP, "brokers.js"));
const { encodeFrames, decodeFrames, PacketType } = require(path.join(INTEROP, "frames.js"));
const { fromJson } = require(path.join(INTEROP, "values.js"));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const T0 = Date.now();
const elapsed = () => ((Date.now() - T0) / 1000).toFixed(1);
const children = new Set();
process.on("exit", () => { for (const c of children) { try { c.kill("SIGKILL"); } catch (e) { /* gone */ } } });

let passed = 0;
let failed = 0;
function check(cond, what) {
  if (cond) passed++;
  else { failed++; process.stdout.write(`  FAIL ${what}\n`); }
}
const errors = []; // error lines and failed commands, with the member

// ---- counting by unique id ----
// kinds: "bcast", "bcast-room", "bcast-except", "bcast-ack", "sse", "sse-ack", "fetch", "join-leave"
const KINDS = ["bcast", "bcast-room", "bcast-except", "bcast-ack", "sse", "sse-ack", "fetch", "join-leave"];
const stats = {};
for (const k of KINDS) stats[k] = { ops: 0, expected: 0, received: 0, dup: 0, lost: 0, unintended: 0, bad: 0 };
const msgs = new Map(); // k -> {kind, expect: Set(receiver), got: Map(receiver -> count)}
let nextK = 1;

function expectMsg(kind, receivers, origin) {
  const k = nextK++;
  msgs.set(k, { kind, origin, expect: new Set(receivers), got: new Map(), at: elapsed() });
  stats[kind].expected += receivers.length;
  return k;
}
function received(k, receiver) {
  const m = msgs.get(k);
  if (!m) { stats.bcast.unintended++; errors.push(`delivery of unknown k=${k} to ${receiver}`); return; }
  m.got.set(receiver, (m.got.get(receiver) || 0) + 1);
}
function outstanding(filter) {
  let n = 0;
  for (const m of msgs.values()) for (const r of m.expect) if (!m.got.get(r) && (!filter || filter(r))) n++;
  return n;
}

// ---- members ----
class Member {
  constructor(label, kind) {
    this.label = label;
    this.kind = kind; // "siocat" | "node"
    this.socketIds = ["a", "b", "x"].map((s) => `${label}-${s}`);
    this.rooms = { [`${label}-a`]: ["ra"], [`${label}-b`]: ["rb"], [`${label}-x`]: [] };
    this.lives = []; // per start: {pid, rssKb at end, stats line}
    this.seq = 0;
  }

  async start(env) {
    const args = ["--label", this.label, "--heartbeat-interval", "2000", "--heartbeat-timeout", "6000"];
    for (const id of this.socketIds) args.push("--socket", `${id}${this.rooms[id].length ? "=" + this.rooms[id].join(",") : ""}`);
    let cmd = OPT.siocat;
    const cenv = { ...process.env, ...env };
    delete cenv.AWS_PROFILE;
    delete cenv.AWS_SESSION_TOKEN;
    if (this.kind === "node") {
      cmd = process.execPath;
      args.unshift(path.join(INTEROP, "server.js"));
    } else if (OPT.allocCount) {
      this.countFile = path.join(fs.mkdtempSync("/tmp/soak-"), "count");
      cenv.LD_PRELOAD = OPT.allocCount;
      cenv.SIOC_ALLOC_COUNT_FILE = this.countFile;
    }
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env: cenv });
    children.add(child);
    this.child = child;
    this.pending = new Map();
    this.peers = new Set();
    this.readyLine = null;
    this.closedSeen = false;
    this.stderr = [];
    child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) => child.on("close", (code, signal) => { children.delete(child); resolve({ code, signal }); }));
    let buf = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (c) => {
      buf += c;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) { const l = buf.slice(0, nl); buf = buf.slice(nl + 1); if (l.trim()) this.onLine(l); }
    });
    let ebuf = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c) => {
      ebuf += c;
      let nl;
      while ((nl = ebuf.indexOf("\n")) >= 0) {
        const l = ebuf.slice(0, nl); ebuf = ebuf.slice(nl + 1);
        this.stderr.push(l);
        if (this.stderr.length > 50) this.stderr.shift();
        if (OPT.verbose) process.stdout.write(`    [${this.label} stderr] ${l}\n`);
      }
    });
    const t = Date.now();
    while (!this.readyLine) {
      if (Date.now() - t > 30000) throw new Error(`${this.label}: no ready line in 30 s\n${this.stderr.join("\n")}`);
      await sleep(20);
    }
    this.uid = this.readyLine.uids["/"];
    return this;
  }

  onLine(line) {
    let e;
    try { e = JSON.parse(line); } catch (err) { errors.push(`${this.label}: not JSON: ${line.slice(0, 200)}`); return; }
    if (OPT.verbose && e.ev !== "deliver") process.stdout.write(`    [${this.label}] ${line.slice(0, 300)}\n`);
    switch (e.ev) {
      case "ready": this.readyLine = e; break;
      case "closed": this.closedSeen = true; break;
      case "nodeUp": if (e.nsp === "/") this.peers.add(e.uid); break;
      case "nodeDown": if (e.nsp === "/") this.peers.delete(e.uid); break;
      case "error": errors.push(`${this.label}: error line: ${e.where}: ${e.message}`); break;
      case "result": {
        const p = this.pending.get(e.id);
        if (p) { this.pending.delete(e.id); p(e); }
        else if (!e.ok) errors.push(`${this.label}: ${e.cmd} failed: ${e.error}`);
        break;
      }
      case "deliver": this.onDeliver(e); break;
      case "serverSideEmit": {
        const k = e.args && e.args[0] && e.args[0].k;
        if (typeof k === "number") received(k, this.label);
        if (e.ackId !== undefined && e.ackId !== null) this.cmd({ cmd: "serverSideAck", ackId: e.ackId, args: [{ from: this.label }] }, true);
        break;
      }
      default: break;
    }
  }

  onDeliver(e) {
    let p;
    try { p = decodeFrames(e); } catch (err) { errors.push(`${this.label}: undecodable delivery: ${err.message}`); return; }
    if (p.type !== PacketType.EVENT && p.type !== PacketType.BINARY_EVENT) return;
    const k = p.data[1] && p.data[1].k;
    if (typeof k !== "number") { errors.push(`${this.label}: delivery without k`); return; }
    received(k, e.sid);
    if (p.id !== undefined) {
      const f = encodeFrames({ type: PacketType.ACK, nsp: e.nsp, id: p.id, data: [fromJson({ from: e.sid })] });
      this.cmd({ cmd: "clientPacket", nsp: e.nsp, sid: e.sid, text: f.text, bin: f.bin }, true);
    }
  }

  // Send a command; resolves with its result (auto: failures are errors, nobody waits).
  cmd(c, auto) {
    const id = `${this.label}.${++this.seq}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        errors.push(`${this.label}: no result for ${c.cmd} (${id}) in 20 s`);
        resolve({ ok: false, error: "no result" });
      }, 20000);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        if (auto && !r.ok) errors.push(`${this.label}: ${c.cmd} failed: ${r.error}`);
        resolve(r);
      });
      this.child.stdin.write(JSON.stringify({ id, ...c }) + "\n");
    });
  }

  rssKb() {
    try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${this.child.pid}/status`, "utf8"))[1]); } catch (e) { return null; }
  }
  liveBlocks() {
    if (!this.countFile) return null;
    try { const b = fs.readFileSync(this.countFile); return Number(b.readBigUInt64LE(0) - b.readBigUInt64LE(8)); } catch (e) { return null; }
  }

  async stop() {
    const rss = this.rssKb();
    const blocks = this.liveBlocks();
    const r = await this.cmd({ cmd: "quit" });
    const ex = await Promise.race([this.exited, sleep(20000).then(() => ({ code: "timeout" }))]);
    const statsLine = this.stderr.find((l) => /requests /.test(l)) || "";
    this.lives.push({ rss, blocks, statsLine });
    check(r.ok && this.closedSeen && ex.code === 0, `${this.label} stops gracefully (result ${r.ok}, closed ${this.closedSeen}, exit ${ex.code})`);
    return ex;
  }
}

// ---- the operations ----
let MEMBERS = [];
const allSockets = () => MEMBERS.flatMap((m) => m.socketIds);
const socketsIn = (room) => MEMBERS.flatMap((m) => m.socketIds.filter((s) => m.rooms[s].includes(room)));
function others(m) { return MEMBERS.filter((x) => x !== m).map((x) => x.label); }

async function waitFor(pred, ms, what) {
  const t = Date.now();
  while (!pred()) {
    if (Date.now() - t > ms) { errors.push(`timed out (${ms} ms): ${what}`); return false; }
    await sleep(50);
  }
  return true;
}

async function opBroadcast(m, kind) {
  let sel = {};
  let targets = allSockets();
  if (kind === "bcast-room") { sel = { rooms: ["ra"] }; targets = socketsIn("ra"); }
  if (kind === "bcast-except") { sel = { except: ["rb"] }; targets = allSockets().filter((s) => !socketsIn("rb").includes(s)); }
  const ack = kind === "bcast-ack";
  if (ack) { sel = { rooms: ["rb"] }; targets = socketsIn("rb"); }
  const k = expectMsg(kind, targets, m.label);
  stats[kind].ops++;
  const r = await m.cmd({ cmd: "broadcast", event: "soak", args: [{ k }], ...sel, ...(ack ? { ack: true, timeout: 8000 } : {}) });
  if (!r.ok) { errors.push(`${m.label}: broadcast ${kind} failed: ${r.error}`); return; }
  if (ack && (r.err !== null || !Array.isArray(r.acks) || r.acks.length !== targets.length)) {
    stats[kind].bad++;
    errors.push(`${m.label}: ack broadcast k=${k}: err ${r.err}, ${r.acks && r.acks.length} acks for ${targets.length} targets`);
  }
}

async function opServerSideEmit(m, ack) {
  const kind = ack ? "sse-ack" : "sse";
  const k = expectMsg(kind, others(m), m.label);
  stats[kind].ops++;
  const r = await m.cmd({ cmd: "serverSideEmit", event: "soak", args: [{ k }], ack });
  if (!r.ok) { errors.push(`${m.label}: serverSideEmit failed: ${r.error}`); return; }
  if (ack && (r.err !== null || !Array.isArray(r.responses) || r.responses.length !== others(m).length)) {
    stats[kind].bad++;
    errors.push(`${m.label}: serverSideEmit ack k=${k}: err ${r.err}, ${r.responses && r.responses.length} responses`);
  }
}

function sameIds(list, want) {
  const got = (list || []).map((s) => s.id).sort();
  const w = [...want].sort();
  return got.length === w.length && got.every((x, i) => x === w[i]);
}

async function opFetch(m) {
  stats.fetch.ops++;
  stats.fetch.expected++;
  const r = await m.cmd({ cmd: "fetchSockets", rooms: ["ra", "rb"], timeout: 8000 });
  if (r.ok && sameIds(r.sockets, [...socketsIn("ra"), ...socketsIn("rb")])) stats.fetch.received++;
  else { stats.fetch.bad++; errors.push(`${m.label}: fetchSockets: ${r.ok ? JSON.stringify((r.sockets || []).map((s) => s.id)) : r.error}`); }
}

let roomSeq = 0;
async function opJoinLeave(m, viewer) {
  const room = `j${++roomSeq}`;
  stats["join-leave"].ops++;
  const joined = socketsIn("ra");
  let r = await m.cmd({ cmd: "socketsJoin", rooms: ["ra"], target: [room] });
  if (!r.ok) { errors.push(`${m.label}: socketsJoin failed: ${r.error}`); return; }
  // every member applied it (seen from another member), then a broadcast into the room reaches exactly those
  let seen = false;
  for (let i = 0; i < 40 && !seen; i++) {
    const f = await viewer.cmd({ cmd: "fetchSockets", rooms: [room], timeout: 8000 });
    seen = f.ok && sameIds(f.sockets, joined);
    if (!seen) await sleep(100);
  }
  if (!seen) { stats["join-leave"].bad++; errors.push(`${m.label}: socketsJoin ${room} not seen by ${viewer.label}`); }
  let k = expectMsg("join-leave", joined, m.label);
  r = await m.cmd({ cmd: "broadcast", event: "soak", args: [{ k }], rooms: [room] });
  if (!r.ok) errors.push(`${m.label}: broadcast into ${room} failed: ${r.error}`);
  // SQS promises no order between two messages, and a Node member publishes without waiting: the leave could
  // overtake the broadcast. Leave only once the broadcast has landed.
  const msg = msgs.get(k);
  await waitFor(() => [...msg.expect].every((x) => msg.got.get(x)), 15000, `broadcast into ${room} delivered`);
  r = await m.cmd({ cmd: "socketsLeave", rooms: [], target: [room] });
  if (!r.ok) { errors.push(`${m.label}: socketsLeave failed: ${r.error}`); return; }
  seen = false;
  for (let i = 0; i < 40 && !seen; i++) {
    const f = await viewer.cmd({ cmd: "fetchSockets", rooms: [room], timeout: 8000 });
    seen = f.ok && sameIds(f.sockets, []);
    if (!seen) await sleep(100);
  }
  if (!seen) { stats["join-leave"].bad++; errors.push(`${m.label}: socketsLeave ${room} not seen by ${viewer.label}`); }
  k = expectMsg("join-leave", [], m.label); // nobody is in the room any more
  r = await m.cmd({ cmd: "broadcast", event: "soak", args: [{ k }], rooms: [room] });
  if (!r.ok) errors.push(`${m.label}: broadcast into the empty ${room} failed: ${r.error}`);
}

const OPS = ["bcast", "bcast-room", "bcast-except", "bcast-ack", "sse", "sse-ack", "fetch", "bcast", "join-leave"];
let opIndex = 0;
function runOne() {
  const m = MEMBERS[opIndex % MEMBERS.length];
  const viewer = MEMBERS[(opIndex + 1) % MEMBERS.length];
  const kind = OPS[Math.floor(opIndex / MEMBERS.length) % OPS.length];
  opIndex++;
  switch (kind) {
    case "sse": return opServerSideEmit(m, false);
    case "sse-ack": return opServerSideEmit(m, true);
    case "fetch": return opFetch(m);
    case "join-leave": return opJoinLeave(m, viewer);
    default: return opBroadcast(m, kind);
  }
}

// ---- memory samples ----
const samples = { t: [], c1Rss: [], c1Blocks: [], nRss: [], c2Rss: [] };
function sample(c1, c2, n) {
  samples.t.push((Date.now() - T0) / 1000);
  samples.c1Rss.push(c1.rssKb());
  samples.c1Blocks.push(c1.liveBlocks());
  samples.nRss.push(n.rssKb());
  samples.c2Rss.push(c2.child && c2.child.exitCode === null ? c2.rssKb() : null);
}
function flat(series, relTol, absTol) {
  const warm = Math.max(10, OPT.seconds * 0.1);
  const pts = series.map((v, i) => [samples.t[i], v]).filter(([t, v]) => t >= warm && v !== null);
  if (pts.length < 6) return { ok: false, why: `${pts.length} samples after warm-up` };
  const third = Math.floor(pts.length / 3);
  const first = Math.max(...pts.slice(0, third).map((p) => p[1]));
  const last = Math.max(...pts.slice(pts.length - third).map((p) => p[1]));
  const ok = last <= first * (1 + relTol) || last - first <= absTol;
  return { ok, first, last, start: pts[0][1], end: pts[pts.length - 1][1], n: pts.length };
}

// ---- main ----
async function main() {
  process.stdout.write(`soak: ${OPT.seconds} s, c1 + c2 (siocat ${path.relative(process.cwd(), OPT.siocat)}, c2 restarted every ${OPT.restartEvery} s) + n (Node), ${OPT.rate} operations/s, fauxqs\n`);
  const fx = await startFauxqs(children, OPT.seconds + 300);
  const env = fx.env;
  const c1 = new Member("c1", "siocat");
  const c2 = new Member("c2", "siocat");
  const n = new Member("n", "node");
  await Promise.all([c1.start(env), n.start(env), c2.start(env)]);
  MEMBERS = [c1, n, c2];
  const meshed = () => MEMBERS.every((m) => MEMBERS.every((o) => o === m || m.peers.has(o.uid)));
  await waitFor(meshed, 20000, "every member sees the others");
  const startRss = { c1: c1.rssKb(), n: n.rssKb() };
  sample(c1, c2, n);
  const sampler = setInterval(() => sample(c1, c2, n), 2000);

  const end = T0 + OPT.seconds * 1000;
  let nextRestart = Date.now() + OPT.restartEvery * 1000;
  const inflight = new Set();
  const maxInflight = 6;
  let restarts = 0;
  while (Date.now() < end) {
    if (Date.now() >= nextRestart && Date.now() + 20000 < end) {
      await Promise.all(inflight); // quiesce, let every delivery to c2 land, then restart it
      await waitFor(() => outstanding() === 0, 20000, "deliveries before a restart");
      await c2.stop();
      const oldUid = c2.uid;
      await waitFor(() => c1.peers.has(oldUid) === false && n.peers.has(oldUid) === false, 10000, "c2's leave seen");
      await c2.start(env);
      restarts++;
      await waitFor(meshed, 20000, "c2 back in the mesh");
      nextRestart = Date.now() + OPT.restartEvery * 1000;
      if (OPT.verbose) process.stdout.write(`  [${elapsed()} s] c2 restarted (${restarts})\n`);
      continue;
    }
    while (inflight.size >= maxInflight) await Promise.race(inflight);
    const p = runOne().catch((e) => errors.push(`operation: ${e.message}`));
    inflight.add(p);
    p.then(() => inflight.delete(p));
    await sleep(1000 / OPT.rate);
  }
  await Promise.all(inflight);
  await waitFor(() => outstanding() === 0, 20000, "the last deliveries");
  await sleep(1500); // late duplicates
  clearInterval(sampler);
  sample(c1, c2, n);
  const endRss = { c1: c1.rssKb(), n: n.rssKb() };
  const c1Blocks = c1.liveBlocks();
  await Promise.all([c1.stop(), c2.stop(), n.stop()]);

  // ---- verdict ----
  const lostList = [];
  for (const [k, m] of msgs) {
    const s = stats[m.kind];
    for (const r of m.expect) {
      const c = m.got.get(r) || 0;
      if (c === 0) { s.lost++; lostList.push(`k=${k} ${m.kind} from ${m.origin} at ${m.at} s to ${r}`); }
      else { s.received++; if (c > 1) s.dup += c - 1; }
    }
    for (const [r, c] of m.got) if (!m.expect.has(r)) s.unintended += c;
  }
  process.stdout.write(`  ${opIndex} operations, ${restarts} restarts of c2, ${nextK - 1} unique messages\n`);
  process.stdout.write("  kind          ops  expected  received  duplicated  lost  unintended  bad-results\n");
  for (const k of KINDS) {
    const s = stats[k];
    process.stdout.write(`  ${k.padEnd(12)} ${String(s.ops).padStart(5)} ${String(s.expected).padStart(9)} ${String(s.received).padStart(9)} ${String(s.dup).padStart(11)} ${String(s.lost).padStart(5)} ${String(s.unintended).padStart(11)} ${String(s.bad).padStart(12)}\n`);
    check(s.ops > 0 && s.dup === 0 && s.lost === 0 && s.unintended === 0 && s.bad === 0 && s.received === s.expected,
      `${k}: every intended receiver exactly once, nobody else`);
  }
  const rss = flat(samples.c1Rss, 0.05, 0);
  const blocks = flat(samples.c1Blocks, 0.05, 8);
  const nrss = flat(samples.nRss, 0.05, 0);
  process.stdout.write(`  c1 RSS: start ${startRss.c1} kB, end ${endRss.c1} kB; after warm-up first-third max ${rss.first} kB, last-third max ${rss.last} kB (${rss.n} samples)\n`);
  if (OPT.allocCount) process.stdout.write(`  c1 live heap blocks (malloc - free): first-third max ${blocks.first}, last-third max ${blocks.last}, at the end ${c1Blocks}\n`);
  process.stdout.write(`  n (Node) RSS: start ${startRss.n} kB, end ${endRss.n} kB; first-third max ${nrss.first} kB, last-third max ${nrss.last} kB (reported, not judged)\n`);
  const c2r = c2.lives.map((l) => l.rss);
  process.stdout.write(`  c2 RSS at each stop: ${c2r.join(", ")} kB\n`);
  for (const m of [c1, c2]) for (const l of m.lives) if (l.statsLine) process.stdout.write(`  ${l.statsLine.replace(/^siocat/, "")}\n`);
  check(rss.ok, `c1 RSS flat (last third's max within 5 % of the first third's)`);
  if (OPT.allocCount) check(blocks.ok, "c1 live heap blocks flat");
  check(restarts >= 1 || OPT.seconds < 40, "c2 restarted at least once");
  for (const l of lostList.slice(0, 20)) process.stdout.write(`  lost: ${l}\n`);
  for (const e of errors.slice(0, 30)) process.stdout.write(`  error: ${e}\n`);
  check(errors.length === 0, `no error line, no failed command (${errors.length})`);
}

main().catch((e) => { process.stdout.write(`  FAIL ${e.stack || e}\n`); failed++; }).finally(() => {
  process.stdout.write(`${OPT.prefix}: ${passed} passed, ${failed} failed\n`);
  process.exit(failed ? 1 : 0);
});
