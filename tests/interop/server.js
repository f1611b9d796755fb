"use strict";
// A Socket.IO 4.8 server on 127.0.0.1 (port 0) whose adapter is the AWS test adapter (aws-adapter.js), driven by
// JSON-line commands on stdin and reporting what it observes as JSON lines on stdout. It speaks the same protocol
// as siocat (SIOCAT.md), so run.js drives either kind of member the same way. Node-only extras: the ready line
// carries `port` for real socket.io-clients, and a `connection` line per client socket (clients pass
// auth {name, rooms}; the server joins those rooms on connection).
//
//   node server.js [--label NAME] [--nsp /admin]... [--heartbeat-interval MS] [--heartbeat-timeout MS]
//                  [--topic NAME] [--queue-prefix P] [--wait-time-seconds N] [--endpoint URL] [--region R]
//                  [--socket ID[@NSP][=ROOM,ROOM...]]... [--auto-ack JSON] [--log-requests]
//                  [--transport aws|azure] [--connection-string S] [--admin-connection-string S] [--ca-file PEM]
//                  [--subscription-prefix P]
// --transport azure (default aws) uses the Azure test adapter (azure-adapter.js) instead: ServiceBusClient from the
// connection string (SERVICEBUS_CONNECTION_STRING; AMQP, e.g. the project broker with UseDevelopmentEmulator=true),
// a ServiceBusAdministrationClient from the admin connection string (SERVICEBUS_ADMIN_CONNECTION_STRING, default the
// same), trusting the CA in --ca-file (SERVICEBUS_CA_FILE) for its HTTPS; --topic names the topic (default
// socket.io). The ready line then carries `subscription` instead of `queue`; --log-requests is AWS only.
// --log-requests prints every SNS/SQS request body as an `awsRequest` line (run.js compares them with the captures
// of the upstream adapter in tests/vectors/aws).
// --socket makes it behave like siocat (run.js member kind `nodecat`): each one is a "virtual" socket with the
// given id and rooms, backed by an in-process socket.io-client that never answers anything itself; the runner sees
// its deliveries as `deliver` frames and acknowledges with `clientPacket`, which feeds the frames into the server's
// real packet decoder for that connection. This proves SIOCAT.md and the runner's siocat path without a C build.
// Endpoint and region default to AWS_ENDPOINT_URL / AWS_REGION (credentials from the usual AWS variables; the
// emulator accepts any). Stops gracefully on `close`/`quit`, at EOF on stdin and on SIGTERM/SIGINT (exit 0); exits 1
// on start-up failure, 2 on a usage error.

// Node 20 is what the project runs; the SDK's notice about its future Node 22 requirement is noise on stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const http = require("node:http");
const { Server } = require("socket.io");
const { fromJson, toJson } = require("./values");
const { framesFromEngine, frameNamespace } = require("./frames");

function parseArgs(argv) {
  const o = { nsps: ["/"] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case "--label": o.label = next(); break;
      case "--nsp": { const n = next(); if (!o.nsps.includes(n)) o.nsps.push(n); break; }
      case "--heartbeat-interval": o.heartbeatInterval = Number(next()); break;
      case "--heartbeat-timeout": o.heartbeatTimeout = Number(next()); break;
      case "--topic": o.topicName = next(); break;
      case "--queue-prefix": o.queuePrefix = next(); break;
      case "--wait-time-seconds": o.waitTimeSeconds = Number(next()); break;
      case "--endpoint": o.endpoint = next(); break;
      case "--region": o.region = next(); break;
      case "--socket": (o.sockets = o.sockets || []).push(parseSocketSpec(next())); break;
      case "--auto-ack": o.autoAck = JSON.parse(next()); break;
      case "--log-requests": o.logRequests = true; break;
      case "--transport": o.transport = next(); if (!["aws", "azure"].includes(o.transport)) throw new Error(`bad --transport ${o.transport}`); break;
      case "--connection-string": o.connectionString = next(); break;
      case "--admin-connection-string": o.adminConnectionString = next(); break;
      case "--ca-file": o.caFile = next(); break;
      case "--subscription-prefix": o.subscriptionPrefix = next(); break;
      default: throw new Error(`unknown flag ${a}`);
    }
  }
  return o;
}

