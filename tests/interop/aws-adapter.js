"use strict";
// Test adapter: a Socket.IO cluster adapter over AWS SNS + SQS, written for the interop tests because the official
// @socket.io/aws-sqs-adapter is not published on npm. It follows the wire contract of docs docs/AWS.md §2-§6 and
// docs/PROTOCOL.md §2.1 exactly as a Node peer does:
//   start-up  CreateTopic -> CreateQueue -> GetQueueAttributes(QueueArn) -> SetQueueAttributes(Policy)
//             -> Subscribe(sqs, RawMessageDelivery=true); then polling, then INITIAL_HEARTBEAT per namespace
//   publish   SNS Publish, Message = decimal type, attributes nsp, uid, [requesterUid] (String), [data] (Binary msgpack)
//   receive   ReceiveMessage long poll with MessageAttributeNames ["All"], DeleteMessageBatch for the whole batch
//   shutdown  ADAPTER_CLOSE per namespace, then DeleteQueue and Unsubscribe concurrently
// Differences from upstream that no peer can see: one bad message is dropped alone (upstream skips the delete of the
// whole batch, Q17), errors back off instead of looping hot (Q18), the in-flight long poll is aborted at shutdown
// instead of waiting for it, and every anomaly is reported through `onEvent` so the tests can fail on it.
// Node peers MUST run with connection state recovery disabled (docs/PROTOCOL.md Q13); the offset returned is the MessageId.

const crypto = require("node:crypto");
const { ClusterAdapterWithHeartbeat, MessageType } = require("socket.io-adapter");
const { encode, decode } = require("@msgpack/msgpack");
const { CreateTopicCommand, SubscribeCommand, UnsubscribeCommand, PublishCommand } = require("@aws-sdk/client-sns");
const {
  CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, ReceiveMessageCommand,
  DeleteMessageBatchCommand, DeleteQueueCommand,
} = require("@aws-sdk/client-sqs");

const randomId = () => crypto.randomBytes(8).toString("hex");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The queue policy of docs/AWS.md §5, keys in upstream's order, serialised without whitespace.
function queuePolicy(queueArn, topicArn) {
  return JSON.stringify({
    Version: "2012-10-17",
    Id: "__default_policy_ID",
    Statement: [{
      Sid: "__owner_statement",
      Effect: "Allow",
      Principal: "*",
      Action: "SQS:SendMessage",
      Resource: queueArn,
      Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
    }],
  });
}

const toTags = (obj) => Object.entries(obj || {}).map(([Key, Value]) => ({ Key, Value }));

class AwsTestAdapter extends ClusterAdapterWithHeartbeat {
  constructor(nsp, shared) {
    super(nsp, { heartbeatInterval: shared.opts.heartbeatInterval, heartbeatTimeout: shared.opts.heartbeatTimeout });
    this.shared = shared;
    this.closeReason = null; // set while handling ADAPTER_CLOSE, so removeNode() can tell close from timeout
  }

  // socket.io >= 4.8.2 calls init() once the namespace exists (Q23); the first heartbeat must wait for the
  // subscription, as upstream does, or peers' answers to it would be lost.
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

