"use strict";
// The chat's Node server: Socket.IO 4.8 with the project's test adapter for AWS SNS/SQS or Azure Service Bus
// (tests/interop/aws-adapter.js, azure-adapter.js), serving public/index.html. The same chat events as server.c:
//   join(room, ack) / leave(room, ack)            rooms
//   message|image({room, ...}, ack?)              to the room except the sender, + from, server; with an ack: a
//                                                 broadcast with acks, answered {seen: N}
//   typing({room, typing})                        volatile, to the room except the sender
//   users(ack)                                    fetchSockets over the cluster: {users, servers, server}
//
//   node node-server.js --transport aws|azure [--port 3000] [--label Node] [--heartbeat-interval MS]
//                       [--heartbeat-timeout MS]
// Socket.IO, the SDKs and the adapters come from tests/interop (run `npm ci` there): one set of pinned versions.
// Prints `CHAT_READY port=<port> uid=<uid>`; SIGTERM / SIGINT leave the cluster gracefully.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { createRequire } = require("node:module");

const INTEROP = path.join(__dirname, "..", "..", "tests", "interop");
const ireq = createRequire(path.join(INTEROP, "package.json"));

const o = { transport: "aws", port: 3000, label: "Node", hbInterval: 5000, hbTimeout: 10000 };
for (let i = 2; i < process.argv.length; i += 2) {
  const [k, v] = [process.argv[i], process.argv[i + 1]];
  if (k === "--transport") o.transport = v;
  else if (k === "--port") o.port = Number(v);
  else if (k === "--label") o.label = v;
  else if (k === "--heartbeat-interval") o.hbInterval = Number(v);
  else if (k === "--heartbeat-timeout") o.hbTimeout = Number(v);
  else { console.error(`unknown option ${k}`); process.exit(2); }
}

function makeAdapter() {
  const common = { heartbeatInterval: o.hbInterval, heartbeatTimeout: o.hbTimeout, onEvent: () => {} };
  if (o.transport === "aws") {
    const { SNSClient } = ireq("@aws-sdk/client-sns");
    const { SQSClient } = ireq("@aws-sdk/client-sqs");
    const c = { region: process.env.AWS_REGION || "us-east-1", endpoint: process.env.AWS_ENDPOINT_URL,
      credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID || "test", secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY || "test" } };
    return require(path.join(INTEROP, "aws-adapter.js")).createAdapter(new SNSClient(c), new SQSClient(c), { ...common, waitTimeSeconds: 2 });
  }
  const { ServiceBusClient, ServiceBusAdministrationClient } = ireq("@azure/service-bus");
  const cs = process.env.SERVICEBUS_CONNECTION_STRING;
  const ca = process.env.SERVICEBUS_CA_FILE;
  const admin = new ServiceBusAdministrationClient(process.env.SERVICEBUS_ADMIN_CONNECTION_STRING || cs,
    ca ? { tlsOptions: { ca: fs.readFileSync(ca) } } : {});
  return require(path.join(INTEROP, "azure-adapter.js")).createAdapter(new ServiceBusClient(cs), admin, common);
}

const ROOM = /^[^\\\u0000-\u001f]{1,32}$/;
const page = fs.readFileSync(path.join(__dirname, "public", "index.html"));
const httpServer = http.createServer((req, res) => {
  if (req.url === "/" || req.url.startsWith("/?") || req.url === "/index.html") {
    res.writeHead(200, { "Content-Type": "text/html; charset=UTF-8" });
    return res.end(page);
  }
  res.writeHead(404).end("not found");
});
const adapter = makeAdapter();
const { Server } = ireq("socket.io");
const io = new Server(httpServer, { adapter, connectionStateRecovery: undefined });

io.on("connection", (socket) => {
  const name = typeof socket.handshake.auth.name === "string" ? socket.handshake.auth.name.slice(0, 32) : "anonymous";
  socket.data = { name, server: o.label };
  const roomOp = (join) => (room, ack) => {
    const ok = typeof room === "string" && ROOM.test(room);
    if (ok) join ? socket.join(room) : socket.leave(room);
    if (typeof ack === "function") ack(ok ? { ok: true, room } : { error: "invalid argument" });
  };
  socket.on("join", roomOp(true));
  socket.on("leave", roomOp(false));
  for (const event of ["message", "image", "typing"]) {
    socket.on(event, (obj, ack) => {
      if (!obj || typeof obj !== "object" || typeof obj.room !== "string" || !socket.rooms.has(obj.room)) {
        if (typeof ack === "function") ack({ error: "not in that room" });
        return;
      }
      const { from: _f, server: _s, ...rest } = obj;
      const out = { ...rest, from: socket.data.name, server: o.label };
      const to = io.to(obj.room).except(socket.id);
      if (typeof ack === "function") to.timeout(5000).emit(event, out, (err, acks) => ack({ seen: (acks || []).length }));
      else (event === "typing" ? to.volatile : to).emit(event, out);
    });
  }
  socket.on("users", async (ack) => {
    if (typeof ack !== "function") return;
    let sockets = [];
    try { sockets = await io.fetchSockets(); } catch (e) { /* a server did not answer in time: what we have */ }
    ack({
      users: sockets.map((s) => ({ id: s.id, name: s.data && s.data.name, server: s.data && s.data.server,
        rooms: [...s.rooms].filter((r) => r !== s.id) })),
      servers: await io.of("/").adapter.serverCount(),
      server: o.label,
    });
  });
});

let closing = false;
async function stop() {
  if (closing) return;
  closing = true;
  setTimeout(() => process.exit(0), 8000).unref();
  await io.close();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

(async () => {
  await adapter.shared.ready;
  const uid = await io.of("/").adapter.initDone;
  await new Promise((r) => httpServer.listen(o.port, "127.0.0.1", r));
  console.log(`CHAT_READY port=${httpServer.address().port} uid=${uid}`);
})().catch((e) => { console.error(e); process.exit(1); });