// ID[@NSP][=ROOM,ROOM...] (SIOCAT.md §2)
function parseSocketSpec(spec) {
  const eq = spec.indexOf("=");
  const head = eq < 0 ? spec : spec.slice(0, eq);
  const rooms = eq < 0 || eq === spec.length - 1 ? [] : spec.slice(eq + 1).split(",");
  const at = head.indexOf("@");
  const id = at < 0 ? head : head.slice(0, at);
  const nsp = at < 0 ? "/" : head.slice(at + 1);
  if (!id || !nsp.startsWith("/")) throw new Error(`bad --socket ${spec}`);
  return { id, nsp, rooms };
}

const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

function makeAwsAdapter(args) {
  const { SNSClient } = require("@aws-sdk/client-sns");
  const { SQSClient } = require("@aws-sdk/client-sqs");
  const region = args.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1";
  const endpoint = args.endpoint || process.env.AWS_ENDPOINT_URL;
  const clientOpts = {
    region,
    endpoint,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID || "test",
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY || "test",
      sessionToken: process.env.AWS_SESSION_TOKEN || undefined,
    },
  };
  // Separate clients, so the long poll never holds the connection publishes need (docs/AWS.md §2.3).
  const sns = new SNSClient(clientOpts);
  const sqs = new SQSClient(clientOpts);
  if (args.logRequests) {
    for (const [svc, c] of [["sns", sns], ["sqs", sqs]]) {
      c.middlewareStack.add((next) => async (a) => {
        const b = a.request && a.request.body;
        out({ ev: "awsRequest", svc, target: a.request.headers["x-amz-target"] || null,
          body: typeof b === "string" ? b : b ? Buffer.from(b).toString("utf8") : "" });
        return next(a);
      }, { step: "finalizeRequest", name: "interopLogRequests" });
    }
  }

  const adapterOpts = { onEvent: (name, fields) => out({ ev: name, ...fields }) };
  for (const k of ["topicName", "queuePrefix", "waitTimeSeconds", "heartbeatInterval", "heartbeatTimeout"]) {
    if (args[k] !== undefined) adapterOpts[k] = args[k];
  }
  return require("./aws-adapter").createAdapter(sns, sqs, adapterOpts);
}