  // One raw SQS message already routed here by its nsp attribute (docs/PROTOCOL.md §2.1, receive steps 3-6).
  onRawMessage(m) {
    const attrs = m.MessageAttributes;
    const uid = attrs.uid && attrs.uid.StringValue;
    if (uid === this.uid) return;
    const requesterUid = attrs.requesterUid && attrs.requesterUid.StringValue;
    if (requesterUid && requesterUid !== this.uid) return;
    const message = { type: parseInt(m.Body, 10), nsp: this.nsp.name, uid };
    if (attrs.data) message.data = decode(attrs.data.BinaryValue);
    if (requesterUid) this.onResponse(message);
    else this.onMessage(message, m.MessageId);
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

// Returns the adapter constructor for `new Server({adapter})`. One queue and subscription serve all namespaces.
// opts: topicName ("socket-io"), queuePrefix ("socket-io"), topicTags, queueTags, waitTimeSeconds (5),
// heartbeatInterval (5000), heartbeatTimeout (10000), onEvent(name, fields).
function createAdapter(snsClient, sqsClient, userOpts = {}) {
  const opts = Object.assign({
    topicName: "socket-io",
    queuePrefix: "socket-io",
    waitTimeSeconds: 5,
    heartbeatInterval: 5000,
    heartbeatTimeout: 10000,
    onEvent: () => {},
  }, userOpts);

  const shared = {
    opts,
    adapters: new Map(),
    pending: new Set(), // publishes in flight, awaited at shutdown so ADAPTER_CLOSE leaves before the queue goes
    closed: false,
    abort: new AbortController(),
    queueName: `${opts.queuePrefix}-${randomId()}`,
    topicArn: null, queueUrl: null, subscriptionArn: null,
    event(name, fields) {
      try { opts.onEvent(name, fields); } catch (e) { /* observer bugs must not break the adapter */ }
    },
  };

  shared.publish = (message, requesterUid) => {
    const MessageAttributes = {
      nsp: { DataType: "String", StringValue: message.nsp },
      uid: { DataType: "String", StringValue: message.uid },
    };
    if (requesterUid) MessageAttributes.requesterUid = { DataType: "String", StringValue: requesterUid };
    if (message.data !== undefined) MessageAttributes.data = { DataType: "Binary", BinaryValue: encode(message.data) };
    const p = snsClient
      .send(new PublishCommand({ TopicArn: shared.topicArn, Message: String(message.type), MessageAttributes }))
      .then((r) => r.MessageId, (err) => {
        shared.event("error", { where: "publish", type: message.type, message: String(err && err.message || err) });
        throw err;
      });
    shared.pending.add(p);
    const done = () => shared.pending.delete(p);
    p.then(done, done);
    return p;
  };

  shared.ready = (async () => {
    const topic = await snsClient.send(new CreateTopicCommand({
      Name: opts.topicName, Tags: opts.topicTags ? toTags(opts.topicTags) : undefined,
    }));
    shared.topicArn = topic.TopicArn;
    const queue = await sqsClient.send(new CreateQueueCommand({ QueueName: shared.queueName, tags: opts.queueTags }));
    shared.queueUrl = queue.QueueUrl;
    const attrs = await sqsClient.send(new GetQueueAttributesCommand({
      QueueUrl: shared.queueUrl, AttributeNames: ["QueueArn"],
    }));
    const queueArn = attrs.Attributes.QueueArn;
    await sqsClient.send(new SetQueueAttributesCommand({
      QueueUrl: shared.queueUrl, Attributes: { Policy: queuePolicy(queueArn, shared.topicArn) },
    }));
    const sub = await snsClient.send(new SubscribeCommand({
      TopicArn: shared.topicArn, Protocol: "sqs", Endpoint: queueArn, Attributes: { RawMessageDelivery: "true" },
    }));
    shared.subscriptionArn = sub.SubscriptionArn;
    shared.polling = poll();
  })();
  shared.ready.catch((err) => shared.event("error", { where: "startup", message: String(err && err.message || err) }));

  function route(m) {
    if (!m.MessageAttributes || !m.Body) { shared.event("error", { where: "receive", message: "malformed message" }); return; }
    const nspAttr = m.MessageAttributes.nsp;
    const adapter = nspAttr && shared.adapters.get(nspAttr.StringValue);
    if (!adapter) return; // a namespace this server does not have
    adapter.onRawMessage(m);
  }

  async function poll() {
    let backoff = 100;
    while (!shared.closed) {
      try {
        const r = await sqsClient.send(new ReceiveMessageCommand({
          QueueUrl: shared.queueUrl, MessageAttributeNames: ["All"], MaxNumberOfMessages: 10,
          WaitTimeSeconds: opts.waitTimeSeconds,
        }), { abortSignal: shared.abort.signal });
        backoff = 100;
        if (!r.Messages || r.Messages.length === 0) continue;
        for (const m of r.Messages) {
          try {
            route(m);
          } catch (err) {
            shared.event("error", { where: "handle", body: m.Body, message: String(err && err.message || err) });
          }
        }
        const d = await sqsClient.send(new DeleteMessageBatchCommand({
          QueueUrl: shared.queueUrl,
          Entries: r.Messages.map((m) => ({ Id: m.MessageId, ReceiptHandle: m.ReceiptHandle })),
        }));
        if (d.Failed && d.Failed.length) shared.event("error", { where: "delete", failed: d.Failed.length });
      } catch (err) {
        if (shared.closed) break;
        shared.event("error", { where: "poll", message: String(err && err.message || err) });
        await sleep(backoff * (0.5 + Math.random() / 2));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  shared.shutdown = async () => {
    await Promise.allSettled([...shared.pending]);
    shared.closed = true;
    shared.abort.abort();
    if (shared.polling) await shared.polling.catch(() => {});
    if (!shared.queueUrl) return;
    const results = await Promise.allSettled([
      sqsClient.send(new DeleteQueueCommand({ QueueUrl: shared.queueUrl })),
      shared.subscriptionArn
        ? snsClient.send(new UnsubscribeCommand({ SubscriptionArn: shared.subscriptionArn }))
        : Promise.resolve(),
    ]);
    for (const r of results) {
      if (r.status === "rejected") shared.event("error", { where: "shutdown", message: String(r.reason && r.reason.message) });
    }
  };

  function AdapterFactory(nsp) {
    const adapter = new AwsTestAdapter(nsp, shared);
    shared.adapters.set(nsp.name, adapter);
    return adapter;
  }
  AdapterFactory.shared = shared;
  return AdapterFactory;
}

module.exports = { createAdapter, AwsTestAdapter, queuePolicy };
