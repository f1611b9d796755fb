#!/usr/bin/env node
"use strict";
// The firmware member in a real cluster: fauxqs (tests/fauxqs) + one Node Socket.IO 4.8 server with the AWS test
// adapter (tests/interop/server.js) + a real socket.io-client, and the firmware (fw.elf) in QEMU mps2-an385 behind
// the UART relay (relay.js). Checks that the firmware joins, gets a room broadcast for its virtual socket with the
// exact socket.io frames, reaches the real client with its own broadcast, is listed by the server's fetchSockets and
// counted by serverCount, and leaves gracefully (ADAPTER_CLOSE seen by Node, its SQS queue deleted). Reports time to
// join, stack high-water mark, heap in use, and flash / RAM from the ELF. With --emitter, then the tiny emitter
// firmware (fw_emit.elf) in the same cluster: it finds the topic, its room broadcast reaches the client (and a
// broadcast to another room does not), the Node server does not count it, a topic deleted under it is created
// again and the message still goes, it leaves with its heap given back.
//
//   node examples/cortex-m/test.js build/cortex-m/fw.elf [--emitter fw_emit.elf] [--verbose] [--summary-prefix WORD]
//
// Ends with "N passed, N failed" (exit 1 on a failure). Without QEMU, the ELF or the npm folders it prints SKIPPED
// and "0 passed, 0 failed" (SIOC_REQUIRE_LIVE=1 makes that a failure).

// Node 20 is what the project runs; the SDK's notice about its future Node 22 requirement is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..", "..");
const INTEROP = path.join(ROOT, "tests", "interop");
const FAUXQS = path.join(ROOT, "tests", "fauxqs");
const argv = process.argv.slice(2);
const ELF = argv.find((a, i) => !a.startsWith("--") && !["--summary-prefix", "--emitter"].includes(argv[i - 1]));
const EMITTER = argv.includes("--emitter") ? argv[argv.indexOf("--emitter") + 1] : null;
const VERBOSE = argv.includes("--verbose");
const PREFIX = argv.includes("--summary-prefix") ? `${argv[argv.indexOf("--summary-prefix") + 1]}: ` : "";

function skip(why) {
  const required = process.env.SIOC_REQUIRE_LIVE === "1";
  process.stdout.write(`${required ? "FAIL" : "SKIPPED"} cortex-m: ${why}\n${PREFIX}0 passed, ${required ? 1 : 0} failed\n`);
  process.exit(required ? 1 : 0);
}
{
  const which = (b) => { try { execFileSync("sh", ["-c", `command -v ${b}`], { stdio: "ignore" }); return true; } catch (e) { return false; } };
  if (!which("qemu-system-arm")) skip("qemu-system-arm not installed (apt-get install qemu-system-arm)");
  if (!ELF || !fs.existsSync(ELF)) skip(`no firmware ELF ${ELF || "(none given)"}`);
  if (EMITTER && !fs.existsSync(EMITTER)) skip(`no emitter firmware ELF ${EMITTER}`);
  if (!fs.existsSync(path.join(FAUXQS, "node_modules", "fauxqs"))) skip("run `npm ci` in tests/fauxqs");
  if (!fs.existsSync(path.join(INTEROP, "node_modules", "socket.io"))) skip("run `npm ci` in tests/interop");
}

const { startFirmware } = require("./relay");
const { connectClient } = require(path.join(INTEROP, "client.js"));
const { encodeFrames } = require(path.join(INTEROP, "frames.js"));
const { fromJson, canon } = require(path.join(INTEROP, "values.js"));
const { SQSClient, ListQueuesCommand } = require(require.resolve("@aws-sdk/client-sqs", { paths: [INTEROP] }));
const { SNSClient, DeleteTopicCommand } = require(require.resolve("@aws-sdk/client-sns", { paths: [INTEROP] }));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
process.on("exit", () => { for (const c of children) { try { c.kill("SIGKILL"); } catch (e) { /* gone */ } } });
setTimeout(() => { process.stdout.write("cortex-m: overall time limit (180 s)\n"); process.exit(1); }, 180000).unref();

