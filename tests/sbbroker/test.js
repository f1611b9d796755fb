'use strict';
/* Tests for the test broker (broker.js): the unmodified @azure/service-bus 7.9.5 SDK (AMQP client and ATOM
   administration client) and a hand-written REST client (node:http/https) against one broker process.
   Starts the broker itself (127.0.0.1, free ports), stops it at the end; prints "N passed, N failed".
   Run: node test.js   (after npm ci in this folder). Needs the openssl CLI for the HTTPS certificate. */

const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const { ServiceBusClient, ServiceBusAdministrationClient } = require('@azure/service-bus');

const KEY_NAME = 'RootManageSharedAccessKey';
const KEY = 'c2VjcmV0'; // made-up; used as text, as Service Bus does
const SEND_NAME = 'SendOnly';
const SEND_KEY = 'c2VuZC1vbmx5LWtleQ==';
// msgpack of {type: 1, uid: "7156e582aa0e2cf2", nsp: "/"}, as the Node adapter sends INITIAL_HEARTBEAT
// (shared/wire/azure/rest-observer-capture.jsonl, first line)
const HEARTBEAT = Buffer.from('83a47479706501a3756964b037313536653538326161306532636632a36e7370a12f', 'hex');

let broker, ports, tmp, ca;
let passed = 0, failed = 0;
const clients = [];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function sas(uri, keyName = KEY_NAME, key = KEY, ttl = 300, style = 'amqp') {
  const se = Math.floor(Date.now() / 1000) + ttl;
  if (style === 'admin') {
    const sr = encodeURIComponent(uri.toLowerCase()).toLowerCase();
    const sig = crypto.createHmac('sha256', key).update(`${sr}\n${se}`).digest('base64');
    return `SharedAccessSignature sig=${encodeURIComponent(sig)}&se=${se}&skn=${keyName}&sr=${sr}`;
  }
  const sr = encodeURIComponent(uri);
  const sig = crypto.createHmac('sha256', key).update(`${sr}\n${se}`).digest('base64');
  return `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}&skn=${encodeURIComponent(keyName)}`;
}

