// switchboardd serving HTTPS and WSS itself (--tls-cert, --tls-key; docs/operations.md): a desk
// signs in over wss://, a customer chats over wss://, the API and static answers come over
// https://; plain HTTP to the TLS port is told to use https://; old TLS versions are refused;
// switchboard-bot connects over wss:// verifying the certificate. A missing or bad certificate or
// key, or a key every user may read, stops the server before it starts; so does plain HTTP on
// an address other machines reach, unless --insecure-http says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { repoRoot, serverBinary, startServer, tempDir, DeskClient } from './harness.mjs';
import { ChatCustomer } from './contacts_harness.mjs';
import { fetchWith, makeCert } from './tls_harness.mjs';

const bot = process.env.SWITCHBOARD_BOT ?? join(repoRoot, 'build/native/tools/switchboard-bot');
const dir = tempDir();
const tls = makeCert(dir);
let server;

before(async () => {
  server = await startServer({ dir, args: ['--tls-cert', tls.cert, '--tls-key', tls.key, '--fake-sms-provider'] });
});
after(async () => { await server?.stop(); });

// Runs switchboardd to its exit; resolves with {code, stderr}.
function runServer(args, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const p = spawn(serverBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '', stdout = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`still running: ${stdout}${stderr}`)); }, timeoutMs);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, stderr, stdout }); });
  });
}

test('the listening line says https://, and a desk signs in over wss://', async () => {
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(server.wsUrl, /^wss:\/\//);
  const desk = await DeskClient.connect(server.wsUrl, { ca: tls.ca });
  const session = await desk.login('alice');
  assert.equal(session.agent.username, 'alice');
  await desk.ok('set_state', { state: 'available' });
  await desk.close();
});

test('a customer chats over wss://, and HTTPS serves the chat page and the API', async () => {
  const customer = await ChatCustomer.connect(server.url, { wsOptions: { ca: tls.ca } });
  await customer.start('Tess Tls');
  assert.ok(customer.contact);
  await customer.close();
  const page = await fetchWith(server.url, '/chat', { ca: tls.ca });
  assert.equal(page.status, 200);
  assert.match(page.text, /<html/);
  const audit = await fetchWith(server.url, '/api/audit', { ca: tls.ca });
  assert.equal(audit.status, 401);
  assert.equal(audit.json.error.code, 'invalid_token');
});

test('an untrusted certificate fails the handshake, and so does TLS 1.1', async () => {
  await assert.rejects(fetchWith(server.url, '/chat'), /self-signed|self signed|certificate/);
  await assert.rejects(fetchWith(server.url, '/chat', { ca: tls.ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }),
    /protocol|version|alert/i);
});

test('plain HTTP to the TLS port is answered 400, use https://; a ws:// upgrade fails', async () => {
  const plainUrl = server.url.replace(/^https/, 'http');
  const r = await fetchWith(plainUrl, '/chat');
  assert.equal(r.status, 400);
  assert.match(r.text, /https:\/\//);
  const ws = new WebSocket(plainUrl.replace(/^http/, 'ws') + '/desk');
  await assert.rejects(new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); }), /400/);
});

test('switchboard-bot connects over wss:// with --ca-file, and refuses the certificate without it', async () => {
  const run = (args) => new Promise((resolve) => {
    const p = spawn(bot, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWITCHBOARD_PASSWORD: 'switchboard' } });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('exit', (code) => resolve({ code, out }));
  });
  const ok = await run(['--url', server.wsUrl, '--ca-file', tls.cert, '--username', 'bob',
    '--state', 'available', '--timeout', '10']);
  assert.equal(ok.code, 0, ok.out);
  const refused = await run(['--url', server.wsUrl, '--username', 'bob', '--timeout', '3']);
  assert.equal(refused.code, 1);
  assert.match(refused.out, /certificate verify failed|TLS handshake failed/);
});

test('a missing or bad certificate or key, or a world-readable key, refuses to start', async () => {
  const d = tempDir();
  const db = join(d, 'x.db');
  const base = ['--listen', '127.0.0.1:0', '--db', db];
  const missing = await runServer([...base, '--tls-cert', tls.cert, '--tls-key', join(d, 'nope.key')]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /--tls-key .*nope\.key: No such file/);

  const garbage = join(d, 'garbage.crt');
  writeFileSync(garbage, 'not a certificate\n');
  const bad = await runServer([...base, '--tls-cert', garbage, '--tls-key', tls.key]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--tls-cert .*garbage\.crt: not a PEM certificate/);

  const other = makeCert(d, 'other');
  const mismatched = await runServer([...base, '--tls-cert', tls.cert, '--tls-key', other.key]);
  assert.notEqual(mismatched.code, 0);
  assert.match(mismatched.stderr, /is not the key of the certificate/);

  const open = join(d, 'open.key');
  copyFileSync(tls.key, open);
  chmodSync(open, 0o644);
  const exposed = await runServer([...base, '--tls-cert', tls.cert, '--tls-key', open]);
  assert.notEqual(exposed.code, 0);
  assert.match(exposed.stderr, /readable by every user.*chmod 600/);

  const half = await runServer([...base, '--tls-cert', tls.cert]);
  assert.equal(half.code, 2);
  assert.match(half.stderr, /--tls-cert and --tls-key go together/);
  assert.equal(existsSync(db), false, 'nothing was created');
});

test('plain HTTP on 0.0.0.0 is refused at start, saying why and what to do', async () => {
  const d = tempDir();
  const r = await runServer(['--listen', '0.0.0.0:0', '--db', join(d, 'x.db')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /refusing plain HTTP on 0\.0\.0\.0/);
  assert.match(r.stderr, /--tls-cert FILE --tls-key FILE/);
  assert.match(r.stderr, /--trusted-proxy/);
  assert.match(r.stderr, /--insecure-http/);
  assert.equal(existsSync(join(d, 'x.db')), false);
});