function makeAzureAdapter(args) {
  const fs = require("node:fs");
  const { ServiceBusClient, ServiceBusAdministrationClient } = require("@azure/service-bus");
  const cs = args.connectionString || process.env.SERVICEBUS_CONNECTION_STRING;
  if (!cs) throw new Error("--transport azure needs --connection-string or SERVICEBUS_CONNECTION_STRING");
  const adminCs = args.adminConnectionString || process.env.SERVICEBUS_ADMIN_CONNECTION_STRING || cs;
  const caFile = args.caFile || process.env.SERVICEBUS_CA_FILE;
  const client = new ServiceBusClient(cs);
  // tlsOptions reach core-rest-pipeline, so the test CA is trusted by this client only.
  const adminClient = new ServiceBusAdministrationClient(adminCs, caFile ? { tlsOptions: { ca: fs.readFileSync(caFile) } } : {});
  const adapterOpts = { onEvent: (name, fields) => out({ ev: name, ...fields }) };
  for (const k of ["topicName", "subscriptionPrefix", "heartbeatInterval", "heartbeatTimeout"]) {
    if (args[k] !== undefined) adapterOpts[k] = args[k];
  }
  return require("./azure-adapter").createAdapter(client, adminClient, adapterOpts);
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`server.js: ${e.message}\n`);
    process.exit(2);
  }
  const azure = args.transport === "azure";
  const adapter = azure ? makeAzureAdapter(args) : makeAwsAdapter(args);

  const httpServer = http.createServer();
  // Recovery disabled on purpose (docs/PROTOCOL.md Q13): with it, cloud adapters append an offset to every packet.
  const io = new Server(httpServer, { adapter, connectionStateRecovery: undefined });

  const pendingSsAcks = new Map(); // ackId -> callback of a serverSideEmit that wants an answer
  let nextSsAck = 1;

  for (const s of args.sockets || []) if (!args.nsps.includes(s.nsp)) args.nsps.push(s.nsp);
  for (const name of args.nsps) {
    const nsp = io.of(name);
    // Virtual sockets choose their id (auth.virtualId), set before the socket is registered anywhere.
    const origCreate = nsp._createSocket.bind(nsp);
    nsp._createSocket = async (client, auth) => {
      const socket = await origCreate(client, auth);
      if (auth && typeof auth.virtualId === "string") socket.id = auth.virtualId;
      return socket;
    };
    // Server-side events from other members: report them, keep the callback for a `serverSideAck` command.
    const orig = nsp._onServerSideEmit.bind(nsp);
    nsp._onServerSideEmit = (packet) => {
      const list = [...packet];
      const line = { ev: "serverSideEmit", nsp: name, event: list[0] };
      let cb = null;
      if (typeof list[list.length - 1] === "function") {
        cb = list.pop();
        line.ackId = nextSsAck++;
        if (args.autoAck === undefined) pendingSsAcks.set(line.ackId, cb);
      }
      line.args = toJson(list.slice(1));
      out(line);
      if (cb && args.autoAck !== undefined) cb(fromJson(args.autoAck));
      orig(packet);
    };
    nsp.on("connection", (socket) => {
      const auth = socket.handshake.auth || {};
      if (Array.isArray(auth.rooms)) socket.join(auth.rooms);
      hookClient(socket.client);
      socket.on("disconnect", (reason) => out({ ev: "disconnect", nsp: name, sid: socket.id, reason }));
      out({ ev: "connection", nsp: name, sid: socket.id, name: auth.name || null, rooms: [...socket.rooms] });
    });
  }

  // Every frame set written to a client connection becomes one `deliver` line per namespace socket, exactly as the
  // encoder produced it (the same frames the WebSocket carries, without the Engine.IO "4" prefix).
  function hookClient(client) {
    if (client.__interopHooked) return;
    client.__interopHooked = true;
    const orig = client.writeToEngine.bind(client);
    client.writeToEngine = (encoded, opts) => {
      const f = framesFromEngine(encoded);
      if (f.text !== null && f.text[0] !== "0") { // CONNECT acknowledgements are not deliveries
        const nspName = frameNamespace(f.text);
        const s = client.nsps.get(nspName);
        out({ ev: "deliver", nsp: nspName, sid: s ? s.id : null, text: f.text, bin: f.bin });
      }
      return orig(encoded, opts);
    };
  }

  const nspOf = (cmd) => {
    const name = cmd.nsp || "/";
    if (!args.nsps.includes(name)) throw new Error(`unknown namespace ${name}`);
    return io.of(name);
  };
  const select = (cmd) => nspOf(cmd).to(cmd.rooms || []).except(cmd.except || []);

  const socketEntry = (s) => ({
    id: s.id,
    handshake: toJson(s.handshake),
    rooms: [...s.rooms],
    data: toJson(s.data),
  });

  let closing = false;
  const handlers = {
    async broadcast(cmd, reply) {
      let op = select(cmd);
      if (cmd.flags && cmd.flags.volatile) op = op.volatile;
      if (cmd.flags && cmd.flags.compress !== undefined) op = op.compress(cmd.flags.compress);
      const args_ = fromJson(cmd.args || []);
      if (!cmd.ack) {
        op.emit(cmd.event, ...args_);
        return reply({ ok: true });
      }
      op.timeout(cmd.timeout || 5000).emit(cmd.event, ...args_, (err, acks) => {
        reply({ ok: true, err: err ? err.message : null, acks: toJson(acks || []) });
      });
    },
    async serverSideEmit(cmd, reply) {
      const nsp = nspOf(cmd);
      const args_ = fromJson(cmd.args || []);
      if (!cmd.ack) {
        nsp.serverSideEmit(cmd.event, ...args_);
        return reply({ ok: true });
      }
      nsp.serverSideEmit(cmd.event, ...args_, (err, responses) => {
        reply({ ok: true, err: err ? err.message : null, responses: toJson(responses || []) });
      });
    },
    async serverSideAck(cmd, reply) {
      const cb = pendingSsAcks.get(cmd.ackId);
      if (!cb) return reply({ ok: false, error: `unknown ackId ${cmd.ackId}` });
      pendingSsAcks.delete(cmd.ackId);
      const a = fromJson(cmd.args || []);
      cb(...a);
      reply({ ok: true });
    },
    async fetchSockets(cmd, reply) {
      let op = select(cmd);
      if (cmd.timeout) op = op.timeout(cmd.timeout);
      try {
        const sockets = await op.fetchSockets();
        reply({ ok: true, sockets: sockets.map(socketEntry) });
      } catch (err) {
        reply({ ok: false, error: err.message });
      }
    },
    async socketsJoin(cmd, reply) { select(cmd).socketsJoin(cmd.target || []); reply({ ok: true }); },
    async socketsLeave(cmd, reply) { select(cmd).socketsLeave(cmd.target || []); reply({ ok: true }); },
    async disconnectSockets(cmd, reply) { select(cmd).disconnectSockets(!!cmd.close); reply({ ok: true }); },
    // A client packet (normally an ACK) from a virtual socket, as frames: fed to the connection's real decoder.
    async clientPacket(cmd, reply) {
      const socket = nspOf(cmd).sockets.get(cmd.sid);
      if (!socket) return reply({ ok: false, error: `unknown socket ${cmd.sid}` });
      socket.client.ondata(cmd.text);
      for (const h of cmd.bin || []) socket.client.ondata(Buffer.from(h, "hex"));
      reply({ ok: true });
    },
    async serverCount(cmd, reply) { reply({ ok: true, count: await nspOf(cmd).adapter.serverCount() }); },
    async close(cmd, reply) {
      if (closing) return reply({ ok: false, error: "already closing" });
      closing = true;
      setTimeout(() => process.exit(0), 8000).unref(); // never hang on the way out
      await adapter.shared.ready.catch(() => {}); // a stop during start-up still leaves cleanly
      await io.close();
      reply({ ok: true });
      out({ ev: "closed" });
      setImmediate(() => process.exit(0));
    },
  };
  const stopSelf = () => { if (!closing) handlers.close({}, () => {}); };
  process.on("SIGTERM", stopSelf);
  process.on("SIGINT", stopSelf);
  handlers.quit = handlers.close;

  // Commands: one JSON object per line; each gets exactly one `result` line carrying its `id`.
  let buf = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) runLine(line);
    }
  });
  process.stdin.on("end", stopSelf);

  function runLine(line) {
    let cmd;
    try {
      cmd = JSON.parse(line);
    } catch (e) {
      return out({ ev: "error", where: "command", message: `bad JSON: ${e.message}` });
    }
    const reply = (r) => out({ ev: "result", id: cmd.id === undefined ? null : cmd.id, cmd: cmd.cmd, ...r });
    const h = Object.prototype.hasOwnProperty.call(handlers, cmd.cmd) ? handlers[cmd.cmd] : null;
    if (!h) return reply({ ok: false, error: `unknown command ${cmd.cmd}` });
    h(cmd, reply).catch((err) => reply({ ok: false, error: err.message }));
  }

  await adapter.shared.ready;
  const uids = {};
  for (const name of args.nsps) uids[name] = await io.of(name).adapter.initDone;
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const port = httpServer.address().port;
  const ready = { ev: "ready", kind: "node", label: args.label || null, port, uids };
  if (azure) ready.subscription = adapter.shared.subscriptionName;
  else ready.queue = adapter.shared.queueName;
  if (args.sockets) {
    const { io: ioClient } = require("socket.io-client");
    for (const s of args.sockets) {
      const c = ioClient(`http://127.0.0.1:${port}${s.nsp === "/" ? "" : s.nsp}`, {
        forceNew: true, reconnection: false, transports: ["websocket"], auth: { virtualId: s.id, rooms: s.rooms },
      });
      await new Promise((resolve, reject) => {
        c.once("connect", resolve);
        c.once("connect_error", reject);
      });
    }
    ready.sockets = args.sockets;
  }
  out(ready);
}

main().catch((err) => {
  out({ ev: "error", where: "startup", message: String(err && err.stack || err) });
  process.exit(1);
});
