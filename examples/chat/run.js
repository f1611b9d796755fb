"use strict";
// `make chat`: the broker, the Node chat server on :3000 and the C chat server on :3001 in one cluster, until
// Ctrl-C. Open both URLs in two browsers and chat across the servers.
//   node examples/chat/run.js [--transport aws|azure] [--node-port 3000] [--c-port 3001]
const path = require("node:path");
const { startBroker, startServer, ROOT } = require("./cluster");
const arg = (n, d) => { const i = process.argv.indexOf(n); return i > 0 ? process.argv[i + 1] : d; };
const transport = arg("--transport", "aws");

(async () => {
  const broker = await startBroker(transport, 24 * 3600);
  const log = (who) => (s) => process.stderr.write(s.split("\n").filter(Boolean).map((l) => `[${who}] ${l}\n`).join(""));
  const node = await startServer("node", transport, broker.env, { port: Number(arg("--node-port", 3000)), label: "Node", log: log("node") });
  const c = await startServer("c", transport, broker.env, { port: Number(arg("--c-port", 3001)), label: "C",
    binary: path.join(ROOT, "build", "chat-server"), log: log("c") });
  console.log(`chat over ${transport} (${broker.endpoint}):`);
  console.log(`  Node server  http://127.0.0.1:${node.port}/`);
  console.log(`  C server     http://127.0.0.1:${c.port}/`);
  console.log("Ctrl-C stops everything.");
  const stop = () => { c.child.kill("SIGTERM"); node.child.kill("SIGTERM"); setTimeout(() => { broker.stop(); process.exit(0); }, 1500); };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
})().catch((e) => { console.error(e.message); process.exit(1); });
