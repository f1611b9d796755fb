"use strict";
// Browser test of the multi-server chat: headless Chromium (Debian's, driven by puppeteer-core, nothing
// downloaded), two pages on the Node server and two on the C server, one cluster over the chosen broker.
//
//   node examples/chat/test.js [--transport aws|azure] [--binary build/chat-server] [--chromium PATH]
//
// Checks: every page connects with default socket.io-client options (the C pages upgrade from polling to
// WebSocket); every page's user list shows all four users and 2 servers; messages cross both ways with "seen by 3";
// rooms are isolated; typing reaches the other server; an image (binary) arrives intact; after a SIGKILL of the C
// server the Node pages see its users gone after the cluster heartbeat timeout and 1 server; after a restart on the
// same port the C pages reconnect and everyone sees four users again, and messages cross again. Saves
// build/chat-<transport>.png (CHAT_SCREENSHOT=FILE elsewhere; examples/chat/screenshot.png is a committed copy). Prints one "N passed, N failed" line (SKIPPED without Chromium); exits 1 on failure.
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");
const crypto = require("node:crypto");
const { startBroker, startServer, ROOT } = require("./cluster");

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : def; };
const TRANSPORT = arg("--transport", "aws");
const BINARY = path.resolve(arg("--binary", path.join(ROOT, "build", "chat-server")));
const HB_INTERVAL = 1000, HB_TIMEOUT = 4000;
const CHROMIUM = arg("--chromium", ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p)));

let passed = 0, failed = 0;
const check = (ok, what) => { ok ? passed++ : failed++; console.log(`${ok ? "ok  " : "FAIL"} ${what}`); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(fn, ms, step = 200) { // polls fn() until truthy; returns its value or null
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) return null;
    await sleep(step);
  }
}

