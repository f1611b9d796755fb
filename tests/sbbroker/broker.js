'use strict';
/* In-memory Azure Service Bus test broker: AMQP 1.0 (rhea) for the official @azure/service-bus SDK with
   UseDevelopmentEmulator=true, and the REST data plane + ATOM management over HTTP/HTTPS for REST clients (the C
   library) and the SDK's administration client. One model behind both: topics -> subscriptions -> a FIFO of ready
   messages plus locked ones. Facts: docs/AZURE.md sections 3-8 (SAS, REST, ATOM, AMQP equivalence, test broker).

   CLI:  node broker.js [options]      prints  SBBROKER_READY amqp=<port> http=<port> https=<port>   (0 = off)
     --rule NAME=KEY[:Manage,Send,Listen]  SAS rule (repeatable; default RootManageSharedAccessKey=c2VjcmV0, all rights)
     --amqp-port N  --http-port N  --https-port N   0 picks a free port (default); --http-port -1 disables plain HTTP
     --cert FILE --key FILE       serve HTTPS too (PEM); without them there is no HTTPS listener
     --topic NAME                 create a topic at start (repeatable)
     --max-seconds S              exit after S seconds (default 900)       --watch-stdin   exit when stdin closes
     --max-message-bytes N        per-message limit, body + properties (default 262144; REST 403, AMQP reject)
     --lowercase-props            lower-case REST custom property names on the way in (simulates docs/AZURE.md section 9)
     --no-scope-check             accept a valid token whatever resource it names
     --chunked                    send REST message and ATOM bodies with Transfer-Encoding: chunked (as Azure may)
     --verbose                    log requests to stderr
   Everything binds 127.0.0.1. SIGTERM/SIGINT stop it. GET /$broker/stats (no auth) returns counters as JSON.

   Faults on demand (REST only, no auth, for tests): POST /$broker/faults with a JSON array of
     {"op": "send"|"receive"|"complete"|"unlock"|"renew"|"admin"|"any", "count": N,
      "status": 500|503|429|401|..., "retryAfter": S,   answer with that status instead (the request is not done)
      "reset": true,                                   or destroy the connection without an answer
      "after": true}                                   or do the request, then reset instead of answering
   Each matching REST request uses up one count of the first fault that matches. DELETE /$broker/faults clears
   them; GET /$broker/stats has "faults_injected". */

const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const fs = require('node:fs');
const rhea = require('rhea');

const HOST = '127.0.0.1';
const NEVER = 'P10675199DT2H48M5.4775807S'; // TimeSpan.MaxValue, the service's "never"
const NEVER_MS = Number.POSITIVE_INFINITY;
const BATCH_FORMAT = 0x80013700; // Service Bus batched message format (SDK sendMessages with an array)
const SB_NS = 'http://schemas.microsoft.com/netservices/2010/10/servicebus/connect';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const COUNTS_NS = 'http://schemas.microsoft.com/netservices/2011/06/servicebus';
const DEFAULT_TTL_SECONDS = 922337203685.4775; // what the service shows for "no TTL" in BrokerProperties

/* ---------- options ---------- */

function parseArgs(argv) {
  const o = {
    rules: [], amqpPort: 0, httpPort: 0, httpsPort: 0, cert: null, key: null, topics: [], maxSeconds: 900,
    watchStdin: false, maxMessageBytes: 262144, lowercaseProps: false, scopeCheck: true, verbose: false,
    chunked: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--rule': o.rules.push(parseRule(next())); break;
      case '--amqp-port': o.amqpPort = Number(next()); break;
      case '--http-port': o.httpPort = Number(next()); break;
      case '--https-port': o.httpsPort = Number(next()); break;
      case '--cert': o.cert = next(); break;
      case '--key': o.key = next(); break;
      case '--topic': o.topics.push(next()); break;
      case '--max-seconds': o.maxSeconds = Number(next()); break;
      case '--watch-stdin': o.watchStdin = true; break;
      case '--max-message-bytes': o.maxMessageBytes = Number(next()); break;
      case '--lowercase-props': o.lowercaseProps = true; break;
      case '--no-scope-check': o.scopeCheck = false; break;
      case '--chunked': o.chunked = true; break;
      case '--verbose': o.verbose = true; break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

function parseRule(text) {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`--rule wants NAME=KEY[:rights], got ${text}`);
  const name = text.slice(0, eq);
  let key = text.slice(eq + 1);
  let rights = ['Manage', 'Send', 'Listen'];
  const colon = key.lastIndexOf(':');
  if (colon >= 0) {
    rights = key.slice(colon + 1).split(',').filter(Boolean);
    key = key.slice(0, colon);
  }
  return { name, key, rights: new Set(rights.includes('Manage') ? ['Manage', 'Send', 'Listen'] : rights) };
}

/* ---------- SAS (docs/AZURE.md section 3) ---------- */

/* Entity path as compared for authorization and lookup: decoded, lower-case, no leading/trailing '/'. */
function normPath(p) {
  return p.toLowerCase().replace(/^\/+|\/+$/g, '');
}

function covers(claimPath, entityPath) {
  return claimPath === '' || entityPath === claimPath || entityPath.startsWith(claimPath + '/');
}

/* Check a token: known key name, HMAC-SHA256 over sr as written with the key as UTF-8 text, not expired.
   Returns {ok, rule, path, expiry} or {ok:false, reason}. path: the resource path the token is valid for. */
function verifySas(token, rules, nowSec) {
  const prefix = 'SharedAccessSignature ';
  if (typeof token !== 'string' || !token.startsWith(prefix)) return { ok: false, reason: 'not a SharedAccessSignature' };
  const f = {};
  for (const part of token.slice(prefix.length).split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { ok: false, reason: 'malformed token field' };
    const k = part.slice(0, eq);
    if (f[k] !== undefined) return { ok: false, reason: `repeated field ${k}` };
    f[k] = part.slice(eq + 1);
  }
  if (!f.sr || !f.sig || !f.se || !f.skn) return { ok: false, reason: 'token lacks sr, sig, se or skn' };
  if (!/^\d{1,19}$/.test(f.se)) return { ok: false, reason: 'bad se' };
  let skn, sig, srDecoded;
  try {
    skn = decodeURIComponent(f.skn);
    sig = decodeURIComponent(f.sig);
    srDecoded = decodeURIComponent(f.sr);
  } catch (e) {
    return { ok: false, reason: 'bad percent-encoding' };
  }
  const rule = rules.find((r) => r.name === skn);
  if (!rule) return { ok: false, reason: `unknown key name ${skn}` };
  const want = crypto.createHmac('sha256', Buffer.from(rule.key, 'utf8')).update(`${f.sr}\n${f.se}`).digest('base64');
  const a = Buffer.from(want), b = Buffer.from(sig);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return { ok: false, reason: 'signature mismatch' };
  const expiry = Number(f.se);
  if (!(expiry > nowSec)) return { ok: false, reason: 'token expired' };
  let path = null;
  try {
    path = normPath(decodeURIComponent(new URL(srDecoded).pathname));
  } catch (e) {
    path = null; // not a URL (e.g. the Go SDK test audience): only usable without the scope check
  }
  return { ok: true, rule, path, expiry };
}

/* ---------- durations (ISO 8601 as the ATOM API writes TimeSpans) ---------- */

function parseDuration(s) {
  if (typeof s !== 'string') return undefined;
  s = s.trim();
  if (s === NEVER) return NEVER_MS;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s);
  if (!m || s === 'P' || s === 'PT') return undefined;
  const ms = ((+(m[1] || 0) * 24 + +(m[2] || 0)) * 60 + +(m[3] || 0)) * 60000 + Math.round(+(m[4] || 0) * 1000);
  return ms >= 10675199 * 86400000 ? NEVER_MS : ms;
}

function formatDuration(ms) {
  if (!Number.isFinite(ms)) return NEVER;
  let rest = Math.round(ms);
  const d = Math.floor(rest / 86400000); rest -= d * 86400000;
  const h = Math.floor(rest / 3600000); rest -= h * 3600000;
  const mi = Math.floor(rest / 60000); rest -= mi * 60000;
  const sec = rest / 1000;
  let out = 'P' + (d ? `${d}D` : '');
  if (h || mi || sec || !d) {
    out += 'T' + (h ? `${h}H` : '') + (mi ? `${mi}M` : '') + (sec || (!h && !mi) ? `${sec}S` : '');
  }
  return out;
}

/* ---------- custom properties (docs/AZURE.md section 4.1 quoting rules) ---------- */

const RFC1123 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/* A REST header value to a typed property, or null when the service would refuse it (400). */
function parseCustomValue(raw) {
  const v = raw.trim();
  if (v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"') {
    const text = v.slice(1, -1);
    if (RFC1123.test(text)) return { type: 'timestamp', value: new Date(text) };
    return { type: 'string', value: text };
  }
  if (v === 'true' || v === 'false') return { type: 'boolean', value: v === 'true' };
  if (/^[-+]?\d+$/.test(v)) {
    const big = BigInt(v);
    if (big < -(2n ** 63n) || big >= 2n ** 63n) return null;
    return { type: 'long', value: Number(big) };
  }
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) return { type: 'double', value: Number(v) };
  return null;
}

/* A typed property to a REST header value: strings quoted (JSON-style escapes, non-ASCII as \u), numbers and
   booleans bare, dates as quoted RFC 1123. Binary and other types have no REST form (omitted). */
