// browser.test.mjs: what switchboardd tells and checks of browsers (docs/security.md, "Browser"):
// nosniff and no-referrer on every response; a Content-Security-Policy on its two HTML pages
// (the desk's, with the backends it may use filled in, and the chat page, whose script and style
// are files); WebSockets from a page of another origin refused with 403 before the upgrade; and
// the flags that configure all this refused when they could break out of a header or a page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, tempDir, serverBinary, repoRoot } from './harness.mjs';
import { request, get } from './contacts_harness.mjs';

// A web root with the real page (its placeholder <meta>) and a script.
function webRoot() {
  const root = join(tempDir(), 'app');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'index.html'), readFileSync(join(repoRoot, 'web/index.html')));
  writeFileSync(join(root, 'boot.js'), 'var Module = {};');
  return root;
}

// Opens a WebSocket at `path`, sending `origin` as its Origin (none when null); resolves with
// {opened: true} or {status} of the refusal.
function openSocket(server, path, origin) {
  const ws = new WebSocket(server.url.replace(/^http/, 'ws') + path, origin ? { origin } : {});
  return new Promise((resolve) => {
    ws.once('open', () => { ws.close(); resolve({ opened: true }); });
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    ws.once('error', (e) => resolve({ error: e.message }));
  });
}

function assertCommonHeaders(r, what) {
  assert.equal(r.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(r.headers['referrer-policy'], 'no-referrer', what);
}

// The CSP's directives as a map: name -> [sources].
function csp(r) {
  const value = r.headers['content-security-policy'];
  assert.ok(value, 'a Content-Security-Policy');
  return Object.fromEntries(value.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
}

test('every response says nosniff and no-referrer; only HTML pages carry a CSP', async () => {
  const server = await startServer({ args: ['--web-root', webRoot(), '--fake-sms-provider'] });
  try {
    const answers = {
      '/': await get(server.url, '/'),
      '/boot.js': await get(server.url, '/boot.js'),
      'HEAD /boot.js': await request(server.url, '/boot.js', { method: 'HEAD' }),
      '/missing.js': await get(server.url, '/missing.js'),
      '/../x (403)': await get(server.url, '/%2e%2e/x'),
      '/healthz': await get(server.url, '/healthz'),
      '/chat': await get(server.url, '/chat'),
      '/chat/chat.js': await get(server.url, '/chat/chat.js'),
      '/chat/chat.css': await get(server.url, '/chat/chat.css'),
      '/desk (426)': await get(server.url, '/desk'),
      '/api/audit (401)': await get(server.url, '/api/audit'),
      'POST / (405)': await request(server.url, '/', { method: 'POST', body: '' }),
      '/dev/sms-provider/outbox': await get(server.url, '/dev/sms-provider/outbox'),
      '413': await request(server.url, '/sms/inbound', { method: 'POST', body: 'x'.repeat(70000) }),
    };
    for (const [what, r] of Object.entries(answers)) assertCommonHeaders(r, what);
    assert.equal(answers['/'].status, 200);
    assert.equal(answers['413'].status, 413);
    for (const page of ['/', '/chat']) assert.ok(answers[page].headers['content-security-policy'], page);
    for (const other of ['/boot.js', '/chat/chat.js', '/healthz', '/api/audit (401)'])
      assert.equal(answers[other].headers['content-security-policy'], undefined, other);
    assert.match(answers['/chat/chat.js'].headers['content-type'], /^text\/javascript/);
    assert.match(answers['/chat/chat.css'].headers['content-type'], /^text\/css/);
  } finally { await server.stop(); }
});

test("the desk page's CSP: scripts from files and wasm, connections to its backends and the SIP WebSocket", async () => {
  const server = await startServer({ args: ['--web-root', webRoot(), '--sip-domain', '127.0.0.1',
    '--sip-ws-url', 'ws://127.0.0.1:5066', '--desk-backend', 'ws://127.0.0.1:9/desk',
    '--desk-backend', 'wss://desk-b.example.com/desk', '--frame-ancestors', "'self' https://crm.example.com"] });
  try {
    const page = await get(server.url, '/');
    const p = csp(page);
    assert.deepEqual(p['default-src'], ["'self'"]);
    assert.deepEqual(p['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(p['connect-src'], ["'self'", 'ws://127.0.0.1:9/desk', 'wss://desk-b.example.com/desk', 'ws://127.0.0.1:5066']);
    assert.deepEqual(p['object-src'], ["'none'"]);
    assert.deepEqual(p['base-uri'], ["'none'"]);
    assert.deepEqual(p['frame-ancestors'], ["'self'", 'https://crm.example.com']);
    assert.equal(p['style-src'], undefined, "styles fall back to default-src 'self': no inline style");
    // The backends the page may be sent to, in its <meta>; no inline script or handler left.
    assert.match(page.text, /<meta name="switchboard-backends" content="ws:\/\/127\.0\.0\.1:9\/desk wss:\/\/desk-b\.example\.com\/desk">/);
    assert.doesNotMatch(page.text, /<script>|<script [^>]*>[^<]|\son[a-z]+=/);
    assert.doesNotMatch(page.text, /<style/);
    // The same through /index.html, and for HEAD.
    assert.equal((await get(server.url, '/index.html')).text, page.text);
    const head = await request(server.url, '/', { method: 'HEAD' });
    assert.equal(head.text, '');
    assert.equal(Number(head.headers['content-length']), Buffer.byteLength(page.text));
    assert.ok(head.headers['content-security-policy']);

    const chat = csp(await get(server.url, '/chat'));
    assert.deepEqual(chat['script-src'], ["'self'"]);
    assert.deepEqual(chat['connect-src'], ["'self'"]);
    assert.deepEqual(chat['frame-ancestors'], ["'self'", 'https://crm.example.com']);
  } finally { await server.stop(); }
});

test("by default: frame-ancestors 'self', the placeholder left empty, no SIP WebSocket", async () => {
  const server = await startServer({ args: ['--web-root', webRoot()] });
  try {
    const page = await get(server.url, '/');
    const p = csp(page);
    assert.deepEqual(p['connect-src'], ["'self'"]);
    assert.deepEqual(p['frame-ancestors'], ["'self'"]);
    assert.match(page.text, /<meta name="switchboard-backends" content="">/);
  } finally { await server.stop(); }
});

test('the chat page has no inline script or style: they are files beside it', async () => {
  const server = await startServer();
  try {
    const page = await get(server.url, '/chat');
    assert.match(page.text, /<script src="\/chat\/chat\.js"><\/script>/);
    assert.match(page.text, /<link rel="stylesheet" href="\/chat\/chat\.css">/);
    assert.doesNotMatch(page.text, /<script>|<style|\son[a-z]+=/);
    const js = await get(server.url, '/chat/chat.js');
    assert.equal(js.status, 200);
    assert.match(js.text, /\/chat\/ws/);
    assert.match(js.text, /token_expired/);
    assert.equal((await request(server.url, '/chat/chat.js', { method: 'POST', body: '' })).status, 405);
  } finally { await server.stop(); }
});

test('WebSockets: a page of another origin is refused 403 before the upgrade; own origin, allowed ones and non-browsers connect', async () => {
  const server = await startServer({ args: ['--allowed-origin', 'https://CRM.example.com:443/'] });
  try {
    const own = new URL(server.url).origin;
    for (const path of ['/desk', '/chat/ws']) {
      for (const origin of ['http://evil.example', 'null', own.replace(/:(\d+)$/, (m, p) => `:${Number(p) + 1}`),
        own.replace('http:', 'https:'), 'http://crm.example.com']) {
        const r = await openSocket(server, path, origin);
        assert.equal(r.status, 403, `${path} from ${origin}: ${JSON.stringify(r)}`);
        assertCommonHeaders(r, `${path} 403`);
        assert.match(r.body, /origin/);
      }
      assert.deepEqual(await openSocket(server, path, null), { opened: true }, `${path} without Origin`);
      assert.deepEqual(await openSocket(server, path, own), { opened: true }, `${path} from its own origin`);
      assert.deepEqual(await openSocket(server, path, 'https://crm.example.com'), { opened: true }, `${path} from an allowed origin`);
    }
    // Each refusal is logged (rate limited), with the origin.
    const refused = server.stderr.split('\n').filter((l) => l.includes('websocket refused'));
    assert.ok(refused.length >= 10, server.stderr);
    assert.match(refused[0], /evil\.example/);
  } finally { await server.stop(); }
});

test('flags that could break out of a header or a page are refused at start', () => {
  for (const args of [
    ['--desk-backend', 'http://127.0.0.1:9/desk'],
    ['--desk-backend', 'ws://127.0.0.1:9/desk; script-src *'],
    ['--desk-backend', 'ws://a.example/desk"><script>alert(1)</script>'],
    ['--allowed-origin', 'https://crm.example.com/path'],
    ['--allowed-origin', 'crm.example.com'],
    ['--frame-ancestors', "'unsafe-inline'"],
    ['--frame-ancestors', 'https://a.example; script-src *'],
    ['--frame-ancestors', ''],
    ['--chat-token-ttl', '0'],
  ]) {
    assert.throws(() => execFileSync(serverBinary, args, { stdio: 'pipe' }), (e) => e.status === 2, args.join(' '));
  }
  const help = execFileSync(serverBinary, ['--help'], { encoding: 'utf8' });
  for (const flag of ['--desk-backend', '--allowed-origin', '--frame-ancestors', '--chat-token-ttl'])
    assert.ok(help.includes(flag), flag);
});
