// switchboardd behind a real nginx (docs/operations.md, "Behind a proxy"): nginx terminates TLS
// and proxies HTTP and WebSockets to a switchboardd on loopback run with --trusted-proxy
// 127.0.0.1. The per-address limits still see each real client: customers and desks reach nginx
// from different loopback addresses (127.0.0.x), and one address that used up its failed logins
// or its new chats limits only itself. X-Forwarded-For from anyone but a trusted proxy is
// ignored: sent straight to switchboardd, or put in front of nginx's own entry, it neither
// escapes a limit nor passes a loopback check. And nginx, one address for every client, is not
// held to the per-address connection cap.
//
// nginx is started by this file from a config it writes in a temp dir (its own pid file and
// logs, a loopback port) and stopped by its pid.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { startServer, tempDir, DeskClient, sleep } from './harness.mjs';
import { ChatCustomer } from './contacts_harness.mjs';
import { fetchWith, freePort, makeCert } from './tls_harness.mjs';

const nginxBinary = process.env.NGINX ?? '/usr/sbin/nginx';
const dir = tempDir();
const tls = makeCert(dir);
const telephonySecret = join(dir, 'telephony.secret');
writeFileSync(telephonySecret, 'telephony-secret-for-the-proxy-test\n', { mode: 0o600 });
let server, nginx, front;  // front: nginx's https:// URL

// nginx in the foreground (daemon off), so that its master is our child, stopped by its pid.
async function startNginx(upstream) {
  const port = await freePort();
  const tmp = join(dir, 'nginx-tmp');
  mkdirSync(tmp, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `
worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'nginx-error.log')} warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path ${tmp}/body;
    proxy_temp_path ${tmp}/proxy;
    fastcgi_temp_path ${tmp}/fastcgi;
    uwsgi_temp_path ${tmp}/uwsgi;
    scgi_temp_path ${tmp}/scgi;
    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    upstream switchboardd { server ${upstream}; }
    server {
        listen 127.0.0.1:${port} ssl;
        ssl_certificate ${tls.cert};
        ssl_certificate_key ${tls.key};
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            proxy_pass http://switchboardd;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 1h;
        }
    }
}
`);
  const proc = spawn(nginxBinary, ['-e', join(dir, 'nginx-error.log'), '-p', dir, '-c', conf],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  for (let i = 0; ; ++i) {
    if (proc.exitCode !== null) {
      let log = '';
      try { log = readFileSync(join(dir, 'nginx-error.log'), 'utf8'); } catch { /* none */ }
      throw new Error(`nginx exited: ${stderr}\n${log}`);
    }
    const up = await new Promise((res) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); res(true); });
      s.on('error', () => res(false));
    });
    if (up) break;
    if (i > 100) throw new Error(`nginx did not listen on ${port}: ${stderr}`);
    await sleep(100);
  }
  return {
    url: `https://127.0.0.1:${port}`,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid, 'SIGQUIT');  // graceful
      const t = setTimeout(() => { if (proc.exitCode === null) process.kill(proc.pid, 'SIGKILL'); }, 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

before(async () => {
  server = await startServer({
    dir,
    args: ['--trusted-proxy', '127.0.0.1', '--trusted-proxy', '127.0.0.2/32', '--login-max-failures', '1',
      '--max-connections-per-address', '3', '--fake-sms-provider', '--telephony-secret-file', telephonySecret],
  });
  nginx = await startNginx(new URL(server.url).host);
  front = nginx.url;
});
after(async () => {
  await nginx?.stop();
  await server?.stop();
});

const deskVia = (url, localAddress, headers = {}) =>
  DeskClient.connect(url.replace(/^http/, 'ws') + '/desk', { ca: tls.ca, localAddress, headers });

// Failed logins from one desk connection until the address is rate limited; returns the error.
async function exhaustLogins(desk, prefix) {
  await desk.hello();
  for (let i = 0; i < 10; ++i) {
    const reply = await desk.request('login', { username: `${prefix}${i}`, password: 'wrong' });
    assert.equal(reply.ok, false);
    if (reply.error.code === 'rate_limited') return reply.error;
    assert.equal(reply.error.code, 'invalid_credentials', JSON.stringify(reply.error));
  }
  throw new Error('never rate limited');
}

test('through nginx, one client exhausting its failed logins does not limit another', async () => {
  const a = await deskVia(front, '127.0.0.21');
  await exhaustLogins(a, 'nobody-a-');
  // The right password from the same client: still limited (per address: 4 x 1 failures).
  const again = await a.request('login', { username: 'alice', password: 'switchboard' });
  assert.equal(again.ok, false);
  assert.equal(again.error.code, 'rate_limited');
  await a.close();
  // Another client through the same nginx is its own address.
  const b = await deskVia(front, '127.0.0.22');
  const session = await b.login('alice');
  assert.equal(session.agent.username, 'alice');
  await b.close();
  // The limited client cannot get out by claiming another address: nginx appends the one it saw.
  const spoof = await deskVia(front, '127.0.0.21', { 'X-Forwarded-For': '198.51.100.77' });
  await spoof.hello();
  const r = await spoof.request('login', { username: 'bob', password: 'switchboard' });
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'rate_limited');
  await spoof.close();
});

