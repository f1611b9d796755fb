"use strict";
// Cluster bench (issues 6 and 16, `make bench`): the C member (siocat) with pacing on and off and a Node Socket.IO 4.8
// node with the project's AWS test adapter (tests/interop/server.js in siocat mode), side by side in ONE run on ONE
// fauxqs emulator.
//   node bench/cluster_bench.js build/siocat [--idle S] [--n N] [--n-max N] [--rate R] [--window W] [--transport aws|azure]
//   (or BENCH_IDLE, BENCH_N, BENCH_NMAX, BENCH_RATE, BENCH_WINDOW in the environment, e.g. to shorten a run)
// Members (all on 127.0.0.1, one virtual socket each, default heartbeat 5000 ms):
//   c = siocat, default pacing (measured)   o = siocat, --receive-budget off --publish-budget off (measured)
//   n = server.js (measured)                s = server.js (reference sender/receiver, not measured)
// Phases: idle with 2 members for S seconds (default 30, scaled to a minute): two clusters at once, c+n on one topic
// and o+s on another; then o and s leave and join c and n: idle with 4 members for S seconds; then each of s, c, o,
// n in turn sends N broadcasts (default 2000) at R/s (default 200) to every socket, then each sends N-max (default
// 2000) as fast as they go, with at most W (default 200) not yet delivered at every receiver. Every measured member
// talks to the emulator through its own counting HTTP proxy in this process, so the SNS/SQS requests of both kinds
// of node are counted the same way, per operation; siocat c's own counters (printed on stderr at exit) are checked
// against its proxy's total. CPU: /proc/<pid>/stat utime+stime deltas (10 ms ticks) and, at ns resolution, the sum of
// /proc/<pid>/task/*/schedstat, each minus the member's idle rate (4 members) over the same duration.
// Latency (paced phases): the payload carries the send time (this process's clock, written to the sender's stdin);
// it is read back from the receiver's `deliver` line, so both pipes and the proxy hops are included for every path.
// Allocations: siocat runs with bench/alloc_count.c preloaded (whole process: library and tool). Everything this
// starts is killed on exit; a watchdog ends the run when it takes far longer than its phases.
// --transport azure: the same run on ONE project test broker (tests/sbbroker): c and o = siocat over REST (each
// through a counting HTTP proxy in front of the broker's HTTP port), n and s = server.js with the Azure test adapter
// over AMQP (@azure/service-bus). n's AMQP connection goes through a TCP proxy here that parses AMQP 1.0 frames and
// counts them per performative and direction (its administration client's HTTPS start-up calls go straight to the
// broker and are not counted). Pacing is SNS/SQS only: there o is a second sample of the same behaviour.

const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { performance } = require("node:perf_hooks");

const ROOT = path.resolve(__dirname, "..");
const INTEROP = path.join(ROOT, "tests", "interop");
const FAUXQS = path.join(ROOT, "tests", "fauxqs");
const SBBROKER = path.join(ROOT, "tests", "sbbroker");
const BUILD = path.join(ROOT, "build", "bench");

function parseArgs(argv) {
  const env = (k) => (process.env[k] ? Number(process.env[k]) : null);
  const o = { siocat: null, idle: env("BENCH_IDLE"), n: env("BENCH_N"), nMax: env("BENCH_NMAX"), rate: env("BENCH_RATE"),
    window: env("BENCH_WINDOW"), transport: "aws" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) usage(`${a} needs a positive number`);
      return v;
    };
    if (a === "--idle") o.idle = num();
    else if (a === "--n") o.n = Math.floor(num());
    else if (a === "--n-max") o.nMax = Math.floor(num());
    else if (a === "--window") o.window = Math.floor(num());
    else if (a === "--rate") o.rate = num();
    else if (a === "--transport") {
      o.transport = argv[++i];
      if (o.transport !== "aws" && o.transport !== "azure") usage("--transport: aws or azure");
    }
    else if (!a.startsWith("--") && !o.siocat) o.siocat = path.resolve(a);
    else usage(`unknown argument ${a}`);
  }
  if (!o.siocat) usage("the siocat binary is required");
  const az = o.transport === "azure";
  if (!(o.idle > 0)) o.idle = 30;
  if (!(o.n > 0)) o.n = az ? 1000 : 2000;
  if (!(o.nMax > 0)) o.nMax = 2000;
  if (!(o.rate > 0)) o.rate = 200;
  if (!(o.window > 0)) o.window = 200;
  return o;
}
function usage(msg) {
  process.stderr.write(`cluster_bench: ${msg}\nusage: node bench/cluster_bench.js build/siocat [--idle S] [--n N] [--n-max N] [--rate R] [--window W] [--transport aws|azure]\n`);
  process.exit(2);
}
const OPT = parseArgs(process.argv.slice(2));
const AZ = OPT.transport === "azure";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
const retired = []; // members stopped before the end (their error lines are reported too)
function killAll() {
  for (const c of children) { try { c.kill("SIGKILL"); } catch (e) { /* gone */ } }
}
process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { killAll(); process.exit(1); });
// The phases' own length (2 idle windows, 4 paced phases) plus room for start-up, the fast phases and stops.
const WATCHDOG_S = Math.ceil(2 * OPT.idle + (4 * OPT.n) / OPT.rate + 150);
const watchdog = setTimeout(() => {
  process.stderr.write(`cluster_bench: watchdog: run took over ${WATCHDOG_S} s, stopping\n`);
  killAll();
  process.exit(1);
}, WATCHDOG_S * 1000);

