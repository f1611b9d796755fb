"use strict";
// The cluster's broker for the chat, started on 127.0.0.1 the way tests/interop/run.js does it: the fauxqs SNS/SQS
// emulator (tests/fauxqs) for --transport aws, the project's Service Bus broker (tests/sbbroker, AMQP for Node, REST
// for C, HTTPS with a throw-away openssl certificate for the SDK's administration client) for --transport azure.
// startBroker() resolves to { env, endpoint, stop() }: `env` is what both chat servers need in their environment.
const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.join(__dirname, "..", "..");

function waitLine(child, re, what, ms = 20000) {
  return new Promise((resolve, reject) => {
    let buf = "", err = "";
    const t = setTimeout(() => reject(new Error(`${what} did not start in ${ms} ms: ${err}`)), ms);
    child.stderr.on("data", (c) => { err += c; });
    child.stdout.on("data", (c) => {
      buf += c;
      const m = re.exec(buf);
      if (m) { clearTimeout(t); resolve(m); }
    });
    child.on("exit", (code) => { clearTimeout(t); reject(new Error(`${what} exited (${code}): ${err}`)); });
  });
}

async function startBroker(transport, maxSeconds = 900) {
  if (transport === "aws") {
    if (!fs.existsSync(path.join(ROOT, "tests", "fauxqs", "node_modules", "fauxqs"))) throw new Error("run `npm ci` in tests/fauxqs");
    const child = spawn(process.execPath, [path.join(ROOT, "tests", "fauxqs", "launch.mjs"), "--watch-stdin",
      "--max-seconds", String(maxSeconds)], { stdio: ["pipe", "pipe", "pipe"] });
    const m = await waitLine(child, /FAUXQS_ENDPOINT=(\S+)/, "fauxqs");
    return {
      endpoint: m[1],
      env: { AWS_ENDPOINT_URL: m[1], AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" },
      stop: () => { child.stdin.end(); child.kill("SIGTERM"); },
    };
  }
  if (!fs.existsSync(path.join(ROOT, "tests", "sbbroker", "node_modules", "rhea"))) throw new Error("run `npm ci` in tests/sbbroker");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-sb-"));
  const key = path.join(dir, "key.pem"), cert = path.join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], { stdio: "ignore" });
  const rule = "RootManageSharedAccessKey", secret = "Y2hhdC1leGFtcGxlLWtleQ==";
  const child = spawn(process.execPath, [path.join(ROOT, "tests", "sbbroker", "broker.js"), "--watch-stdin",
    "--max-seconds", String(maxSeconds), "--rule", `${rule}=${secret}`, "--cert", cert, "--key", key],
  { stdio: ["pipe", "pipe", "pipe"] });
  const m = await waitLine(child, /SBBROKER_READY amqp=(\d+) http=(\d+) https=(\d+)/, "sbbroker");
  const auth = `SharedAccessKeyName=${rule};SharedAccessKey=${secret}`;
  return {
    endpoint: `sb amqp=${m[1]} http=${m[2]}`,
    env: {
      SERVICEBUS_CONNECTION_STRING: `Endpoint=sb://127.0.0.1:${m[1]};${auth};UseDevelopmentEmulator=true`,
      SERVICEBUS_ADMIN_CONNECTION_STRING: `Endpoint=sb://localhost:${m[3]};${auth}`,
      SERVICEBUS_CA_FILE: cert,
      SERVICEBUS_REST_URL: `http://127.0.0.1:${m[2]}`,
    },
    stop: () => { child.stdin.end(); child.kill("SIGTERM"); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

// A chat server child (node-server.js or the C server): resolves with { child, port } on its CHAT_READY line.
async function startServer(kind, transport, env, opts = {}) {
  const hb = ["--heartbeat-interval", String(opts.hbInterval || 1000), "--heartbeat-timeout", String(opts.hbTimeout || 4000)];
  const args = ["--transport", transport, "--port", String(opts.port || 0), "--label", opts.label || kind, ...hb, ...(opts.extra || [])];
  const child = kind === "node"
    ? spawn(process.execPath, [path.join(__dirname, "node-server.js"), ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } })
    : spawn(opts.binary || path.join(ROOT, "build", "chat-server"), [...args, "--public", path.join(__dirname, "public")],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  if (opts.log) child.stderr.on("data", (c) => opts.log(String(c)));
  const m = await waitLine(child, /CHAT_READY port=(\d+)/, `${kind} chat server`);
  return { child, port: Number(m[1]) };
}

module.exports = { startBroker, startServer, ROOT };