test('X-Forwarded-For sent straight to switchboardd by an untrusted client is ignored', async () => {
  const direct = server.url;  // plain http on 127.0.0.1; this client is 127.0.0.31, not a trusted proxy
  const a = await deskVia(direct, '127.0.0.31', { 'X-Forwarded-For': '198.51.100.1' });
  await exhaustLogins(a, 'nobody-d-');
  await a.close();
  const b = await deskVia(direct, '127.0.0.31', { 'X-Forwarded-For': '198.51.100.2' });
  await b.hello();
  const r = await b.request('login', { username: 'carol', password: 'switchboard' });
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'rate_limited', 'a new X-Forwarded-For is not a new address');
  await b.close();
  // Nor does it make a loopback check fail or pass for anyone else: the peer is the client.
  const outbox = await fetchWith(direct, '/dev/sms-provider/outbox', { localAddress: '127.0.0.31',
    headers: { 'X-Forwarded-For': '203.0.113.9' } });
  assert.equal(outbox.status, 200);
});

test('through nginx, one client using up its new chats does not limit another', async () => {
  const opts = { wsOptions: { ca: tls.ca } };
  let refused = null;
  let started = 0;
  for (let i = 0; i < 20 && !refused; ++i) {  // one chat per connection, all from one address
    const c = await ChatCustomer.connect(front, { localAddress: '127.0.0.41', ...opts });
    const f = await c.call({ type: 'start', name: `Busy ${i}` }, ['started', 'error']);
    if (f.type === 'error') refused = f;
    else ++started;
    await c.close();
  }
  assert.ok(refused, 'new chats from one address are limited');
  assert.equal(refused.code, 'rate_limited');
  assert.equal(started, 10);
  const other = await ChatCustomer.connect(front, { localAddress: '127.0.0.42', ...opts });
  await other.start('Someone Else');
  await other.close();
});

test('a client behind a trusted chain is not loopback, whatever it writes in front', async () => {
  // 127.0.0.2 plays an outer proxy (trusted) for a client at 203.0.113.7, who also wrote
  // 127.0.0.1 into the header itself. nginx appends 127.0.0.2; switchboardd reads from the right.
  const headers = { 'X-Forwarded-For': '127.0.0.1, 203.0.113.7' };
  const outbox = await fetchWith(front, '/dev/sms-provider/outbox', { ca: tls.ca, localAddress: '127.0.0.2', headers });
  assert.equal(outbox.status, 404, 'the fake provider answers loopback clients only');
  const tel = await fetchWith(front, '/telephony/route', { ca: tls.ca, localAddress: '127.0.0.2', headers,
    method: 'POST', body: 'x=1' });
  assert.equal(tel.status, 403);
  assert.match(tel.text, /loopback or --telephony-peer only/);
  // A client on this machine through nginx is loopback (the check runs, then wants the secret).
  const local = await fetchWith(front, '/telephony/route', { ca: tls.ca, localAddress: '127.0.0.51', method: 'POST', body: 'x=1' });
  assert.equal(local.status, 401);
  // And the log names the forwarded client, not the proxy.
  await sleep(100);
  assert.match(server.stderr, /"peer":"203\.0\.113\.7"/);
});

test('nginx is one address for many clients, and is not held to the per-address connection cap', async () => {
  // --max-connections-per-address 3: six customers through nginx all connect.
  const customers = [];
  for (let i = 0; i < 6; ++i)
    customers.push(await ChatCustomer.connect(front, { localAddress: `127.0.0.${60 + i}`, wsOptions: { ca: tls.ca } }));
  assert.equal(customers.length, 6);
  await Promise.all(customers.map((c) => c.close()));
  // A client straight to switchboardd still is: the fourth anonymous connection is refused.
  const held = [];
  for (let i = 0; i < 3; ++i) held.push(await ChatCustomer.connect(server.url, { localAddress: '127.0.0.70' }));
  await assert.rejects(ChatCustomer.connect(server.url, { localAddress: '127.0.0.70' }), /503/);
  await Promise.all(held.map((c) => c.close()));
});