// Rejects after ms with a message (every wait in this file has one).
function within(ms, p, what) {
  let t;
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timeout: ${what}`)), ms); })])
    .finally(() => clearTimeout(t));
}

// ---- helpers built from bench/ (compiled here when missing or stale, so the script runs on its own) ----

function ensureBuilt(out, src, deps, argv) {
  const mt = (f) => { try { return fs.statSync(f).mtimeMs; } catch (e) { return 0; } };
  const newest = Math.max(...[src, ...deps].map(mt));
  if (mt(out) >= newest && mt(out) > 0) return true;
  fs.mkdirSync(BUILD, { recursive: true });
  const r = spawnSync("gcc", argv, { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) {
    process.stderr.write(`cluster_bench: could not build ${out}: ${r.stderr || r.error}\n`);
    return false;
  }
  return true;
}
const ALLOC_SO = path.join(BUILD, "alloc_count.so");
const HEAP_BIN = path.join(BUILD, "cluster_heap");
const haveShim = os.platform() === "linux" &&
  ensureBuilt(ALLOC_SO, "bench/alloc_count.c", [], ["-O2", "-shared", "-fPIC", "bench/alloc_count.c", "-o", ALLOC_SO]);
const haveHeap = ensureBuilt(HEAP_BIN, "bench/cluster_heap.c", ["sio_cluster.h"],
  ["-std=c99", "-O2", "-I.", "bench/cluster_heap.c", "-o", HEAP_BIN, "-lm"]);

let CLK_TCK = 100;
{
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  if (r.status === 0 && Number(r.stdout) > 0) CLK_TCK = Number(r.stdout);
}

// ---- /proc readings ----

function cpuOf(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // f[0] is field 3 (state)
  const ticks = Number(f[11]) + Number(f[12]); // fields 14 utime, 15 stime
  let ns = 0;
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try { ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]); } catch (e) { /* exited */ }
  }
  return { stat: (ticks * 1e6) / CLK_TCK, sched: ns / 1000, t: performance.now() };
}
function memOf(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => { const m = new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(s); return m ? Number(m[1]) : NaN; };
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

// ---- counting proxy: one per member, in front of the emulator ----

// Service Bus REST paths (as tests/sbbroker/broker.js routes them), named like siocat's own counters.
function azureOpName(req) {
  const segs = req.url.split("?")[0].split("/").filter((x) => x !== "").map((x) => x.toLowerCase());
  const m = req.method;
  if (segs.length === 2 && segs[1] === "messages" && m === "POST") return "Send";
  if (segs.length === 5 && segs[3] === "messages" && segs[4] === "head") return "Receive";
  if (segs.length === 6 && segs[3] === "messages") return m === "DELETE" ? "Complete" : m === "PUT" ? "Unlock" : `${m} message`;
  if (segs.length === 1) return m === "GET" ? "GetTopic" : m === "PUT" ? "CreateTopic" : `${m} topic`;
  if (segs.length === 3 && segs[1] === "subscriptions") {
    return m === "PUT" ? "CreateSubscription" : m === "DELETE" ? "DeleteSubscription" : `${m} subscription`;
  }
  return `${m} ${req.url.split("?")[0]}`;
}

function opName(req, body) {
  if (AZ) return azureOpName(req);
  const target = req.headers["x-amz-target"];
  if (target) return String(target).split(".").pop();
  const m = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString("latin1"));
  return m ? m[1] : `${req.method} ${req.url.split("?")[0]}`;
}

function startProxy(upstream) {
  const u = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const counts = {};
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const op = opName(req, body);
      counts[op] = (counts[op] || 0) + 1;
      const headers = { ...req.headers };
      delete headers["transfer-encoding"];
      headers["content-length"] = String(body.length);
      const up = http.request({ host: u.hostname, port: u.port, method: req.method, path: req.url, headers, agent },
        (ur) => { res.writeHead(ur.statusCode, ur.headers); ur.pipe(res); });
      up.on("error", () => { if (!res.headersSent) res.writeHead(502); res.end(); });
      res.on("close", () => { if (!res.writableFinished) up.destroy(); });
      up.end(body);
    });
  });
  server.keepAliveTimeout = 120000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve({
      server, agent, counts, url: `http://127.0.0.1:${server.address().port}`,
      close() { server.closeAllConnections && server.closeAllConnections(); server.close(); agent.destroy(); },
    }));
  });
}

// ---- counting AMQP 1.0 proxy (azure): TCP in front of the broker's AMQP port, frames counted per performative ----

