// Start the pinned fauxqs emulator on loopback for the live AWS tests (docs: ../../README or tests/fauxqs/README.md).
//   node tests/fauxqs/launch.mjs [--port N] [--region R] [--watch-stdin] [--max-seconds S]
// Prints one line `FAUXQS_ENDPOINT=http://127.0.0.1:<port>` once listening. Stops on SIGTERM/SIGINT, when stdin
// reaches EOF (with --watch-stdin: the test that started it has exited, even by a crash), or after --max-seconds
// (default 900) so it can never outlive a test run. fauxqs' own CLI binds 0.0.0.0, hence this script.
import { buildApp } from "fauxqs";
// Not in the package's exports map: import by path so queue URLs use the request's Host header
// (http://127.0.0.1:<port>/000000000000/<name>) instead of http://sqs.<region>.localhost:<port>/...
import { SqsStore } from "./node_modules/fauxqs/dist/sqs/sqsStore.js";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const port = Number(opt("--port", "0"));
const region = opt("--region", "us-east-1");
const maxSeconds = Number(opt("--max-seconds", "900"));

const sqsStore = new SqsStore();
sqsStore.host = "";
const app = buildApp({ logger: process.env.FAUXQS_LOGGER === "1", defaultRegion: region, stores: { sqsStore } });

let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  try { await app.close(); } finally { process.exit(0); }
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
if (args.includes("--watch-stdin")) {
  process.stdin.on("end", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
}
setTimeout(stop, maxSeconds * 1000).unref();

await app.listen({ port, host: "127.0.0.1" });
const addr = app.server.address();
process.stdout.write(`FAUXQS_ENDPOINT=http://127.0.0.1:${addr.port}\n`);