class Failure extends Error {}
const check = (cond, msg) => { if (!cond) throw new Failure(msg); };
async function eventually(fn, ms, what) {
  const end = Date.now() + ms;
  let last = null;
  for (;;) {
    try { const v = await fn(); if (v) return v; last = null; } catch (e) { if (!(e instanceof Failure)) throw e; last = e; }
    if (Date.now() > end) throw new Failure(`${what} (after ${ms} ms)${last ? `: ${last.message}` : ""}`);
    await sleep(50);
  }
}

// A child that prints JSON lines; returns {child, lines, waitFor(pred, ms), cmd(obj)} for server.js.
function jsonChild(cmd, args, label) {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" } });
  children.add(child);
  const lines = [];
  const waiters = new Set();
  let buf = "", stderr = "", nextId = 1;
  const pending = new Map();
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (c) => {
    buf += c;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const l = buf.slice(0, nl); buf = buf.slice(nl + 1);
      if (VERBOSE) process.stdout.write(`  [${label}] ${l}\n`);
      let o; try { o = JSON.parse(l); } catch (e) { continue; }
      lines.push(o);
      if (o.ev === "result" && pending.has(o.id)) { pending.get(o.id)(o); pending.delete(o.id); }
      for (const w of [...waiters]) w();
    }
  });
  child.stderr.on("data", (c) => { stderr += c; if (VERBOSE) process.stdout.write(`  [${label} stderr] ${c}`); });
  return {
    child, lines, stderr: () => stderr,
    waitFor(pred, ms, what) {
      const hit = lines.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = () => { const h = lines.find(pred); if (h) { waiters.delete(w); clearTimeout(t); resolve(h); } };
        const t = setTimeout(() => { waiters.delete(w); reject(new Failure(`${label}: no ${what} in ${ms} ms`)); }, ms);
        waiters.add(w);
      });
    },
    cmd(obj, ms = 10000) {
      const id = nextId++;
      child.stdin.write(JSON.stringify({ ...obj, id }) + "\n");
      return new Promise((resolve, reject) => {
        pending.set(id, resolve);
        setTimeout(() => { if (pending.delete(id)) reject(new Failure(`${label}: ${obj.cmd} got no result`)); }, ms);
      });
    },
  };
}