const AMQP_PERF = { 0x10: "open", 0x11: "begin", 0x12: "attach", 0x13: "flow", 0x14: "transfer", 0x15: "disposition",
  0x16: "detach", 0x17: "end", 0x18: "close", 0x40: "sasl-mechanisms", 0x41: "sasl-init", 0x42: "sasl-challenge",
  0x43: "sasl-response", 0x44: "sasl-outcome" };

// Frames of one direction (AMQP 1.0 part 2.3: 4-byte size, doff, type, channel; the body starts with the
// performative's descriptor 0x00 0x53 <code> or 0x00 0x80 <ulong>). Protocol headers ("AMQP" + 4) are skipped.
function amqpFrameCounter(counts, dir) {
  let buf = Buffer.alloc(0);
  let broken = false;
  return (chunk) => {
    if (broken) return;
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    let off = 0;
    for (;;) {
      const left = buf.length - off;
      if (left >= 1 && buf[off] === 0x41) { // 'A': a protocol header (a frame size never starts with 0x41 here)
        if (left < 8) break;
        off += 8;
        continue;
      }
      if (left < 8) break;
      const size = buf.readUInt32BE(off), doff = buf[off + 4];
      if (size < 8 || doff < 2 || doff * 4 > size) { broken = true; counts["unparsed"] = (counts["unparsed"] || 0) + 1; break; }
      if (left < size) break;
      let name = "empty (keep-alive)";
      if (size > doff * 4) {
        const b = off + doff * 4;
        let code = -1;
        if (buf[b] === 0 && buf[b + 1] === 0x53 && b + 2 < off + size) code = buf[b + 2];
        else if (buf[b] === 0 && buf[b + 1] === 0x80 && b + 9 < off + size) code = buf[b + 9];
        name = AMQP_PERF[code] || `code 0x${code.toString(16)}`;
      }
      const k = `${dir} ${name}`;
      counts[k] = (counts[k] || 0) + 1;
      off += size;
    }
    buf = buf.subarray(off);
  };
}

function startAmqpProxy(port) {
  const counts = {};
  const socks = new Set();
  const server = net.createServer((down) => {
    const up = net.connect(port, "127.0.0.1");
    socks.add(down); socks.add(up);
    const toBroker = amqpFrameCounter(counts, "→");
    const fromBroker = amqpFrameCounter(counts, "←");
    down.on("data", (c) => { toBroker(c); up.write(c); });
    up.on("data", (c) => { fromBroker(c); down.write(c); });
    const end = () => { down.destroy(); up.destroy(); socks.delete(down); socks.delete(up); };
    down.on("error", end); up.on("error", end); down.on("close", end); up.on("close", end);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve({
      server, counts, port: server.address().port,
      close() { for (const x of socks) x.destroy(); server.close(); },
    }));
  });
}

// ---- the Azure test broker (tests/sbbroker/broker.js, loopback; HTTPS for the SDK's administration client) ----

const SB_KEY_NAME = "RootManageSharedAccessKey";
const SB_KEY = "YmVuY2gtdGVzdC1rZXk="; // used as text, like every SAS key
async function startSbBroker() {
  if (!fs.existsSync(path.join(SBBROKER, "node_modules", "rhea"))) throw new Error("run `npm ci` in tests/sbbroker");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-bench-sb-"));
  process.on("exit", () => { try { fs.rmSync(dir, { recursive: true, force: true }); } catch (e) { /* gone */ } });
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  const r = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], { stdio: "ignore" });
  if (r.status !== 0) throw new Error("openssl could not make the test certificate");
  const child = spawn(process.execPath, [path.join(SBBROKER, "broker.js"), "--watch-stdin", "--max-seconds", String(WATCHDOG_S + 30),
    "--rule", `${SB_KEY_NAME}=${SB_KEY}`, "--cert", cert, "--key", key], { stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  let stderr = "";
  child.stderr.on("data", (c) => { stderr += c; });
  const ports = await within(15000, new Promise((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (c) => {
      buf += c;
      const m = /SBBROKER_READY amqp=(\d+) http=(\d+) https=(\d+)/.exec(buf);
      if (m) resolve({ amqp: +m[1], http: +m[2], https: +m[3] });
    });
    child.on("exit", (code) => reject(new Error(`sbbroker exited (${code}): ${stderr}`)));
  }), "sbbroker start");
  const auth = `SharedAccessKeyName=${SB_KEY_NAME};SharedAccessKey=${SB_KEY}`;
  return {
    child, ports, caFile: cert,
    cs: (amqpPort) => `Endpoint=sb://127.0.0.1:${amqpPort};${auth};UseDevelopmentEmulator=true`,
    adminCs: `Endpoint=sb://localhost:${ports.https};${auth}`,
    endpoint: `http://127.0.0.1:${ports.http}`,
  };
}

// ---- the emulator (tests/fauxqs/launch.mjs, loopback) ----

