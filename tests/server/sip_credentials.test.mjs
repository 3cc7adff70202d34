// sip_credentials.test.mjs: the SIP credentials switchboardd issues with each session for the
// telephony (docs/telephony.md): present with --sip-domain, one per session (the same on resume,
// new at login, gone at logout or expiry), stored only as the HA1/HA1b Kamailio reads from the
// subscriber table, and never written to the log or the database in clear.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startServer, DeskClient, sql, sleep, serverBinary } from './harness.mjs';

const md5 = (s) => createHash('md5').update(s).digest('hex');
const sipArgs = ['--sip-domain', '127.0.0.1', '--sip-ws-url', 'ws://127.0.0.1:5066', '--log-level', 'debug'];
const subscribers = (db) => JSON.parse(sql(db, 'SELECT * FROM subscriber ORDER BY id') || '[]');

let server;
const passwords = [];
before(async () => { server = await startServer({ args: sipArgs }); });
after(async () => { await server.stop(); });

async function login(username) {
  const c = await DeskClient.connect(server.wsUrl);
  const s = await c.login(username);
  if (s.sip) passwords.push(s.sip.password);
  return { c, s };
}

test('a login carries SIP credentials, and the subscriber row holds only their HA1 and HA1b', async () => {
  const { c, s } = await login('alice');
  const sip = s.sip;
  assert.ok(sip, 'session.sip');
  assert.equal(sip.uri, 'sip:alice@127.0.0.1');
  assert.equal(sip.realm, '127.0.0.1');
  assert.equal(sip.ws_url, 'ws://127.0.0.1:5066');
  assert.match(sip.username, /^alice\.[0-9a-f]{12}$/);
  assert.match(sip.password, /^[A-Za-z0-9_-]{24}$/);
  assert.notEqual(sip.password, 'switchboard');

  const rows = subscribers(server.db).filter((r) => r.username === sip.username);
  assert.equal(rows.length, 1);
  const row = rows[0];
  assert.equal(row.domain, '127.0.0.1');
  assert.equal(row.sip_user, 'alice');
  assert.equal(row.agent, 'alice');
  assert.equal(row.ha1, md5(`${sip.username}:${sip.realm}:${sip.password}`));
  assert.equal(row.ha1b, md5(`${sip.username}@127.0.0.1:${sip.realm}:${sip.password}`));
  assert.ok(Math.abs(row.expires - Math.floor(s.expires_at / 1000)) <= 1, 'expires is the session end, in seconds');
  assert.ok(!('password' in row), 'no password column');
  // Kamailio's auth_db checks the table version before it reads the table.
  assert.deepEqual(JSON.parse(sql(server.db, "SELECT table_version FROM version WHERE table_name = 'subscriber'")),
    [{ table_version: 7 }]);
  await c.close();
});

test('resume gives the same credentials; another login gets its own; logout removes only its own', async () => {
  const first = await login('bob');
  const token = first.s.token;
  await first.c.close();

  const again = await DeskClient.connect(server.wsUrl);
  await again.hello();
  const resumed = await again.ok('resume', { token, last_seq: 0 });
  assert.deepEqual(resumed.sip, first.s.sip, 'the same session keeps its credentials');

  const second = await login('bob');  // another device: a second session
  assert.notEqual(second.s.sip.username, first.s.sip.username);
  assert.notEqual(second.s.sip.password, first.s.sip.password);
  assert.equal(second.s.sip.uri, first.s.sip.uri, 'the same address of record');
  const bobRows = () => subscribers(server.db).filter((r) => r.agent === 'bob').map((r) => r.username).sort();
  assert.deepEqual(bobRows(), [first.s.sip.username, second.s.sip.username].sort(), 'both sessions can register');

  await again.ok('logout');
  assert.deepEqual(bobRows(), [second.s.sip.username], 'logout voids that session\'s credentials only');
  await second.c.ok('logout');
  assert.deepEqual(bobRows(), []);
  await Promise.all([again.close(), second.c.close()]);
});

test('SIP passwords are never logged nor stored in clear', async () => {
  const { c } = await login('carol');
  await c.ok('set_state', { state: 'available' });
  await c.close();
  await sleep(50);
  assert.ok(passwords.length >= 4);
  const log = server.stderr;
  assert.match(log, /"logged in"/, 'the server did log (at debug level)');
  for (const p of passwords) assert.ok(!log.includes(p), 'a SIP password is in the log');
  // Neither in the database file nor its write-ahead log.
  for (const file of [server.db, `${server.db}-wal`].filter(existsSync)) {
    const bytes = readFileSync(file).toString('latin1');
    for (const p of passwords) assert.ok(!bytes.includes(p), `a SIP password is in ${file}`);
  }
});

test('without --sip-domain sessions carry no SIP credentials, and none is left valid', async () => {
  const dir = server.dir;  // the same database, restarted without telephony
  await server.stop();
  const { c } = await (async () => {
    server = await startServer({ dir });
    const client = await DeskClient.connect(server.wsUrl);
    const s = await client.login('alice');
    assert.equal(s.sip, undefined);
    return { c: client };
  })();
  assert.deepEqual(subscribers(server.db), [], 'a server without telephony issues nothing and keeps nothing');
  await c.close();
  await server.stop();
  server = await startServer({ dir, args: sipArgs });  // for after()
});

test('an expired session\'s credentials are removed', async () => {
  const short = await startServer({ args: [...sipArgs, '--token-ttl', '1'] });
  try {
    const c1 = await DeskClient.connect(short.wsUrl);
    const s1 = await c1.login('alice');
    assert.equal(subscribers(short.db).length, 1);
    await sleep(1100);
    const c2 = await DeskClient.connect(short.wsUrl);
    const s2 = await c2.login('bob');  // any login sweeps the credentials of ended sessions
    assert.deepEqual(subscribers(short.db).map((r) => r.username), [s2.sip.username]);
    assert.ok(s1.sip.username !== s2.sip.username);
    await Promise.all([c1.close(), c2.close()]);
  } finally { await short.stop(); }
});

test('--sip-ws-url wants a ws:// URL and --sip-domain', () => {
  const run = (args) => spawnSync(serverBinary, args, { encoding: 'utf8' });
  let r = run(['--sip-ws-url', 'ws://127.0.0.1:5066']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /needs --sip-domain/);
  r = run(['--sip-domain', '127.0.0.1', '--sip-ws-url', 'http://127.0.0.1:5066']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /ws:\/\/ or wss:\/\//);
  r = run(['--sip-domain', 'alice@evil']);
  assert.equal(r.status, 2);
});
