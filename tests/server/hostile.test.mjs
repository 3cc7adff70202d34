// hostile.test.mjs: what a stranger can send switchboardd without an account (docs/security.md,
// "Threats"): text that is cut for an error message inside a character, a burst of logins for
// one username, sockets that never read, too many connections from one address, floods of chats,
// and texts posted to the SMS webhook without the gateway's signature. Each of these stopped the
// server, let a password through, or cost it memory without bound before this suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { startServer, DeskClient, sql, sleep, smsSignature } from './harness.mjs';
import { ChatCustomer, randomLoopback } from './contacts_harness.mjs';

const rssKb = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);

async function connectFrom(url, localAddress) {
  const ws = new WebSocket(url, { localAddress });
  const c = new DeskClient(ws);
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  return c;
}

test('client text cut inside a character for an error message: answered, and the server keeps serving', async () => {
  const server = await startServer();
  try {
    const c = await DeskClient.connect(server.wsUrl);
    // 'a' then two-byte characters: the 64-byte cut for the message falls inside one.
    const long = 'a' + 'é'.repeat(40);
    const before = await c.raw(JSON.stringify({ type: long, id: 'x1' }));  // before hello
    assert.equal(before.ok, false);
    assert.equal(before.error.code, 'unknown_type');
    assert.match(before.error.message, /aé+…/);
    const field = await c.raw(JSON.stringify({ type: 'hello', id: 'x2', versions: [1], client: 't', [long]: 1 }));
    assert.equal(field.error.code, 'bad_message');
    assert.match(field.error.message, /é…/);
    // Three-byte characters, and a type the chat endpoint echoes.
    const chat = await ChatCustomer.connect(server.url);
    const refused = await chat.call({ type: '✓'.repeat(200) }, ['error']);
    assert.equal(refused.code, 'unknown_type');
    assert.ok(Buffer.byteLength(refused.message) < 200, refused.message);
    // Still serving: the same connections and a new one.
    await c.hello();
    const d = await DeskClient.connect(server.wsUrl);
    await d.login('alice');
    await Promise.all([c.close(), d.close(), chat.close()]);
  } finally { await server.stop(); }
});

// The right password is sent last, but over 30 connections the server reads the frames in no
// set order: whether it is among the few checked depends on which arrive first. What the limits
// promise holds either way: no more checks than the failure limit, every other attempt refused
// unchecked, and the right password in only if it was itself checked before any lock.
test('30 logins for one username at once: no more password checks than the limit, the rest refused unchecked', async () => {
  const server = await startServer({ args: ['--lock-after', '5', '--login-max-failures', '5'] });
  try {
    const clients = await Promise.all(Array.from({ length: 30 }, () => DeskClient.connect(server.wsUrl)));
    await Promise.all(clients.map((c) => c.hello()));
    const replies = await Promise.all(clients.map((c, i) =>
      c.request('login', { username: 'bob', password: i === 29 ? 'switchboard' : `guess-${i}` })));
    const codes = replies.map((r) => (r.ok ? 'ok' : r.error.code));
    const wrong = codes.filter((x) => x === 'invalid_credentials' || x === 'account_locked').length;
    assert.ok(codes.filter((x) => x === 'invalid_credentials').length <= 5, codes.join(' '));
    assert.ok(codes.slice(0, 29).every((x) => ['invalid_credentials', 'account_locked', 'rate_limited'].includes(x)), codes.join(' '));
    assert.ok(['ok', 'invalid_credentials', 'account_locked', 'rate_limited'].includes(codes[29]), codes.join(' '));
    assert.ok(wrong >= 1, codes.join(' '));
    // Only the checked attempts count (a complete sign-in, if the right one was checked, starts
    // the count again): bob, who knows his password, is not locked out by a burst that was
    // refused before any check.
    const failures = JSON.parse(sql(server.db, "SELECT count(*) AS n FROM login_failures WHERE username = 'bob'"))[0].n;
    if (codes[29] === 'ok') assert.ok(failures <= wrong, `${failures} failures kept, ${codes.join(' ')}`);
    else assert.equal(failures, wrong);
    const later = await DeskClient.connect(server.wsUrl);
    await later.login('bob');
    await Promise.all([...clients, later].map((c) => c.close()));
  } finally { await server.stop(); }
});

