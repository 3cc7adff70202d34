// auth.test.mjs: login, the login rate limit, session tokens (resume, expiry, logout), and
// what the server keeps and logs about secrets: Argon2id hashes, no passwords or tokens in logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DeskClient, sql, sleep } from './harness.mjs';

let server;
const tokensSeen = [];
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

test('login with the right password returns a session with the agent and reason codes', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  const before = Date.now();
  const s = await c.login('alice');
  tokensSeen.push(s.token);
  assert.equal(s.agent.username, 'alice');
  assert.equal(s.agent.display_name, 'Alice Moreau');
  assert.equal(s.agent.state, 'offline');
  assert.equal(s.agent.reason, null);
  assert.ok(s.token.length >= 40);
  const hours12 = 12 * 3600 * 1000;
  assert.ok(Math.abs(s.expires_at - (before + hours12)) < 10000, 'default token lifetime is 12 h');
  assert.deepEqual(s.reason_codes.map((r) => r.code), ['break', 'lunch', 'training', 'meeting', 'coaching', 'admin']);
  assert.deepEqual(s.reason_codes.find((r) => r.code === 'admin'), { code: 'admin', label: 'Admin work' });
  assert.equal(s.seq, 0);
  const { reason_codes } = await c.ok('get_reason_codes');
  assert.deepEqual(reason_codes, s.reason_codes);
  // Once per connection.
  await c.fails('login', { username: 'alice', password: 'switchboard' }, 'already_logged_in');
  await c.fails('resume', { token: s.token, last_seq: 0 }, 'already_logged_in');
  await c.close();
});

test('wrong password and unknown username give the same invalid_credentials', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  await c.hello();
  const wrong = await c.fails('login', { username: 'bob', password: 'hunter2-not-it' }, 'invalid_credentials');
  const unknown = await c.fails('login', { username: 'nobody-here', password: 'hunter2-not-it' }, 'invalid_credentials');
  assert.equal(wrong.message, unknown.message);
  // A failed login does not use up the connection.
  const s = await c.ok('login', { username: 'bob', password: 'switchboard' });
  tokensSeen.push(s.token);
  assert.equal(s.agent.username, 'bob');
  await c.close();
});

test('passwords are stored as Argon2id hashes', () => {
  const rows = JSON.parse(sql(server.db, 'SELECT username, password_hash FROM agents ORDER BY username'));
  assert.deepEqual(rows.map((r) => r.username), ['alice', 'bob', 'carol', 'erin', 'sam']);
  for (const r of rows) {
    assert.match(r.password_hash, /^\$argon2id\$v=19\$/);
    assert.ok(!r.password_hash.includes('switchboard'));
  }
});

test('sessions store only a hash of the token', () => {
  const rows = JSON.parse(sql(server.db, 'SELECT * FROM sessions'));
  assert.ok(rows.length >= 2);
  const dump = JSON.stringify(rows);
  for (const t of tokensSeen) assert.ok(!dump.includes(t), 'a token is stored in clear');
});

test('resume with an unknown token is invalid_token', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  await c.hello();
  await c.fails('resume', { token: 'A'.repeat(43), last_seq: 0 }, 'invalid_token');
  await c.ok('ping');
  await c.close();
});

test('logout revokes the token and sets the agent offline', async () => {
  const a = await DeskClient.connect(server.wsUrl);
  const s = await a.login('carol');
  tokensSeen.push(s.token);
  await a.ok('set_state', { state: 'available' });
  // A second connection on the same session, and one on another session of the same agent.
  const same = await DeskClient.connect(server.wsUrl);
  await same.hello();
  await same.ok('resume', { token: s.token, last_seq: s.seq + 1 });
  const otherSession = await DeskClient.connect(server.wsUrl);
  const s2 = await otherSession.login('carol');
  tokensSeen.push(s2.token);
  assert.deepEqual(await a.ok('logout'), {});
  await same.waitForEvents(1);
  await otherSession.waitForEvents(1);
  assert.equal(same.events[0].data.state, 'offline');
  await same.fails('get_reason_codes', {}, 'not_logged_in');
  await otherSession.ok('get_reason_codes');
  await Promise.all([same.close(), otherSession.close()]);
  const offline = a.events.at(-1);
  assert.equal(offline.data.state, 'offline');
  assert.equal(offline.seq, s.seq + 2);
  await a.fails('set_state', { state: 'available' }, 'not_logged_in');
  await a.close();

  const b = await DeskClient.connect(server.wsUrl);
  await b.hello();
  await b.fails('resume', { token: s.token, last_seq: 0 }, 'invalid_token');
  const again = await b.ok('login', { username: 'carol', password: 'switchboard' });
  tokensSeen.push(again.token);
  assert.equal(again.agent.state, 'offline');
  const revoked = JSON.parse(sql(server.db, "SELECT revoked_at FROM sessions WHERE agent = 'carol' AND revoked_at IS NOT NULL"));
  assert.equal(revoked.length, 1);
  await b.close();
});

