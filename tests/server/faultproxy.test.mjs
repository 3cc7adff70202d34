// faultproxy.test.mjs: the fault proxy itself (tests/faultproxy.mjs), with an echo server
// behind it: delay is measured, drop holds data (and resume releases it in order), cut closes
// both ends, refuse closes new connections, and a WebSocket upgrade passes through.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { FaultProxy } from '../faultproxy.mjs';

let echo, echoPort, echoSockets = [];
before(async () => {
  echo = net.createServer((s) => { echoSockets.push(s); s.on('error', () => {}); s.pipe(s); });
  await new Promise((res) => echo.listen(0, '127.0.0.1', res));
  echoPort = echo.address().port;
});
after(async () => {
  for (const s of echoSockets) s.destroy();
  await new Promise((res) => echo.close(res));
});

function connect(port) {
  return new Promise((res, rej) => {
    const s = net.connect(port, '127.0.0.1', () => res(s));
    s.once('error', rej);
  });
}

// Collects what a socket receives; read(n) resolves once n bytes have arrived.
function reader(s) {
  let buf = '';
  const waiters = [];
  s.on('data', (d) => { buf += d.toString(); for (const w of waiters.splice(0)) w(); });
  const closed = new Promise((res) => s.on('close', res));
  s.on('error', () => {});
  return {
    closed,
    get text() { return buf; },
    async read(n, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (buf.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`read ${n}: only ${JSON.stringify(buf)}`);
        await new Promise((r) => { const t = setTimeout(r, left); waiters.push(() => { clearTimeout(t); r(); }); });
      }
      return buf;
    },
  };
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

test('passes data unchanged, and delay(ms) holds each chunk that long in each direction', async () => {
  const proxy = await FaultProxy.start(echoPort);
  try {
    const s = await connect(proxy.port);
    const r = reader(s);
    let t0 = Date.now();
    s.write('hello');
    assert.equal(await r.read(5), 'hello');
    const fast = Date.now() - t0;
    assert.ok(fast < 100, `undelayed round trip ${fast} ms`);

    proxy.delay(150);
    t0 = Date.now();
    s.write('a');
    await sleep(20);
    s.write('b');
    await r.read(7);
    const rtt = Date.now() - t0;
    // 150 ms up and 150 ms down; 'b' left 20 ms later and stays behind 'a'.
    assert.ok(rtt >= 300 + 20 - 5 && rtt < 800, `delayed round trip ${rtt} ms`);
    assert.equal(r.text, 'helloab');
    assert.deepEqual(proxy.bytes, { up: 7, down: 7 });
    s.destroy();
  } finally { await proxy.close(); }
});

test('drop() is a black hole that keeps the connection; resume() releases what it held, in order', async () => {
  const proxy = await FaultProxy.start(echoPort);
  try {
    const s = await connect(proxy.port);
    const r = reader(s);
    s.write('1');
    await r.read(1);
    proxy.drop();
    s.write('2');
    s.write('3');
    await sleep(300);
    assert.equal(r.text, '1', 'nothing passes while dropped');
    assert.equal(s.destroyed, false, 'the connection stays open');
    assert.equal(proxy.open, 1);
    proxy.resume();
    assert.equal(await r.read(3), '123');
    s.destroy();
  } finally { await proxy.close(); }
});

test('discard() loses what passes meanwhile (the negative of drop)', async () => {
  const proxy = await FaultProxy.start(echoPort);
  try {
    const s = await connect(proxy.port);
    const r = reader(s);
    proxy.discard();
    s.write('lost');
    await sleep(200);
    proxy.resume();
    s.write('kept');
    assert.equal(await r.read(4), 'kept');
    await sleep(100);
    assert.equal(r.text, 'kept');
    s.destroy();
  } finally { await proxy.close(); }
});

test('cut() closes both ends of every connection at once; new connections still work', async () => {
  const proxy = await FaultProxy.start(echoPort);
  try {
    const before = echoSockets.length;
    const a = await connect(proxy.port), b = await connect(proxy.port);
    const ra = reader(a), rb = reader(b);
    a.write('x'); b.write('y');
    await ra.read(1); await rb.read(1);
    assert.equal(proxy.open, 2);
    const upstreamClosed = echoSockets.slice(before).map((s) => new Promise((res) => s.on('close', res)));
    const t0 = Date.now();
    proxy.cut();
    await Promise.all([ra.closed, rb.closed, ...upstreamClosed]);
    assert.ok(Date.now() - t0 < 500);
    assert.equal(proxy.open, 0);
    const c = await connect(proxy.port);
    const rc = reader(c);
    c.write('z');
    assert.equal(await rc.read(1), 'z');
    c.destroy();
  } finally { await proxy.close(); }
});

test('refuse(true) closes new connections at once; refuse(false) lets them in again', async () => {
  const proxy = await FaultProxy.start(echoPort);
  try {
    proxy.refuse(true);
    const s = await connect(proxy.port);
    const r = reader(s);
    s.write('q');
    await r.closed;
    assert.equal(r.text, '');
    proxy.refuse(false);
    const t = await connect(proxy.port);
    const rt = reader(t);
    t.write('ok');
    assert.equal(await rt.read(2), 'ok');
    t.destroy();
    assert.equal(proxy.connections, 2);
  } finally { await proxy.close(); }
});

test('a WebSocket passes through unchanged, and sees the cut as an abnormal close', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((res) => wss.once('listening', res));
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo:${m}`)));
  const proxy = await FaultProxy.start(wss.address().port);
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/x`);
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    const got = new Promise((res) => ws.once('message', (m) => res(m.toString())));
    ws.send('hi');
    assert.equal(await got, 'echo:hi');
    const closed = new Promise((res) => ws.once('close', (code) => res(code)));
    ws.on('error', () => {});
    proxy.cut();
    assert.equal(await closed, 1006);
  } finally {
    await proxy.close();
    await new Promise((res) => wss.close(res));
  }
});