test('a right password checked alongside wrong ones that lock the account is refused', async () => {
  const server = await startServer({ args: ['--lock-after', '1', '--login-max-failures', '10'] });
  try {
    const clients = await Promise.all(Array.from({ length: 2 }, () => DeskClient.connect(server.wsUrl)));
    await Promise.all(clients.map((c) => c.hello()));
    // The wrong password goes first and locks the account; the right one is sent once the wrong
    // one is being checked (its attempt is counted before the check: login_failures has its
    // row), or has been answered. Either way the right one is checked after the wrong one (one
    // worker) and must find the account locked. (Sent at once, the two connections' frames may
    // be read in either order, and a right password checked first rightly gets in.)
    const wrong = clients[0].request('login', { username: 'carol', password: 'wrong' });
    let answered = false;
    wrong.then(() => { answered = true; }, () => { answered = true; });
    const counted = () => JSON.parse(sql(server.db, "SELECT count(*) AS n FROM login_failures WHERE username = 'carol'"))[0].n > 0;
    while (!answered && !counted()) await sleep(1);
    const right = clients[1].request('login', { username: 'carol', password: 'switchboard' });
    const replies = await Promise.all([wrong, right]);
    assert.equal(replies[0].error.code, 'account_locked', JSON.stringify(replies[0]));
    assert.equal(replies[1].ok, false, JSON.stringify(replies[1]));
    assert.equal(replies[1].error.code, 'account_locked');
    await Promise.all(clients.map((c) => c.close()));
  } finally { await server.stop(); }
});

test('clients that never read: the server stays small, a logged-in agent stays fast, and SIGTERM still stops it', async () => {
  const server = await startServer();
  try {
    const agent = await DeskClient.connect(server.wsUrl);
    await agent.login('alice');
    const start = rssKb(server.proc.pid);
    const floods = await Promise.all(Array.from({ length: 20 }, () => connectFrom(server.wsUrl, randomLoopback())));
    await Promise.all(floods.map((c) => c.hello()));
    for (const c of floods) c.ws._socket.pause();  // never read again
    const frame = JSON.stringify({ type: 'ping', id: 'p' });
    let flooding = true;
    const pump = (async () => {
      while (flooding) {
        for (const c of floods) for (let i = 0; i < 200; i++) c.ws.send(frame);
        await sleep(20);
      }
    })();
    const rtts = [];
    for (let i = 0; i < 40; i++) {
      const t = performance.now();
      await agent.ok('ping');
      rtts.push(performance.now() - t);
      await sleep(100);
    }
    flooding = false;
    await pump;
    const grown = rssKb(server.proc.pid) - start;
    rtts.sort((a, b) => a - b);
    // Before the limits, one such client grew the server by hundreds of MB in seconds.
    assert.ok(grown < 40 * 1024, `switchboardd grew by ${grown} kB`);
    // Starved behind the flood, the agent's pings would wait seconds; how fast they are on a quiet
    // machine is the hostile-load bench's figure (docs/PERFORMANCE.md: p99 5 ms). A loaded 2-core
    // machine (builds beside the suite) answered in 250 ms: the bound here is for starvation only.
    assert.ok(rtts[Math.floor(rtts.length * 0.99)] < 1000, `agent ping p99 ${rtts.at(-1)} ms`);
    const t = Date.now();
    await server.stop();
    assert.ok(Date.now() - t < 5000, `stopped in ${Date.now() - t} ms`);
    for (const c of floods) c.ws.terminate();
  } finally { await server.stop(); }
});

test('anonymous connections are capped per address; a logged-in desk no longer counts', async () => {
  const server = await startServer({ args: ['--max-connections-per-address', '5'] });
  try {
    const wsUrl = server.wsUrl;
    const open = [];
    for (let i = 0; i < 5; i++) open.push(await connectFrom(wsUrl, '127.0.0.5'));
    const refused = await new Promise((res) => {
      const ws = new WebSocket(wsUrl, { localAddress: '127.0.0.5' });
      ws.on('unexpected-response', (req, r) => res(r.statusCode));
      ws.on('open', () => res('open'));
      ws.on('error', (e) => res(`error ${e.message}`));
    });
    assert.equal(refused, 503);
    // Another address is not affected.
    const other = await connectFrom(wsUrl, '127.0.0.6');
    // One of the five logs in: its place is free for another anonymous connection.
    await open[0].login('alice');
    const sixth = await connectFrom(wsUrl, '127.0.0.5');
    await sixth.hello();
    await Promise.all([...open, other, sixth].map((c) => c.close()));
  } finally { await server.stop(); }
});

