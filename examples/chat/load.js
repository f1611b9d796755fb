"use strict";
// Load test of the C chat server in the cluster: many WebSocket clients (socket.io-client, transports
// ['websocket']) on the C server join rooms and chat at a steady rate for a bounded time, while observers on the
// Node server sit in the same rooms. Measures the C server's RSS (idle, with every client, peak), its CPU time per
// message, the cross-server latency (client on C -> client on Node, the timestamp travels in the message; one
// process, one clock) p50/p99, and errors (failed connects, drops, lost messages).
//
//   node examples/chat/load.js [--transport aws|azure] [--clients 10000] [--rooms 500] [--rate 100]
//                              [--seconds 30] [--observers 50] [--binary build/chat-server]
// File descriptors: this process holds one per client and the C server one per client, so both need a limit
// above --clients: run it with `prlimit --nofile=65536:65536 node examples/chat/load.js ...` (or `ulimit -n 65536`
// first); the script raises its own and the C server's soft limit to the hard one with prlimit when it can.
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { io } = require("socket.io-client");
const { startBroker, startServer, ROOT } = require("./cluster");

const arg = (n, d) => { const i = process.argv.indexOf(n); return i > 0 ? process.argv[i + 1] : d; };
const O = {
  transport: arg("--transport", "aws"), clients: Number(arg("--clients", 10000)), rooms: Number(arg("--rooms", 500)),
  rate: Number(arg("--rate", 100)), seconds: Number(arg("--seconds", 30)), observers: Number(arg("--observers", 50)),
  binary: path.resolve(arg("--binary", path.join(ROOT, "build", "chat-server"))),
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function raiseNofile(pid, want) {
  try {
    const hard = Number(/Max open files\s+\d+\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/limits`, "utf8"))[1]) || want;
    execFileSync("prlimit", ["--pid", String(pid), `--nofile=${Math.min(want, hard)}:${hard}`]);
    return Math.min(want, hard);
  } catch (e) { return 0; }
}
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;
const hwmMiB = (pid) => Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;
const cpuSec = (pid) => { // utime + stime in clock ticks (100 Hz on Linux)
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
};
// SIGTERM, then wait for the graceful leave (at most 10 s) before the broker goes.
const stopChild = (child) => new Promise((resolve) => {
  if (child.exitCode !== null) return resolve();
  const t = setTimeout(() => { child.kill("SIGKILL"); resolve(); }, 10000);
  child.once("exit", () => { clearTimeout(t); resolve(); });
  child.kill("SIGTERM");
});
const pct = (a, p) => a.length ? a[Math.min(a.length - 1, Math.floor(a.length * p))] : NaN;

async function connectAll(port, n, first, onEach) {
  const socks = new Array(n);
  let errors = 0, next = 0;
  const one = async () => {
    while (next < n) {
      const i = next++;
      const s = io(`http://127.0.0.1:${port}`, { forceNew: true, transports: ["websocket"], reconnection: false,
        auth: { name: `u${first + i}` }, timeout: 20000 });
      try {
        await new Promise((res, rej) => { s.once("connect", res); s.once("connect_error", rej); });
        await s.timeout(20000).emitWithAck("join", `r${(first + i) % O.rooms}`);
        socks[i] = s;
        if (onEach) onEach(s, first + i);
      } catch (e) { errors++; s.close(); }
    }
  };
  await Promise.all(Array.from({ length: 200 }, one)); // 200 handshakes in flight
  return { socks, errors };
}

