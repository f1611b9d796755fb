#!/usr/bin/env node
"use strict";
// relay.js - the host side of the firmware's UART link (README.md, "The link"). Starts
//   qemu-system-arm -M mps2-an385 -nographic -monitor none -serial stdio -kernel fw.elf
// speaks the framed protocol on QEMU's stdin/stdout, answers the firmware's HELLO with SEED (32 random bytes), TIME
// (UTC ms) and CONFIG (key=value lines), and carries every OPEN/DATA/CLOSE of the firmware's HTTP connections to TCP
// connections on the loopback interface (any other host is refused: the firmware only talks to local emulators).
//
// As a module:  const fw = startFirmware({elf, config: {endpoint: ..., ...}, onLog(text) {...}});
//               await fw.waitLog(/^ready /, 30000); fw.command("emit lobby hi there"); await fw.done;
// From a shell: node relay.js fw.elf key=value...   (LOG lines on stdout, CMD lines from stdin)

const { spawn } = require("node:child_process");
const crypto = require("node:crypto");
const net = require("node:net");

const SYNC = 0x7e;
const MAX = 1024;
const T = { HELLO: 0x00, TIME: 0x01, SEED: 0x02, CONFIG: 0x03, OPEN: 0x10, OPENED: 0x11, DATA: 0x12, CLOSE: 0x13,
  CMD: 0x20, LOG: 0x21, BYE: 0x22 };
const NO_CONN = 0xff;
const CLOSE_EOF = 0, CLOSE_RESET = 1, CLOSE_CONNECT = 2;
const LOOPBACK = new Set(["127.0.0.1", "localhost"]);