async function startFauxqs() {
  const launcher = path.join(FAUXQS, "launch.mjs");
  if (!fs.existsSync(path.join(FAUXQS, "node_modules", "fauxqs"))) throw new Error("run `npm ci` in tests/fauxqs");
  const child = spawn(process.execPath, [launcher, "--watch-stdin", "--max-seconds", String(WATCHDOG_S + 30)], { stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  let stderr = "";
  child.stderr.on("data", (c) => { stderr += c; });
  const endpoint = await within(15000, new Promise((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (c) => {
      buf += c;
      const m = /FAUXQS_ENDPOINT=(\S+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`fauxqs exited (${code}): ${stderr}`)));
  }), "fauxqs start");
  return { child, endpoint };
}

// ---- members ----

class Member {
  constructor(label, kind, proxy, extra) {
    this.label = label;
    this.extra = extra || []; // siocat flags (pacing off)
    this.kind = kind; // "c" or "node"
    this.proxy = proxy;
    this.delivered = 0;
    this.results = 0;
    this.errors = [];
    this.peers = new Set();
    this.onDeliver = null;
    this.stderr = "";
    this.allocFile = null;
  }

  start(endpoint, topic) {
    const env = { ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    delete env.AWS_PROFILE;
    delete env.AWS_SESSION_TOKEN;
    delete env.AWS_ENDPOINT_URL_SNS;
    delete env.AWS_ENDPOINT_URL_SQS;
    const args = ["--label", this.label, "--socket", `${this.label}-a`, "--topic", topic, ...(this.kind === "c" ? this.extra : [])];
    if (AZ) { // endpoint: the REST URL (c) or the AMQP port (n, s) to use, proxied or not
      args.push("--transport", "azure");
      env.SERVICEBUS_CA_FILE = this.broker.caFile;
      env.SERVICEBUS_ADMIN_CONNECTION_STRING = this.broker.adminCs;
      if (this.kind === "c") {
        env.SERVICEBUS_CONNECTION_STRING = this.broker.cs(this.broker.ports.amqp);
        env.SERVICEBUS_REST_URL = endpoint;
      } else {
        env.SERVICEBUS_CONNECTION_STRING = this.broker.cs(endpoint);
      }
    }
    let cmd;
    if (this.kind === "c") {
      cmd = OPT.siocat;
      if (haveShim) {
        this.allocFile = path.join(os.tmpdir(), `cluster_bench_allocs_${process.pid}_${this.label}`);
        env.SIOC_ALLOC_COUNT_FILE = this.allocFile;
        env.LD_PRELOAD = ALLOC_SO;
      }
    } else {
      cmd = process.execPath;
      args.unshift(path.join(INTEROP, "server.js"));
    }
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env, cwd: ROOT });
    this.child = child;
    children.add(child);
    child.stdin.on("error", () => {});
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c) => { this.stderr += c; });
    this.exited = new Promise((resolve) => child.on("close", (code, signal) => { children.delete(child); resolve({ code, signal }); }));
    let buf = "";
    let readyResolve;
    this.ready = new Promise((r) => { readyResolve = r; });
    this.closed = new Promise((r) => { this.closedResolve = r; });
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (c) => {
      buf += c;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        let ev;
        try { ev = JSON.parse(line); } catch (e) { this.errors.push(`bad line: ${line.slice(0, 200)}`); continue; }
        this.event(ev, readyResolve);
      }
    });
    return within(20000, Promise.race([this.ready, this.exited.then((x) => {
      throw new Error(`${this.label} exited during start-up (${JSON.stringify(x)}): ${this.stderr.slice(-2000)}`);
    })]), `${this.label} ready`);
  }

  event(ev, readyResolve) {
    switch (ev.ev) {
      case "ready": this.readyLine = ev; readyResolve(ev); break;
      case "deliver": {
        this.delivered++;
        if (this.onDeliver) this.onDeliver(ev, performance.now());
        break;
      }
      case "result": this.results++; if (ev.ok === false) this.errors.push(`result: ${JSON.stringify(ev)}`); break;
      case "nodeUp": this.peers.add(ev.uid); break;
      case "nodeDown": this.peers.delete(ev.uid); break;
      case "closed": this.closedResolve(); break;
      case "error": this.errors.push(JSON.stringify(ev)); break;
      default: break;
    }
  }

  send(obj) { this.child.stdin.write(JSON.stringify(obj) + "\n"); }
  uid() { return this.readyLine && this.readyLine.uids["/"]; }
  cpu() { return cpuOf(this.child.pid); }
  mem() { return memOf(this.child.pid); }
  reqs() { return this.proxy ? { ...this.proxy.counts } : {}; }
  allocs() {
    if (!this.allocFile) return null;
    try {
      const b = fs.readFileSync(this.allocFile);
      return { allocs: Number(b.readBigUInt64LE(0)), frees: Number(b.readBigUInt64LE(8)), bytes: Number(b.readBigUInt64LE(16)) };
    } catch (e) { return null; }
  }
  snapshot() { return { cpu: this.cpu(), reqs: this.reqs(), allocs: this.allocs() }; }

  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.send({ cmd: "quit", id: "bench.quit" });
    try { this.child.stdin.end(); } catch (e) { /* closed */ }
    try {
      await within(10000, this.exited, `${this.label} exit`);
      retired.push(this);
    } catch (e) {
      this.child.kill("SIGKILL");
      await within(3000, this.exited, `${this.label} kill`).catch(() => {});
    }
    if (this.allocFile) fs.rmSync(this.allocFile, { force: true });
  }
}