test('the log is JSON lines and never contains a password or a token', async () => {
  await sleep(100);
  const lines = server.stderr.trim().split('\n');
  assert.ok(lines.length > 5);
  for (const line of lines) {
    const entry = JSON.parse(line);
    assert.equal(typeof entry.ts, 'number');
    assert.match(entry.level, /^(debug|info|warn|error)$/);
    assert.equal(typeof entry.msg, 'string');
  }
  assert.ok(lines.some((l) => JSON.parse(l).msg === 'logged in' && JSON.parse(l).username === 'alice'));
  assert.ok(!/\bswitchboard\b/.test(server.stderr), 'the demo password appears in the log');
  assert.ok(!server.stderr.includes('hunter2'), 'a wrong password appears in the log');
  for (const t of tokensSeen) assert.ok(!server.stderr.includes(t), 'a token appears in the log');
});

test('an expired token is token_expired', async () => {
  const short = await startServer({ args: ['--token-ttl', '1'] });
  try {
    const a = await DeskClient.connect(short.wsUrl);
    const s = await a.login('alice');
    assert.ok(s.expires_at - Date.now() <= 1500);
    await a.close();
    await sleep(1200);
    const b = await DeskClient.connect(short.wsUrl);
    await b.hello();
    await b.fails('resume', { token: s.token, last_seq: 0 }, 'token_expired');
    await b.ok('ping');
    await b.close();
  } finally {
    await short.stop();
  }
});

test('after N failed logins the username is rate limited, even with the right password', async () => {
  const limited = await startServer({ args: ['--login-max-failures', '3', '--login-window', '2', '--log-level', 'debug'] });
  try {
    const c = await DeskClient.connect(limited.wsUrl);
    await c.hello();
    for (let i = 0; i < 3; i++)
      await c.fails('login', { username: 'alice', password: `hunter2-${i}` }, 'invalid_credentials');
    const started = Date.now();
    const error = await c.fails('login', { username: 'alice', password: 'switchboard' }, 'rate_limited');
    assert.ok(Number.isInteger(error.retry_after_ms));
    assert.ok(error.retry_after_ms > 0 && error.retry_after_ms <= 2001, `retry_after_ms ${error.retry_after_ms}`);
    // Other usernames are not limited (the address limit is higher).
    const other = await DeskClient.connect(limited.wsUrl);
    await other.login('bob');
    await other.close();
    // Once the oldest failure leaves the window, the right password works again.
    await sleep(Math.max(0, error.retry_after_ms - (Date.now() - started)) + 50);
    const s = await c.ok('login', { username: 'alice', password: 'switchboard' });
    assert.equal(s.agent.username, 'alice');
    const left = JSON.parse(sql(limited.db, "SELECT COUNT(*) AS n FROM login_failures WHERE username = 'alice'") || '[{"n":0}]');
    assert.equal(left[0].n, 0, 'a successful login clears the failures');
    await c.close();
    assert.ok(!limited.stderr.includes('hunter2'), 'no password in debug logs either');
  } finally {
    await limited.stop();
  }
});

test('failures are counted per address too (4 x N)', async () => {
  const limited = await startServer({ args: ['--login-max-failures', '2'] });
  try {
    const c = await DeskClient.connect(limited.wsUrl);
    await c.hello();
    // 8 failures spread over users that each stay under their own limit of 2.
    for (let i = 0; i < 8; i++)
      await c.fails('login', { username: `ghost${i % 4}`, password: 'nope' }, 'invalid_credentials');
    const error = await c.fails('login', { username: 'carol', password: 'switchboard' }, 'rate_limited');
    assert.ok(error.retry_after_ms > 0);
    await c.close();
  } finally {
    await limited.stop();
  }
});