function formatCustomValue(p) {
  switch (p.type) {
    case 'string':
      return JSON.stringify(p.value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
    case 'boolean': return p.value ? 'true' : 'false';
    case 'long': return String(p.value);
    case 'double': {
      const s = String(p.value);
      return /[.eE]/.test(s) || !Number.isFinite(p.value) ? s : s + '.0';
    }
    case 'timestamp': return `"${p.value.toUTCString()}"`;
    default: return null;
  }
}

/* AMQP application-properties (as rhea decodes them) to typed properties. */
function propsFromAmqp(ap) {
  const out = [];
  if (!ap) return out;
  for (const [name, v] of Object.entries(ap)) {
    if (typeof v === 'string') out.push({ name, type: 'string', value: v });
    else if (typeof v === 'boolean') out.push({ name, type: 'boolean', value: v });
    else if (typeof v === 'number') out.push({ name, type: Number.isInteger(v) ? 'long' : 'double', value: v });
    else if (v instanceof Date) out.push({ name, type: 'timestamp', value: v });
    else if (Buffer.isBuffer(v)) out.push({ name, type: 'binary', value: v });
    else if (v !== null && v !== undefined) out.push({ name, type: 'other', value: v });
  }
  return out;
}

function propsToAmqp(props) {
  const ap = {};
  for (const p of props) {
    switch (p.type) {
      case 'long': ap[p.name] = rhea.types.wrap_long(p.value); break;
      case 'double': ap[p.name] = rhea.types.wrap_double(p.value); break;
      case 'timestamp': ap[p.name] = rhea.types.wrap_timestamp(p.value.getTime()); break;
      default: ap[p.name] = p.value;
    }
  }
  return ap;
}

function propsSize(props) {
  let n = 0;
  for (const p of props) n += Buffer.byteLength(p.name) + (p.type === 'string' ? Buffer.byteLength(p.value) : 8);
  return n;
}

/* ---------- lock tokens ---------- */

/* The SDK turns a delivery tag into a lock token by swapping the first three groups to .NET GUID byte order; the
   swap is its own inverse, so tag = reorder(uuid bytes of the token). */
function reorder(b) {
  return Buffer.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8, 16)]);
}
function uuidToString(b) {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
function stringToUuid(s) {
  return Buffer.from(s.replace(/-/g, ''), 'hex');
}

/* ---------- the model ---------- */

class Broker {
  constructor(opts) {
    this.o = opts;
    this.rules = opts.rules.length ? opts.rules : [parseRule('RootManageSharedAccessKey=c2VjcmV0')];
    this.topics = new Map(); // lower-case name -> topic
    this.seq = 0;
    this.stats = {
      amqp: { received: 0, delivered: 0, auth_failures: 0, connections: 0 },
      http: { received: 0, delivered: 0, auth_failures: 0, requests: 0 },
      completed: 0, abandoned: 0, lock_expired: 0, dead_lettered: 0, ttl_expired: 0, auto_deleted: 0,
      renewed: 0, bad_requests: 0, faults_injected: 0,
    };
    this.faults = [];
    for (const t of opts.topics) this.createTopic(t, {});
  }

  log(...a) {
    if (this.o.verbose) console.error('[sbbroker]', ...a);
  }

  nowSec() {
    return Math.floor(Date.now() / 1000);
  }

  topic(name) {
    return this.topics.get(String(name).toLowerCase());
  }

  createTopic(name, desc) {
    const now = new Date();
    const t = { name, created: now, updated: now, accessed: now, subs: new Map() };
    this.applyTopicDesc(t, desc);
    this.topics.set(name.toLowerCase(), t);
    return t;
  }

  applyTopicDesc(t, desc) {
    Object.assign(t, {
      defaultTtlMs: desc.DefaultMessageTimeToLive !== undefined ? parseDuration(desc.DefaultMessageTimeToLive) : NEVER_MS,
      autoDeleteMs: desc.AutoDeleteOnIdle !== undefined ? parseDuration(desc.AutoDeleteOnIdle) : NEVER_MS,
      maxSizeMb: desc.MaxSizeInMegabytes !== undefined ? Number(desc.MaxSizeInMegabytes) : 1024,
      requiresDuplicateDetection: desc.RequiresDuplicateDetection === 'true',
      duplicateWindowMs: desc.DuplicateDetectionHistoryTimeWindow !== undefined ? parseDuration(desc.DuplicateDetectionHistoryTimeWindow) : 600000,
      enableBatchedOperations: desc.EnableBatchedOperations !== 'false',
      supportOrdering: desc.SupportOrdering !== 'false',
      enablePartitioning: desc.EnablePartitioning === 'true',
      enableExpress: desc.EnableExpress === 'true',
      maxMessageSizeKb: desc.MaxMessageSizeInKilobytes !== undefined ? Number(desc.MaxMessageSizeInKilobytes) : 256,
      userMetadata: desc.UserMetadata,
      status: desc.Status || 'Active',
    });
  }

  deleteTopic(t) {
    for (const s of [...t.subs.values()]) this.deleteSub(s, 'topic deleted');
    this.topics.delete(t.name.toLowerCase());
  }

  createSub(t, name, desc, filter) {
    const now = new Date();
    const s = {
      name, topic: t, created: now, updated: now, accessed: now,
      lockDurationMs: 60000, requiresSession: false, defaultTtlMs: NEVER_MS, deadLetteringOnExpiration: false,
      deadLetteringOnFilterExceptions: true, maxDeliveryCount: 10, enableBatchedOperations: true,
      autoDeleteMs: NEVER_MS, status: 'Active', forwardTo: undefined, forwardDlqTo: undefined, userMetadata: undefined,
      ready: [], locked: new Map(), consumers: [], rr: 0, idleTimer: null, deleted: false,
      filter: filter || null, // compiled $Default rule (SQL filter); null: every message (TrueFilter)
    };
    this.applySubDesc(s, desc);
    t.subs.set(name.toLowerCase(), s);
    this.touch(s);
    return s;
  }

  applySubDesc(s, d) {
    const dur = (v, cur) => (v === undefined ? cur : parseDuration(v));
    s.lockDurationMs = dur(d.LockDuration, s.lockDurationMs);
    s.defaultTtlMs = dur(d.DefaultMessageTimeToLive, s.defaultTtlMs);
    s.autoDeleteMs = dur(d.AutoDeleteOnIdle, s.autoDeleteMs);
    if (d.MaxDeliveryCount !== undefined) s.maxDeliveryCount = Number(d.MaxDeliveryCount);
    if (d.RequiresSession !== undefined) s.requiresSession = d.RequiresSession === 'true';
    if (d.DeadLetteringOnMessageExpiration !== undefined) s.deadLetteringOnExpiration = d.DeadLetteringOnMessageExpiration === 'true';
    if (d.DeadLetteringOnFilterEvaluationExceptions !== undefined) s.deadLetteringOnFilterExceptions = d.DeadLetteringOnFilterEvaluationExceptions === 'true';
    if (d.EnableBatchedOperations !== undefined) s.enableBatchedOperations = d.EnableBatchedOperations !== 'false';
    if (d.Status !== undefined) s.status = d.Status;
    if (d.ForwardTo !== undefined) s.forwardTo = d.ForwardTo;
    if (d.ForwardDeadLetteredMessagesTo !== undefined) s.forwardDlqTo = d.ForwardDeadLetteredMessagesTo;
    if (d.UserMetadata !== undefined) s.userMetadata = d.UserMetadata;
  }

  deleteSub(s, why) {
    if (s.deleted) return;
    s.deleted = true;
    clearTimeout(s.idleTimer);
    s.topic.subs.delete(s.name.toLowerCase());
    for (const l of s.locked.values()) clearTimeout(l.timer);
    s.locked.clear();
    s.ready = [];
    for (const c of [...s.consumers]) c.gone(why);
    s.consumers = [];
    this.log(`subscription ${s.topic.name}/${s.name} deleted (${why})`);
  }

  /* AutoDeleteOnIdle: any receive activity restarts the clock; an attached receiver or a pending long poll
     counts as activity, so a live node keeps its subscription (docs/AZURE.md section 5.3). */
  touch(s) {
    s.accessed = new Date();
    clearTimeout(s.idleTimer);
    s.idleTimer = null;
    if (!Number.isFinite(s.autoDeleteMs) || s.deleted) return;
    s.idleTimer = setTimeout(() => {
      if (s.deleted) return;
      if (s.consumers.length) return this.touch(s);
      this.stats.auto_deleted++;
      this.deleteSub(s, 'auto-delete on idle');
    }, Math.max(1, s.autoDeleteMs));
    s.idleTimer.unref();
  }

  /* Publish a message (already validated) to every subscription of the topic. */
  publish(t, msg) {
    msg.seq = ++this.seq;
    msg.enqueuedAt = new Date();
    if (!msg.messageId) msg.messageId = crypto.randomBytes(16).toString('hex');
    t.accessed = msg.enqueuedAt;
    for (const s of t.subs.values()) {
      if (s.filter && s.filter(msg) !== true) { // SQL three-valued logic: only TRUE matches
        this.stats.filtered_out = (this.stats.filtered_out || 0) + 1;
        continue;
      }
      s.ready.push({ msg, deliveries: 0, sub: s });
      this.pump(s);
    }
  }

  expiresAt(e) {
    const ttl = Math.min(e.msg.ttlMs ?? NEVER_MS, e.sub.defaultTtlMs, e.sub.topic.defaultTtlMs);
    return e.msg.enqueuedAt.getTime() + ttl;
  }

  /* Hand ready messages to consumers with room, round robin (AMQP links and REST long polls compete). */
  pump(s) {
    while (s.ready.length && s.consumers.length && !s.deleted) {
      let picked = null;
      for (let i = 0; i < s.consumers.length; i++) {
        const c = s.consumers[(s.rr + i) % s.consumers.length];
        if (c.wants()) {
          picked = c;
          s.rr = (s.rr + i + 1) % s.consumers.length;
          break;
        }
      }
      if (!picked) return;
      const e = s.ready.shift();
      if (Date.now() >= this.expiresAt(e)) {
        this.stats.ttl_expired++;
        continue;
      }
      e.deliveries++;
      if (picked.peekLock) this.lock(e, picked);
      picked.deliver(e);
    }
  }

  lock(e, holder) {
    const s = e.sub;
    const token = crypto.randomUUID();
    e.lockToken = token;
    e.holder = holder;
    e.lockedUntil = new Date(Date.now() + s.lockDurationMs);
    e.timer = setTimeout(() => {
      if (s.locked.get(token) !== e) return;
      this.stats.lock_expired++;
      this.release(e, 'lock expired');
    }, s.lockDurationMs);
    e.timer.unref();
    s.locked.set(token, e);
  }

  /* Complete, abandon, renew by lock token. Return false when the lock is unknown (expired or settled). */
  findLock(s, token) {
    const t = String(token).toLowerCase();
    let e = s.locked.get(t);
    if (!e) {
      // a token seen through the other byte order (a client that does not reorder delivery tags)
      const b = stringToUuid(t);
      if (b.length === 16) e = s.locked.get(uuidToString(reorder(b)));
    }
    return e || null;
  }

  unlockEntry(e) {
    clearTimeout(e.timer);
    e.sub.locked.delete(e.lockToken);
    e.lockToken = undefined;
    e.lockedUntil = undefined;
    e.holder = undefined;
  }

  complete(e) {
    this.unlockEntry(e);
    this.stats.completed++;
    this.touch(e.sub);
  }

  release(e, why) {
    const s = e.sub;
    this.unlockEntry(e);
    if (why !== 'lock expired') this.stats.abandoned++;
    if (e.deliveries >= s.maxDeliveryCount) {
      this.stats.dead_lettered++;
      this.log(`dead-lettered seq ${e.msg.seq} after ${e.deliveries} deliveries`);
      return;
    }
    if (s.deleted) return;
    s.ready.unshift(e);
    this.pump(s);
  }

  renew(e) {
    const s = e.sub;
    clearTimeout(e.timer);
    e.lockedUntil = new Date(Date.now() + s.lockDurationMs);
    const token = e.lockToken;
    e.timer = setTimeout(() => {
      if (s.locked.get(token) !== e) return;
      this.stats.lock_expired++;
      this.release(e, 'lock expired');
    }, s.lockDurationMs);
    e.timer.unref();
    this.stats.renewed++;
    this.touch(s);
  }

  addConsumer(s, c) {
    s.consumers.push(c);
    this.touch(s);
    this.pump(s);
  }

  removeConsumer(s, c) {
    const i = s.consumers.indexOf(c);
    if (i >= 0) s.consumers.splice(i, 1);
    this.touch(s);
  }

  checkSize(msg) {
    return msg.body.length + propsSize(msg.props) <= this.o.maxMessageBytes;
  }

  /* ---------- AMQP side ---------- */

  startAmqp() {
    const c = rhea.create_container({ id: 'sbbroker', autoaccept: false });
    c.sasl_server_mechanisms.enable_anonymous();
    // PLAIN: user = key name, password = the key or a valid SAS token (what emulators accept)
    c.sasl_server_mechanisms.enable_plain((user, pass) => {
      const rule = this.rules.find((r) => r.name === user);
      if (rule && pass === rule.key) return true;
      const v = verifySas(pass, this.rules, this.nowSec());
      return v.ok && v.rule.name === user;
    });
    c.on('connection_open', (ctx) => {
      this.stats.amqp.connections++;
      ctx.connection.sb = { claims: [] };
    });
    c.on('receiver_open', (ctx) => this.onPeerSender(ctx));
    c.on('sender_open', (ctx) => this.onPeerReceiver(ctx));
    c.on('message', (ctx) => this.onAmqpMessage(ctx));
    c.on('sendable', (ctx) => this.onSendable(ctx));
    c.on('sender_draining', (ctx) => this.onDraining(ctx));
    c.on('accepted', (ctx) => this.onDisposition(ctx, 'complete'));
    c.on('released', (ctx) => this.onDisposition(ctx, 'abandon'));
    c.on('rejected', (ctx) => this.onDisposition(ctx, 'deadletter'));
    c.on('sender_close', (ctx) => this.onLinkGone(ctx.sender));
    c.on('receiver_close', () => {});
    c.on('connection_close', (ctx) => this.onConnectionGone(ctx.connection));
    c.on('disconnected', (ctx) => this.onConnectionGone(ctx.connection));
    c.on('error', (e) => this.log('amqp error', e && e.message));
    c.on('connection_error', () => {});
    c.on('session_error', () => {});
    c.on('sender_error', () => {});
    c.on('receiver_error', () => {});
    this.container = c;
    return new Promise((resolve, reject) => {
      const server = c.listen({ port: this.o.amqpPort, host: HOST });
      server.once('listening', () => resolve(server));
      server.once('error', reject);
      this.amqpServer = server;
    });
  }

  claimFor(conn, entityPath, right) {
    const now = this.nowSec();
    const claims = (conn.sb && conn.sb.claims) || [];
    return claims.some((cl) => cl.expiry > now && covers(cl.path, entityPath) && cl.rights.has(right));
  }

  refuse(link, condition, description) {
    this.log(`refuse link ${link.name}: ${condition} ${description}`);
    link.close({ condition, description });
  }

  /* The peer opened a sending link: $cbs, an entity's $management, or a topic. */
  onPeerSender(ctx) {
    const r = ctx.receiver;
    const target = r.remote.attach.target && r.remote.attach.target.address;
    r.sb = { kind: null };
    if (!target) return this.refuse(r, 'amqp:invalid-field', 'target address required');
    if (target === '$cbs') {
      r.set_target({ address: target });
      r.sb.kind = 'cbs';
      return;
    }
    if (/\/\$management$/i.test(target)) {
      r.set_target({ address: target });
      r.sb.kind = 'mgmt';
      r.sb.entity = target.slice(0, -'/$management'.length);
      return;
    }
    const t = this.topic(target);
    if (!t) return this.refuse(r, 'amqp:not-found', `The messaging entity '${target}' could not be found.`);
    if (!this.claimFor(r.connection, normPath(target), 'Send')) {
      this.stats.amqp.auth_failures++;
      return this.refuse(r, 'amqp:unauthorized-access', `Unauthorized access. 'Send' claim(s) are required to perform this operation on '${target}'.`);
    }
    r.set_target({ address: target });
    r.local.attach.max_message_size = this.o.maxMessageBytes;
    r.sb = { kind: 'topic', topic: t };
    r.add_credit(Math.max(0, 500 - r.credit));
  }

  /* The peer opened a receiving link: reply link of $cbs / $management, or a subscription. */
  onPeerReceiver(ctx) {
    const snd = ctx.sender;
    const source = snd.remote.attach.source && snd.remote.attach.source.address;
    snd.sb = { kind: null, pending: 0 };
    if (!source) return this.refuse(snd, 'amqp:invalid-field', 'source address required');
    if (source === '$cbs' || /\/\$management$/i.test(source)) {
      snd.set_source({ address: source });
      snd.sb.kind = 'reply';
      return;
    }
    const m = /^(.+)\/subscriptions\/([^/]+)$/i.exec(source);
    const t = m && this.topic(m[1]);
    const s = t && t.subs.get(m[2].toLowerCase());
    if (!s) return this.refuse(snd, 'amqp:not-found', `The messaging entity '${source}' could not be found.`);
    if (!this.claimFor(snd.connection, normPath(source), 'Listen')) {
      this.stats.amqp.auth_failures++;
      return this.refuse(snd, 'amqp:unauthorized-access', `Unauthorized access. 'Listen' claim(s) are required to perform this operation on '${source}'.`);
    }
    snd.set_source({ address: source });
    const settled = snd.remote.attach.snd_settle_mode === 1;
    snd.local.attach.snd_settle_mode = settled ? 1 : 0;
    snd.local.attach.rcv_settle_mode = snd.remote.attach.rcv_settle_mode || 0;
    const consumer = {
      kind: 'amqp', peekLock: !settled, link: snd, sub: s,
      wants: () => snd.is_open() && !snd.sb.closed && snd.credit - snd.sb.pending > 0 && snd.session.outgoing.available(),
      deliver: (e) => this.amqpDeliver(snd, e),
      gone: (why) => {
        snd.sb.closed = true;
        if (snd.is_open()) snd.close({ condition: 'amqp:not-found', description: `The messaging entity was deleted (${why}).` });
      },
    };
    snd.sb = { kind: 'sub', sub: s, consumer, pending: 0, deliveries: new Set() };
    this.addConsumer(s, consumer);
  }

  onSendable(ctx) {
    const snd = ctx.sender;
    if (snd.sb && snd.sb.kind === 'sub' && !snd.sb.sub.deleted) {
      this.touch(snd.sb.sub);
      this.pump(snd.sb.sub);
    }
  }

  onDraining(ctx) {
    const snd = ctx.sender;
    if (snd.sb && snd.sb.kind === 'sub') this.pump(snd.sb.sub);
    snd.set_drained(true);
    snd.connection._register();
  }

  amqpDeliver(snd, e) {
    const m = e.msg;
    const msg = {
      message_id: m.messageId,
      delivery_count: e.deliveries - 1, // AMQP: prior unsuccessful attempts (REST shows DeliveryCount = e.deliveries)
      application_properties: propsToAmqp(m.props),
      message_annotations: {
        'x-opt-sequence-number': rhea.types.wrap_long(m.seq),
        'x-opt-enqueued-time': rhea.types.wrap_timestamp(m.enqueuedAt.getTime()),
        'x-opt-enqueue-sequence-number': rhea.types.wrap_long(0),
      },
      body: m.bodyKind === 'value' ? m.value : rhea.message.data_section(m.body),
    };
    if (e.lockedUntil) msg.message_annotations['x-opt-locked-until'] = rhea.types.wrap_timestamp(e.lockedUntil.getTime());
    if (m.contentType) msg.content_type = m.contentType;
    if (m.correlationId !== undefined) msg.correlation_id = m.correlationId;
    if (m.label !== undefined) msg.subject = m.label;
    if (m.to !== undefined) msg.to = m.to;
    if (m.replyTo !== undefined) msg.reply_to = m.replyTo;
    if (m.sessionId !== undefined) msg.group_id = m.sessionId;
    if (Number.isFinite(m.ttlMs) && m.ttlMs <= 0xffffffff) msg.ttl = m.ttlMs;
    const tag = e.lockToken ? reorder(stringToUuid(e.lockToken)) : crypto.randomBytes(16);
    // rhea takes the credit only when it writes the transfer (in a nextTick it registers on send), so count what
    // was handed over in this tick; this nextTick, queued after rhea's, runs once the credit is up to date
    const d = snd.send(msg, tag);
    snd.sb.pending++;
    process.nextTick(() => { snd.sb.pending = 0; });
    d.sbEntry = e;
    if (e.lockToken) snd.sb.deliveries.add(d);
    else this.stats.completed++; // receive-and-delete
    this.stats.amqp.delivered++;
    this.touch(e.sub);
  }

  /* Disposition from the SDK on one of our deliveries (peek-lock, receiver settle mode second). */
  onDisposition(ctx, what) {
    const d = ctx.delivery;
    const e = d && d.sbEntry;
    if (!e || !ctx.sender || !ctx.sender.sb || ctx.sender.sb.kind !== 'sub') return;
    ctx.sender.sb.deliveries.delete(d);
    let outcome;
    if (e.lockToken && e.sub.locked.get(e.lockToken) === e && e.holder && e.holder.link === ctx.sender) {
      if (what === 'complete') this.complete(e);
      else if (what === 'abandon') this.release(e, 'abandoned');
      else { this.unlockEntry(e); this.stats.dead_lettered++; }
      outcome = (what === 'complete' ? rhea.message.accepted() : what === 'abandon' ? rhea.message.released() : rhea.message.rejected({})).described();
    } else {
      outcome = rhea.message.rejected({ error: { condition: 'com.microsoft:message-lock-lost', description: 'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.' } }).described();
    }
    // Settle explicitly (mode second: the client waits for us), then mark it remote-settled so rhea frees the
    // slot: otherwise the outgoing window fills after 2048 unsettled deliveries (docs/AZURE.md section 8, point 4).
    d.update(true, outcome);
    d.remote_settled = true;
    d.sbEntry = undefined;
  }

  onLinkGone(snd) {
    if (!snd.sb || snd.sb.kind !== 'sub' || snd.sb.closed === 'done') return;
    const s = snd.sb.sub;
    snd.sb.closed = 'done';
    this.removeConsumer(s, snd.sb.consumer);
    // locks held through this link are lost with it: the messages become available again
    for (const d of snd.sb.deliveries) {
      const e = d.sbEntry;
      if (e && e.lockToken && s.locked.get(e.lockToken) === e && e.holder === snd.sb.consumer) this.release(e, 'link closed');
    }
    snd.sb.deliveries.clear();
  }

  onConnectionGone(conn) {
    if (conn.sbGone) return;
    conn.sbGone = true;
    for (const s of this.allSubs()) {
      for (const c of [...s.consumers]) if (c.kind === 'amqp' && c.link.connection === conn) this.onLinkGone(c.link);
    }
  }

  *allSubs() {
    for (const t of this.topics.values()) yield* t.subs.values();
  }

  replyLink(conn, replyTo) {
    // the request/response client names its receiving link after its reply-to address
    return conn.find_sender((l) => l.name === replyTo) || null;
  }

  reply(ctx, request, status, description, body) {
    const conn = ctx.connection;
    const link = this.replyLink(conn, request.reply_to);
    if (!link) return this.log(`no reply link ${request.reply_to}`);
    const msg = {
      correlation_id: request.message_id,
      application_properties: { 'status-code': status, 'status-description': description, statusCode: status, statusDescription: description },
    };
    if (body !== undefined) msg.body = body;
    link.send(msg);
  }

  onAmqpMessage(ctx) {
    const r = ctx.receiver;
    const d = ctx.delivery;
    const kind = r.sb && r.sb.kind;
    if (kind === 'cbs') return this.onCbs(ctx);
    if (kind === 'mgmt') return this.onManagement(ctx);
    if (kind !== 'topic') return d.reject({ condition: 'amqp:not-allowed', description: 'unexpected message' });
    const t = r.sb.topic;
    if (!this.topic(t.name) || this.topic(t.name) !== t) {
      d.reject({ condition: 'amqp:not-found', description: `The messaging entity '${t.name}' could not be found.` });
      return;
    }
    if (!this.claimFor(r.connection, normPath(t.name), 'Send')) {
      this.stats.amqp.auth_failures++;
      d.reject({ condition: 'amqp:unauthorized-access', description: 'token expired or missing' });
      return;
    }
    let msgs;
    try {
      msgs = d.format === BATCH_FORMAT ? this.unbatch(ctx.message) : [this.fromAmqp(ctx.message)];
    } catch (e) {
      d.reject({ condition: 'amqp:decode-error', description: String(e.message) });
      return;
    }
    for (const m of msgs) {
      if (!this.checkSize(m)) {
        d.reject({ condition: 'amqp:link:message-size-exceeded', description: 'message too large' });
        return;
      }
    }
    for (const m of msgs) {
      this.stats.amqp.received++;
      this.schedule(t, m);
    }
    d.accept();
  }

  schedule(t, m) {
    const delay = m.scheduledAt ? m.scheduledAt.getTime() - Date.now() : 0;
    if (delay > 0) setTimeout(() => { if (this.topic(t.name) === t) this.publish(t, m); }, delay).unref();
    else this.publish(t, m);
  }

  unbatch(raw) {
    // rhea hands over the undecoded bytes for message formats other than 0
    const outer = Buffer.isBuffer(raw) ? rhea.message.decode(raw) : raw;
    const b = outer.body;
    const parts = b && b.typecode === 0x75 ? (b.multiple ? b.content : [b.content]) : [];
    return parts.map((buf) => this.fromAmqp(rhea.message.decode(buf)));
  }

  fromAmqp(am) {
    const m = { props: propsFromAmqp(am.application_properties), bodyKind: 'data', body: Buffer.alloc(0) };
    const b = am.body;
    if (b && b.typecode === 0x75) {
      m.body = b.multiple ? Buffer.concat(b.content) : Buffer.from(b.content);
    } else if (b && b.typecode === 0x76) {
      m.bodyKind = 'value';
      m.value = b;
      m.body = Buffer.from(JSON.stringify(b.content));
    } else if (b !== undefined && b !== null) {
      m.bodyKind = 'value';
      m.value = b;
      m.body = Buffer.isBuffer(b) ? b : Buffer.from(typeof b === 'string' ? b : JSON.stringify(b));
    }
    if (am.message_id !== undefined && am.message_id !== null) m.messageId = String(am.message_id);
    if (am.correlation_id !== undefined && am.correlation_id !== null) m.correlationId = String(am.correlation_id);
    if (am.subject !== undefined) m.label = am.subject;
    if (am.content_type !== undefined) m.contentType = String(am.content_type);
    if (am.to !== undefined) m.to = am.to;
    if (am.reply_to !== undefined) m.replyTo = am.reply_to;
    if (am.group_id !== undefined) m.sessionId = am.group_id;
    if (am.ttl !== undefined && am.ttl !== null) m.ttlMs = Number(am.ttl);
    const ann = am.message_annotations || {};
    const sched = ann['x-opt-scheduled-enqueue-time'];
    if (sched !== undefined && sched !== null) m.scheduledAt = new Date(sched);
    return m;
  }

  onCbs(ctx) {
    const req = ctx.message;
    ctx.delivery.accept();
    const ap = req.application_properties || {};
    if (ap.operation !== 'put-token') return this.reply(ctx, req, 400, `unsupported operation ${ap.operation}`);
    if (ap.type !== 'servicebus.windows.net:sastoken') {
      this.stats.amqp.auth_failures++;
      return this.reply(ctx, req, 401, `unsupported token type ${ap.type}`);
    }
    const v = verifySas(typeof req.body === 'string' ? req.body : String(req.body), this.rules, this.nowSec());
    let audiencePath = null;
    try {
      audiencePath = normPath(decodeURIComponent(new URL(String(ap.name)).pathname));
    } catch (e) {
      audiencePath = null;
    }
    let fail = v.ok ? null : v.reason;
    if (!fail && audiencePath === null) fail = 'audience is not a URI';
    if (!fail && this.o.scopeCheck && (v.path === null || !covers(v.path, audiencePath))) fail = 'token does not cover the audience';
    if (fail) {
      this.stats.amqp.auth_failures++;
      this.log(`CBS put-token refused: ${fail}`);
      return this.reply(ctx, req, 401, `InvalidSignature: ${fail}`);
    }
    ctx.connection.sb = ctx.connection.sb || { claims: [] };
    ctx.connection.sb.claims.push({ path: audiencePath, rights: v.rule.rights, expiry: v.expiry });
    this.reply(ctx, req, 202, 'Accepted');
  }

  /* <entity>/$management request/response: renew-lock and update-disposition; the rest is "not implemented". */
  onManagement(ctx) {
    const req = ctx.message;
    ctx.delivery.accept();
    const ap = req.application_properties || {};
    const entity = ctx.receiver.sb.entity;
    const m = /^(.+)\/subscriptions\/([^/]+)$/i.exec(entity);
    const t = m && this.topic(m[1]);
    const s = t && t.subs.get(m[2].toLowerCase());
    if (!s) return this.reply(ctx, req, 404, `The messaging entity '${entity}' could not be found.`);
    if (!this.claimFor(ctx.connection, normPath(entity), 'Listen')) {
      this.stats.amqp.auth_failures++;
      return this.reply(ctx, req, 401, 'Unauthorized');
    }
    const body = req.body || {};
    const tokens = (body['lock-tokens'] || []).map((b) => (Buffer.isBuffer(b) ? uuidToString(b) : String(b)));
    if (ap.operation === 'com.microsoft:renew-lock') {
      const expirations = [];
      for (const tok of tokens) {
        const e = this.findLock(s, tok);
        if (!e) return this.reply(ctx, req, 410, 'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.');
        this.renew(e);
        expirations.push(e.lockedUntil);
      }
      return this.reply(ctx, req, 200, 'OK', { expirations: rhea.types.wrap_array(expirations.map((x) => x.getTime()), 0x83) });
    }
    if (ap.operation === 'com.microsoft:update-disposition') {
      const status = body['disposition-status'];
      for (const tok of tokens) {
        const e = this.findLock(s, tok);
        if (!e) return this.reply(ctx, req, 410, 'The lock supplied is invalid.');
        if (status === 'completed') this.complete(e);
        else if (status === 'abandoned') this.release(e, 'abandoned');
        else if (status === 'suspended') { this.unlockEntry(e); this.stats.dead_lettered++; }
        else return this.reply(ctx, req, 501, `disposition ${status} not implemented`);
      }
      return this.reply(ctx, req, 200, 'OK', {});
    }
    return this.reply(ctx, req, 501, `operation ${ap.operation} not implemented by the test broker`);
  }

  /* ---------- HTTP side: REST data plane (section 4) and ATOM management (section 5) ---------- */

  startHttp() {
    const handler = (req, res) => this.onHttp(req, res).catch((e) => {
      this.log('http handler error', e && e.stack);
      if (!res.headersSent) this.httpError(res, 500, 'internal error');
      else res.destroy();
    });
    const servers = [];
    const listen = (srv, port) => new Promise((resolve, reject) => {
      srv.keepAliveTimeout = 120000; // a REST client keeps connections between long polls
      srv.headersTimeout = 125000;
      srv.requestTimeout = 0;
      srv.once('error', reject);
      srv.listen(port, HOST, () => resolve(srv.address().port));
      servers.push(srv);
    });
    const out = {};
    const jobs = [];
    if (this.o.httpPort >= 0) jobs.push(listen(http.createServer(handler), this.o.httpPort).then((p) => { out.http = p; }));
    if (this.o.cert && this.o.key) {
      const srv = https.createServer({ cert: fs.readFileSync(this.o.cert), key: fs.readFileSync(this.o.key) }, handler);
      jobs.push(listen(srv, this.o.httpsPort).then((p) => { out.https = p; }));
    }
    this.httpServers = servers;
    return Promise.all(jobs).then(() => out);
  }

  httpError(res, status, detail, extraHeaders) {
    const body = `<Error><Code>${status}</Code><Detail>${xmlEscape(detail)} TrackingId:${crypto.randomUUID()}, SystemTracker:sbbroker, Timestamp:${new Date().toISOString()}</Detail></Error>`;
    res.writeHead(status, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...(extraHeaders || {}) });
    res.end(body);
  }

  readBody(req, limit) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      let n = 0, over = false;
      req.on('data', (c) => {
        n += c.length;
        if (n > limit) over = true;
        else chunks.push(c);
      });
      req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  auth(req, res, entityPath, right) {
    const v = verifySas(req.headers.authorization, this.rules, this.nowSec());
    let fail = v.ok ? null : v.reason;
    if (!fail && this.o.scopeCheck && (v.path === null || !covers(v.path, entityPath))) fail = 'token does not cover this resource';
    if (!fail && !v.rule.rights.has(right)) fail = `'${right}' claim(s) are required`;
    if (fail) {
      this.stats.http.auth_failures++;
      this.log(`401 ${req.method} ${req.url}: ${fail}`);
      this.httpError(res, 401, `InvalidSignature: ${fail}. To know more visit https://aka.ms/sbResourceMgrExceptions.`);
      return false;
    }
    return true;
  }

  async onHttp(req, res) {
    this.stats.http.requests++;
    const url = new URL(req.url, 'http://x');
    this.log(req.method, req.url);
    if (url.pathname === '/$broker/faults') return this.faultsEndpoint(req, res);
    const fault = this.takeFault(req, url);
    if (fault && !fault.after) {
      this.stats.faults_injected++;
      req.resume();
      if (fault.reset) return req.socket.destroy();
      const extra = fault.retryAfter ? { 'Retry-After': String(fault.retryAfter) } : undefined;
      return this.httpError(res, fault.status || 500, `injected fault ${fault.status || 500}`, extra);
    }
    if (fault && fault.after) { /* the request is done, its answer lost */
      this.stats.faults_injected++;
      res.writeHead = () => res;
      res.end = () => { req.socket.destroy(); return res; };
    }
    if (url.pathname === '/$broker/stats' && req.method === 'GET') {
      const body = JSON.stringify(this.statsSnapshot());
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      return res.end(body);
    }
    let segs;
    try {
      segs = url.pathname.split('/').filter((x) => x !== '').map(decodeURIComponent);
    } catch (e) {
      return this.httpError(res, 400, 'bad path encoding');
    }
    const lower = segs.map((x) => x.toLowerCase());
    const subsAt = lower[1] === 'subscriptions';
    // data plane
    if (segs.length === 2 && lower[1] === 'messages') {
      if (req.method !== 'POST') return this.httpError(res, 405, 'method not allowed');
      return this.restSend(req, res, segs[0]);
    }
    if (segs.length === 5 && subsAt && lower[3] === 'messages' && lower[4] === 'head') {
      if (req.method === 'POST') return this.restReceive(req, res, url, segs[0], segs[2], true);
      if (req.method === 'DELETE') return this.restReceive(req, res, url, segs[0], segs[2], false);
      return this.httpError(res, 405, 'method not allowed');
    }
    if (segs.length === 6 && subsAt && lower[3] === 'messages') {
      return this.restSettle(req, res, segs[0], segs[2], segs[5]);
    }
    // management
    if (segs.length === 2 && lower[0] === '$resources' && lower[1] === 'topics' && req.method === 'GET') {
      if (!this.auth(req, res, '', 'Manage')) return;
      return this.sendAtom(res, 200, this.feed(req, [...this.topics.values()].map((t) => this.topicEntry(req, t)), '$Resources/Topics'));
    }
    if (segs.length === 1) return this.atomTopic(req, res, segs[0]);
    if (segs.length === 2 && subsAt && req.method === 'GET') {
      if (!this.auth(req, res, normPath(`${segs[0]}/subscriptions`), 'Manage')) return;
      const t = this.topic(segs[0]);
      const entries = t ? [...t.subs.values()].map((s) => this.subEntry(req, s)) : [];
      return this.sendAtom(res, 200, this.feed(req, entries, `${segs[0]}/Subscriptions`));
    }
    if (segs.length === 3 && subsAt) return this.atomSub(req, res, segs[0], segs[2]);
    if (req.method === 'GET') {
      if (!this.auth(req, res, normPath(segs.join('/')), 'Manage')) return;
      return this.sendAtom(res, 200, this.feed(req, [], segs.join('/')));
    }
    return this.httpError(res, 404, `No resource at ${url.pathname}.`);
  }

  /* Which REST operation a request is, for fault injection. */
  static restOp(req, url) {
    const segs = url.pathname.split('/').filter((x) => x !== '');
    const lower = segs.map((x) => x.toLowerCase());
    if (lower[0] === '$broker') return null;
    if (segs.length === 2 && lower[1] === 'messages') return 'send';
    if (segs.length === 5 && lower[1] === 'subscriptions' && lower[4] === 'head') return 'receive';
    if (segs.length === 6 && lower[1] === 'subscriptions' && lower[3] === 'messages') {
      return req.method === 'DELETE' ? 'complete' : req.method === 'PUT' ? 'unlock' : 'renew';
    }
    return 'admin';
  }

  takeFault(req, url) {
    const op = Broker.restOp(req, url);
    if (!op) return null;
    const f = this.faults.find((x) => x.count > 0 && (x.op === op || x.op === 'any'));
    if (!f) return null;
    f.count--;
    return f;
  }

  async faultsEndpoint(req, res) {
    if (req.method === 'DELETE') {
      this.faults = [];
      res.writeHead(200);
      return res.end();
    }
    if (req.method !== 'POST') return this.httpError(res, 405, 'method not allowed');
    const body = await this.readBody(req, 65536);
    let list;
    try {
      list = JSON.parse(String(body));
      if (!Array.isArray(list)) throw new Error('not an array');
    } catch (e) {
      return this.httpError(res, 400, `faults: ${e.message}`);
    }
    for (const f of list) this.faults.push({ op: String(f.op || 'any'), count: Number(f.count || 1), status: f.status,
      retryAfter: f.retryAfter, reset: !!f.reset, after: !!f.after });
    res.writeHead(200);
    return res.end();
  }

  /* POST /{topic}/messages */
  async restSend(req, res, topicName) {
    if (!this.auth(req, res, normPath(topicName), 'Send')) return;
    const body = await this.readBody(req, this.o.maxMessageBytes);
    if (body === null) return this.httpError(res, 403, `The message size exceeds the limit of ${this.o.maxMessageBytes} bytes. SubCode=40300.`);
    const t = this.topic(topicName);
    if (!t) return this.httpError(res, 410, `The messaging entity '${topicName}' does not exist.`);
    const m = { props: [], bodyKind: 'data', body };
    if (req.headers['content-type'] !== undefined) m.contentType = req.headers['content-type'];
    const bp = req.headers.brokerproperties;
    if (bp !== undefined) {
      let o;
      try {
        o = JSON.parse(bp);
      } catch (e) {
        this.stats.bad_requests++;
        return this.httpError(res, 400, 'BrokerProperties is not valid JSON.');
      }
      if (o === null || typeof o !== 'object' || Array.isArray(o)) return this.httpError(res, 400, 'BrokerProperties must be a JSON object.');
      if (o.MessageId !== undefined) m.messageId = String(o.MessageId);
      if (o.Label !== undefined) m.label = String(o.Label);
      if (o.CorrelationId !== undefined) m.correlationId = String(o.CorrelationId);
      if (o.SessionId !== undefined) m.sessionId = String(o.SessionId);
      if (o.To !== undefined) m.to = String(o.To);
      if (o.ReplyTo !== undefined) m.replyTo = String(o.ReplyTo);
      if (o.TimeToLive !== undefined) {
        if (typeof o.TimeToLive !== 'number' || !(o.TimeToLive > 0)) return this.httpError(res, 400, 'TimeToLive must be a positive number of seconds.');
        m.ttlMs = o.TimeToLive * 1000;
      }
      if (o.ScheduledEnqueueTimeUtc !== undefined) {
        const d = new Date(o.ScheduledEnqueueTimeUtc);
        if (isNaN(d.getTime())) return this.httpError(res, 400, 'bad ScheduledEnqueueTimeUtc');
        m.scheduledAt = d;
      }
    }
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i];
      if (STANDARD_HEADERS.has(name.toLowerCase()) || /^x-ms-/i.test(name)) continue;
      const v = parseCustomValue(raw[i + 1]);
      if (!v) {
        this.stats.bad_requests++;
        return this.httpError(res, 400, `The value of custom property '${name}' is not valid: strings must be quoted.`);
      }
      const pname = this.o.lowercaseProps ? name.toLowerCase() : name;
      const prev = m.props.findIndex((p) => p.name === pname);
      if (prev >= 0) m.props.splice(prev, 1);
      m.props.push({ name: pname, ...v });
    }
    if (!this.checkSize(m)) return this.httpError(res, 403, `The message size exceeds the limit of ${this.o.maxMessageBytes} bytes. SubCode=40300.`);
    this.stats.http.received++;
    this.schedule(t, m);
    res.writeHead(201, { 'Content-Length': 0 });
    res.end();
  }

  /* POST (peek-lock) or DELETE (receive-and-delete) /{topic}/subscriptions/{sub}/messages/head?timeout=N */
  restReceive(req, res, url, topicName, subName, peekLock) {
    const path = normPath(`${topicName}/subscriptions/${subName}`);
    if (!this.auth(req, res, path, 'Listen')) return;
    req.resume();
    const t = this.topic(topicName);
    const s = t && t.subs.get(subName.toLowerCase());
    if (!s) return this.httpError(res, 410, `The messaging entity '${topicName}/Subscriptions/${subName}' does not exist.`);
    const tq = url.searchParams.get('timeout');
    let timeout = 60;
    if (tq !== null) {
      if (!/^\d+$/.test(tq)) return this.httpError(res, 400, 'timeout must be a number of seconds');
      timeout = Math.min(Number(tq), 600);
    }
    let done = false, timer = null;
    const finish = () => {
      done = true;
      clearTimeout(timer);
      this.removeConsumer(s, consumer);
    };
    const consumer = {
      kind: 'rest', peekLock,
      wants: () => !done && !res.destroyed && !req.socket.destroyed,
      deliver: (e) => {
        finish();
        this.restWriteMessage(req, res, e, peekLock);
      },
      gone: () => {
        if (done) return;
        finish();
        this.httpError(res, 410, `The messaging entity '${topicName}/Subscriptions/${subName}' was deleted.`);
      },
    };
    res.on('close', () => { if (!done) finish(); });
    timer = setTimeout(() => {
      if (done) return;
      finish();
      res.writeHead(204, { 'Content-Length': 0 });
      res.end();
    }, timeout * 1000);
    this.addConsumer(s, consumer);
  }

  restWriteMessage(req, res, e, peekLock) {
    const m = e.msg;
    const bp = {
      DeliveryCount: e.deliveries,
      EnqueuedSequenceNumber: 0,
      EnqueuedTimeUtc: m.enqueuedAt.toUTCString(),
      SequenceNumber: m.seq,
      State: 'Active',
      TimeToLive: Number.isFinite(m.ttlMs) ? m.ttlMs / 1000 : DEFAULT_TTL_SECONDS,
      MessageId: m.messageId,
    };
    if (peekLock) {
      bp.LockToken = e.lockToken;
      bp.LockedUntilUtc = e.lockedUntil.toUTCString();
    }
    if (m.label !== undefined) bp.Label = m.label;
    if (m.correlationId !== undefined) bp.CorrelationId = m.correlationId;
    if (m.sessionId !== undefined) bp.SessionId = m.sessionId;
    if (m.to !== undefined) bp.To = m.to;
    if (m.replyTo !== undefined) bp.ReplyTo = m.replyTo;
    const headers = [
      ['Content-Type', m.contentType || 'application/octet-stream'],
      ['BrokerProperties', JSON.stringify(bp)],
    ];
    if (!this.o.chunked) headers.push(['Content-Length', String(m.body.length)]);
    if (peekLock) {
      const proto = req.socket.encrypted ? 'https' : 'http';
      const s = e.sub;
      headers.push(['Location', `${proto}://${req.headers.host}/${encodeURIComponent(s.topic.name)}/subscriptions/${encodeURIComponent(s.name)}/messages/${m.seq}/${e.lockToken}`]);
    }
    for (const p of m.props) {
      const v = formatCustomValue(p);
      if (v !== null && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(p.name)) headers.push([p.name, v]);
    }
    const flat = [];
    for (const [k, v] of headers) flat.push(k, v);
    res.writeHead(peekLock ? 201 : 200, flat);
    if (this.o.chunked && m.body.length > 1) {
      res.write(m.body.subarray(0, m.body.length >> 1));
      res.end(m.body.subarray(m.body.length >> 1));
    } else {
      res.end(m.body);
    }
    if (!peekLock) this.stats.completed++;
    this.stats.http.delivered++;
  }

  /* DELETE (complete) / PUT (unlock) / POST (renew) on the lock URI. */
  restSettle(req, res, topicName, subName, lockToken) {
    const path = normPath(`${topicName}/subscriptions/${subName}`);
    if (!this.auth(req, res, path, 'Listen')) return;
    req.resume();
    const t = this.topic(topicName);
    const s = t && t.subs.get(subName.toLowerCase());
    if (!s) return this.httpError(res, 410, `The messaging entity '${topicName}/Subscriptions/${subName}' does not exist.`);
    const e = this.findLock(s, lockToken);
    if (!e) return this.httpError(res, 404, 'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.');
    if (req.method === 'DELETE') this.complete(e);
    else if (req.method === 'PUT') this.release(e, 'abandoned');
    else if (req.method === 'POST') {
      this.renew(e);
      res.writeHead(200, { 'Content-Length': 0, BrokerProperties: JSON.stringify({ LockedUntilUtc: e.lockedUntil.toUTCString() }) });
      return res.end();
    } else return this.httpError(res, 405, 'method not allowed');
    res.writeHead(200, { 'Content-Length': 0 });
    res.end();
  }

  /* ATOM: /{topic} */
  async atomTopic(req, res, name) {
    if (!this.auth(req, res, normPath(name), 'Manage')) return;
    const body = await this.readBody(req, 1 << 20);
    const t = this.topic(name);
    if (req.method === 'GET') {
      if (!t) return this.sendAtom(res, 200, this.feed(req, [], name)); // what the service answers for an unknown path
      return this.sendAtom(res, 200, this.topicEntry(req, t, true));
    }
    if (req.method === 'PUT') {
      if (!validName(name, 260)) return this.httpError(res, 400, `Invalid topic name '${name}'.`);
      const desc = parseDescription(body, 'TopicDescription');
      if (!desc) return this.httpError(res, 400, 'The request body is not a TopicDescription entry.');
      for (const k of ['DefaultMessageTimeToLive', 'AutoDeleteOnIdle', 'DuplicateDetectionHistoryTimeWindow'])
        if (desc[k] !== undefined && parseDuration(desc[k]) === undefined) return this.httpError(res, 400, `bad ${k}`);
      if (t) {
        if (req.headers['if-match'] !== '*') return this.httpError(res, 409, `The messaging entity 'sbbroker:Topic:${name}' already exists.`);
        this.applyTopicDesc(t, desc); // update in place: links and subscriptions keep pointing at it
        t.updated = new Date();
        return this.sendAtom(res, 201, this.topicEntry(req, t, true));
      }
      return this.sendAtom(res, 201, this.topicEntry(req, this.createTopic(name, desc), true));
    }
    if (req.method === 'DELETE') {
      if (!t) return this.httpError(res, 404, `The messaging entity '${name}' could not be found.`);
      this.deleteTopic(t);
      res.writeHead(200, { 'Content-Length': 0 });
      return res.end();
    }
    return this.httpError(res, 405, 'method not allowed');
  }

  /* ATOM: /{topic}/Subscriptions/{sub} */
  async atomSub(req, res, topicName, subName) {
    const path = normPath(`${topicName}/subscriptions/${subName}`);
    if (!this.auth(req, res, path, 'Manage')) return;
    const body = await this.readBody(req, 1 << 20);
    const t = this.topic(topicName);
    const s = t && t.subs.get(subName.toLowerCase());
    if (req.method === 'GET') {
      if (!s) return this.sendAtom(res, 200, this.feed(req, [], `${topicName}/Subscriptions/${subName}`));
      return this.sendAtom(res, 200, this.subEntry(req, s, true));
    }
    if (req.method === 'PUT') {
      if (!validName(subName, 50)) return this.httpError(res, 400, `Invalid subscription name '${subName}'.`);
      const desc = parseDescription(body, 'SubscriptionDescription');
      if (!desc) return this.httpError(res, 400, 'The request body is not a SubscriptionDescription entry.');
      let filter = null;
      try {
        filter = parseDefaultRule(body);
      } catch (e) {
        return this.httpError(res, 400, `DefaultRuleDescription: ${e.message}`);
      }
      if (desc.LockDuration !== undefined && parseDuration(desc.LockDuration) === undefined) return this.httpError(res, 400, 'bad LockDuration');
      if (desc.AutoDeleteOnIdle !== undefined && parseDuration(desc.AutoDeleteOnIdle) === undefined) return this.httpError(res, 400, 'bad AutoDeleteOnIdle');
      if (!t) return this.httpError(res, 404, `The messaging entity '${topicName}' could not be found.`);
      if (s) {
        if (req.headers['if-match'] !== '*') return this.httpError(res, 409, `The messaging entity 'sbbroker:Topic:${topicName}|${subName}' already exists.`);
        this.applySubDesc(s, desc);
        s.updated = new Date();
        this.touch(s);
        return this.sendAtom(res, 201, this.subEntry(req, s, true));
      }
      return this.sendAtom(res, 201, this.subEntry(req, this.createSub(t, subName, desc, filter), true));
    }
    if (req.method === 'DELETE') {
      if (!s) return this.httpError(res, 404, `The messaging entity '${topicName}/Subscriptions/${subName}' could not be found.`);
      this.deleteSub(s, 'deleted through the management API');
      res.writeHead(200, { 'Content-Length': 0 });
      return res.end();
    }
    return this.httpError(res, 405, 'method not allowed');
  }

  sendAtom(res, status, xml) {
    const body = '<?xml version="1.0" encoding="utf-8"?>' + xml;
    const h = { 'Content-Type': 'application/atom+xml;type=entry;charset=utf-8' };
    if (this.o.chunked) {
      res.writeHead(status, h); // no length: node:http sends it chunked
      const cut = body.length >> 1;
      res.write(body.slice(0, cut));
      res.end(body.slice(cut));
      return;
    }
    h['Content-Length'] = Buffer.byteLength(body);
    res.writeHead(status, h);
    res.end(body);
  }

  base(req) {
    return `https://${req.headers.host || HOST}`; // entity ids name https, as the service does
  }

  feed(req, entries, path) {
    const now = new Date().toISOString();
    return `<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">${xmlEscape(path)}</title><id>${this.base(req)}/${xmlEscape(path)}?api-version=2021-05</id><updated>${now}</updated>${entries.join('')}</feed>`;
  }

  entry(req, path, title, t0, t1, contentXml, standalone) {
    const id = `${this.base(req)}/${path}?api-version=2021-05`;
    const ns = standalone ? ' xmlns="http://www.w3.org/2005/Atom"' : '';
    return `<entry${ns}><id>${xmlEscape(id)}</id><title type="text">${xmlEscape(title)}</title><published>${t0.toISOString()}</published><updated>${t1.toISOString()}</updated><author><name>sbbroker</name></author><link rel="self" href="${xmlEscape(id)}"/><content type="application/xml">${contentXml}</content></entry>`;
  }

  countDetails(active) {
    return `<CountDetails xmlns:d2p1="${COUNTS_NS}"><d2p1:ActiveMessageCount>${active}</d2p1:ActiveMessageCount><d2p1:DeadLetterMessageCount>0</d2p1:DeadLetterMessageCount><d2p1:ScheduledMessageCount>0</d2p1:ScheduledMessageCount><d2p1:TransferMessageCount>0</d2p1:TransferMessageCount><d2p1:TransferDeadLetterMessageCount>0</d2p1:TransferDeadLetterMessageCount></CountDetails>`;
  }

  topicEntry(req, t, standalone) {
    const subs = t.subs.size;
    const d = `<TopicDescription xmlns="${SB_NS}" xmlns:i="${XSI_NS}">` +
      `<DefaultMessageTimeToLive>${formatDuration(t.defaultTtlMs)}</DefaultMessageTimeToLive>` +
      `<MaxSizeInMegabytes>${t.maxSizeMb}</MaxSizeInMegabytes>` +
      `<RequiresDuplicateDetection>${t.requiresDuplicateDetection}</RequiresDuplicateDetection>` +
      `<DuplicateDetectionHistoryTimeWindow>${formatDuration(t.duplicateWindowMs)}</DuplicateDetectionHistoryTimeWindow>` +
      `<EnableBatchedOperations>${t.enableBatchedOperations}</EnableBatchedOperations>` +
      `<SizeInBytes>0</SizeInBytes><FilteringMessagesBeforePublishing>false</FilteringMessagesBeforePublishing>` +
      `<IsAnonymousAccessible>false</IsAnonymousAccessible><AuthorizationRules/>` +
      `<Status>${t.status}</Status>` +
      (t.userMetadata !== undefined ? `<UserMetadata>${xmlEscape(t.userMetadata)}</UserMetadata>` : '') +
      `<CreatedAt>${t.created.toISOString()}</CreatedAt><UpdatedAt>${t.updated.toISOString()}</UpdatedAt><AccessedAt>${t.accessed.toISOString()}</AccessedAt>` +
      `<SupportOrdering>${t.supportOrdering}</SupportOrdering>` + this.countDetails(0) +
      `<SubscriptionCount>${subs}</SubscriptionCount>` +
      `<AutoDeleteOnIdle>${formatDuration(t.autoDeleteMs)}</AutoDeleteOnIdle>` +
      `<EnablePartitioning>${t.enablePartitioning}</EnablePartitioning>` +
      `<EntityAvailabilityStatus>Available</EntityAvailabilityStatus>` +
      `<EnableSubscriptionPartitioning>false</EnableSubscriptionPartitioning>` +
      `<EnableExpress>${t.enableExpress}</EnableExpress>` +
      `<MaxMessageSizeInKilobytes>${t.maxMessageSizeKb}</MaxMessageSizeInKilobytes>` +
      `</TopicDescription>`;
    return this.entry(req, encodeURIComponent(t.name), t.name, t.created, t.updated, d, standalone);
  }

  subEntry(req, s, standalone) {
    const count = s.ready.length + s.locked.size;
    const d = `<SubscriptionDescription xmlns="${SB_NS}" xmlns:i="${XSI_NS}">` +
      `<LockDuration>${formatDuration(s.lockDurationMs)}</LockDuration>` +
      `<RequiresSession>${s.requiresSession}</RequiresSession>` +
      `<DefaultMessageTimeToLive>${formatDuration(s.defaultTtlMs)}</DefaultMessageTimeToLive>` +
      `<DeadLetteringOnMessageExpiration>${s.deadLetteringOnExpiration}</DeadLetteringOnMessageExpiration>` +
      `<DeadLetteringOnFilterEvaluationExceptions>${s.deadLetteringOnFilterExceptions}</DeadLetteringOnFilterEvaluationExceptions>` +
      `<MessageCount>${count}</MessageCount>` +
      `<MaxDeliveryCount>${s.maxDeliveryCount}</MaxDeliveryCount>` +
      `<EnableBatchedOperations>${s.enableBatchedOperations}</EnableBatchedOperations>` +
      `<Status>${s.status}</Status>` +
      (s.forwardTo !== undefined ? `<ForwardTo>${xmlEscape(s.forwardTo)}</ForwardTo>` : '') +
      `<CreatedAt>${s.created.toISOString()}</CreatedAt><UpdatedAt>${s.updated.toISOString()}</UpdatedAt><AccessedAt>${s.accessed.toISOString()}</AccessedAt>` +
      this.countDetails(s.ready.length) +
      (s.userMetadata !== undefined ? `<UserMetadata>${xmlEscape(s.userMetadata)}</UserMetadata>` : '') +
      (s.forwardDlqTo !== undefined ? `<ForwardDeadLetteredMessagesTo>${xmlEscape(s.forwardDlqTo)}</ForwardDeadLetteredMessagesTo>` : '') +
      `<AutoDeleteOnIdle>${formatDuration(s.autoDeleteMs)}</AutoDeleteOnIdle>` +
      `<EntityAvailabilityStatus>Available</EntityAvailabilityStatus>` +
      `</SubscriptionDescription>`;
    return this.entry(req, `${encodeURIComponent(s.topic.name)}/Subscriptions/${encodeURIComponent(s.name)}`, s.name, s.created, s.updated, d, standalone);
  }

  statsSnapshot() {
    const topics = {};
    for (const t of this.topics.values()) {
      topics[t.name] = {};
      for (const s of t.subs.values()) topics[t.name][s.name] = { ready: s.ready.length, locked: s.locked.size, consumers: s.consumers.length };
    }
    return { ...this.stats, topics };
  }

  async start() {
    const amqp = await this.startAmqp();
    const h = await this.startHttp();
    this.ports = { amqp: amqp.address().port, http: h.http || 0, https: h.https || 0 };
    return this.ports;
  }

  stop() {
    for (const s of this.allSubs()) clearTimeout(s.idleTimer);
    if (this.amqpServer) this.amqpServer.close();
    for (const srv of this.httpServers || []) {
      srv.close();
      if (srv.closeAllConnections) srv.closeAllConnections();
    }
  }
}