function diffCounts(a, b) {
  const d = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const v = (b[k] || 0) - (a[k] || 0);
    if (v) d[k] = v;
  }
  return d;
}
const sum = (o) => Object.values(o).reduce((x, y) => x + y, 0);
function pct(arr, p) {
  if (!arr.length) return NaN;
  const s = [...arr].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : "n/a");

function table(title, head, rows) {
  const lines = [`### ${title}`, "", `| ${head.join(" | ")} |`, `|${head.map((h, i) => (i ? "---:" : "---")).join("|")}|`];
  for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
  return lines.join("\n") + "\n";
}

// ---- the run ----

// Counters of one member between two snapshots; CPU minus the idle rate over the same time, per message.
function delta(m, a, b, idleRate, n) {
  const dt = (b.cpu.t - a.cpu.t) / 1000;
  const sub = idleRate ? idleRate : { stat: 0, sched: 0 };
  return {
    seconds: dt,
    cpuStat: (b.cpu.stat - a.cpu.stat - sub.stat * dt) / n,
    cpuSched: (b.cpu.sched - a.cpu.sched - sub.sched * dt) / n,
    reqs: diffCounts(a.reqs, b.reqs),
    allocs: a.allocs && b.allocs ? b.allocs.allocs - a.allocs.allocs : null,
    allocBytes: a.allocs && b.allocs ? b.allocs.bytes - a.allocs.bytes : null,
  };
}

