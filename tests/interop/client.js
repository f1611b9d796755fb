"use strict";
// Real socket.io-client connections to a Node member (server.js), recording what each client receives.
// A client passes auth {name, rooms}; server.js joins those rooms when the socket connects.

const { io } = require("socket.io-client");
const { toJson, fromJson } = require("./values");

// Connects one client socket to http://127.0.0.1:<port><nsp> over WebSocket, its own connection (forceNew), no
// reconnection (a stopped member's clients stay down). Resolves with a handle once connected:
//   handle.id        the socket id (equal to the server's socket.id)
//   handle.received  [{event, args, ackId?, t}] every event, plus {event: "disconnect", args: [reason]}
//   handle.close()   disconnects the client
// opts: {name, rooms, ackWith(event, args) -> JSON value with $bin markers; called when the server wants an ack}
function connectClient(port, nsp, opts, timeoutMs = 5000) {
  const socket = io(`http://127.0.0.1:${port}${nsp === "/" ? "" : nsp}`, {
    forceNew: true,
    reconnection: false,
    transports: ["websocket"],
    auth: { name: opts.name, rooms: opts.rooms || [] },
    timeout: timeoutMs,
  });
  const handle = { socket, id: null, name: opts.name, nsp, received: [], listeners: new Set() };
  const record = (entry) => {
    entry.t = Date.now();
    handle.received.push(entry);
    for (const l of handle.listeners) l(entry);
  };
  socket.onAny((event, ...args) => {
    const entry = { event };
    if (typeof args[args.length - 1] === "function") {
      const cb = args.pop();
      entry.ack = true;
      const value = opts.ackWith ? opts.ackWith(event, toJson(args)) : null;
      cb(fromJson(value));
    }
    entry.args = toJson(args);
    record(entry);
  });
  socket.on("disconnect", (reason) => record({ event: "disconnect", args: [reason] }));
  handle.close = () => socket.disconnect();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { socket.disconnect(); reject(new Error(`client ${opts.name}: connect timeout`)); },
      timeoutMs);
    socket.once("connect", () => { clearTimeout(timer); handle.id = socket.id; resolve(handle); });
    socket.once("connect_error", (err) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(new Error(`client ${opts.name}: ${err.message}`));
    });
  });
}

module.exports = { connectClient };