async function main() {
  const want = O.clients + O.observers + 2000;
  const mine = raiseNofile(process.pid, want);
  if (mine && mine < O.clients + 500) console.log(`warning: only ${mine} file descriptors; run with prlimit --nofile=65536:65536`);
  const broker = await startBroker(O.transport, O.seconds + 900);
  const stops = [() => broker.stop()];
  try {
    const node = await startServer("node", O.transport, broker.env, { label: "Node", hbInterval: 5000, hbTimeout: 15000 });
    stops.unshift(() => stopChild(node.child));
    const c = await startServer("c", O.transport, broker.env, { label: "C", binary: O.binary, hbInterval: 5000, hbTimeout: 15000,
      extra: ["--max-clients", String(O.clients + 100), "--max-payload", "65536"],
      log: (s) => { if (!/peer (up|down)/.test(s)) process.stderr.write(`[c] ${s}`); } });
    stops.unshift(() => stopChild(c.child));
    const pid = c.child.pid;
    raiseNofile(pid, want);
    await sleep(500);
    const rssIdle = rssMiB(pid);
    console.log(`${O.transport}: C server pid ${pid}, RSS idle ${rssIdle.toFixed(1)} MiB; connecting ${O.clients} clients...`);

    // observers on the Node server: one per room for the first O.observers rooms
    const lat = [];
    let received = 0;
    const t0c = Date.now();
    const obs = await connectAll(node.port, O.observers, 0, (s) => s.on("message", (m) => {
      received++;
      if (typeof m.ts === "number") lat.push(Date.now() - m.ts);
    }));
    const { socks, errors: connectErrors } = await connectAll(c.port, O.clients, 0);
    const held = socks.filter(Boolean);
    let drops = 0;
    for (const s of held) s.on("disconnect", () => { drops++; });
    const connectS = (Date.now() - t0c) / 1000;
    await sleep(2000);
    const rssConnected = rssMiB(pid);
    console.log(`connected ${held.length}/${O.clients} in ${connectS.toFixed(1)} s (${connectErrors} errors), RSS ${rssConnected.toFixed(1)} MiB`);

    // idle cost of holding the clients (Engine.IO pings every 25 s each, poll() over every descriptor)
    const idle0 = cpuSec(pid);
    await sleep(10000);
    const idleRate = (cpuSec(pid) - idle0) / 10;
    // steady chat: O.rate messages per second from random C clients; those in observed rooms are expected at Node
    const cpu0 = cpuSec(pid);
    let sent = 0, expected = 0, rssPeak = rssConnected;
    const tEnd = Date.now() + O.seconds * 1000;
    const tick = 20;
    const perTick = O.rate * tick / 1000;
    let carry = 0;
    while (Date.now() < tEnd) {
      carry += perTick;
      for (; carry >= 1; carry--) {
        const i = Math.floor(Math.random() * held.length);
        const room = Number(held[i].auth.name.slice(1)) % O.rooms;
        held[i].emit("message", { room: `r${room}`, text: `m${sent}`, ts: Date.now() });
        sent++;
        if (room < O.observers) expected++;
      }
      if (sent % 200 < perTick) rssPeak = Math.max(rssPeak, rssMiB(pid));
      await sleep(tick);
    }
    await sleep(3000); // let the last ones arrive
    const cpu = cpuSec(pid) - cpu0;
    rssPeak = Math.max(rssPeak, rssMiB(pid), hwmMiB(pid));
    lat.sort((a, b) => a - b);
    const perRoom = O.clients / O.rooms;
    console.log(`chat: ${sent} messages in ${O.seconds} s (${(sent / O.seconds).toFixed(0)}/s) into ${O.rooms} rooms of ~${perRoom.toFixed(0)} clients` +
      ` (~${(sent * (perRoom - 1)).toFixed(0)} local deliveries by C)`);
    console.log(`C server: RSS idle ${rssIdle.toFixed(1)} MiB, with ${held.length} clients ${rssConnected.toFixed(1)} MiB` +
      ` (${((rssConnected - rssIdle) * 1024 / Math.max(1, held.length)).toFixed(1)} KiB per client), peak ${rssPeak.toFixed(1)} MiB`);
    const chatCpu = Math.max(0, cpu - idleRate * (O.seconds + 3));
    console.log(`C server CPU: idle with ${held.length} clients ${(100 * idleRate).toFixed(1)}% of a core; chatting ${(100 * cpu / (O.seconds + 3)).toFixed(0)}%:` +
      ` ${cpu.toFixed(2)} s for ${sent} messages = ${(cpu * 1e6 / Math.max(1, sent)).toFixed(0)} us per message all in,` +
      ` ${(chatCpu * 1e6 / Math.max(1, sent)).toFixed(0)} us above idle (${(chatCpu * 1e6 / Math.max(1, sent * perRoom)).toFixed(1)} us per delivery)`);
    console.log(`latency client on C -> client on Node (${lat.length} samples): p50 ${pct(lat, 0.5)} ms, p99 ${pct(lat, 0.99)} ms, max ${lat[lat.length - 1]} ms`);
    console.log(`errors: ${connectErrors} failed connects, ${drops} disconnects during the run, ` +
      `${expected - received} of ${expected} observed messages lost`);
    for (const s of held) s.close();
    for (const s of obs.socks) if (s) s.close();
    await sleep(500);
  } finally {
    for (const f of stops) { try { await f(); } catch (e) { /* stopping */ } }
  }
  process.exit(0);
}

main().catch((e) => { console.error(e.stack || e); process.exit(1); });
