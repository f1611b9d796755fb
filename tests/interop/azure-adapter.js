"use strict";
// Test adapter: a Socket.IO cluster adapter over Azure Service Bus, written for the interop tests on
// ClusterAdapterWithHeartbeat + @azure/service-bus (AMQP) with the behaviour docs docs/AZURE.md §1 and docs/PROTOCOL.md §2.2
// describe for the upstream @socket.io/azure-service-bus-adapter:
//   start-up  admin getTopic(topic); on any error createTopic(topic); createSubscription(topic, <prefix>-<16 hex>)
//             (no options); a peek-lock receiver subscribed on it (auto-complete after handling); then init() sends
//             INITIAL_HEARTBEAT per namespace
//   publish   sender.sendMessages({body: msgpack of the whole message, applicationProperties: {nsp, uid,
//             [requesterUid]}}) to the topic
//   receive   nsp property must be a string naming a known namespace; drop own uid; drop a requesterUid that is not
//             ours; decode the body and use the body's fields from there on
//   shutdown  ADAPTER_CLOSE per namespace, then close receiver and sender and delete the subscription concurrently
// Differences from upstream that no peer can see, as in aws-adapter.js: a 409 from a racing createTopic counts as
// success (upstream stops subscribing, Q20); ADAPTER_CLOSE publishes are awaited before the receiver, sender and
// subscription go (upstream often loses them, Q21: the tests check that a graceful stop is seen at once); every
// anomaly is reported through `onEvent`. Connection state recovery must stay disabled (Q13).

const crypto = require("node:crypto");
const { ClusterAdapterWithHeartbeat, MessageType } = require("socket.io-adapter");
const { encode, decode } = require("@msgpack/msgpack");

const randomId = () => crypto.randomBytes(8).toString("hex");
const errText = (err) => String((err && (err.code ? `${err.code}: ${err.message}` : err.message)) || err);

class AzureTestAdapter extends ClusterAdapterWithHeartbeat {
  constructor(nsp, shared) {
    super(nsp, { heartbeatInterval: shared.opts.heartbeatInterval, heartbeatTimeout: shared.opts.heartbeatTimeout });
    this.shared = shared;
    this.closeReason = null; // set while handling ADAPTER_CLOSE, so removeNode() can tell close from timeout
  }

  // The first heartbeat waits for the subscription, as upstream's init() does.
  init() {
    this.initDone = this.shared.ready.then(() => { super.init(); return this.uid; });
    return this.initDone;
  }

  doPublish(message) {
    return this.shared.publish(message, undefined);
  }

  doPublishResponse(requesterUid, response) {
    return this.shared.publish(response, requesterUid);
  }

  // One received message already routed here by its nsp property (docs/PROTOCOL.md §2.2 receive rules).
  onRawMessage(m) {
    const props = m.applicationProperties || {};
    if (props.uid === this.uid) return;
    const requesterUid = props.requesterUid;
    if (requesterUid && requesterUid !== this.uid) return;
    const message = decode(m.body); // throws on a bad body: the SDK then abandons the message (redelivery)
    if (requesterUid) this.onResponse(message);
    else this.onMessage(message, String(m.sequenceNumber));
  }

  onMessage(message, offset) {
    const known = this.nodesMap.has(message.uid);
    this.closeReason = message.type === MessageType.ADAPTER_CLOSE ? "close" : null;
    try {
      super.onMessage(message, offset);
    } finally {
      this.closeReason = null;
    }
    if (!known && this.nodesMap.has(message.uid)) this.shared.event("nodeUp", { nsp: this.nsp.name, uid: message.uid });
  }

  removeNode(uid) {
    const known = this.nodesMap.has(uid);
    super.removeNode(uid);
    if (known) this.shared.event("nodeDown", { nsp: this.nsp.name, uid, reason: this.closeReason || "timeout" });
  }

  async close() {
    super.close(); // publishes ADAPTER_CLOSE (fire and forget) and stops the timers
    this.shared.adapters.delete(this.nsp.name);
    if (this.shared.adapters.size === 0) await this.shared.shutdown();
  }
}

