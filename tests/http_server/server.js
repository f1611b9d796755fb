#!/usr/bin/env node
// Loopback test server for the HTTP engine of sio_cluster.h. Plain Node 20 (net, tls), no dependencies.
//
//   node server.js                 plain HTTP on a free 127.0.0.1 port
//   node server.js --tls DIR       makes certificates with the openssl CLI in a fresh folder under DIR, then
//                                  serves HTTPS with a good chain, an expired leaf, a leaf for another name, a leaf
//                                  from an unknown CA, plus plain text on a "TLS" port
//
// Prints one JSON line with the ports (and the CA file) on stdout, then serves until stdin closes, SIGTERM, or
// --lifetime seconds (default 120) pass, so it never outlives the test that started it.
//
// Responses are written byte by byte as raw socket writes (no http module) so the hard cases are exact:
//   /hello            200, Content-Length, X-Conn (connection number) and X-Req (request number on it)
//   /echo             200, body = request body; X-Method, X-Target, X-Body-Len, X-Body-Sum (sum of bytes mod 2^32)
//   /chunked          chunked body with odd sizes, chunk extensions and two trailers
//   /drip             a chunked response written one byte at a time, 2 ms apart
//   /early-close      Content-Length: 100 but 10 bytes, then FIN
//   /big-header       a 20000-byte header
//   /continue         100 Continue, a pause, then the final 200
//   /garbage          a non-HTTP status line
//   /reset            TCP reset without a response
//   /stall            never answers
//   /delay?ms=N       answers after N ms
//   /close-after      normal keep-alive response, then FIN 100 ms later (a stale keep-alive connection)
//   /close-delimited  no length: the body ends with the connection
//   /big?n=N          N body bytes, byte i = i % 251
//   /status?code=N    that status, empty body
//   /keep-alive       Keep-Alive: timeout=1
//   /bye              a short answer with Connection: close, then the server closes (one request per connection)
'use strict';
const net = require('net');
const tls = require('tls');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const lifetime = Number(opt('--lifetime', '120'));
const tlsBase = opt('--tls', null);

let connCounter = 0;
const sockets = new Set();

function pattern(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = i % 251;
  return b;
}

function respond(sock, status, reason, headers, body) {
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const [k, v] of headers) head += `${k}: ${v}\r\n`;
  if (body !== null) head += `Content-Length: ${body.length}\r\n`;
  sock.write(body && body.length ? Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), body]) : head + '\r\n');
}

