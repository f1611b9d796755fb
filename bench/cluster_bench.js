"use strict";
// Cluster bench (issue 6, `make bench`): the C node (siocat) and a Node Socket.IO 4.8 node with the project's AWS
// test adapter (tests/interop/server.js in siocat mode), side by side in ONE run on ONE fauxqs emulator.
//   node bench/cluster_bench.js build/siocat [--idle S] [--n N] [--rate R]
// Members (all on 127.0.0.1, one virtual socket each, default heartbeat 5000 ms):
//   c = siocat (measured)   n = server.js (measured)   s = server.js (reference sender/receiver, not measured)
// Phases: idle (c and n only: a 2-member cluster) for S seconds (default 60, no scaling), then s joins and three
// paced broadcast phases of N messages (default 2500 at R=250/s, to every socket): s sends (c and n receive), c
// sends, n sends. Every member talks to the emulator through its own counting HTTP proxy in this process, so the
// SNS/SQS requests of both kinds of node are counted the same way, per operation; siocat's own counters (printed on
// stderr at exit) are checked against its proxy's total. CPU: /proc/<pid>/stat utime+stime deltas (10 ms ticks)
// and, at ns resolution, the sum of /proc/<pid>/task/*/schedstat, each minus the idle rate over the same duration.
// Latency: the payload carries the send time (this process's clock, written to the sender's stdin); it is read
// back from the receiver's `deliver` line, so both pipes and the proxy hops are included for every path alike.
// Allocations: siocat runs with bench/alloc_count.c preloaded (whole process: library and tool). Everything this
// starts is killed on exit; a watchdog ends the run after 170 s.
// --transport azure: the same run on ONE project test broker (tests/sbbroker): c = siocat over REST (through a
// counting HTTP proxy in front of the broker's HTTP port, per operation like siocat's own counters), n and s =
// server.js with the Azure test adapter over AMQP (@azure/service-bus). n's AMQP connection goes through a TCP proxy
// here that parses AMQP 1.0 frames and counts them per performative and direction (its administration client's
// HTTPS start-up calls go straight to the broker and are not counted). Defaults there: idle 30 s (scaled ×2 to a
// minute), 1000 broadcasts per phase at 100/s.

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
  const o = { siocat: null, idle: null, n: null, rate: null, transport: "aws" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) usage(`${a} needs a positive number`);
      return v;
    };
    if (a === "--idle") o.idle = num();
    else if (a === "--n") o.n = Math.floor(num());
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
  if (o.idle === null) o.idle = az ? 30 : 60;
  if (o.n === null) o.n = az ? 1000 : 2500;
  if (o.rate === null) o.rate = az ? 100 : 250;
  return o;
}
function usage(msg) {
  process.stderr.write(`cluster_bench: ${msg}\nusage: node bench/cluster_bench.js build/siocat [--idle S] [--n N] [--rate R] [--transport aws|azure]\n`);
  process.exit(2);
}
const OPT = parseArgs(process.argv.slice(2));
const AZ = OPT.transport === "azure";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
function killAll() {
  for (const c of children) { try { c.kill("SIGKILL"); } catch (e) { /* gone */ } }
}
process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { killAll(); process.exit(1); });
const watchdog = setTimeout(() => {
  process.stderr.write("cluster_bench: watchdog: run took over 170 s, stopping\n");
  killAll();
  process.exit(1);
}, 170000);

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
  const child = spawn(process.execPath, [path.join(SBBROKER, "broker.js"), "--watch-stdin", "--max-seconds", "200",
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
  const child = spawn(process.execPath, [launcher, "--watch-stdin", "--max-seconds", "200"], { stdio: ["pipe", "pipe", "pipe"] });
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
  constructor(label, kind, proxy) {
    this.label = label;
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

  start(endpoint) {
    const env = { ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    delete env.AWS_PROFILE;
    delete env.AWS_SESSION_TOKEN;
    delete env.AWS_ENDPOINT_URL_SNS;
    delete env.AWS_ENDPOINT_URL_SQS;
    const args = ["--label", this.label, "--socket", `${this.label}-a`];
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

async function main() {
  if (!fs.existsSync(OPT.siocat)) usage(`${OPT.siocat} not found (build it: make build/siocat or see tools/siocat.c)`);
  if (!fs.existsSync(path.join(INTEROP, "node_modules", "socket.io"))) throw new Error("run `npm ci` in tests/interop");
  const tStart = performance.now();
  const fq = AZ ? await startSbBroker() : await startFauxqs();
  const proxies = {};
  if (AZ) { // c: REST through a counting HTTP proxy; n: AMQP through a frame-counting proxy; s: straight to the broker
    proxies.c = await startProxy(fq.endpoint);
    proxies.n = await startAmqpProxy(fq.ports.amqp);
  } else {
    for (const l of ["c", "n", "s"]) proxies[l] = await startProxy(fq.endpoint);
  }
  const c = new Member("c", "c", proxies.c);
  const n = new Member("n", "node", proxies.n);
  const s = new Member("s", "node", proxies.s || null);
  const members = [c, n, s];
  const measured = [c, n];
  const epOf = (m) => (!AZ ? proxies[m.label].url : m === c ? proxies.c.url : m === n ? proxies.n.port : fq.ports.amqp);
  if (AZ) for (const m of members) m.broker = fq;

  await Promise.all([c.start(epOf(c)), n.start(epOf(n))]);
  // both sides know each other (INITIAL_HEARTBEAT answered), then start-up traffic is over
  await within(15000, (async () => { while (!c.peers.has(n.uid()) || !n.peers.has(c.uid())) await sleep(50); })(), "c and n see each other");
  await sleep(1000);

  // ---- idle ----
  process.stderr.write(`cluster_bench: idle ${OPT.idle} s (2-member cluster: c, n)...\n`);
  const idle0 = measured.map((m) => m.snapshot());
  await sleep(OPT.idle * 1000);
  const idle1 = measured.map((m) => m.snapshot());
  const idle = measured.map((m, i) => {
    const dt = (idle1[i].cpu.t - idle0[i].cpu.t) / 1000;
    return {
      seconds: dt,
      cpuStat: (idle1[i].cpu.stat - idle0[i].cpu.stat) / dt, // µs per second
      cpuSched: (idle1[i].cpu.sched - idle0[i].cpu.sched) / dt,
      reqs: diffCounts(idle0[i].reqs, idle1[i].reqs),
      allocs: idle0[i].allocs && idle1[i].allocs ? idle1[i].allocs.allocs - idle0[i].allocs.allocs : null,
    };
  });

  // ---- broadcast phases ----
  await s.start(epOf(s));
  await within(15000, (async () => {
    while (!c.peers.has(s.uid()) || !n.peers.has(s.uid()) || !s.peers.has(c.uid()) || !s.peers.has(n.uid())) await sleep(50);
  })(), "s joins");
  await sleep(1000);

  const lat = { "C→Node": [], "Node→C": [], "Node→Node": [] };
  const kindName = (m) => (m.kind === "c" ? "C" : "Node");
  async function phase(name, sender, receivers) {
    process.stderr.write(`cluster_bench: phase ${name}: ${OPT.n} broadcasts at ${OPT.rate}/s from ${sender.label}...\n`);
    const base = receivers.map((r) => r.delivered);
    const baseResults = sender.results;
    for (const r of receivers) {
      r.onDeliver = (ev, now) => {
        if (ev.sid !== `${r.label}-a` || !ev.text.startsWith("2[\"bench\"")) return;
        const [, , tSent] = JSON.parse(ev.text.slice(1));
        lat[`${kindName(sender)}→${kindName(r)}`].push(now - tSent / 1000);
      };
    }
    const snap0 = measured.map((m) => m.snapshot());
    const t0 = performance.now();
    for (let i = 0; i < OPT.n;) {
      const due = Math.min(OPT.n, Math.floor(((performance.now() - t0) * OPT.rate) / 1000) + 1);
      for (; i < due; i++) {
        sender.send({ cmd: "broadcast", id: `b${i}`, event: "bench", args: [i, Math.round(performance.now() * 1000)] });
      }
      await sleep(Math.max(1, Math.floor(1000 / OPT.rate)));
    }
    await within(30000, (async () => {
      while (receivers.some((r, k) => r.delivered - base[k] < OPT.n) || sender.results - baseResults < OPT.n) await sleep(20);
    })(), `phase ${name}: deliveries`);
    await sleep(500); // the deletes of the last batch
    const snap1 = measured.map((m) => m.snapshot());
    for (const r of receivers) r.onDeliver = null;
    const res = {};
    measured.forEach((m, i) => {
      const dt = (snap1[i].cpu.t - snap0[i].cpu.t) / 1000;
      res[m.label] = {
        seconds: dt,
        cpuStat: (snap1[i].cpu.stat - snap0[i].cpu.stat - idle[i].cpuStat * dt) / OPT.n,
        cpuSched: (snap1[i].cpu.sched - snap0[i].cpu.sched - idle[i].cpuSched * dt) / OPT.n,
        reqs: diffCounts(snap0[i].reqs, snap1[i].reqs),
        allocs: snap0[i].allocs && snap1[i].allocs ? snap1[i].allocs.allocs - snap0[i].allocs.allocs : null,
        allocBytes: snap0[i].allocs && snap1[i].allocs ? snap1[i].allocs.bytes - snap0[i].allocs.bytes : null,
      };
    });
    return res;
  }
  const pR = await phase("s→(c,n)", s, [c, n]);
  const pC = await phase("c→(n,s)", c, [n, s]);
  const pN = await phase("n→(c,s)", n, [c, s]);

  const mem = { c: c.mem(), n: n.mem() };
  let heap = null;
  if (haveHeap && !AZ) {
    const r = spawnSync(HEAP_BIN, [], { encoding: "utf8" });
    if (r.status === 0) heap = JSON.parse(r.stdout);
  }

  // ---- stop everything ----
  await Promise.all(members.map((m) => m.stop()));
  const selfCount = {};
  const mm = /requests((?: \w+=\d+)*);/.exec(c.stderr);
  if (mm) for (const kv of mm[1].trim().split(" ")) { const [k, v] = kv.split("="); selfCount[k] = Number(v); }
  for (const p of Object.values(proxies)) p.close();
  try { fq.child.stdin.end(); } catch (e) { /* gone */ }
  fq.child.kill("SIGTERM");
  clearTimeout(watchdog);
  const errors = members.flatMap((m) => m.errors.map((e) => `${m.label}: ${e}`));

  // ---- tables ----
  const N = OPT.n;
  const byOp = (o, div) => Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${f2(v / div)}`).join(", ") || "—";
  let outTxt = (AZ ? `## Cluster bench (Azure Service Bus): C node (siocat, REST) vs Node test-adapter node (@azure/service-bus, AMQP), one sbbroker run\n\n` :
    `## Cluster bench: C node (siocat) vs Node test-adapter node, one fauxqs run\n\n`) +
    `${N} broadcasts per phase at ${OPT.rate}/s, 3 members (c = siocat, n = Node measured, s = Node reference), ` +
    `one virtual socket each, heartbeat 5000 ms; ${os.cpus().length} CPUs, Node ${process.version}.\n\n`;

  outTxt += table("CPU per broadcast message (µs, idle rate subtracted)", ["measure", "C (siocat)", "Node (test adapter)", "Node ÷ C"], [
    ["receiving node, utime+stime (/proc/pid/stat)", f1(pR.c.cpuStat), f1(pR.n.cpuStat), ratio(pR.n.cpuStat, pR.c.cpuStat)],
    ["receiving node, schedstat (ns clock)", f1(pR.c.cpuSched), f1(pR.n.cpuSched), ratio(pR.n.cpuSched, pR.c.cpuSched)],
    ["sending node, utime+stime (/proc/pid/stat)", f1(pC.c.cpuStat), f1(pN.n.cpuStat), ratio(pN.n.cpuStat, pC.c.cpuStat)],
    ["sending node, schedstat (ns clock)", f1(pC.c.cpuSched), f1(pN.n.cpuSched), ratio(pN.n.cpuSched, pC.c.cpuSched)],
    ["idle baseline (µs CPU per second, schedstat)", f1(idle[0].cpuSched), f1(idle[1].cpuSched), ratio(idle[1].cpuSched, idle[0].cpuSched)],
  ]);
  outTxt += "\nIncludes each member's JSON-lines I/O (command parsing, one `deliver` line per message); the Node " +
    "process also runs its Socket.IO server and the in-process client of its virtual socket.\n\n";

  outTxt += table(AZ ? "Requests per broadcast: C = REST requests (HTTP proxy), Node = AMQP frames both directions (AMQP proxy; → to the broker, ← from it)" :
    "SNS/SQS requests per broadcast (counted at each member's proxy)", ["role", "C (siocat)", "C by operation", "Node (test adapter)", "Node by operation"], [
    ["sending node", f2(sum(pC.c.reqs) / N), byOp(pC.c.reqs, N), f2(sum(pN.n.reqs) / N), byOp(pN.n.reqs, N)],
    ["receiving node", f2(sum(pR.c.reqs) / N), byOp(pR.c.reqs, N), f2(sum(pR.n.reqs) / N), byOp(pR.n.reqs, N)],
  ]);
  const selfTotal = sum(selfCount), proxTotal = sum(proxies.c.counts);
  outTxt += AZ ? `\nRaw counts over each phase (idle traffic included). An AMQP frame is not an HTTP request: a transfer ` +
    `or disposition is a few dozen bytes on an open link, flow frames grant credit; they are the closest per-message ` +
    `unit on that protocol. siocat's own per-operation counters at exit: ${selfTotal} requests ` +
    `(${Object.entries(selfCount).map(([k, v]) => `${k}=${v}`).join(" ")}), its proxy saw ${proxTotal} ` +
    `(${selfTotal === proxTotal ? "equal" : "DIFFERENT"}).\n\n` :
    `\nRaw counts over each phase (idle traffic included); the Node sender's count includes receiving and ` +
    `deleting its own broadcasts (the test adapter subscribes without a FilterPolicy). siocat's own per-operation counters at exit: ` +
    `${selfTotal} requests, its proxy saw ${proxTotal} (${selfTotal === proxTotal ? "equal" : "DIFFERENT"}).\n\n`;

  const idleMin = (60 / OPT.idle) * (OPT.idle / idle[0].seconds); // per minute from the measured window
  const ops = [...new Set([...Object.keys(idle[0].reqs), ...Object.keys(idle[1].reqs)])].sort();
  outTxt += table(`${AZ ? "Requests (C) and AMQP frames (Node)" : "Requests"} per idle node-minute (measured over ${OPT.idle} s${OPT.idle === 60 ? ", not scaled" : `, scaled ×${f2(60 / OPT.idle)}`}; 2-member cluster)`,
    ["operation", "C (siocat)", "Node (test adapter)"],
    [...ops.map((op) => [op, f1((idle[0].reqs[op] || 0) * idleMin), f1((idle[1].reqs[op] || 0) * idleMin)]),
      ["**total**", f1(sum(idle[0].reqs) * idleMin), f1(sum(idle[1].reqs) * idleMin)]]);
  if (AZ) outTxt += `\nC: REST requests (peek-lock receives with a server timeout, complete per message); Node: AMQP ` +
    `frames (empty frames are the connection keep-alive; the SDK's CBS token refreshes appear as attach/transfer/disposition).\n\n`;
  else outTxt += `\nDefaults of each: C long poll 20 s and a FilterPolicy (no own messages); the Node test adapter long-polls 5 s ` +
    `and has no FilterPolicy (it receives and deletes its own heartbeats too). Each heartbeat of the peer (every 5 s) ` +
    `ends a long poll early, so a bigger cluster costs more receives per node-minute.\n\n`;

  const latRow = (k) => [k, String(lat[k].length), f2(pct(lat[k], 50)), f2(pct(lat[k], 99)), f2(Math.max(...lat[k]))];
  outTxt += table("Latency, send at one member to delivery at a socket of another (ms)", ["path", "messages", "p50", "p99", "max"],
    ["C→Node", "Node→C", "Node→Node"].map(latRow));
  outTxt += `\nC→Node: c sends, n and s receive; Node→C: s and n send, c receives; Node→Node: s→n and n→s. Includes ` +
    `stdin/stdout of both members, ${AZ ? "the proxy hops of c and n, and the broker's" : "two proxy hops and the emulator's"} fan-out (on the same ${os.cpus().length} CPUs).\n\n`;

  const heapOwn = heap ? (AZ ? heap.cluster_azure : heap.cluster_aws) : NaN; // bench/cluster_heap.c, per transport
  const heapHttp = heap ? (AZ ? heap.http_azure : heap.http) : NaN;
  const heapSum = heap ? heap.node + heapOwn + heapHttp : NaN;
  const kb = (x) => (Number.isFinite(x) ? `${(x / 1024).toFixed(0)} KiB` : "n/a");
  const allocRow = (p) => (p.c.allocs === null ? "n/a (no LD_PRELOAD shim)" :
    `${f3(p.c.allocs / N)} (${f1(p.c.allocBytes / N)} B)`);
  outTxt += table("Memory per node context", ["measure", "C (siocat)", "Node (test adapter)"], [
    ["RSS after the run (VmRSS)", kb(mem.c.rss * 1024), kb(mem.n.rss * 1024)],
    ["peak RSS (VmHWM)", kb(mem.c.hwm * 1024), kb(mem.n.hwm * 1024)],
    ["configured heap: node (sioc_node_heap_size)", heap ? kb(heap.node) : "n/a", "—"],
    [`configured heap: ${AZ ? "Service Bus" : "SNS/SQS"} member buffers (sioc_cluster_heap_size minus the node)`, kb(heapOwn), "—"],
    ["configured heap: HTTP engine (the member's defaults)", kb(heapHttp), "—"],
    ["configured heap: total", kb(heapSum), "—"],
    ["heap allocations before the idle phase: start-up (whole siocat process)", idle0[0].allocs === null ? "n/a" :
      `${idle0[0].allocs.allocs} (${kb(idle0[0].allocs.bytes)})`, "—"],
    ["heap allocations per received message (whole siocat process)", allocRow(pR), "—"],
    ["heap allocations per sent broadcast (whole siocat process)", allocRow(pC), "—"],
    ["heap allocations per idle minute (whole siocat process)", idle[0].allocs === null ? "n/a" : f1(idle[0].allocs * idleMin), "—"],
  ]);
  outTxt += `\nAllocations counted by bench/alloc_count.c preloaded into siocat (malloc/calloc/realloc of the library ` +
    `and of the tool, e.g. its output buffers); the library alone allocates nothing per message ` +
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