const STANDARD_HEADERS = new Set([
  'authorization', 'content-type', 'content-length', 'brokerproperties', 'host', 'connection', 'keep-alive',
  'user-agent', 'accept', 'accept-encoding', 'accept-language', 'accept-charset', 'transfer-encoding', 'expect',
  'te', 'trailer', 'upgrade', 'date', 'cache-control', 'pragma', 'proxy-connection', 'proxy-authorization',
  'content-encoding', 'content-md5', 'if-match', 'if-none-match', 'referer', 'origin', 'cookie', 'via',
]);

function validName(n, max) {
  return typeof n === 'string' && n.length > 0 && n.length <= max && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(n) && !/[.]$/.test(n);
}

function xmlEscape(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function xmlUnescape(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/* ---------- subscription rules: the $Default rule given at creation (DefaultRuleDescription) ----------
   A SqlFilter (or TrueFilter / FalseFilter) in the subset the cluster needs: property references (bare names and
   user.<name> are application properties, matched by exact name, then case-insensitively; sys.<name> is never
   set here), 'string' literals ('' escapes a quote), numbers, TRUE, FALSE, NULL; = <> != < > <= >=; IS [NOT] NULL;
   NOT, AND, OR; parentheses. SQL three-valued logic: a comparison with a missing property is unknown (null), and
   only TRUE lets a message in. Returns a function msg -> true/false/null, or null when the body has no rule;
   throws on a filter it cannot read (the PUT then gets 400). */
function parseDefaultRule(buf) {
  const text = buf ? buf.toString('utf8') : '';
  const rule = /<(?:\w+:)?DefaultRuleDescription\b[^>]*>([\s\S]*?)<\/(?:\w+:)?DefaultRuleDescription>/.exec(text);
  if (!rule) return null;
  const f = /<(?:\w+:)?Filter\b([^>]*?)(\/?)>/.exec(rule[1]);
  const type = f && /(?:\w+:)?type="(?:\w+:)?(\w+)"/.exec(f[1]);
  if (!type) throw new Error('no Filter type');
  if (type[1] === 'TrueFilter') return null;
  if (type[1] === 'FalseFilter') return () => false;
  if (type[1] !== 'SqlFilter') throw new Error(`${type[1]} is not implemented`);
  const expr = /<(?:\w+:)?SqlExpression>([^<]*)<\/(?:\w+:)?SqlExpression>/.exec(rule[1]);
  if (!expr) throw new Error('no SqlExpression');
  return compileSqlFilter(xmlUnescape(expr[1]));
}

function compileSqlFilter(sql) {
  const toks = [];
  const re = /\s*(?:('(?:[^']|'')*')|(\d+(?:\.\d+)?)|(<>|!=|<=|>=|=|<|>|\(|\))|([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)?|\[[^\]]+\]))/y;
  let pos = 0;
  while (pos < sql.length) {
    if (/^\s*$/.test(sql.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(sql);
    if (!m) throw new Error(`cannot read the filter at ${pos}: ${sql.slice(pos, pos + 20)}`);
    pos = re.lastIndex;
    if (m[1] !== undefined) toks.push({ k: 'lit', v: m[1].slice(1, -1).replace(/''/g, "'") });
    else if (m[2] !== undefined) toks.push({ k: 'lit', v: Number(m[2]) });
    else if (m[3] !== undefined) toks.push({ k: 'op', v: m[3] });
    else {
      const w = m[4].toUpperCase();
      if (['AND', 'OR', 'NOT', 'IS', 'NULL', 'TRUE', 'FALSE'].includes(w)) toks.push({ k: 'kw', v: w });
      else toks.push({ k: 'id', v: m[4].replace(/^\[|\]$/g, '') });
    }
  }
  let i = 0;
  const peek = (k, v) => toks[i] && toks[i].k === k && (v === undefined || toks[i].v === v);
  const take = (k, v) => {
    if (!peek(k, v)) throw new Error(`expected ${v || k} at token ${i}`);
    return toks[i++];
  };
  const and3 = (a, b) => (a === false || b === false ? false : a === null || b === null ? null : true);
  const or3 = (a, b) => (a === true || b === true ? true : a === null || b === null ? null : false);
  const prop = (name) => (msg) => {
    let n = name;
    if (/^sys\./i.test(n)) return null;
    n = n.replace(/^user\./i, '');
    const p = msg.props.find((x) => x.name === n) || msg.props.find((x) => x.name.toLowerCase() === n.toLowerCase());
    return p ? p.value : null;
  };
  const operand = () => {
    if (peek('lit')) { const v = toks[i++].v; return () => v; }
    if (peek('kw', 'TRUE')) { i++; return () => true; }
    if (peek('kw', 'FALSE')) { i++; return () => false; }
    if (peek('kw', 'NULL')) { i++; return () => null; }
    return prop(take('id').v);
  };
  const cmp = { '=': (a, b) => a === b, '<>': (a, b) => a !== b, '!=': (a, b) => a !== b, '<': (a, b) => a < b,
    '>': (a, b) => a > b, '<=': (a, b) => a <= b, '>=': (a, b) => a >= b };
  let orExpr;
  const pred = () => {
    if (peek('op', '(')) {
      i++;
      const e = orExpr();
      take('op', ')');
      return e;
    }
    const a = operand();
    if (peek('kw', 'IS')) {
      i++;
      const not = peek('kw', 'NOT') ? (i++, true) : false;
      take('kw', 'NULL');
      return (msg) => (a(msg) === null) !== not;
    }
    if (peek('op') && cmp[toks[i].v]) {
      const f = cmp[toks[i++].v];
      const b = operand();
      return (msg) => {
        const x = a(msg), y = b(msg);
        if (x === null || y === null) return null;
        if (typeof x !== typeof y) return false;
        return f(x, y);
      };
    }
    return (msg) => { const v = a(msg); return v === null ? null : v === true; };
  };
  const notExpr = () => {
    if (peek('kw', 'NOT')) {
      i++;
      const e = notExpr();
      return (msg) => { const v = e(msg); return v === null ? null : !v; };
    }
    return pred();
  };
  const andExpr = () => {
    let e = notExpr();
    while (peek('kw', 'AND')) { i++; const a = e, b = notExpr(); e = (msg) => and3(a(msg), b(msg)); }
    return e;
  };
  orExpr = () => {
    let e = andExpr();
    while (peek('kw', 'OR')) { i++; const a = e, b = andExpr(); e = (msg) => or3(a(msg), b(msg)); }
    return e;
  };
  const e = orExpr();
  if (i !== toks.length) throw new Error(`unexpected token ${i}`);
  return e;
}

/* The children of <TopicDescription>/<SubscriptionDescription> in an ATOM entry as {name: text}, or null when the
   body is not such an entry. An empty body counts as an empty description. */
function parseDescription(buf, element) {
  const text = buf ? buf.toString('utf8') : '';
  if (text.trim() === '') return {};
  const open = new RegExp(`<(?:\\w+:)?${element}\\b[^>]*?(/?)>`).exec(text);
  if (!open) return null;
  if (open[1] === '/') return {};
  const rest = text.slice(open.index + open[0].length);
  const close = new RegExp(`</(?:\\w+:)?${element}>`).exec(rest);
  if (!close) return null;
  const inner = rest.slice(0, close.index);
  const out = {};
  const re = /<(?:\w+:)?(\w+)(?:\s[^>]*)?(?:\/>|>([^<]*)<\/(?:\w+:)?\1>)/g;
  let m;
  while ((m = re.exec(inner)) !== null) out[m[1]] = m[2] === undefined ? '' : xmlUnescape(m[2]);
  return out;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`sbbroker: ${e.message}`);
    process.exit(2);
  }
  const b = new Broker(opts);
  const ports = await b.start();
  const stop = (code) => {
    b.stop();
    process.exit(code);
  };
  // a bug triggered by one odd request should not take down every test using the broker: log it and count it
  process.on('uncaughtException', (e) => {
    b.stats.internal_errors = (b.stats.internal_errors || 0) + 1;
    console.error('sbbroker: internal error:', e && e.stack);
  });
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  if (opts.watchStdin) {
    process.stdin.on('end', () => stop(0));
    process.stdin.on('close', () => stop(0));
    process.stdin.resume();
  }
  setTimeout(() => {
    console.error(`sbbroker: maximum lifetime of ${opts.maxSeconds} s reached`);
    stop(0);
  }, opts.maxSeconds * 1000).unref();
  // keep the process alive on its own (servers are listening)
  process.stdout.write(`SBBROKER_READY amqp=${ports.amqp} http=${ports.http} https=${ports.https}\n`);
}

module.exports = { Broker, parseArgs, verifySas, parseCustomValue, formatCustomValue, parseDuration, formatDuration, parseDescription,
  parseDefaultRule, compileSqlFilter };

if (require.main === module) {
  main().catch((e) => {
    console.error('sbbroker:', e && e.stack);
    process.exit(1);
  });
}