// A real PNG (96x64 RGB gradient), so the page can show it.
function makePng() {
  const w = 96, h = 64, raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([x * 2, y * 4, 255 - x * 2], y * (w * 3 + 1) + 1 + x * 3);
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

async function main() {
  if (!CHROMIUM) {
    console.log("SKIPPED chat browser test: no Chromium (apt-get install chromium)");
    console.log("0 passed, 0 failed");
    return 0;
  }
  if (!fs.existsSync(BINARY)) throw new Error(`${BINARY} missing: make chat-server`);
  const puppeteer = require("puppeteer-core");
  const cleanup = [];
  const t0 = Date.now();
  try {
    const broker = await startBroker(TRANSPORT, 300);
    cleanup.push(() => broker.stop());
    const opts = { hbInterval: HB_INTERVAL, hbTimeout: HB_TIMEOUT };
    const node = await startServer("node", TRANSPORT, broker.env, { ...opts, label: "Node" });
    cleanup.push(() => node.child.kill("SIGTERM"));
    let cserv = await startServer("c", TRANSPORT, broker.env, { ...opts, label: "C", binary: BINARY });
    const cPort = cserv.port;
    cleanup.push(() => cserv.child.kill("SIGTERM"));
    console.log(`${TRANSPORT}: broker ${broker.endpoint}, Node server :${node.port}, C server :${cPort}`);

    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
    cleanup.unshift(() => browser.close());
    const open = async (name, port, rooms) => {
      const page = await browser.newPage();
      await page.setViewport({ width: 1000, height: 640 });
      page.on("pageerror", (e) => console.log(`  [${name}] page error: ${e.message}`));
      await page.goto(`http://127.0.0.1:${port}/?name=${name}&room=${rooms}`);
      return { name, page, port, state: (fn, ...a) => page.evaluate(fn, ...a) };
    };
    const alice = await open("alice", node.port, "lobby,blue");
    const bob = await open("bob", node.port, "lobby");
    const carol = await open("carol", cPort, "lobby,blue");
    const dave = await open("dave", cPort, "lobby");
    const pages = [alice, bob, carol, dave];

    // 1. connected, rooms joined; the C pages went from polling to WebSocket like any browser does
    for (const p of pages) {
      const ok = await until(() => p.state(() => chat.connected && chat.rooms.length === (new URLSearchParams(location.search).get("room").split(",").length)), 10000);
      check(!!ok, `${p.name} connected to ${p.port === cPort ? "C" : "Node"} and joined its rooms`);
    }
    for (const p of [carol, dave]) {
      const t = await until(() => p.state(() => chat.socket.io.engine.transport.name === "websocket" && "websocket"), 5000);
      check(t === "websocket", `${p.name} upgraded from polling to websocket on the C server`);
    }

    // 2. every page lists all four users and two servers (fetchSockets across the cluster)
    const allFour = (p) => until(() => p.state(() => chat.servers === 2 && chat.users.map((u) => u.name).join(",") === "alice,bob,carol,dave"), 15000);
    for (const p of pages) check(!!(await allFour(p)), `${p.name} sees alice, bob, carol, dave and 2 servers`);

    // 3. messages both ways, seen by the three others
    const got = (p, text) => until(() => p.state((t) => chat.messages.some((m) => m.text === t && !m.mine), text), 6000);
    let r = await alice.page.evaluate(() => chat.sendText("hello from alice on Node", "lobby"));
    for (const p of [bob, carol, dave]) check(!!(await got(p, "hello from alice on Node")), `Node -> ${p.name}: message arrives`);
    check(r.seen === 3, `alice's message seen by 3 (got ${r.seen})`);
    r = await carol.page.evaluate(() => chat.sendText("hello from carol on C", "lobby"));
    for (const p of [alice, bob, dave]) check(!!(await got(p, "hello from carol on C")), `C -> ${p.name}: message arrives`);
    check(r.seen === 3, `carol's message seen by 3 (got ${r.seen})`);

    // 4. rooms are isolated: "blue" has alice (Node) and carol (C) only
    r = await carol.page.evaluate(() => chat.sendText("blue secret from C", "blue"));
    check(!!(await got(alice, "blue secret from C")), "C -> alice in room blue");
    check(r.seen === 1, `blue message seen by 1 (got ${r.seen})`);
    r = await alice.page.evaluate(() => chat.sendText("blue reply from Node", "blue"));
    check(!!(await got(carol, "blue reply from Node")), "Node -> carol in room blue");
    await sleep(1000);
    for (const p of [bob, dave]) {
      const leak = await p.state(() => chat.messages.some((m) => m.room === "blue"));
      check(!leak, `${p.name} (not in blue) got no blue message`);
    }
    r = await bob.page.evaluate(() => chat.sendText("into blue uninvited", "blue"));
    check(r.error === "not in that room", "posting into a room one has not joined is refused (Node)");
    r = await dave.page.evaluate(() => chat.sendText("into blue uninvited", "blue"));
    check(r.error === "not in that room", "posting into a room one has not joined is refused (C)");

    // 5. typing through the DOM, and a message sent with the form
    await bob.page.focus("#text");
    await bob.page.keyboard.type("typed by bob");
    const typing = await until(() => dave.state(() => chat.typing.bob === "lobby" && document.getElementById("typing").textContent), 5000);
    check(!!typing && typing.includes("bob"), `dave (C) sees "${typing}"`);
    await bob.page.keyboard.press("Enter");
    check(!!(await got(carol, "typed by bob")), "a message typed into bob's page reaches carol on C");
    check(!!(await until(() => dave.state(() => document.getElementById("typing").textContent === ""), 5000)), "the typing line clears");

    // 6. an image (binary) from the C side arrives intact everywhere
    const png = makePng();
    const sha = crypto.createHash("sha256").update(png).digest("hex");
    r = await dave.page.evaluate((b64) => chat.sendImage(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)), "image/png", "lobby"), png.toString("base64"));
    for (const p of [alice, bob, carol]) {
      const img = await until(() => p.state(() => chat.images.find((i) => i.from === "dave")), 6000);
      check(!!img && img.sha256 === sha && img.size === png.length, `${p.name} got dave's ${png.length}-byte image intact`);
    }
    check(r.seen === 3, `image seen by 3 (got ${r.seen})`);
    r = await alice.page.evaluate((b64) => chat.sendImage(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)), "image/png", "lobby"), png.toString("base64"));
    const back = await until(() => dave.state(() => chat.images.find((i) => i.from === "alice")), 6000);
    check(!!back && back.sha256 === sha, "dave (C) got alice's image intact");
    await sleep(300);
    const shot = process.env.CHAT_SCREENSHOT || path.join(__dirname, "..", "..", "build", `chat-${TRANSPORT}.png`);
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await alice.page.screenshot({ path: shot });
    console.log(`     screenshot: ${path.relative(process.cwd(), shot)}`);

    // 7. the C server crashes: the Node pages see carol and dave go after the heartbeat timeout
    const killedAt = Date.now();
    cserv.child.kill("SIGKILL");
    for (const p of [alice, bob]) {
      const gone = await until(() => p.state(() => chat.servers === 1 && chat.users.map((u) => u.name).join(",") === "alice,bob"), HB_TIMEOUT + 8000);
      check(!!gone, `${p.name} sees carol and dave gone and 1 server (after ${Date.now() - killedAt} ms; heartbeat timeout ${HB_TIMEOUT} ms)`);
    }
    check(!(await carol.state(() => chat.connected)), "carol's page noticed its server is gone");

    // 8. restart on the same port: the C pages reconnect by themselves, rejoin their rooms, everyone sees four
    cserv = await startServer("c", TRANSPORT, broker.env, { ...opts, label: "C", binary: BINARY, port: cPort });
    for (const p of pages) check(!!(await until(() => p.state(() => chat.servers === 2 && chat.users.map((u) => u.name).join(",") === "alice,bob,carol,dave"), 25000)),
      `${p.name} sees all four users and 2 servers again after the restart`);
    r = await dave.page.evaluate(() => chat.sendText("back from C", "lobby"));
    check(!!(await got(alice, "back from C")), "after the restart C -> Node messages flow again");
    check(r.seen === 3, `seen by 3 after the restart (got ${r.seen})`);
  } finally {
    for (const f of cleanup) { try { await f(); } catch (e) { /* stopping anyway */ } }
  }
  console.log(`chat browser test (${TRANSPORT}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

setTimeout(() => { console.log("timeout after 180 s"); console.log(`${passed} passed, ${failed + 1} failed`); process.exit(1); }, 180000).unref();
main().then((code) => process.exit(code), (e) => {
  console.log(`error: ${e.stack || e}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