// Returns the adapter constructor for `new Server({adapter})`. One subscription serves all namespaces.
// client: ServiceBusClient; adminClient: ServiceBusAdministrationClient (the caller sets up its transport).
// opts: topicName ("socket.io"), subscriptionPrefix ("socket.io"), topicOptions, subscriptionOptions,
// heartbeatInterval (5000), heartbeatTimeout (10000), onEvent(name, fields).
function createAdapter(client, adminClient, userOpts = {}) {
  const opts = Object.assign({
    topicName: "socket.io",
    subscriptionPrefix: "socket.io",
    heartbeatInterval: 5000,
    heartbeatTimeout: 10000,
    onEvent: () => {},
  }, userOpts);

  const shared = {
    opts,
    adapters: new Map(),
    pending: new Set(), // sends in flight, awaited at shutdown so ADAPTER_CLOSE leaves before the subscription goes
    closed: false,
    subscriptionName: `${opts.subscriptionPrefix}-${randomId()}`,
    sender: client.createSender(opts.topicName),
    receiver: null,
    subscribed: false,
    event(name, fields) {
      try { opts.onEvent(name, fields); } catch (e) { /* observer bugs must not break the adapter */ }
    },
  };

  shared.publish = (message, requesterUid) => {
    const applicationProperties = { nsp: message.nsp, uid: message.uid };
    if (requesterUid) applicationProperties.requesterUid = requesterUid;
    const p = shared.sender.sendMessages({ body: encode(message), applicationProperties })
      .catch((err) => {
        shared.event("error", { where: "publish", type: message.type, message: errText(err) });
        throw err;
      });
    shared.pending.add(p);
    const done = () => shared.pending.delete(p);
    p.then(done, done);
    return p;
  };

  function route(m) {
    const nsp = m.applicationProperties && m.applicationProperties.nsp;
    if (typeof nsp !== "string") return; // Node drops messages without a string nsp
    const adapter = shared.adapters.get(nsp);
    if (!adapter) return; // a namespace this server does not have
    adapter.onRawMessage(m);
  }

  shared.ready = (async () => {
    try {
      await adminClient.getTopic(opts.topicName);
    } catch (e) {
      try {
        await adminClient.createTopic(opts.topicName, opts.topicOptions);
      } catch (err) {
        if (!err || err.code !== "MessageEntityAlreadyExistsError") throw err; // lost a creation race: fine
      }
    }
    await adminClient.createSubscription(opts.topicName, shared.subscriptionName, opts.subscriptionOptions);
    shared.receiver = client.createReceiver(opts.topicName, shared.subscriptionName);
    shared.receiver.subscribe({
      processMessage: async (m) => {
        try {
          route(m);
        } catch (err) {
          shared.event("error", { where: "handle", message: errText(err) });
          throw err; // abandoned, as upstream: redelivered up to MaxDeliveryCount
        }
      },
      processError: async (args) => {
        if (shared.closed) return;
        shared.event("error", { where: `receive/${args.errorSource}`, message: errText(args.error) });
      },
    });
    shared.subscribed = true;
  })();
  shared.ready.catch((err) => shared.event("error", { where: "startup", message: errText(err) }));

  shared.shutdown = async () => {
    await Promise.allSettled([...shared.pending]);
    shared.closed = true;
    const work = [shared.sender.close()];
    if (shared.receiver) work.push(shared.receiver.close());
    if (shared.subscribed) work.push(adminClient.deleteSubscription(opts.topicName, shared.subscriptionName));
    const results = await Promise.allSettled(work);
    for (const r of results) {
      if (r.status === "rejected") shared.event("error", { where: "shutdown", message: errText(r.reason) });
    }
    await client.close().catch(() => {});
  };

  function AdapterFactory(nsp) {
    const adapter = new AzureTestAdapter(nsp, shared);
    shared.adapters.set(nsp.name, adapter);
    return adapter;
  }
  AdapterFactory.shared = shared;
  return AdapterFactory;
}

module.exports = { createAdapter, AzureTestAdapter };
