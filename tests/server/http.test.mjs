// http.test.mjs: the HTTP side of switchboardd (static files from --web-root, content types,
// traversal refused, 404, /healthz, the hint without a web build, /desk only for WebSockets)
// and the process lifecycle (--help, SIGTERM closes WebSockets with 1001 and exits 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, DeskClient, tempDir, serverBinary, signSms } from './harness.mjs';

// Raw request: the path is sent exactly as given (no URL normalisation).
function get(url, path, method = 'GET') {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path, method, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

// Raw POST to /sms/inbound (form content type unless `headers` says otherwise); the body as text.
function postSms(url, headers, body) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: '/sms/inbound', method: 'POST', agent: false,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...signSms(url, body), ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function makeWebRoot() {
  const dir = tempDir();
  const root = join(dir, 'web');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>switchboard test page</title>');
  writeFileSync(join(root, 'switchboard.wasm'), Buffer.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(root, 'switchboard.js'), 'console.log(1);');
  writeFileSync(join(root, 'assets', 'style.css'), 'body{}');
  writeFileSync(join(root, 'assets', 'icon.svg'), '<svg/>');
  writeFileSync(join(dir, 'secret.txt'), 'TOP SECRET');
  return { dir, root };
}

test('static files from --web-root, with content types, traversal refused, 404', async () => {
  const { dir, root } = makeWebRoot();
  const server = await startServer({ dir, args: ['--web-root', root] });
  try {
    const index = await get(server.url, '/');
    assert.equal(index.status, 200);
    assert.match(index.headers['content-type'], /^text\/html/);
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.match(index.body.toString(), /switchboard test page/);
    assert.equal((await get(server.url, '/index.html')).body.toString(), index.body.toString());

    const wasm = await get(server.url, '/switchboard.wasm');
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers['content-type'], 'application/wasm');
    assert.deepEqual([...wasm.body], [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);

    assert.match((await get(server.url, '/switchboard.js')).headers['content-type'], /javascript/);
    assert.match((await get(server.url, '/assets/style.css')).headers['content-type'], /^text\/css/);
    assert.equal((await get(server.url, '/assets/icon.svg?v=2')).headers['content-type'], 'image/svg+xml');

    const head = await get(server.url, '/switchboard.wasm', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '8');
    assert.equal(head.body.length, 0);

    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt',
                        '/assets/..%5c..%5csecret.txt']) {
      const r = await get(server.url, path);
      assert.ok(r.status === 403 || r.status === 404, `${path} -> ${r.status}`);
      assert.ok(!r.body.toString().includes('TOP SECRET'), `${path} leaked the file`);
    }
    assert.equal((await get(server.url, '/missing.js')).status, 404);
    assert.equal((await get(server.url, '/assets/nope/deeper.png')).status, 404);

    const health = await get(server.url, '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.body.toString()), { ok: true });

    // /desk is for WebSockets only; other paths refuse the upgrade.
    assert.equal((await get(server.url, '/desk')).status, 426);
    const wrongPath = new WebSocket(server.url.replace('http', 'ws') + '/elsewhere');
    const failure = await new Promise((res) => { wrongPath.on('error', res); wrongPath.on('open', () => res(null)); });
    assert.ok(failure, 'a WebSocket at another path is refused');
  } finally {
    await server.stop();
  }
});

test('without --web-root, / explains how to build the web app', async () => {
  const server = await startServer();
  try {
    const r = await get(server.url, '/');
    assert.equal(r.status, 200);
    assert.match(r.body.toString(), /web build is missing/);
    assert.match(r.body.toString(), /cmake --preset web/);
    assert.equal((await get(server.url, '/index.js')).status, 404);
    assert.equal((await get(server.url, '/healthz')).status, 200);
  } finally {
    await server.stop();
  }
});

test('SIGTERM closes every WebSocket with 1001 and exits 0', async () => {
  const server = await startServer();
  const a = await DeskClient.connect(server.wsUrl);
  const b = await DeskClient.connect(server.wsUrl);
  await a.login('alice');
  await b.hello();
  const { code, signal } = await server.stop();
  assert.equal(code, 0);
  assert.equal(signal, null);
  assert.equal((await a.closed).code, 1001);
  assert.equal((await b.closed).code, 1001);
  a.assertValid();
  b.assertValid();
  const last = server.stderr.trim().split('\n').at(-1);
  assert.equal(JSON.parse(last).msg, 'stopped');
});

test('--help prints the usage and every flag', () => {
  const out = execFileSync(serverBinary, ['--help'], { encoding: 'utf8' });
  for (const flag of ['--listen', '--db', '--web-root', '--token-ttl', '--login-max-failures', '--login-window',
                      '--demo', '--no-seed', '--log-level', '--help'])
    assert.ok(out.includes(flag), flag);
});

test('an unknown flag is refused with exit code 2', () => {
  assert.throws(() => execFileSync(serverBinary, ['--bogus'], { stdio: 'pipe' }), (e) => e.status === 2);
});

test('--no-seed (after --demo) leaves an empty database without agents', async () => {
  const server = await startServer({ args: ['--no-seed'] });
  try {
    const c = await DeskClient.connect(server.wsUrl);
    await c.hello();
    await c.fails('login', { username: 'alice', password: 'switchboard' }, 'invalid_credentials');
    await c.close();
  } finally {
    await server.stop();
  }
});

test('a request body over 64 KB is answered 413 and the server keeps serving', async () => {
  const server = await startServer();
  try {
    // Declared up front (Content-Length), and discovered while reading (chunked).
    const declared = await postSms(server.url, { 'Content-Length': String(70 * 1024) }, Buffer.alloc(70 * 1024, 'a'));
    assert.equal(declared.status, 413);
    assert.match(declared.body, /too large/);
    const chunked = await postSms(server.url, { 'Transfer-Encoding': 'chunked' }, Buffer.alloc(70 * 1024, 'b'));
    assert.equal(chunked.status, 413);
    assert.equal((await get(server.url, '/healthz')).status, 200);
  } finally {
    await server.stop();
  }
});

test('an SMS webhook field named in invalid UTF-8 is refused 400, and the server keeps serving', async () => {
  // Found by the http_request fuzz target: the refusal quoted the field name into JSON, whose
  // serializer threw, and the exception stopped the server's I/O loop.
  const server = await startServer();
  try {
    const body = Buffer.concat([Buffer.from('From=%2B15551230001&To=%2B15550100&Body=hi&'), Buffer.from([0x82, 0xc2]), Buffer.from('Q=x')]);
    const reply = await postSms(server.url, { 'Content-Length': body.length }, body);
    assert.equal(reply.status, 400);
    assert.equal(JSON.parse(reply.body).error.code, 'bad_message');
    assert.equal((await get(server.url, '/healthz')).status, 200);
  } finally {
    await server.stop();
  }
});