function handle(sock, state, req) {
  const url = new URL(req.target, 'http://x');
  const q = (k, d) => (url.searchParams.has(k) ? Number(url.searchParams.get(k)) : d);
  const common = [['X-Conn', String(state.id)], ['X-Req', String(state.count)]];
  switch (url.pathname) {
    case '/hello':
      if (req.method === 'HEAD') { // the length of the would-be body, and no body
        sock.write('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n');
        return true;
      }
      respond(sock, 200, 'OK', common.concat([['Content-Type', 'text/plain']]), Buffer.from('hello world'));
      return true;
    case '/head':
      sock.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
      return true;
    case '/echo': {
      let sum = 0;
      for (const b of req.body) sum = (sum + b) >>> 0;
      respond(sock, 200, 'OK', common.concat([['X-Method', req.method], ['X-Target', req.target],
        ['X-Body-Len', String(req.body.length)], ['X-Body-Sum', String(sum)]]), req.body);
      return true;
    }
    case '/chunked':
      sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Conn: ' + state.id + '\r\n\r\n' +
        '1\r\na\r\n' +
        '1f;name=value;q="x y"\r\n0123456789abcdef0123456789abcde\r\n' +
        '0A \t;ext\r\nABCDEFGHIJ\r\n' +
        '100\r\n' + 'z'.repeat(256) + '\r\n' +
        '000\r\nX-Trailer: yes\r\nX-Checksum: 42\r\n\r\n');
      return true;
    case '/drip': {
      const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;drip\r\ndrip!\r\n3\r\n123\r\n0\r\nX-End: 1\r\n\r\n';
      let i = 0;
      state.busy = true;
      const step = () => {
        if (sock.destroyed) return;
        sock.write(text[i++]);
        if (i < text.length) setTimeout(step, 2);
        else { state.busy = false; drain(sock, state); }
      };
      step();
      return true;
    }
    case '/early-close':
      sock.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789');
      return false;
    case '/big-header':
      respond(sock, 200, 'OK', [['X-Huge', 'h'.repeat(20000)]], Buffer.from('x'));
      return true;
    case '/continue':
      sock.write('HTTP/1.1 100 Continue\r\n\r\n');
      state.busy = true;
      setTimeout(() => {
        respond(sock, 200, 'OK', common, Buffer.from('continued'));
        state.busy = false;
        drain(sock, state);
      }, 20);
      return true;
    case '/garbage':
      sock.write('SSH-2.0-OpenSSH_9.2p1 not http\r\n');
      return false;
    case '/reset':
      if (typeof sock.resetAndDestroy === 'function') sock.resetAndDestroy();
      else sock.destroy();
      return false;
    case '/stall':
      state.busy = true; // never answers; the client gives up
      return true;
    case '/delay':
      state.busy = true;
      setTimeout(() => {
        respond(sock, 200, 'OK', common, Buffer.from('delayed'));
        state.busy = false;
        drain(sock, state);
      }, q('ms', 100));
      return true;
    case '/close-after':
      respond(sock, 200, 'OK', common, Buffer.from('soon closed'));
      setTimeout(() => sock.end(), 100);
      return true;
    case '/close-delimited':
      sock.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthe body runs until the connection ends');
      return false;
    case '/big':
      respond(sock, 200, 'OK', common, pattern(q('n', 1000)));
      return true;
    case '/status':
      respond(sock, q('code', 500), 'Status', common, Buffer.alloc(0));
      return true;
    case '/bye':
      respond(sock, 200, 'OK', common.concat([['Connection', 'close']]), Buffer.from('bye'));
      sock.end();
      return false;
    case '/keep-alive':
      respond(sock, 200, 'OK', common.concat([['Keep-Alive', 'timeout=1']]), Buffer.from('ka'));
      return true;
    default:
      respond(sock, 404, 'Not Found', common, Buffer.from('no such path'));
      return true;
  }
}