test('anonymous chat is rate limited: new chats per address, messages and typing per connection', async () => {
  const server = await startServer();
  try {
    const address = randomLoopback();
    const results = [];
    for (let i = 0; i < 12; i++) {
      const c = await ChatCustomer.connect(server.url, { localAddress: address });
      results.push(await c.call({ type: 'start', name: `Flood ${i}` }, ['started', 'error']));
      await c.close();
    }
    const limited = results.filter((f) => f.type === 'error' && f.code === 'rate_limited');
    assert.equal(results.filter((f) => f.type === 'started').length, 10);
    assert.equal(limited.length, 2);
    assert.ok(limited[0].retry_after_ms > 0);
    // A customer at another address still starts a chat.
    const ok = await ChatCustomer.connect(server.url);
    await ok.start('Real Customer');
    const from = ok.frames.length;
    for (let i = 0; i < 15; i++) ok.send({ type: 'message', text: `line ${i}`, client_id: `m${i}` });
    await ok.waitFor((f) => f.type === 'error' && f.code === 'rate_limited', { from });
    await sleep(300);
    const acks = ok.frames.slice(from).filter((f) => f.type === 'ack').length;
    const refusedMessages = ok.frames.slice(from).filter((f) => f.type === 'error' && f.code === 'rate_limited');
    assert.equal(acks + refusedMessages.length, 15);
    assert.ok(acks >= 10 && acks < 15, `acks ${acks}`);
    assert.ok(refusedMessages.every((f) => /^m\d+$/.test(f.client_id)), 'a refused message names its client_id');
    const stored = JSON.parse(sql(server.db, `SELECT count(*) AS n FROM messages WHERE contact = '${ok.contact}'`))[0].n;
    assert.equal(stored, acks);
    await ok.close();
  } finally { await server.stop(); }
});

test('the SMS webhook takes only texts signed with the shared secret, for our own numbers', async () => {
  const server = await startServer();
  try {
    const body = new URLSearchParams({ From: '+15550100001', To: '7001', Body: 'Hello' }).toString();
    const send = async (headers, url = server.url) => {
      const r = await fetch(`${url}/sms/inbound`, { method: 'POST', body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
      return { status: r.status, json: await r.json().catch(() => null) };
    };
    const now = Math.floor(Date.now() / 1000);
    const unsigned = await send({});
    assert.equal(unsigned.status, 401);
    assert.equal(unsigned.json.error.code, 'bad_signature');
    assert.equal((await send({ 'X-Switchboard-Signature': smsSignature('not-the-secret-at-all', body, now) })).status, 401);
    assert.equal((await send({ 'X-Switchboard-Signature': smsSignature(server.smsSecret, body, now - 3600) })).status, 401);
    const other = body.replace('Hello', 'Hellp');
    assert.equal((await send({ 'X-Switchboard-Signature': smsSignature(server.smsSecret, other, now) })).status, 401);
    assert.equal(JSON.parse(sql(server.db, 'SELECT count(*) AS n FROM messages'))[0].n, 0);
    const signed = await send({ 'X-Switchboard-Signature': smsSignature(server.smsSecret, body, now) });
    assert.equal(signed.status, 200, JSON.stringify(signed.json));
  } finally { await server.stop(); }
  // An unreadable secret stops the start; without one the webhook takes nothing at all.
  const broken = await startServer({ args: ['--sms-webhook-secret-file', '/nonexistent'] }).catch((e) => e);
  assert.ok(broken instanceof Error, 'an unreadable secret file stops the start');
  const bare = await startServer({ smsWebhook: false });
  try {
    const r = await fetch(`${bare.url}/sms/inbound`, { method: 'POST', body: 'From=%2B15550100001&To=7001&Body=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 503);
  } finally { await bare.stop(); }
});