async function main() {
  if (!fs.existsSync(OPT.siocat)) usage(`${OPT.siocat} not found (build it: make build/siocat or see tools/siocat.c)`);
  if (!fs.existsSync(path.join(INTEROP, "node_modules", "socket.io"))) throw new Error("run `npm ci` in tests/interop");
  const tStart = performance.now();
  const fq = AZ ? await startSbBroker() : await startFauxqs();
  // Every measured member talks through its own counting proxy: c and o (siocat) over HTTP; n over HTTP (AWS) or
  // through the AMQP frame counter (Service Bus); s (reference) through an HTTP proxy on AWS, straight on Service Bus.
  const proxies = {};
  for (const l of AZ ? ["c", "o"] : ["c", "o", "n", "s"]) proxies[l] = await startProxy(fq.endpoint);
  if (AZ) proxies.n = await startAmqpProxy(fq.ports.amqp);
  const OFF = ["--receive-budget", "off", "--publish-budget", "off"];
  const mk = (label) => {
    const m = label === "c" ? new Member("c", "c", proxies.c) : label === "o" ? new Member("o", "c", proxies.o, OFF) :
      new Member(label, "node", proxies[label] || null);
    if (AZ) m.broker = fq;
    return m;
  };
  const epOf = (m) => (!AZ ? proxies[m.label].url : m.label === "n" ? proxies.n.port : m.label === "s" ? fq.ports.amqp :
    proxies[m.label].url);
  const TA = "bench-a", TB = "bench-b";
  const c = mk("c"), n = mk("n");
  let o = mk("o"), s = mk("s");
  const sees = (a, b) => a.peers.has(b.uid());
  const meet = (ms, what) => within(15000, (async () => {
    while (!ms.every((a) => ms.every((b) => a === b || sees(a, b)))) await sleep(50);
  })(), what);

  // ---- idle, 2 members: two clusters at once (c with n on one topic, o with s on another) ----
  await Promise.all([c.start(epOf(c), TA), n.start(epOf(n), TA), o.start(epOf(o), TB), s.start(epOf(s), TB)]);
  await meet([c, n], "c and n see each other");
  await meet([o, s], "o and s see each other");
  await sleep(1500); // start-up traffic over
  const idleOf = async (ms, label) => {
    process.stderr.write(`cluster_bench: idle ${OPT.idle} s (${label})...\n`);
    const a = ms.map((m) => m.snapshot());
    await sleep(OPT.idle * 1000);
    const b = ms.map((m) => m.snapshot());
    return ms.map((m, i) => {
      const d = delta(m, a[i], b[i], null, 1);
      return { ...d, rate: { stat: d.cpuStat / d.seconds, sched: d.cpuSched / d.seconds }, perMin: 60 / d.seconds };
    });
  };
  const [i2c, i2n, i2o] = await idleOf([c, n, o], "two 2-member clusters: c+n, o+s");

  // ---- idle, 4 members: o and s leave their topic and join c and n ----
  await Promise.all([o.stop(), s.stop()]);
  o = mk("o"), s = mk("s");
  await Promise.all([o.start(epOf(o), TA), s.start(epOf(s), TA)]);
  const all = [c, o, n, s];
  await meet(all, "4 members see each other");
  await sleep(1500);
  const [i4c, i4o, i4n] = await idleOf([c, o, n], "one 4-member cluster: c, o, n, s");
  const measured = [c, o, n];
  const idleRate = { c: i4c.rate, o: i4o.rate, n: i4n.rate };

  // ---- broadcast phases: each of s, c, o, n sends; the others receive ----
  const kindName = (m) => (m.label === "c" ? "C on" : m.label === "o" ? "C off" : "Node");
  const lat = {};
  async function phase(sender, count, paced) {
    const receivers = all.filter((m) => m !== sender);
    process.stderr.write(`cluster_bench: ${count} broadcasts from ${sender.label} ${paced ? `at ${OPT.rate}/s` : "as fast as they go"}...\n`);
    const base = receivers.map((r) => r.delivered);
    const baseResults = sender.results;
    const got = () => Math.min(...receivers.map((r, k) => r.delivered - base[k]));
    for (const r of receivers) {
      r.onDeliver = !paced ? null : (ev, now) => {
        if (ev.sid !== `${r.label}-a` || !ev.text.startsWith("2[\"bench\"")) return;
        const [, , tSent] = JSON.parse(ev.text.slice(1));
        const k = `${kindName(sender)}→${kindName(r)}`;
        (lat[k] = lat[k] || []).push(now - tSent / 1000);
      };
    }
    const snap0 = measured.map((m) => m.snapshot());
    const t0 = performance.now();
    const bcast = (i) => sender.send({ cmd: "broadcast", id: `b${i}`, event: "bench", args: [i, Math.round(performance.now() * 1000)] });
    for (let i = 0; i < count;) {
      if (paced) {
        const due = Math.min(count, Math.floor(((performance.now() - t0) * OPT.rate) / 1000) + 1);
        for (; i < due; i++) bcast(i);
        await sleep(Math.max(1, Math.floor(1000 / OPT.rate)));
      } else { // a window of OPT.window messages not yet delivered everywhere
        const upto = Math.min(count, got() + OPT.window);
        for (; i < upto; i++) bcast(i);
        await sleep(1);
      }
    }
    await within(60000, (async () => {
      while (got() < count || sender.results - baseResults < count) await sleep(5);
    })(), `broadcasts from ${sender.label}: deliveries`);
    const t1 = performance.now();
    await sleep(paced ? 500 : 300); // the deletes / completes of the last batch
    const snap1 = measured.map((m) => m.snapshot());
    for (const r of receivers) r.onDeliver = null;
    const res = { rate: count / ((t1 - t0) / 1000) };
    measured.forEach((m, i) => { res[m.label] = delta(m, snap0[i], snap1[i], idleRate[m.label], count); });
    return res;
  }
  const P = {}, M = {};
  for (const m of [s, c, o, n]) P[m.label] = await phase(m, OPT.n, true);
  for (const m of [s, c, o, n]) M[m.label] = await phase(m, OPT.nMax, false);

  const mem = { c: c.mem(), o: o.mem(), n: n.mem() };
  let heap = null;
  if (haveHeap) {
    const r = spawnSync(HEAP_BIN, [], { encoding: "utf8" });
    if (r.status === 0) heap = JSON.parse(r.stdout);
  }

  // ---- stop everything ----
  await Promise.all(all.map((m) => m.stop()));
  const selfCount = {};
  const mm = /requests((?: \w+=\d+)*);/.exec(c.stderr);
  if (mm) for (const kv of mm[1].trim().split(" ")) { const [k, v] = kv.split("="); selfCount[k] = Number(v); }
  for (const p of Object.values(proxies)) p.close();
  try { fq.child.stdin.end(); } catch (e) { /* gone */ }
  fq.child.kill("SIGTERM");
  clearTimeout(watchdog);
  const errors = [...new Set([c, n, o, s, ...retired])].flatMap((m) => m.errors.map((e) => `${m.label}: ${e}`));

  // ---- tables ----
  const N = OPT.n;
  const byOp = (o_, div) => Object.entries(o_).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${f2(v / div)}`).join(", ") || "—";
  const unit = AZ ? "REST requests (C) / AMQP frames (Node)" : "SNS/SQS requests";
  const recvOf = (l) => P.s[l]; // s sends: c, o and n receive
  const rmax = (l) => M.s[l];
  const latOf = (from, to) => lat[`${from}→${to}`] || [];
  const latCell = (arr) => (arr.length ? `${f1(pct(arr, 50))} / ${f1(pct(arr, 99))}` : "n/a");
  let outTxt = (AZ ? `## Cluster bench (Azure Service Bus): C member (siocat, REST) with pacing on and off vs a Node node (@azure/service-bus, AMQP), one sbbroker run\n\n` :
    `## Cluster bench (SNS/SQS): C member (siocat) with pacing on and off vs a Node test-adapter node, one fauxqs run\n\n`) +
    `4 members on one topic: c = siocat (default pacing), o = siocat with \`--receive-budget off --publish-budget off\`, ` +
    `n = Node (measured), s = Node (reference); one virtual socket each, heartbeat 5000 ms. Each member in turn sends ` +
    `${N} broadcasts at ${OPT.rate}/s, then ${OPT.nMax} as fast as they go (at most ${OPT.window} not yet delivered ` +
    `everywhere); ${os.cpus().length} CPUs, Node ${process.version}.` +
    (AZ ? ` Pacing is an SNS/SQS feature: on Service Bus c and o behave alike (o is a second sample of the same code).` : "") + "\n\n";

  const cpuCell = (p) => `${f1(p.cpuSched)}`;
  outTxt += table(`The issue's table: at ${OPT.rate} broadcasts/s unless said (${unit}; CPU whole process, schedstat, idle subtracted)`,
    ["measure", "C, pacing on", "C, pacing off", "Node node"], [
      ["requests per broadcast, receiving node", ...["c", "o", "n"].map((l) => f2(sum(recvOf(l).reqs) / N))],
      ["requests per broadcast, sending node", ...["c", "o", "n"].map((l) => f2(sum(P[l][l].reqs) / N))],
      ["idle requests per node-minute, 2 members", ...[i2c, i2o, i2n].map((x) => f1(sum(x.reqs) * x.perMin))],
      ["idle requests per node-minute, 4 members", ...[i4c, i4o, i4n].map((x) => f1(sum(x.reqs) * x.perMin))],
      ["CPU µs per broadcast, receiving node", ...["c", "o", "n"].map((l) => cpuCell(recvOf(l)))],
      ["CPU µs per broadcast, sending node", ...["c", "o", "n"].map((l) => cpuCell(P[l][l]))],
      ["at the maximum rate: CPU µs per broadcast, receiving node", ...["c", "o", "n"].map((l) => cpuCell(rmax(l)))],
      ["at the maximum rate: CPU µs per broadcast, sending node", ...["c", "o", "n"].map((l) => cpuCell(M[l][l]))],
      ["maximum rate reached when sending (broadcasts/s, window-limited)", ...["c", "o", "n"].map((l) => f1(M[l].rate))],
      ["latency Node → this node, p50 / p99 (ms)", latCell(latOf("Node", "C on")), latCell(latOf("Node", "C off")), latCell(latOf("Node", "Node"))],
      ["latency this node → Node, p50 / p99 (ms)", latCell(latOf("C on", "Node")), latCell(latOf("C off", "Node")), latCell(latOf("Node", "Node"))],
      ["idle CPU (µs per second, 4 members)", ...[i4c, i4o, i4n].map((x) => f1(x.rate.sched))],
    ]);
  outTxt += `\nLatency: send command written to the sender's stdin → \`deliver\` line read from the receiver's stdout ` +
    `(this process's clock), both pipes and ${AZ ? "the proxy hops" : "two proxy hops"} included. What pacing adds: ` +
    `Node → C, on minus off (receive pacing), and C → Node, on minus off (publish pacing). CPU includes each member's JSON-lines I/O (one \`deliver\` line per message); ` +
    `the Node process also runs its Socket.IO server and the in-process client of its virtual socket.\n\n`;

  outTxt += table("CPU per broadcast message, both clocks (µs, idle rate subtracted)", ["measure", "C, pacing on", "C, pacing off", "Node node"], [
    ["receiving node at 200/s, utime+stime / schedstat", ...["c", "o", "n"].map((l) => `${f1(recvOf(l).cpuStat)} / ${f1(recvOf(l).cpuSched)}`)],
    ["sending node at 200/s, utime+stime / schedstat", ...["c", "o", "n"].map((l) => `${f1(P[l][l].cpuStat)} / ${f1(P[l][l].cpuSched)}`)],
    ["receiving node at the maximum rate", ...["c", "o", "n"].map((l) => `${f1(rmax(l).cpuStat)} / ${f1(rmax(l).cpuSched)}`)],
    ["sending node at the maximum rate", ...["c", "o", "n"].map((l) => `${f1(M[l][l].cpuStat)} / ${f1(M[l][l].cpuSched)}`)],
  ]);
  outTxt += `\n/proc/<pid>/stat counts 10 ms ticks; schedstat is the scheduler's ns clock (the figure used above).\n\n`;

  outTxt += table(`${unit} per broadcast by operation (at ${OPT.rate}/s)`, ["role", "C, pacing on", "C, pacing off", "Node node"], [
    ["sending node", ...["c", "o", "n"].map((l) => byOp(P[l][l].reqs, N))],
    ["receiving node", ...["c", "o", "n"].map((l) => byOp(recvOf(l).reqs, N))],
  ]);
  const selfTotal = sum(selfCount), proxTotal = sum(proxies.c.counts);
  outTxt += `\nRaw counts over each phase (idle traffic included). ` + (AZ ? `An AMQP frame is not an HTTP request: a transfer ` +
    `or disposition is a few dozen bytes on an open link, flow frames grant credit; they are the closest per-message unit on that protocol. ` :
    `The Node sender's count includes receiving and deleting its own broadcasts (the test adapter subscribes without a FilterPolicy). `) +
    `siocat c's own per-operation counters at exit: ${selfTotal} requests, its proxy saw ${proxTotal} ` +
    `(${selfTotal === proxTotal ? "equal" : "DIFFERENT"}).\n\n`;

  const idleRows = (xs) => {
    const ops = [...new Set(xs.flatMap((x) => Object.keys(x.reqs)))].sort();
    return [...ops.map((op) => [op, ...xs.map((x) => f1((x.reqs[op] || 0) * x.perMin))]),
      ["**total**", ...xs.map((x) => f1(sum(x.reqs) * x.perMin))]];
  };
  outTxt += table(`${unit} per idle node-minute (measured over ${OPT.idle} s${OPT.idle === 60 ? "" : `, scaled ×${f2(60 / OPT.idle)}`})`,
    ["operation", "C on, 2 members", "C off, 2 members", "Node, 2 members", "C on, 4 members", "C off, 4 members", "Node, 4 members"],
    idleRows([i2c, i2o, i2n, i4c, i4o, i4n]));
  outTxt += AZ ? `\nC: REST requests (peek-lock receives with a server timeout, one complete per message); Node: AMQP ` +
    `frames (empty frames are the connection keep-alive; the SDK's CBS token refreshes appear as attach/transfer/disposition).\n\n` :
    `\nC: long poll 20 s and a FilterPolicy (no own messages); with pacing a receive that brought heartbeats is followed ` +
    `after receive_idle_ms, so heartbeats of several peers share receives and deletes. The Node test adapter long-polls 5 s ` +
    `and has no FilterPolicy (it receives and deletes its own heartbeats too).\n\n`;

  const latRow = (k) => [k, String((lat[k] || []).length), f2(pct(lat[k] || [], 50)), f2(pct(lat[k] || [], 99)), f2(Math.max(...(lat[k] || [NaN])))];
  outTxt += table(`Latency by path at ${OPT.rate}/s, send at one member to delivery at a socket of another (ms)`, ["path", "messages", "p50", "p99", "max"],
    Object.keys(lat).sort().map(latRow));
  outTxt += `\nIncludes stdin/stdout of both members, ${AZ ? "the proxy hops of c, o and n, and the broker's" : "two proxy hops and the emulator's"} fan-out (on the same ${os.cpus().length} CPUs).\n\n`;

  const heapOwn = heap ? (AZ ? heap.cluster_azure : heap.cluster_aws) : NaN; // bench/cluster_heap.c, per transport
  const heapHttp = heap ? (AZ ? heap.http_azure : heap.http) : NaN;
  const heapSum = heap ? heap.node + heapOwn + heapHttp : NaN;
  const kb = (x) => (Number.isFinite(x) ? `${(x / 1024).toFixed(0)} KiB` : "n/a");
  const allocRow = (p) => (p.allocs === null ? "n/a (no LD_PRELOAD shim)" : `${f3(p.allocs / N)} (${f1(p.allocBytes / N)} B)`);
  outTxt += table("Memory per node context", ["measure", "C, pacing on", "C, pacing off", "Node node"], [
    ["RSS after the run (VmRSS)", kb(mem.c.rss * 1024), kb(mem.o.rss * 1024), kb(mem.n.rss * 1024)],
    ["peak RSS (VmHWM)", kb(mem.c.hwm * 1024), kb(mem.o.hwm * 1024), kb(mem.n.hwm * 1024)],
    ["configured heap: node (sioc_node_heap_size)", heap ? kb(heap.node) : "n/a", "same", "—"],
    [`configured heap: ${AZ ? "Service Bus" : "SNS/SQS"} member buffers (sioc_cluster_heap_size minus the node)`, kb(heapOwn), "same", "—"],
    ["configured heap: HTTP engine (the member's defaults)", kb(heapHttp), "same", "—"],
    ["configured heap: total", kb(heapSum), "same", "—"],
    ["heap allocations per received message (whole siocat process)", allocRow(recvOf("c")), allocRow(recvOf("o")), "—"],
    ["heap allocations per sent broadcast (whole siocat process)", allocRow(P.c.c), allocRow(P.o.o), "—"],
    ["heap allocations per idle minute (whole siocat process)", i4c.allocs === null ? "n/a" : f1(i4c.allocs * i4c.perMin),
      i4o.allocs === null ? "n/a" : f1(i4o.allocs * i4o.perMin), "—"],
  ]);
  outTxt += `\nAllocations counted by bench/alloc_count.c preloaded into siocat (malloc/calloc/realloc of the library ` +
    `and of the tool); the library alone allocates nothing per message ` +
    `(tests/test_cluster_net.c test_no_steady_state_allocation, tests/test_cluster_aws.c steady state).\n`;
  outTxt += `\nRun time ${f1((performance.now() - tStart) / 1000)} s.${errors.length ? ` ${errors.length} error line(s):\n` + errors.slice(0, 10).map((e) => `- ${e}`).join("\n") : " No error lines from any member."}\n`;
  process.stdout.write(outTxt);
  if (errors.length) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`cluster_bench: ${err && err.stack || err}\n`);
  killAll();
  process.exit(1);
});