// Parse requests from the buffered bytes; one at a time (no pipelining in the client).
function drain(sock, state) {
  while (!state.busy && !sock.destroyed) {
    if (state.buf.length && (state.buf[0] < 0x41 || state.buf[0] > 0x5a)) { // not a method: e.g. a TLS ClientHello
      sock.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const end = state.buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (state.buf.length > 65536) sock.destroy();
      return;
    }
    const lines = state.buf.subarray(0, end).toString('latin1').split('\r\n');
    const [method, target, version] = lines[0].split(' ');
    if (!method || !target || !/^HTTP\/1\.[01]$/.test(version || '')) {
      sock.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    let len = 0;
    for (const l of lines.slice(1)) {
      const m = /^content-length:\s*(\d+)\s*$/i.exec(l);
      if (m) len = Number(m[1]);
    }
    if (state.buf.length < end + 4 + len) return;
    const body = state.buf.subarray(end + 4, end + 4 + len);
    state.buf = state.buf.subarray(end + 4 + len);
    state.count++;
    if (!handle(sock, state, { method, target, body: Buffer.from(body) })) return;
  }
}

function serveHttp(sock) {
  const state = { id: ++connCounter, count: 0, buf: Buffer.alloc(0), busy: false };
  sockets.add(sock);
  if (typeof sock.setNoDelay === 'function') sock.setNoDelay(true); // no Nagle stall between our writes
  sock.on('close', () => sockets.delete(sock));
  sock.on('error', () => {});
  sock.on('data', (d) => {
    state.buf = Buffer.concat([state.buf, d]);
    drain(sock, state);
  });
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

// ---- certificates (openssl CLI) ----
function makeCerts(dir) {
  const run = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const leafExt = (name) => {
    fs.writeFileSync(path.join(dir, `${name}.ext`),
      `subjectAltName=DNS:${name}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`);
    return `${name}.ext`;
  };
  for (const ca of ['ca', 'ca2']) {
    run('req', '-x509', ...ec, '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '30',
      '-subj', `/CN=sioc test ${ca}`, '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  }
  for (const name of ['localhost', 'other.example']) {
    run('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  }
  run('x509', '-req', '-in', 'localhost.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '2', '-days', '30',
    '-extfile', leafExt('localhost'), '-out', 'good.pem');
  run('x509', '-req', '-in', 'other.example.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '3', '-days', '30',
    '-extfile', leafExt('other.example'), '-out', 'wrongname.pem');
  run('x509', '-req', '-in', 'localhost.csr', '-CA', 'ca2.pem', '-CAkey', 'ca2.key', '-set_serial', '4', '-days', '30',
    '-extfile', 'localhost.ext', '-out', 'unknownca.pem');
  // An expired leaf needs explicit dates: `openssl ca` with a throw-away database.
  fs.mkdirSync(path.join(dir, 'db'));
  fs.writeFileSync(path.join(dir, 'db/index.txt'), '');
  fs.writeFileSync(path.join(dir, 'db/serial'), '05\n');
  fs.writeFileSync(path.join(dir, 'ca.cnf'), [
    '[ ca ]', 'default_ca = tca', '[ tca ]', 'database = db/index.txt', 'serial = db/serial', 'new_certs_dir = db',
    'certificate = ca.pem', 'private_key = ca.key', 'default_md = sha256', 'policy = pol', 'unique_subject = no',
    'x509_extensions = ext', '[ pol ]', 'commonName = supplied', '[ ext ]', 'subjectAltName = DNS:localhost',
    'basicConstraints = CA:FALSE', 'keyUsage = digitalSignature', 'extendedKeyUsage = serverAuth', ''].join('\n'));
  run('ca', '-batch', '-config', 'ca.cnf', '-in', 'localhost.csr', '-out', 'expired.pem', '-notext',
    '-startdate', '20200101000000Z', '-enddate', '20200201000000Z');
}

async function main() {
  const out = {};
  const servers = [];
  if (!tlsBase) {
    const s = net.createServer(serveHttp);
    servers.push(s);
    out.plain = await listen(s);
  } else {
    fs.mkdirSync(tlsBase, { recursive: true });
    const dir = fs.mkdtempSync(path.join(tlsBase, 'run-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    makeCerts(dir);
    const rd = (f) => fs.readFileSync(path.join(dir, f));
    const variants = {
      good: ['good.pem', 'localhost.key'],
      expired: ['expired.pem', 'localhost.key'],
      wrongname: ['wrongname.pem', 'other.example.key'],
      unknownca: ['unknownca.pem', 'localhost.key'],
    };
    for (const [name, [cert, key]] of Object.entries(variants)) {
      const s = tls.createServer({ cert: rd(cert), key: rd(key), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, serveHttp);
      s.on('tlsClientError', () => {});
      servers.push(s);
      out[name] = await listen(s);
    }
    const plain = net.createServer(serveHttp); // plain text where the client expects TLS
    servers.push(plain);
    out.plaintext = await listen(plain);
    out.ca = path.join(dir, 'ca.pem');
  }
  const stop = () => {
    for (const s of servers) s.close();
    for (const k of sockets) k.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop); // the parent went away
  process.stdin.on('error', stop);
  process.stdin.resume();
  setTimeout(stop, lifetime * 1000).unref();
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
