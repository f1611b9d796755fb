"use strict";
// The test brokers every live Node script starts, on 127.0.0.1, stopping with their parent (--watch-stdin) or after
// maxSeconds: fauxqs (tests/fauxqs: SNS + SQS) and the project's Service Bus broker (tests/sbbroker: AMQP for the
// SDK, HTTP REST for the C member, HTTPS for the SDK's administration client, with a throw-away openssl
// certificate removed at exit). `children` is the caller's set of processes to kill on failure.
const { spawn, execFileSync } = require("node:child_process");
const path = require("node:path");
const fs = require("node:fs");
const os = require("node:os");

const TESTS = path.join(__dirname, "..");
const SB_KEY_NAME = "RootManageSharedAccessKey";
const SB_KEY = "aW50ZXJvcC10ZXN0LWtleQ=="; // used as text, like every SAS key (docs/AZURE.md §3)

// Spawn a broker and wait for the line that says where it listens.
function launch(children, script, args, ready, what) {
  const child = spawn(process.execPath, [script, "--watch-stdin", ...args], { stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  let stderr = "";
  child.stderr.on("data", (c) => { stderr += c; });
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error(`${what} did not start in 15 s: ${stderr}`)), 15000);
    child.stdout.on("data", (c) => {
      buf += c;
      const m = ready.exec(buf);
      if (m) { clearTimeout(timer); resolve({ child, m }); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`${what} exited (${code}): ${stderr}`)); });
  });
}

async function startFauxqs(children, maxSeconds) {
  if (!fs.existsSync(path.join(TESTS, "fauxqs", "node_modules", "fauxqs"))) {
    throw new Error("tests/fauxqs/node_modules is missing: run `npm ci` in tests/fauxqs");
  }
  const { child, m } = await launch(children, path.join(TESTS, "fauxqs", "launch.mjs"),
    ["--max-seconds", String(maxSeconds)], /FAUXQS_ENDPOINT=(\S+)/, "fauxqs");
  const endpoint = m[1];
  const env = { AWS_ENDPOINT_URL: endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
  return { child, endpoint, env };
}

async function startSbBroker(children, maxSeconds) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "interop-sb-"));
  process.on("exit", () => { try { fs.rmSync(dir, { recursive: true, force: true }); } catch (e) { /* gone */ } });
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], { stdio: "ignore" });
  const { child, m } = await launch(children, path.join(TESTS, "sbbroker", "broker.js"),
    ["--max-seconds", String(maxSeconds), "--rule", `${SB_KEY_NAME}=${SB_KEY}`, "--cert", cert, "--key", key],
    /SBBROKER_READY amqp=(\d+) http=(\d+) https=(\d+)/, "sbbroker");
  const ports = { amqp: +m[1], http: +m[2], https: +m[3] };
  const auth = `SharedAccessKeyName=${SB_KEY_NAME};SharedAccessKey=${SB_KEY}`;
  const azure = {
    amqpCs: `Endpoint=sb://127.0.0.1:${ports.amqp};${auth};UseDevelopmentEmulator=true`,
    adminCs: `Endpoint=sb://localhost:${ports.https};${auth}`,
    restUrl: `http://127.0.0.1:${ports.http}`,
    restUrlTls: `https://localhost:${ports.https}`, // the certificate names localhost
    caFile: cert,
    statsUrl: `http://127.0.0.1:${ports.http}/$broker/stats`,
  };
  const env = { SERVICEBUS_CONNECTION_STRING: azure.amqpCs, SERVICEBUS_REST_URL: azure.restUrl,
    SERVICEBUS_ADMIN_CONNECTION_STRING: azure.adminCs, SERVICEBUS_CA_FILE: azure.caFile };
  return { child, endpoint: `sb amqp=${ports.amqp} http=${ports.http} https=${ports.https}`, azure, env };
}

module.exports = { startFauxqs, startSbBroker };