function crc16(buf) { // CRC-16/CCITT-FALSE
  let crc = 0xffff;
  for (const b of buf) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function encodeFrame(type, conn, payload) {
  const p = payload || Buffer.alloc(0);
  if (p.length > MAX) throw new Error(`frame payload ${p.length} > ${MAX}`);
  const f = Buffer.alloc(7 + p.length);
  f[0] = SYNC; f[1] = type; f[2] = conn; f.writeUInt16LE(p.length, 3);
  p.copy(f, 5);
  f.writeUInt16LE(crc16(f.subarray(1, 5 + p.length)), 5 + p.length);
  return f;
}

// Incremental decoder: push(chunk) -> complete frames; bad ones are counted and skipped (hunt for the next sync).
class Decoder {
  constructor() { this.buf = Buffer.alloc(0); this.bad = 0; this.noise = 0; }
  push(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out = [];
    for (;;) {
      const s = this.buf.indexOf(SYNC);
      if (s < 0) { this.noise += this.buf.length; this.buf = Buffer.alloc(0); break; }
      if (s > 0) { this.noise += s; this.buf = this.buf.subarray(s); }
      if (this.buf.length < 5) break;
      const len = this.buf.readUInt16LE(3);
      if (len > MAX) { this.bad++; this.buf = this.buf.subarray(1); continue; }
      if (this.buf.length < 7 + len) break;
      const crc = this.buf.readUInt16LE(5 + len);
      if (crc16(this.buf.subarray(1, 5 + len)) !== crc) { this.bad++; this.buf = this.buf.subarray(1); continue; }
      out.push({ type: this.buf[1], conn: this.buf[2], data: Buffer.from(this.buf.subarray(5, 5 + len)) });
      this.buf = this.buf.subarray(7 + len);
    }
    return out;
  }
}

// config: object of key=value settings for the CONFIG frame. Options: qemu (binary), maxSeconds (kill after),
// onLog(text, ms since start), onExit({status, code, signal}), verbose (trace frames on stderr).
function startFirmware(opts) {
  const t0 = Date.now();
  const qemu = opts.qemu || "qemu-system-arm";
  const args = ["-M", "mps2-an385", "-nographic", "-monitor", "none", "-serial", "stdio", "-kernel", opts.elf];
  const child = spawn(qemu, args, { stdio: ["pipe", "pipe", "pipe"] });
  const dec = new Decoder();
  const conns = new Map(); // wire id -> {sock, connected, closed}
  const logs = [];
  const waiters = new Set();
  const stats = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, opens: 0, tcpBytesIn: 0, tcpBytesOut: 0 };
  let stderr = "";
  let byeStatus = null;
  let finished = false;
  const trace = (...a) => { if (opts.verbose) process.stderr.write(`[relay +${Date.now() - t0}ms] ${a.join(" ")}\n`); };

  const send = (type, conn, payload) => {
    if (finished) return;
    const f = encodeFrame(type, conn, payload);
    stats.framesOut++; stats.bytesOut += f.length;
    child.stdin.write(f);
  };
  const closeToFw = (id, why) => {
    const c = conns.get(id);
    if (!c || c.reported) return;
    c.reported = true;
    conns.delete(id);
    send(T.CLOSE, id, Buffer.from([why]));
  };

  function onOpen(id, data) {
    const port = data.readUInt16LE(0);
    const host = data.subarray(2).toString("latin1");
    stats.opens++;
    trace(`OPEN ${id} ${host}:${port}`);
    const c = { sock: null, connected: false, reported: false };
    conns.set(id, c);
    if (!LOOPBACK.has(host)) { closeToFw(id, CLOSE_CONNECT); return; }
    const sock = net.connect({ host: "127.0.0.1", port });
    c.sock = sock;
    sock.setNoDelay(true);
    sock.on("connect", () => { c.connected = true; send(T.OPENED, id); });
    sock.on("data", (buf) => {
      stats.tcpBytesIn += buf.length;
      for (let i = 0; i < buf.length; i += MAX) send(T.DATA, id, buf.subarray(i, i + MAX));
    });
    sock.on("end", () => closeToFw(id, CLOSE_EOF));
    sock.on("error", () => closeToFw(id, c.connected ? CLOSE_RESET : CLOSE_CONNECT));
    sock.on("close", () => closeToFw(id, c.connected ? CLOSE_RESET : CLOSE_CONNECT));
  }

  function onFrame(f) {
    stats.framesIn++;
    switch (f.type) {
      case T.HELLO:
        trace(`HELLO ${f.data.toString()}`);
        send(T.SEED, NO_CONN, crypto.randomBytes(32));
        { const t = Buffer.alloc(8); t.writeBigInt64LE(BigInt(Date.now())); send(T.TIME, NO_CONN, t); }
        send(T.CONFIG, NO_CONN, Buffer.from(Object.entries(opts.config || {}).map(([k, v]) => `${k}=${v}\n`).join("")));
        break;
      case T.OPEN: onOpen(f.conn, f.data); break;
      case T.DATA: {
        const c = conns.get(f.conn);
        if (c && c.sock) { stats.tcpBytesOut += f.data.length; c.sock.write(f.data); }
        break;
      }
      case T.CLOSE: {
        const c = conns.get(f.conn);
        trace(`CLOSE ${f.conn} from firmware`);
        if (c) { c.reported = true; conns.delete(f.conn); if (c.sock) c.sock.destroy(); }
        break;
      }
      case T.LOG: {
        const text = f.data.toString("utf8");
        const entry = { text, ms: Date.now() - t0 };
        logs.push(entry);
        if (opts.onLog) opts.onLog(text, entry.ms);
        for (const w of [...waiters]) w(entry);
        break;
      }
      case T.BYE:
        byeStatus = f.data.length ? f.data[0] : 0;
        trace(`BYE ${byeStatus}`);
        stop();
        break;
      default:
        trace(`unknown frame type ${f.type}`);
    }
  }

  child.stdout.on("data", (chunk) => {
    stats.bytesIn += chunk.length;
    for (const f of dec.push(chunk)) onFrame(f);
  });
  child.stderr.on("data", (c) => { stderr += c; });
  child.stdin.on("error", () => {});

  function stop() {
    if (finished) return;
    finished = true;
    for (const c of conns.values()) if (c.sock) c.sock.destroy();
    conns.clear();
    try { child.kill("SIGTERM"); } catch (e) { /* gone */ }
  }
  const timer = setTimeout(() => { trace("time limit"); stop(); }, (opts.maxSeconds || 120) * 1000);
  timer.unref();
  process.on("exit", () => { try { child.kill("SIGKILL"); } catch (e) { /* gone */ } });

  const done = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      finished = true;
      clearTimeout(timer);
      for (const c of conns.values()) if (c.sock) c.sock.destroy();
      for (const w of [...waiters]) w(null);
      const r = { status: byeStatus, code, signal, stderr, badFrames: dec.bad, noise: dec.noise, stats };
      if (opts.onExit) opts.onExit(r);
      resolve(r);
    });
  });

  // Resolves with the first LOG entry (logged from `from` on) whose text matches re; rejects at the deadline.
  function waitLog(re, timeoutMs, from = 0) {
    const hit = logs.slice(from).find((e) => re.test(e.text));
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const w = (e) => {
        if (e && !re.test(e.text)) return;
        waiters.delete(w);
        clearTimeout(t);
        if (e) resolve(e); else reject(new Error(`firmware stopped before a log line matching ${re}`));
      };
      const t = setTimeout(() => { waiters.delete(w); reject(new Error(`no log line matching ${re} in ${timeoutMs} ms`)); },
        timeoutMs);
      waiters.add(w);
    });
  }

  return {
    child, logs, stats, done, waitLog, stop,
    command: (text) => send(T.CMD, NO_CONN, Buffer.from(text)),
    started: t0,
  };
}

module.exports = { startFirmware, encodeFrame, Decoder, crc16, T };

if (require.main === module) {
  const [elf, ...kv] = process.argv.slice(2);
  if (!elf) {
    process.stderr.write("usage: node relay.js fw.elf [key=value ...]   (CMD lines on stdin, LOG lines on stdout)\n");
    process.exit(2);
  }
  const config = Object.fromEntries(kv.map((s) => [s.slice(0, s.indexOf("=")), s.slice(s.indexOf("=") + 1)]));
  const fw = startFirmware({ elf, config, verbose: !!process.env.RELAY_VERBOSE,
    onLog: (text, ms) => process.stdout.write(`[${ms} ms] ${text}\n`) });
  process.stdin.setEncoding("utf8");
  let buf = "";
  process.stdin.on("data", (c) => {
    buf += c;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) { const l = buf.slice(0, nl).trim(); buf = buf.slice(nl + 1); if (l) fw.command(l); }
  });
  fw.done.then((r) => {
    process.stdout.write(`firmware exit status ${r.status} (qemu ${r.code ?? r.signal})${r.stderr ? `\n${r.stderr}` : ""}\n`);
    process.exit(r.status === 0 ? 0 : 1);
  });
}