async function startFauxqs() {
  const child = spawn(process.execPath, [path.join(FAUXQS, "launch.mjs"), "--watch-stdin", "--max-seconds", "240"],
    { stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  return new Promise((resolve, reject) => {
    let buf = "";
    const t = setTimeout(() => reject(new Error("fauxqs did not start in 15 s")), 15000);
    child.stdout.on("data", (c) => {
      buf += c;
      const m = /FAUXQS_ENDPOINT=(\S+)/.exec(buf);
      if (m) { clearTimeout(t); resolve({ child, endpoint: m[1] }); }
    });
  });
}

let passed = 0, failed = 0;
const facts = [];
async function test(name, fn) {
  const t = Date.now();
  try {
    await fn();
    passed++;
    process.stdout.write(`ok   ${name} (${Date.now() - t} ms)\n`);
  } catch (e) {
    failed++;
    process.stdout.write(`FAIL ${name} (${Date.now() - t} ms): ${e.message}\n`);
  }
}
function fnv1a(buf) {
  let h = 0x811c9dc5;
  for (const b of buf) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h.toString(16).padStart(8, "0");
}
const kv = (text) => Object.fromEntries([...text.matchAll(/(\w+)=(\S*)/g)].map((m) => [m[1], m[2]]));

function elfSizes(elf) {
  let size;
  try { size = execFileSync("arm-none-eabi-size", ["-A", elf], { encoding: "utf8" }); } catch (e) { return null; }
  const sec = {};
  for (const m of size.matchAll(/^(\.\S+)\s+(\d+)\s+(\d+)/gm)) sec[m[1]] = Number(m[2]);
  const text = (sec[".text"] || 0) + (sec[".ARM.exidx"] || 0);
  return { flash: text + (sec[".data"] || 0), text, data: sec[".data"] || 0, bss: sec[".bss"] || 0,
    noinit: sec[".noinit"] || 0, stack: sec[".stack"] || 0 };
}

// A run's memory lines: checks the painted stack stayed below its size and the heap went back to 0; returns the
// stack high-water, the stack size and the first report (heap in use while running).
function memoryReport(log) {
  const mem = log.filter((l) => l.startsWith("memory ")).map(kv);
  const freed = log.find((l) => l.startsWith("freed "));
  check(mem.length >= 1 && freed, "memory lines missing");
  const peak = mem.reduce((a, m) => Math.max(a, Number(m.stack_used)), 0);
  const size = Number(mem[0].stack_size);
  check(peak > 0 && peak < size, `stack high-water ${peak} of ${size}`);
  check(kv(freed).heap_in_use === "0", `heap after free ${kv(freed).heap_in_use}`);
  return { peak, size, running: mem[0] };
}

const sizesText = (s) => `${s.flash} bytes (text+rodata ${s.text}, data ${s.data}); RAM: ` +
  `${s.data + s.bss + s.noinit + s.stack} bytes = data ${s.data} + bss ${s.bss} + heap arena ${s.noinit} + stack ${s.stack}`;

// The tiny emitter firmware (fw_emit.c) in the cluster the member left: the Node server alone, its client in lobby.
async function emitterScenario(endpoint, server, client) {
  const log = [];
  const em = startFirmware({
    elf: EMITTER,
    maxSeconds: 60,
    verbose: VERBOSE && !!process.env.RELAY_VERBOSE,
    config: { endpoint, region: "us-east-1", access_key: "test", secret_key: "test" },
    onLog: (text, ms) => { log.push(text); if (VERBOSE) process.stdout.write(`  [emitter +${ms} ms] ${text}\n`); },
  });
  await test("the tiny emitter firmware boots in QEMU and finds the topic (CreateTopic over the UART relay)", async () => {
    const r = await em.waitLog(/^ready /, 30000);
    const f = kv(r.text);
    check(/^arn:aws:sns:us-east-1:\d+:socket-io$/.test(f.topic), `topic ${f.topic}`);
    facts.push(`tiny emitter: the topic in ${f.join_ms} ms (firmware clock), ${r.ms} ms from launching QEMU`);
  });
  await test("its room broadcast reaches the real socket.io-client, one to another room does not, and the Node " +
    "server counts no new node", async () => {
    const from = client.received.length;
    em.command("emit elsewhere tiny-miss not for lobby");
    await em.waitLog(/^published 1 /, 10000);
    em.command("emit lobby tiny-fw hello from the tiny emitter");
    const p = await em.waitLog(/^published 2 /, 10000);
    check(kv(p.text).dropped === "0", p.text);
    const got = await eventually(() => client.received.slice(from).find((e) => e.event === "tiny-fw"), 10000,
      "tiny-fw at the client");
    check(canon(got.args) === canon(["hello from the tiny emitter"]), `args ${canon(got.args)}`);
    await sleep(500);
    check(!client.received.slice(from).some((e) => e.event === "tiny-miss"), "the client got the other room's event");
    check(client.received.slice(from).filter((e) => e.event === "tiny-fw").length === 1, "tiny-fw arrived twice");
    const c = await server.cmd({ cmd: "serverCount", nsp: "/" });
    check(c.count === 1, `serverCount ${c.count} (the emitter is no node)`);
  });
  await test("the topic deleted under it: the tiny emitter's publish gets NotFound, it creates the topic again and " +
    "publishes", async () => {
    const topic = kv(log.find((l) => l.startsWith("ready "))).topic;
    const sns = new SNSClient({ region: "us-east-1", endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    await sns.send(new DeleteTopicCommand({ TopicArn: topic }));
    em.command("emit lobby tiny-again after the topic went");
    const p = kv((await em.waitLog(/^published 3 /, 10000)).text);
    check(p.retries === "1" && p.dropped === "0", `published 3 with retries=${p.retries} dropped=${p.dropped}`);
  });
  await test("the tiny emitter leaves: exit status 0, stack below its size, heap given back", async () => {
    em.command("leave");
    const exit = await em.done;
    check(exit.status === 0, `firmware exit status ${exit.status}`);
    const m = memoryReport(log);
    facts.push(`tiny emitter: stack high-water ${m.peak} bytes, heap in use ${m.running.heap_in_use} bytes ` +
      `(arena ${m.running.arena})`);
  });
  const s = elfSizes(EMITTER);
  if (s) facts.push(`tiny emitter flash: ${sizesText(s)}`);
}

async function main() {
  const fq = await startFauxqs();
  const endpoint = fq.endpoint;
  const server = jsonChild(process.execPath, [path.join(INTEROP, "server.js"), "--label", "n1", "--endpoint", endpoint,
    "--heartbeat-interval", "1000", "--heartbeat-timeout", "4000"], "n1");
  const ready = await server.waitFor((o) => o.ev === "ready" || (o.ev === "error" && o.where === "startup"), 30000, "ready line");
  if (ready.ev !== "ready") throw new Error(`server.js failed: ${ready.message}`);
  const client = await connectClient(ready.port, "/", { name: "c1", rooms: ["lobby"] });

  const fwLog = [];
  const fw = startFirmware({
    elf: ELF,
    maxSeconds: 150,
    verbose: VERBOSE && !!process.env.RELAY_VERBOSE,
    config: { endpoint, region: "us-east-1", access_key: "test", secret_key: "test", socket: "fw1", rooms: "lobby",
      heartbeat_ms: 1000, heartbeat_timeout_ms: 4000 },
    onLog: (text, ms) => { fwLog.push(text); if (VERBOSE) process.stdout.write(`  [fw +${ms} ms] ${text}\n`); },
  });
  let fwUid = null, fwQueue = null;

  await test("firmware boots in QEMU mps2-an385 and joins the cluster (CreateTopic .. Subscribe over the UART relay)", async () => {
    const r = await fw.waitLog(/^ready /, 30000);
    const f = kv(r.text);
    fwUid = f.uid; fwQueue = f.queue;
    check(/^[0-9a-f]{16}$/.test(fwUid), `uid ${fwUid}`);
    facts.push(`time to join: ${f.join_ms} ms from sioc_cluster start to READY (firmware clock), ` +
      `${r.ms} ms from launching QEMU (host clock)`);
  });
  await test("the Node server sees the firmware node (nodeUp) and serverCount is 2", async () => {
    await server.waitFor((o) => o.ev === "nodeUp" && o.uid === fwUid, 10000, `nodeUp ${fwUid}`);
    await eventually(async () => (await server.cmd({ cmd: "serverCount", nsp: "/" })).count === 2, 8000, "serverCount 2");
  });
  await test("the firmware counts 2 servers (the Node server's heartbeats reach it)", async () => {
    await eventually(async () => {
      const from = fw.logs.length;
      fw.command("count");
      const r = await fw.waitLog(/^count /, 3000, from);
      return r.text === "count 2";
    }, 10000, "count 2 on the firmware");
  });
  await test("fetchSockets on the Node server lists the firmware's socket with its rooms", async () => {
    const r = await server.cmd({ cmd: "fetchSockets", rooms: ["lobby"] });
    check(r.ok, `fetchSockets: ${r.error}`);
    const s = r.sockets.find((x) => x.id === "fw1");
    check(s, `fw1 not listed: ${JSON.stringify(r.sockets.map((x) => x.id))}`);
    check(canon([...s.rooms].sort()) === canon(["fw1", "lobby"]), `rooms ${canon(s.rooms)}`);
    check(r.sockets.some((x) => x.id === client.id), "the real client is listed too");
  });
  const deliveries = [
    ["a text event", "hello", ["from node", 42, -1.5, { nested: [true, null, "é ✓"] }]],
    ["a binary event", "blob", ["bytes:", { $bin: "0102ff00" }, { more: { $bin: "beef" } }]],
    ["6 KB of text (many link frames; checked by length and FNV-1a)", "big", ["x".repeat(3000) + "ü".repeat(1500)]],
  ];
  for (const [what, event, args] of deliveries) {
    await test(`a room broadcast from Node reaches the firmware's socket: ${what}, exact socket.io frames`, async () => {
      const data = [event, ...fromJson(args)];
      const want = encodeFrames({ type: 2, nsp: "/", data }); // the parser makes it BINARY_EVENT when needed
      const from = fw.logs.length;
      const r = await server.cmd({ cmd: "broadcast", rooms: ["lobby"], event, args });
      check(r.ok, `broadcast: ${r.error}`);
      const d = await fw.waitLog(/^deliver fw1 /, 10000, from);
      const m = /^deliver (\S+) len=(\d+) fnv=([0-9a-f]{8}) bin=(\S*) ([\s\S]*)$/.exec(d.text);
      check(m, `bad deliver line ${d.text.slice(0, 200)}`);
      const bytes = Buffer.from(want.text);
      check(Number(m[2]) === bytes.length, `text frame length ${m[2]}, expected ${bytes.length}`);
      check(m[3] === fnv1a(bytes), `text frame hash ${m[3]}, expected ${fnv1a(bytes)}`);
      if (bytes.length < 900) check(m[5] === want.text, `text frame\n      expected ${want.text}\n      actual   ${m[5]}`);
      check(m[4] === want.bin.join(","), `binary frames: expected ${want.bin.join(",")}, got ${m[4]}`);
    });
  }
  await test("a broadcast from the firmware reaches the real socket.io-client on the Node server", async () => {
    const from = client.received.length;
    fw.command("emit lobby fw-event hi from the firmware");
    await fw.waitLog(/^emitted$/, 3000);
    const got = await eventually(() => client.received.slice(from).find((e) => e.event === "fw-event"), 10000,
      "fw-event at the client");
    check(canon(got.args) === canon(["hi from the firmware"]), `args ${canon(got.args)}`);
  });
  await test("graceful leave: Node sees ADAPTER_CLOSE at once, serverCount 1, the firmware's SQS queue is deleted", async () => {
    const t = Date.now();
    fw.command("leave");
    const down = await server.waitFor((o) => o.ev === "nodeDown" && o.uid === fwUid, 5000, `nodeDown ${fwUid}`);
    check(down.reason === "close", `nodeDown reason ${down.reason} (expected close, not a timeout)`);
    check(Date.now() - t < 3500, "seen before the heartbeat timeout");
    const exit = await fw.done;
    check(exit.status === 0, `firmware exit status ${exit.status}`);
    const c = await server.cmd({ cmd: "serverCount", nsp: "/" });
    check(c.count === 1, `serverCount ${c.count}`);
    const sqs = new SQSClient({ region: "us-east-1", endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const q = await sqs.send(new ListQueuesCommand({}));
    const urls = q.QueueUrls || [];
    check(urls.length > 0, "ListQueues lists no queue at all (the Node server's should be there)");
    check(!urls.some((u) => u.endsWith(`/${fwQueue}`)), `${fwQueue} still listed: ${urls.join(" ")}`);
  });
  await test("the firmware reports its memory: stack below its size, heap given back", async () => {
    const { peak, size, running } = memoryReport(fwLog);
    const linkLine = fwLog.find((l) => l.startsWith("closed "));
    const link = linkLine ? kv(linkLine) : {};
    check(link.bad_frames === "0", `bad frames on the link: ${link.bad_frames}`);
    facts.push(`stack high-water: ${peak} of ${size} bytes (painted stack)`);
    facts.push(`heap in use while running: ${running.heap_in_use} bytes (peak ${running.heap_peak}, arena ${running.arena})`);
    facts.push(`link: ${link.link_frames_in} frames / ${link.link_bytes_in} bytes in, ${link.link_frames_out} frames / ` +
      `${link.link_bytes_out} bytes out, receive ring high-water ${link.uart_ring_hwm} bytes`);
  });

  const s = elfSizes(ELF);
  if (s) facts.push(`flash: ${sizesText(s)}`);
  if (EMITTER) await emitterScenario(endpoint, server, client);
  for (const f of facts) process.stdout.write(`     ${f}\n`);

  client.close();
  await server.cmd({ cmd: "close" }).catch(() => {});
  fq.child.stdin.end();
  fw.stop();
}

main().catch((e) => { failed++; process.stdout.write(`FAIL setup: ${e.stack || e.message}\n`); }).finally(() => {
  process.stdout.write(`${PREFIX}${passed} passed, ${failed} failed\n`);
  setTimeout(() => process.exit(failed ? 1 : 0), 200);
});