/* One REST request. headers: array of [name, value] (case kept). Resolves {status, headers, raw, body}. */
function rest(method, p, { headers = [], body, tls = false, token, timeoutMs = 20000 } = {}) {
  const mod = tls ? https : http;
  const port = tls ? ports.https : ports.http;
  const host = tls ? 'localhost' : '127.0.0.1';
  const h = {};
  const auth = token === undefined ? sas(`https://${host}:${port}/`) : token;
  if (auth !== null) h.Authorization = auth;
  for (const [k, v] of headers) h[k] = v;
  const data = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
  h['Content-Length'] = String(data.length);
  return new Promise((resolve, reject) => {
    const req = mod.request({ host, port, method, path: p, headers: h, ca: tls ? ca : undefined, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, raw: res.rawHeaders, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error('request timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

function rawHeader(r, name) {
  for (let i = 0; i < r.raw.length; i += 2) if (r.raw[i] === name) return r.raw[i + 1];
  return undefined;
}

/* Lock URI path from a Location header (settle exactly on what was returned). */
function lockPath(r) {
  return new URL(r.headers.location).pathname;
}

function amqpConn(key = KEY, keyName = KEY_NAME) {
  return `Endpoint=sb://127.0.0.1:${ports.amqp};SharedAccessKeyName=${keyName};SharedAccessKey=${key};UseDevelopmentEmulator=true`;
}

function sbClient(key, keyName) {
  const c = new ServiceBusClient(amqpConn(key, keyName), { retryOptions: { maxRetries: 0, timeoutInMs: 8000 } });
  clients.push(c);
  return c;
}

function adminClient(key = KEY) {
  const cs = `Endpoint=sb://localhost:${ports.https};SharedAccessKeyName=${KEY_NAME};SharedAccessKey=${key}`;
  // tlsOptions reach core-rest-pipeline's createPipelineFromOptions, so the test CA is trusted for this client only
  return new ServiceBusAdministrationClient(cs, { tlsOptions: { ca }, retryOptions: { maxRetries: 0 } });
}

async function stats() {
  const r = await rest('GET', '/$broker/stats', { token: null });
  return JSON.parse(r.body.toString());
}

async function makeTopic(admin, topic, subs = {}) {
  await admin.createTopic(topic);
  for (const [name, opts] of Object.entries(subs)) await admin.createSubscription(topic, name, opts);
}

/* Wait until cond() is truthy (polling), or fail. */
async function until(cond, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/* ---------------- tests ---------------- */

const tests = [];
const test = (name, fn, timeoutMs = 20000) => tests.push({ name, fn, timeoutMs });

test('ready line, stats endpoint, loopback only', async () => {
  assert.ok(ports.amqp > 0 && ports.http > 0 && ports.https > 0);
  const s = await stats();
  assert.equal(typeof s.amqp.received, 'number');
  assert.equal(typeof s.http.auth_failures, 'number');
});

test('broker helpers: SAS check on every SDK vector, durations, property quoting', async () => {
  const { verifySas, parseDuration, formatDuration, parseCustomValue, formatCustomValue } = require('./broker.js');
  const dir = path.join(__dirname, '..', 'vectors', 'sas');
  const wire = JSON.parse(fs.readFileSync(path.join(dir, 'sdk-wire-captured.json'), 'utf8'));
  const gen = JSON.parse(fs.readFileSync(path.join(dir, 'sas-vectors.json'), 'utf8')).vectors;
  let n = 0;
  const rulesFor = (v) => [{ name: v.key_name, key: v.key, rights: new Set(['Manage', 'Send', 'Listen']) }];
  for (const v of wire) {
    assert.equal(verifySas(v.token, rulesFor(v), v.se - 1).ok, true, v.id);
    assert.equal(verifySas(v.token, rulesFor(v), v.se).ok, false, `${v.id} expired`);
    n++;
  }
  for (const v of gen) {
    for (const form of ['case_preserving', 'lowercased']) {
      const r = verifySas(v[form].token, rulesFor(v.input), v.input.expiry - 1);
      assert.equal(r.ok, true, `${v.name}/${form}`);
      n++;
    }
  }
  assert.equal(n, 8 + 32);
  const contrast = wire.find((v) => v.wrong_sig_base64_if_key_is_base64_decoded);
  const forged = contrast.token.replace(contrast.sig_urlencoded, encodeURIComponent(contrast.wrong_sig_base64_if_key_is_base64_decoded));
  assert.equal(verifySas(forged, rulesFor(contrast), contrast.se - 1).ok, false, 'base64-decoded key signature refused');
  for (const d of ['PT1M', 'PT30S', 'PT5M', 'P1D', 'PT1H30M', 'PT0.5S', 'P10675199DT2H48M5.4775807S'])
    assert.equal(formatDuration(parseDuration(d)), d, d);
  assert.equal(parseDuration('PT'), undefined);
  assert.equal(parseDuration('5M'), undefined);
  assert.deepEqual(parseCustomValue('"/"'), { type: 'string', value: '/' });
  assert.deepEqual(parseCustomValue('"0123"'), { type: 'string', value: '0123' });
  assert.deepEqual(parseCustomValue('42'), { type: 'long', value: 42 });
  assert.deepEqual(parseCustomValue('-2.5e3'), { type: 'double', value: -2500 });
  assert.deepEqual(parseCustomValue('false'), { type: 'boolean', value: false });
  assert.equal(parseCustomValue('/'), null, 'unquoted text is refused (400)');
  assert.equal(parseCustomValue('abc'), null);
  assert.equal(parseCustomValue('99999999999999999999'), null, 'beyond Int64');
  assert.equal(formatCustomValue({ type: 'string', value: 'a"b' }), '"a\\"b"');
  assert.equal(formatCustomValue({ type: 'string', value: '\u00e9' }), '"\\u00e9"');
  assert.equal(formatCustomValue({ type: 'double', value: 2 }), '2.0');
  assert.equal(formatCustomValue({ type: 'long', value: 2 }), '2');
});

test('admin client (HTTPS ATOM): topic and subscription lifecycle', async () => {
  const admin = adminClient();
  // the broker answers an empty feed (as the service does); the SDK turns it into MessageEntityNotFoundError
  await assert.rejects(admin.getTopic('t-admin'), (e) => e.code === 'MessageEntityNotFoundError');
  assert.equal(await admin.topicExists('t-admin'), false);
  const t = await admin.createTopic('t-admin');
  assert.equal(t.name, 't-admin');
  await assert.rejects(admin.createTopic('t-admin'), (e) => e.statusCode === 409 && e.code === 'MessageEntityAlreadyExistsError');
  const plain = await admin.createSubscription('t-admin', 'socket.io-0123456789abcdef');
  assert.equal(plain.subscriptionName, 'socket.io-0123456789abcdef');
  assert.equal(plain.topicName, 't-admin');
  assert.equal(plain.lockDuration, 'PT1M');
  assert.equal(plain.maxDeliveryCount, 10);
  assert.equal(plain.autoDeleteOnIdle, 'P10675199DT2H48M5.4775807S');
  const opts = { lockDuration: 'PT30S', defaultMessageTimeToLive: 'PT1M', maxDeliveryCount: 3, autoDeleteOnIdle: 'PT5M' };
  const w = await admin.createSubscription('t-admin', 'with-options', opts);
  for (const k of Object.keys(opts)) assert.equal(w[k], opts[k], k);
  const g = await admin.getSubscription('t-admin', 'with-options');
  for (const k of Object.keys(opts)) assert.equal(g[k], opts[k], k);
  assert.equal(await admin.subscriptionExists('t-admin', 'with-options'), true);
  const rt = await admin.getTopicRuntimeProperties('t-admin');
  assert.equal(rt.subscriptionCount, 2);
  const srt = await admin.getSubscriptionRuntimeProperties('t-admin', 'with-options');
  assert.equal(srt.activeMessageCount, 0);
  const names = [];
  for await (const s of admin.listSubscriptions('t-admin')) names.push(s.subscriptionName);
  assert.deepEqual(names.sort(), ['socket.io-0123456789abcdef', 'with-options']);
  await admin.deleteSubscription('t-admin', 'socket.io-0123456789abcdef');
  await assert.rejects(admin.deleteSubscription('t-admin', 'socket.io-0123456789abcdef'), (e) => e.statusCode === 404);
  await assert.rejects(admin.createSubscription('no-such-topic', 's'), (e) => e.statusCode === 404);
  await admin.deleteTopic('t-admin');
  assert.equal(await admin.topicExists('t-admin'), false);
});

test('ATOM requests byte-for-byte as captured from the SDK (plain HTTP)', async () => {
  // bodies from shared/wire/azure/admin-atom-capture.txt; token in the administration client's form
  const base = `https://127.0.0.1:${ports.http}`;
  const tok = (p) => sas(`${base}${p}`, KEY_NAME, KEY, 300, 'admin');
  const ct = ['content-type', 'application/atom+xml;type=entry;charset=utf-8'];
  const topicBody = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><entry xmlns="http://www.w3.org/2005/Atom"><updated>2026-11-23T06:30:49.295Z</updated><content type="application/xml"><TopicDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"/></content></entry>';
  const subBody = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><entry xmlns="http://www.w3.org/2005/Atom"><updated>2026-11-23T06:30:49.302Z</updated><content type="application/xml"><SubscriptionDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><LockDuration>PT30S</LockDuration><DefaultMessageTimeToLive>PT1M</DefaultMessageTimeToLive><MaxDeliveryCount>3</MaxDeliveryCount><AutoDeleteOnIdle>PT5M</AutoDeleteOnIdle></SubscriptionDescription></content></entry>';
  const q = '?api-version=2021-05';
  let r = await rest('GET', `/atom.topic${q}`, { token: tok(`/atom.topic${q}`) });
  assert.equal(r.status, 200);
  assert.ok(r.body.toString().includes('<feed') && !r.body.toString().includes('<entry'), 'empty feed for a missing entity');
  r = await rest('PUT', `/atom.topic${q}`, { token: tok(`/atom.topic${q}`), headers: [ct], body: topicBody });
  assert.equal(r.status, 201);
  assert.match(r.body.toString(), /<TopicDescription[^>]*>.*<DefaultMessageTimeToLive>P10675199DT2H48M5\.4775807S<\/DefaultMessageTimeToLive>/);
  const sp = `/atom.topic/Subscriptions/with-options${q}`;
  r = await rest('PUT', sp, { token: tok(sp), headers: [ct], body: subBody });
  assert.equal(r.status, 201);
  const x = r.body.toString();
  assert.match(x, /<id>https:\/\/127\.0\.0\.1:\d+\/atom\.topic\/Subscriptions\/with-options\?api-version=2021-05<\/id>/);
  assert.match(x, /<LockDuration>PT30S<\/LockDuration>.*<DefaultMessageTimeToLive>PT1M<\/DefaultMessageTimeToLive>.*<MaxDeliveryCount>3<\/MaxDeliveryCount>.*<AutoDeleteOnIdle>PT5M<\/AutoDeleteOnIdle>/);
  r = await rest('GET', sp, { token: tok(sp) });
  assert.equal(r.status, 200);
  assert.ok(r.body.toString().includes('<SubscriptionDescription'));
  // lower-case "subscriptions" works too (entity paths are case-insensitive)
  r = await rest('GET', `/ATOM.TOPIC/subscriptions/WITH-OPTIONS${q}`, { token: tok(`/atom.topic/subscriptions/with-options${q}`) });
  assert.ok(r.body.toString().includes('<SubscriptionDescription'));
  r = await rest('DELETE', sp, { token: tok(sp) });
  assert.equal(r.status, 200);
  r = await rest('DELETE', sp, { token: tok(sp) });
  assert.equal(r.status, 404);
  assert.match(r.body.toString(), /<Error><Code>404<\/Code><Detail>/);
  r = await rest('PUT', `/atom.topic${q}`, { token: tok(`/atom.topic${q}`), headers: [ct], body: topicBody });
  assert.equal(r.status, 409);
  assert.match(r.body.toString(), /<Error><Code>409<\/Code>/);
});

test('SDK sender -> SDK receiver: peek-lock, complete, identical body and properties', async () => {
  const admin = adminClient();
  await makeTopic(admin, 't-sdk', { 'socket.io-aaaaaaaaaaaaaaaa': {} });
  const c = sbClient();
  const sender = c.createSender('t-sdk');
  const receiver = c.createReceiver('t-sdk', 'socket.io-aaaaaaaaaaaaaaaa');
  const props = { nsp: '/', uid: '7156e582aa0e2cf2', n: 7, ok: true };
  const got = new Promise((resolve, reject) => {
    receiver.subscribe({ processMessage: async (m) => resolve(m), processError: async (a) => reject(a.error) }, { autoCompleteMessages: false });
  });
  await sender.sendMessages({ body: new Uint8Array(HEARTBEAT), applicationProperties: props });
  const m = await got;
  assert.ok(Buffer.isBuffer(m.body) && m.body.equals(HEARTBEAT), 'body bytes');
  assert.deepEqual(m.applicationProperties, props);
  assert.equal(typeof m.messageId, 'string');
  assert.equal(m.deliveryCount, 0);
  assert.ok(m.lockToken && m.sequenceNumber.toNumber() > 0 && m.lockedUntilUtc > new Date());
  await receiver.completeMessage(m);
  const s = await stats();
  assert.deepEqual(s.topics['t-sdk']['socket.io-aaaaaaaaaaaaaaaa'].ready + s.topics['t-sdk']['socket.io-aaaaaaaaaaaaaaaa'].locked, 0);
  await receiver.close();
  await sender.close();
});

test('SDK (AMQP) -> REST: quoted custom headers, BrokerProperties, complete on Location', async () => {
  const admin = adminClient();
  await makeTopic(admin, 't-a2r', { rest: {} });
  const c = sbClient();
  const sender = c.createSender('t-a2r');
  const props = { nsp: '/', uid: '7156e582aa0e2cf2', requesterUid: 'd081b51978509c4c', n: 7, f: 1.5, ok: true, when: new Date('2026-11-23T06:34:54Z') };
  await sender.sendMessages({ body: new Uint8Array(HEARTBEAT), applicationProperties: props, messageId: 'amqp-1', subject: 'lbl', correlationId: 'corr' });
  const r = await rest('POST', '/t-a2r/subscriptions/rest/messages/head?timeout=5');
  assert.equal(r.status, 201);
  assert.ok(r.body.equals(HEARTBEAT), 'body bytes');
  assert.equal(rawHeader(r, 'nsp'), '"/"');
  assert.equal(rawHeader(r, 'uid'), '"7156e582aa0e2cf2"');
  assert.equal(rawHeader(r, 'requesterUid'), '"d081b51978509c4c"', 'header name case kept');
  assert.equal(rawHeader(r, 'n'), '7');
  assert.equal(rawHeader(r, 'f'), '1.5');
  assert.equal(rawHeader(r, 'ok'), 'true');
  assert.equal(rawHeader(r, 'when'), '"Mon, 23 Nov 2026 06:34:54 GMT"');
  assert.equal(r.headers['content-type'], 'application/octet-stream');
  const bp = JSON.parse(r.headers.brokerproperties);
  assert.equal(bp.DeliveryCount, 1);
  assert.equal(bp.MessageId, 'amqp-1');
  assert.equal(bp.Label, 'lbl');
  assert.equal(bp.CorrelationId, 'corr');
  assert.ok(bp.SequenceNumber > 0 && /^[0-9a-f-]{36}$/.test(bp.LockToken) && bp.LockedUntilUtc && bp.EnqueuedTimeUtc);
  assert.ok(r.headers.location.endsWith(`/messages/${bp.SequenceNumber}/${bp.LockToken}`));
  let d = await rest('DELETE', lockPath(r));
  assert.equal(d.status, 200);
  d = await rest('DELETE', lockPath(r));
  assert.equal(d.status, 404, 'second complete: lock gone');
  await sender.close();
});

test('REST -> SDK (AMQP): typed properties, body, BrokerProperties; 400 on bad input', async () => {
  const admin = adminClient();
  await makeTopic(admin, 't-r2a', { node: {} });
  const headers = [
    ['Content-Type', 'application/octet-stream'],
    ['BrokerProperties', JSON.stringify({ MessageId: 'rest-1', Label: 'lbl', CorrelationId: 'c-9', TimeToLive: 120 })],
    ['nsp', '"/"'], ['uid', '"0123456789"'], ['requesterUid', '"abc"'], ['count', '42'], ['flag', 'false'], ['ratio', '2.5'],
  ];
  let r = await rest('POST', '/t-r2a/messages', { headers, body: HEARTBEAT });
  assert.equal(r.status, 201);
  const c = sbClient();
  const receiver = c.createReceiver('t-r2a', 'node');
  const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
  assert.ok(m, 'message received');
  assert.ok(Buffer.isBuffer(m.body) && m.body.equals(HEARTBEAT), 'body bytes');
  assert.deepEqual(m.applicationProperties, { nsp: '/', uid: '0123456789', requesterUid: 'abc', count: 42, flag: false, ratio: 2.5 });
  assert.equal(typeof m.applicationProperties.uid, 'string', 'a quoted all-digit uid stays a string');
  assert.equal(m.messageId, 'rest-1');
  assert.equal(m.subject, 'lbl');
  assert.equal(m.correlationId, 'c-9');
  assert.equal(m.contentType, 'application/octet-stream');
  assert.equal(m.timeToLive, 120000);
  await receiver.completeMessage(m);
  await receiver.close();
  r = await rest('POST', '/t-r2a/messages', { headers: [['nsp', '/']], body: 'x' });
  assert.equal(r.status, 400, 'unquoted non-numeric custom property');
  r = await rest('POST', '/t-r2a/messages', { headers: [['BrokerProperties', '{nope']], body: 'x' });
  assert.equal(r.status, 400, 'BrokerProperties not JSON');
  r = await rest('POST', '/t-r2a/messages', { body: Buffer.alloc(300 * 1024) });
  assert.equal(r.status, 403, 'message too large');
});

test('wrong key -> 401 on both paths (CBS status-code 401, REST and ATOM 401)', async () => {
  const before = await stats();
  const admin = adminClient();
  await makeTopic(admin, 't-auth', { s: {} });
  const bad = sbClient('d3Jvbmc=');
  const sender = bad.createSender('t-auth');
  await assert.rejects(sender.sendMessages({ body: 'x' }), (e) => e.code === 'UnauthorizedAccess');
  const receiver = bad.createReceiver('t-auth', 's');
  await assert.rejects(receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 }), (e) => e.code === 'UnauthorizedAccess');
  await assert.rejects(adminClient('d3Jvbmc=').getTopic('t-auth'), (e) => e.statusCode === 401 && e.code === 'UnauthorizedRequestError');
  const uri = `https://127.0.0.1:${ports.http}/`;
  let r = await rest('POST', '/t-auth/messages', { token: sas(uri, KEY_NAME, 'd3Jvbmc='), headers: [['nsp', '"/"']], body: 'x' });
  assert.equal(r.status, 401, 'wrong key');
  r = await rest('POST', '/t-auth/messages', { token: sas(uri, 'NoSuchRule', KEY), body: 'x' });
  assert.equal(r.status, 401, 'unknown key name');
  r = await rest('POST', '/t-auth/messages', { token: sas(uri, KEY_NAME, KEY, -5), body: 'x' });
  assert.equal(r.status, 401, 'expired token');
  r = await rest('POST', '/t-auth/messages', { token: null, body: 'x' });
  assert.equal(r.status, 401, 'no Authorization');
  // base64-decoding the key (IoT Hub style) is wrong for Service Bus
  r = await rest('POST', '/t-auth/messages', { token: sas(uri, KEY_NAME, Buffer.from(KEY, 'base64')), body: 'x' });
  assert.equal(r.status, 401, 'key used base64-decoded');
  r = await rest('POST', '/t-auth/messages', { token: sas(`https://127.0.0.1:${ports.http}/other-topic`), body: 'x' });
  assert.equal(r.status, 401, 'token for another entity');
  r = await rest('POST', '/t-auth/subscriptions/s/messages/head?timeout=1', { token: sas(uri, SEND_NAME, SEND_KEY) });
  assert.equal(r.status, 401, 'Send-only rule cannot receive');
  r = await rest('POST', '/t-auth/messages', { token: sas(uri, SEND_NAME, SEND_KEY), headers: [['nsp', '"/"']], body: 'x' });
  assert.equal(r.status, 201, 'Send-only rule can send');
  // the right key still works over AMQP, and the message sent with it arrives
  const good = sbClient();
  const rcv = good.createReceiver('t-auth', 's', { receiveMode: 'receiveAndDelete' });
  const got = await rcv.receiveMessages(1, { maxWaitTimeInMs: 3000 });
  assert.equal(got.length, 1);
  await rcv.close();
  const after = await stats();
  assert.ok(after.http.auth_failures - before.http.auth_failures >= 8, 'REST/ATOM auth failures counted');
  assert.ok(after.amqp.auth_failures - before.amqp.auth_failures >= 2, 'CBS auth failures counted');
});

test('lock expiry, unlock and redelivery with DeliveryCount; dead-letter after MaxDeliveryCount', async () => {
  const admin = adminClient();
  await makeTopic(admin, 't-lock', { s: { lockDuration: 'PT1S' }, dl: { maxDeliveryCount: 2 } });
  let r = await rest('POST', '/t-lock/messages', { headers: [['nsp', '"/"']], body: 'payload' });
  assert.equal(r.status, 201);
  const a = await rest('POST', '/t-lock/subscriptions/s/messages/head?timeout=5');
  assert.equal(a.status, 201);
  const bpa = JSON.parse(a.headers.brokerproperties);
  assert.equal(bpa.DeliveryCount, 1);
  const t0 = Date.now();
  const b = await rest('POST', '/t-lock/subscriptions/s/messages/head?timeout=5'); // waits for the lock to expire
  assert.equal(b.status, 201);
  assert.ok(Date.now() - t0 >= 700, 'redelivered only after the 1 s lock expired');
  const bpb = JSON.parse(b.headers.brokerproperties);
  assert.equal(bpb.DeliveryCount, 2);
  assert.equal(bpb.MessageId, bpa.MessageId);
  assert.equal(bpb.SequenceNumber, bpa.SequenceNumber);
  assert.notEqual(bpb.LockToken, bpa.LockToken);
  r = await rest('DELETE', lockPath(a));
  assert.equal(r.status, 404, 'complete on an expired lock');
  r = await rest('PUT', lockPath(b));
  assert.equal(r.status, 200, 'unlock');
  const c = await rest('POST', '/t-lock/subscriptions/s/messages/head?timeout=1');
  assert.equal(c.status, 201);
  assert.equal(JSON.parse(c.headers.brokerproperties).DeliveryCount, 3);
  r = await rest('DELETE', lockPath(c));
  assert.equal(r.status, 200);
  r = await rest('POST', '/t-lock/subscriptions/s/messages/head?timeout=1');
  assert.equal(r.status, 204);
  // MaxDeliveryCount 2: two abandons and the message is dead-lettered (gone)
  const before = (await stats()).dead_lettered;
  for (let i = 1; i <= 2; i++) {
    const x = await rest('POST', '/t-lock/subscriptions/dl/messages/head?timeout=1');
    assert.equal(x.status, 201);
    assert.equal(JSON.parse(x.headers.brokerproperties).DeliveryCount, i);
    assert.equal((await rest('PUT', lockPath(x))).status, 200);
  }
  r = await rest('POST', '/t-lock/subscriptions/dl/messages/head?timeout=1');
  assert.equal(r.status, 204);
  assert.equal((await stats()).dead_lettered, before + 1);
  // AMQP: abandon gives the message back with deliveryCount + 1
  await rest('POST', '/t-lock/messages', { headers: [['nsp', '"/"']], body: 'again' });
  const cl = sbClient();
  const rcv = cl.createReceiver('t-lock', 's', { maxAutoLockRenewalDurationInMs: 0 });
  const [m1] = await rcv.receiveMessages(1, { maxWaitTimeInMs: 3000 });
  assert.equal(m1.deliveryCount, 0);
  await rcv.abandonMessage(m1);
  const [m2] = await rcv.receiveMessages(1, { maxWaitTimeInMs: 3000 });
  assert.equal(m2.deliveryCount, 1);
  assert.equal(m2.messageId, m1.messageId);
  await rcv.completeMessage(m2);
  await rcv.close();
});

test('renew lock: SDK $management renew-lock and REST POST on the lock URI', async () => {
  const admin = adminClient();
  await makeTopic(admin, 't-renew', { s: { lockDuration: 'PT5S' } });
  await rest('POST', '/t-renew/messages', { headers: [['nsp', '"/"']], body: '1' });
  await rest('POST', '/t-renew/messages', { headers: [['nsp', '"/"']], body: '2' });
  const c = sbClient();
  const rcv = c.createReceiver('t-renew', 's', { maxAutoLockRenewalDurationInMs: 0 });
  const [m] = await rcv.receiveMessages(1, { maxWaitTimeInMs: 3000 });
  const first = m.lockedUntilUtc.getTime();
  await sleep(1100);
  const renewed = await rcv.renewMessageLock(m);
  assert.ok(renewed.getTime() >= first + 1000, 'lock extended');
  await rcv.completeMessage(m);
  await rcv.close();
  const r = await rest('POST', '/t-renew/subscriptions/s/messages/head?timeout=2');
  assert.equal(r.status, 201);
  const x = await rest('POST', lockPath(r));
  assert.equal(x.status, 200);
  assert.ok(JSON.parse(x.headers.brokerproperties).LockedUntilUtc);
  assert.equal((await rest('DELETE', lockPath(r))).status, 200);
});

test('AutoDeleteOnIdle: an idle subscription disappears, a long-polled one stays', async () => {
  const admin = adminClient();
  await makeTopic(admin, 't-idle', { idle: { autoDeleteOnIdle: 'PT1S' }, polled: { autoDeleteOnIdle: 'PT1S' } });
  assert.equal(await admin.subscriptionExists('t-idle', 'idle'), true);
  const poll = rest('POST', '/t-idle/subscriptions/polled/messages/head?timeout=3'); // activity for 3 s
  await sleep(1800);
  assert.equal(await admin.subscriptionExists('t-idle', 'idle'), false, 'idle subscription auto-deleted');
  assert.equal(await admin.subscriptionExists('t-idle', 'polled'), true, 'a pending long poll counts as activity');
  const r = await rest('POST', '/t-idle/subscriptions/idle/messages/head?timeout=1');
  assert.equal(r.status, 410, 'receive on a deleted subscription');
  assert.equal((await poll).status, 204);
  await until(async () => !(await admin.subscriptionExists('t-idle', 'polled')), 3000, 'the polled subscription to go idle');
  assert.ok((await stats()).auto_deleted >= 2);
});

test('long poll: 204 after the server timeout, 201 as soon as a message arrives', async () => {
  const admin = adminClient();
  await makeTopic(admin, 't-poll', { s: {} });
  let t0 = Date.now();
  let r = await rest('POST', '/t-poll/subscriptions/s/messages/head?timeout=1');
  const took = Date.now() - t0;
  assert.equal(r.status, 204);
  assert.ok(took >= 900 && took < 3000, `timeout honoured (${took} ms)`);
  t0 = Date.now();
  const pending = rest('POST', '/t-poll/subscriptions/s/messages/head?timeout=10');
  await sleep(300);
  await rest('POST', '/t-poll/messages', { headers: [['nsp', '"/"']], body: 'late' });
  r = await pending;
  assert.equal(r.status, 201);
  assert.ok(Date.now() - t0 < 3000, 'delivered to the waiting long poll');
  assert.equal(r.body.toString(), 'late');
  await rest('DELETE', lockPath(r));
  // receive-and-delete: 200 with the message, no lock
  await rest('POST', '/t-poll/messages', { headers: [['nsp', '"/"']], body: 'rd' });
  r = await rest('DELETE', '/t-poll/subscriptions/s/messages/head?timeout=2');
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'rd');
  assert.equal(r.headers.location, undefined);
  r = await rest('DELETE', '/t-poll/subscriptions/s/messages/head?timeout=1');
  assert.equal(r.status, 204);
});

test('missing entities: REST 410, SDK sender and receiver refused', async () => {
  let r = await rest('POST', '/no-topic/messages', { headers: [['nsp', '"/"']], body: 'x' });
  assert.equal(r.status, 410);
  r = await rest('POST', '/no-topic/subscriptions/s/messages/head?timeout=1');
  assert.equal(r.status, 410);
  r = await rest('DELETE', '/no-topic/subscriptions/s/messages/1/00000000-0000-0000-0000-000000000000');
  assert.equal(r.status, 410);
  const c = sbClient();
  await assert.rejects(c.createSender('no-topic').sendMessages({ body: 'x' }), (e) => e.code === 'MessagingEntityNotFound');
  await assert.rejects(c.createReceiver('no-topic', 's').receiveMessages(1, { maxWaitTimeInMs: 1000 }), (e) => e.code === 'MessagingEntityNotFound');
});

test('HTTPS REST data plane with the test certificate', async () => {
  const admin = adminClient();
  await makeTopic(admin, 't-tls', { s: {} });
  let r = await rest('POST', '/t-tls/messages', { tls: true, headers: [['nsp', '"/"']], body: HEARTBEAT });
  assert.equal(r.status, 201);
  r = await rest('POST', '/t-tls/subscriptions/s/messages/head?timeout=2', { tls: true });
  assert.equal(r.status, 201);
  assert.ok(r.headers.location.startsWith(`https://localhost:${ports.https}/`));
  assert.ok(r.body.equals(HEARTBEAT));
  assert.equal((await rest('DELETE', lockPath(r), { tls: true })).status, 200);
});

test('AMQP and REST consumers compete on one subscription: each message once', async () => {
  const admin = adminClient();
  await makeTopic(admin, 't-mix', { s: {} });
  const c = sbClient();
  const seen = new Map();
  const rcv = c.createReceiver('t-mix', 's');
  rcv.subscribe({
    processMessage: async (m) => { seen.set(m.body.toString(), (seen.get(m.body.toString()) || 0) + 1); },
    processError: async () => {},
  }, { maxConcurrentCalls: 2 });
  const sender = c.createSender('t-mix');
  const N = 40;
  const restLoop = (async () => {
    while ([...seen.values()].reduce((a, b) => a + b, 0) < N) {
      const r = await rest('POST', '/t-mix/subscriptions/s/messages/head?timeout=1');
      if (r.status === 201) {
        const k = r.body.toString();
        seen.set(k, (seen.get(k) || 0) + 1);
        await rest('DELETE', lockPath(r));
      }
    }
  })();
  for (let i = 0; i < N; i++) await sender.sendMessages({ body: Buffer.from(`m${i}`), applicationProperties: { nsp: '/' } });
  await until(() => [...seen.values()].reduce((a, b) => a + b, 0) >= N, 10000, 'all messages');
  await restLoop;
  await rcv.close();
  assert.equal(seen.size, N);
  assert.ok([...seen.values()].every((n) => n === 1), 'no duplicates');
});

test('more than 2048 messages through one SDK receiver (outgoing window freed on settle)', async () => {
  const admin = adminClient();
  await makeTopic(admin, 't-many', { s: {} });
  const c = sbClient();
  const sender = c.createSender('t-many');
  const N = 2300;
  const seqs = new Set();
  const rcv = c.createReceiver('t-many', 's');
  const done = new Promise((resolve, reject) => {
    rcv.subscribe({
      processMessage: async (m) => {
        seqs.add(m.sequenceNumber.toNumber());
        if (seqs.size === N) resolve();
      },
      processError: async (a) => reject(a.error),
    }, { maxConcurrentCalls: 50 });
  });
  const t0 = Date.now();
  for (let i = 0; i < N; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 100); j++) batch.push({ body: Buffer.from(String(j)), applicationProperties: { nsp: '/' } });
    await sender.sendMessages(batch); // an array goes as one batched transfer
  }
  await done;
  await rcv.close();
  assert.equal(seqs.size, N);
  await until(async () => {
    const s = (await stats()).topics['t-many'].s;
    return s.ready === 0 && s.locked === 0;
  }, 5000, 'all completed');
  console.log(`    ${N} messages in ${Date.now() - t0} ms`);
}, 45000);

test('admin updateTopic (If-Match) keeps live senders; AMQP message over the size limit refused', async () => {
  const admin = adminClient();
  await makeTopic(admin, 't-upd', { s: {} });
  const c = sbClient();
  const sender = c.createSender('t-upd');
  await sender.sendMessages({ body: 'before' });
  const t = await admin.getTopic('t-upd');
  t.defaultMessageTimeToLive = 'PT10M';
  const u = await admin.updateTopic(t);
  assert.equal(u.defaultMessageTimeToLive, 'PT10M');
  await sender.sendMessages({ body: 'after' });
  const rcv = c.createReceiver('t-upd', 's', { receiveMode: 'receiveAndDelete' });
  const got = [];
  while (got.length < 2) {
    const ms = await rcv.receiveMessages(2, { maxWaitTimeInMs: 2000 });
    assert.ok(ms.length > 0, 'messages arrive');
    got.push(...ms.map((m) => m.body));
  }
  assert.deepEqual(got, ['before', 'after']);
  await assert.rejects(sender.sendMessages({ body: Buffer.alloc(300 * 1024) }), (e) => e.code === 'MessageSizeExceeded');
  await rcv.close();
});

/* ---------------- harness ---------------- */

test('subscription rule: a SQL $Default filter given at creation (SDK defaultRuleOptions and the C form)', async () => {
  const admin = adminClient();
  const own = '0123456789abcdef';
  const sql = `(uid IS NULL OR uid <> '${own}') AND (requesterUid IS NULL OR requesterUid = '' OR requesterUid = '${own}')`;
  await makeTopic(admin, 't-rule', { filtered: { defaultRuleOptions: { name: '$Default', filter: { sqlExpression: sql } } }, all: {} });
  // the C library's entry (sioc_azure_write_subscription_entry_rule) over plain HTTP, with XML escapes
  const entry = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><entry xmlns="http://www.w3.org/2005/Atom">' +
    '<content type="application/xml"><SubscriptionDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect" ' +
    'xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><DefaultRuleDescription><Filter i:type="SqlFilter"><SqlExpression>' +
    sql.replace(/'/g, '&apos;').replace(/</g, '&lt;').replace(/>/g, '&gt;') +
    '</SqlExpression></Filter><Action i:type="EmptyRuleAction"/><Name>$Default</Name></DefaultRuleDescription>' +
    '</SubscriptionDescription></content></entry>';
  const put = await rest('PUT', '/t-rule/Subscriptions/c-form?api-version=2021-05', { body: entry,
    headers: [['Content-Type', 'application/atom+xml;type=entry;charset=utf-8']] });
  assert.equal(put.status, 201);
  const bad = await rest('PUT', '/t-rule/Subscriptions/bad?api-version=2021-05', { body: entry.replace('IS NULL OR uid', 'IS NULL OR OR uid'),
    headers: [['Content-Type', 'application/atom+xml;type=entry;charset=utf-8']] });
  assert.equal(bad.status, 400, 'a filter the broker cannot read');
  const c = sbClient();
  const sender = c.createSender('t-rule');
  const cases = [
    [{ nsp: '/', uid: own }, false], // own message
    [{ nsp: '/', uid: 'ffffffffffffffff' }, true],
    [{ nsp: '/', uid: 'ffffffffffffffff', requesterUid: own }, true], // a response for us
    [{ nsp: '/', uid: 'ffffffffffffffff', requesterUid: 'eeeeeeeeeeeeeeee' }, false], // for someone else
    [{ nsp: '/', uid: 'ffffffffffffffff', requesterUid: '' }, true],
    [{ nsp: '/' }, true], // no uid at all
  ];
  for (let k = 0; k < cases.length; k++) {
    await sender.sendMessages({ body: new Uint8Array(HEARTBEAT), applicationProperties: cases[k][0], messageId: `m${k}` });
  }
  const want = cases.map((x, k) => (x[1] ? `m${k}` : null)).filter(Boolean);
  for (const sub of ['filtered', 'c-form']) {
    const got = [];
    for (;;) {
      const r = await rest('DELETE', `/t-rule/subscriptions/${sub}/messages/head?timeout=1`);
      if (r.status !== 200) break;
      got.push(JSON.parse(r.headers.brokerproperties).MessageId);
    }
    assert.deepEqual(got, want, sub);
  }
  const st = await stats();
  assert.equal(st.topics['t-rule'].all.ready, cases.length, 'the unfiltered subscription has all');
  await sender.close();
});

function makeCert() {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sbbroker-'));
  const key = path.join(tmp, 'key.pem'), cert = path.join(tmp, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  ca = fs.readFileSync(cert);
  return { key, cert };
}

function startBroker(files) {
  return new Promise((resolve, reject) => {
    const args = [path.join(__dirname, 'broker.js'), '--rule', `${KEY_NAME}=${KEY}`, '--rule', `${SEND_NAME}=${SEND_KEY}:Send`,
      '--cert', files.cert, '--key', files.key, '--max-seconds', '120', '--watch-stdin'];
    broker = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let buf = '';
    const timer = setTimeout(() => reject(new Error('broker did not start')), 10000);
    broker.stdout.on('data', (d) => {
      buf += d;
      const m = /SBBROKER_READY amqp=(\d+) http=(\d+) https=(\d+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve({ amqp: +m[1], http: +m[2], https: +m[3] });
      }
    });
    broker.on('exit', (code) => reject(new Error(`broker exited with ${code}`)));
  });
}

async function main() {
  const t0 = Date.now();
  ports = await startBroker(makeCert());
  for (const t of tests) {
    let timer;
    try {
      await Promise.race([t.fn(), new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`timeout after ${t.timeoutMs} ms`)), t.timeoutMs); })]);
      passed++;
      console.log(`ok   ${t.name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name}\n     ${(e && e.stack) || e}`);
    } finally {
      clearTimeout(timer);
    }
  }
  for (const c of clients) await c.close().catch(() => {});
  broker.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`sbbroker tests (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL harness: ${e && e.stack}`);
  if (broker) broker.kill('SIGTERM');
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
