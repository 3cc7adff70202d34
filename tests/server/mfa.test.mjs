// mfa.test.mjs: sign-in's second factor (docs/protocol.md, "Sign-in"). Enrollment of an
// authenticator app with its QR code, TOTP codes (computed here with node's own HMAC-SHA1),
// replay, recovery codes, challenge expiry and reuse, the lock after too many failures, the
// per-agent and global policies, and the agent's sessions (list, revoke everywhere at once).
// Secrets, codes and tokens never reach the log or the database in clear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { startServer, DeskClient, sql, sleep } from './harness.mjs';

// ---- TOTP, independently of the server's code (RFC 4648 base32, RFC 4226/6238) ---------------
function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '')) {
    const v = alphabet.indexOf(ch.toUpperCase());
    if (v < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}
export function totp(secretBase32, atMs = Date.now(), stepOffset = 0) {
  const counter = Math.floor(atMs / 1000 / 30) + stepOffset;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(msg).digest();
  const off = mac[19] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 1_000_000).padStart(6, '0');
}
// A code no step of the window gives.
function wrongCode(secret) {
  const near = [-1, 0, 1].map((d) => totp(secret, Date.now(), d));
  for (let n = 0; ; n++) {
    const c = String(123456 + n).padStart(6, '0');
    if (!near.includes(c)) return c;
  }
}

async function passwordStep(server, username = 'erin', password = 'switchboard') {
  const c = await DeskClient.connect(server.wsUrl);
  await c.hello();
  const r = await c.ok('login', { username, password });
  return { c, r };
}

// Signs erin (or `username`) in for the first time: enroll, prove a code, get the recovery codes.
async function enroll(server, username = 'erin') {
  const { c, r } = await passwordStep(server, username);
  assert.equal(r.mfa?.step, 'enroll', JSON.stringify(r));
  // (`at`: when the code was made, so that a test can show that very code again, or the next
  // step's, even if a 30 s step ends meanwhile)
  const at = Date.now();
  const session = await c.ok('mfa', { challenge: r.mfa.challenge, code: totp(r.mfa.secret, at) });
  return { c, secret: r.mfa.secret, session, enrollReply: r, at };
}

test('erin enrolls: a challenge with secret, otpauth URI and QR, no session until a code proves it', async () => {
  const server = await startServer({ args: ['--log-level', 'debug'] });
  try {
    const { c, r } = await passwordStep(server);
    assert.equal(r.token, undefined, 'no session before the second factor');
    assert.equal(r.mfa.step, 'enroll');
    assert.match(r.mfa.secret, /^[A-Z2-7]{32}$/);
    assert.equal(base32Decode(r.mfa.secret).length, 20);
    assert.equal(r.mfa.otpauth, `otpauth://totp/Switchboard:erin?secret=${r.mfa.secret}&issuer=Switchboard`);
    const { size, modules } = r.mfa.qr;
    assert.ok(size >= 21 && (size - 17) % 4 === 0, `QR size ${size}`);
    assert.equal(modules.length, size * size);
    // The three finder patterns: a dark 7x7 ring at three corners.
    const at = (x, y) => modules[y * size + x];
    for (const [x0, y0] of [[0, 0], [size - 7, 0], [0, size - 7]]) {
      assert.equal(at(x0, y0), '1'); assert.equal(at(x0 + 6, y0 + 6), '1');
      assert.equal(at(x0 + 1, y0 + 1), '0'); assert.equal(at(x0 + 3, y0 + 3), '1');
    }
    assert.ok(r.mfa.expires_at > Date.now() + 4 * 60_000 && r.mfa.expires_at <= Date.now() + 5 * 60_000 + 1000);
    // Requests that need a session are refused meanwhile.
    await c.fails('set_state', { state: 'available' }, 'not_logged_in');
    const wrong = await c.fails('mfa', { challenge: r.mfa.challenge, code: wrongCode(r.mfa.secret) }, 'invalid_code');
    assert.equal(wrong.attempts_left, 4);
    const session = await c.ok('mfa', { challenge: r.mfa.challenge, code: totp(r.mfa.secret) });
    assert.equal(session.agent.username, 'erin');
    assert.ok(session.token.length >= 43);
    assert.equal(session.recovery_codes.length, 10);
    assert.equal(new Set(session.recovery_codes).size, 10);
    for (const code of session.recovery_codes) assert.match(code, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
    await c.ok('set_state', { state: 'available' });
    const row = JSON.parse(sql(server.db, "SELECT enrolled, secret, last_step FROM agent_mfa WHERE agent = 'erin'"))[0];
    assert.equal(row.enrolled, 1);
    assert.ok(!row.secret.includes(r.mfa.secret), 'the secret is sealed in the database');
    assert.ok(Math.abs(row.last_step - Math.floor(Date.now() / 30000)) <= 1, 'the step of the code is kept (replay)');
    await c.close();
    await server.stop();
    // Nothing secret in the log, nor in clear in the database files.
    const log = server.stderr;
    const files = [server.db, `${server.db}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');
    for (const secretThing of [r.mfa.secret, r.mfa.challenge, session.token, ...session.recovery_codes,
      ...session.recovery_codes.map((x) => x.replace('-', ''))]) {
      assert.ok(!log.includes(secretThing), `the log contains ${secretThing}`);
      assert.ok(!files.includes(secretThing), `the database contains ${secretThing}`);
    }
    assert.match(log, /second factor enrolled/);
  } finally { await server.stop(); }
});

test('a second sign-in asks only for the code; a code is accepted once (replay refused)', async () => {
  const server = await startServer();
  try {
    const { c: first, secret, at } = await enroll(server);
    await first.close();
    const { c, r } = await passwordStep(server);
    assert.equal(r.mfa.step, 'code');
    assert.equal(r.mfa.secret, undefined);
    assert.equal(r.mfa.qr, undefined);
    // The enrollment's code cannot be used again. (Made again from the enrollment's time: a code
    // made now is the next step's if a step ended since, and that one is rightly accepted.)
    const reused = await c.fails('mfa', { challenge: r.mfa.challenge, code: totp(secret, at) }, 'invalid_code');
    assert.match(reused.message, /already used/);
    assert.equal(reused.attempts_left, 4);
    // The step after the enrollment's is inside the ±1 window and newer: accepted.
    const s = await c.ok('mfa', { challenge: r.mfa.challenge, code: totp(secret, at, 1) });
    assert.equal(s.agent.username, 'erin');
    assert.equal(s.recovery_codes, undefined, 'recovery codes are shown once, at enrollment');
    // The challenge was used: a second try with it is refused.
    const again = await DeskClient.connect(server.wsUrl);
    await again.hello();
    await again.fails('mfa', { challenge: r.mfa.challenge, code: totp(secret, at, 1) }, 'challenge_expired');
    await Promise.all([c.close(), again.close()]);
  } finally { await server.stop(); }
});

test('a recovery code signs in once', async () => {
  const server = await startServer();
  try {
    const { c: first, session } = await enroll(server);
    await first.close();
    const code = session.recovery_codes[3];
    const { c, r } = await passwordStep(server);
    const s = await c.ok('mfa', { challenge: r.mfa.challenge, recovery_code: code.toUpperCase() });
    assert.equal(s.agent.username, 'erin');
    assert.equal(s.recovery_codes_left, 9);
    const { c: c2, r: r2 } = await passwordStep(server);
    const e = await c2.fails('mfa', { challenge: r2.mfa.challenge, recovery_code: code }, 'invalid_code');
    assert.equal(e.attempts_left, 4);
    await c2.fails('mfa', { challenge: r2.mfa.challenge }, 'bad_message');
    await c2.fails('mfa', { challenge: r2.mfa.challenge, code: '123456', recovery_code: code }, 'bad_message');
    const ok = await c2.ok('mfa', { challenge: r2.mfa.challenge, recovery_code: session.recovery_codes[4].replace('-', ' ') });
    assert.equal(ok.recovery_codes_left, 8);
    await Promise.all([c.close(), c2.close()]);
  } finally { await server.stop(); }
});

test('a challenge expires', async () => {
  const server = await startServer({ args: ['--mfa-challenge-ttl', '1'] });
  try {
    const { c, r } = await passwordStep(server);
    assert.ok(r.mfa.expires_at <= Date.now() + 1000);
    await sleep(1100);
    const e = await c.fails('mfa', { challenge: r.mfa.challenge, code: totp(r.mfa.secret) }, 'challenge_expired');
    assert.match(e.message, /sign in again/i);
    await c.fails('mfa', { challenge: 'not-a-challenge-at-all', code: '123456' }, 'challenge_expired');
    await c.close();
  } finally { await server.stop(); }
});

test('wrong codes count down attempts_left, then the account locks with locked_until', async () => {
  const server = await startServer({ args: ['--lock-after', '3', '--lock-duration', '2', '--login-max-failures', '10'] });
  try {
    const { c: first, secret } = await enroll(server);
    await first.close();
    const { c, r } = await passwordStep(server);
    const bad = wrongCode(secret);
    assert.equal((await c.fails('mfa', { challenge: r.mfa.challenge, code: bad }, 'invalid_code')).attempts_left, 2);
    assert.equal((await c.fails('mfa', { challenge: r.mfa.challenge, code: bad }, 'invalid_code')).attempts_left, 1);
    const before = Date.now();
    const locked = await c.fails('mfa', { challenge: r.mfa.challenge, code: bad }, 'account_locked');
    assert.ok(locked.locked_until >= before + 1500 && locked.locked_until <= Date.now() + 2100, `${locked.locked_until}`);
    assert.match(locked.message, /too many failed sign-in attempts/i);
    // Locked: even the right password and the right code are refused; the challenge is gone.
    await c.fails('mfa', { challenge: r.mfa.challenge, code: totp(secret, Date.now(), 1) }, 'challenge_expired');
    const again = await c.fails('login', { username: 'erin', password: 'switchboard' }, 'account_locked');
    assert.equal(again.locked_until, locked.locked_until);
    assert.ok(again.retry_after_ms > 0);
    // Other agents are not affected.
    const alice = await DeskClient.connect(server.wsUrl);
    await alice.login('alice');
    await alice.close();
    // When the lock ends, sign-in works again.
    await sleep(locked.locked_until - Date.now() + 100);
    const { c: c3, r: r3 } = await passwordStep(server);
    await c3.ok('mfa', { challenge: r3.mfa.challenge, code: totp(secret, Date.now(), 1) });
    await Promise.all([c.close(), c3.close()]);
  } finally { await server.stop(); }
});

test('failed passwords count towards the lock too', async () => {
  const server = await startServer({ args: ['--lock-after', '3', '--login-max-failures', '10'] });
  try {
    const c = await DeskClient.connect(server.wsUrl);
    await c.hello();
    await c.fails('login', { username: 'alice', password: 'wrong-1' }, 'invalid_credentials');
    const e = await c.fails('login', { username: 'alice', password: 'wrong-2' }, 'invalid_credentials');
    assert.equal(e.attempts_left, undefined, 'a wrong password does not tell how close the lock is');
    const locked = await c.fails('login', { username: 'alice', password: 'wrong-3' }, 'account_locked');
    assert.ok(locked.locked_until > Date.now() + 14 * 60_000);
    await c.fails('login', { username: 'alice', password: 'switchboard' }, 'account_locked');
    await c.close();
    assert.ok(!server.stderr.includes('wrong-'));
  } finally { await server.stop(); }
});

test('policies: per agent (off, required) and global (--mfa required, optional, off)', async () => {
  let server = await startServer();
  const dir = server.dir;
  try {
    // alice's policy is off: her password is enough, as before.
    const a = await DeskClient.connect(server.wsUrl);
    const s = await a.login('alice');
    assert.ok(s.token && !s.mfa);
    await a.close();
    // bob on the server's default (required): he must enroll.
    sql(server.db, "UPDATE agent_mfa SET policy = 'default' WHERE agent = 'bob'");
    const { r } = await passwordStep(server, 'bob');
    assert.equal(r.mfa.step, 'enroll');
  } finally { await server.stop(); }

  server = await startServer({ dir, args: ['--mfa', 'optional'] });
  try {
    // optional: bob (default, not enrolled) signs in with his password; erin (required) enrolls.
    const b = await DeskClient.connect(server.wsUrl);
    assert.ok((await b.login('bob')).token);
    await b.close();
    assert.equal((await passwordStep(server, 'erin')).r.mfa.step, 'enroll');
  } finally { await server.stop(); }

  server = await startServer({ dir, args: ['--mfa', 'off'] });
  try {
    // off globally: an agent's own "required" still wins.
    assert.equal((await passwordStep(server, 'erin')).r.mfa.step, 'enroll');
    const b = await DeskClient.connect(server.wsUrl);
    assert.ok((await b.login('bob')).token);
    await b.close();
  } finally { await server.stop(); }

  const bad = await startServer({ args: ['--mfa', 'sometimes'] }).catch((e) => e);
  assert.ok(bad instanceof Error && /--mfa wants required, optional or off/.test(bad.message));
});

test('sessions lists the agent\'s own; revoke_session logs the other connection out at once', async () => {
  const server = await startServer();
  try {
    const a = await DeskClient.connect(server.wsUrl);
    const sa = await a.login('alice');
    const b = await DeskClient.connect(server.wsUrl);
    const sb = await b.login('alice');
    const other = await DeskClient.connect(server.wsUrl);
    await other.login('bob');
    const list = (await a.ok('sessions')).sessions;
    assert.equal(list.length, 2);
    const mine = list.find((x) => x.current);
    assert.equal(mine.id, sa.session_id);
    const theirs = list.find((x) => !x.current);
    assert.equal(theirs.id, sb.session_id);
    assert.equal(theirs.address, '127.0.0.1');
    assert.ok(theirs.created_at <= Date.now() && theirs.last_seen >= theirs.created_at);
    await a.fails('revoke_session', { session: 'nope' }, 'unknown_session');
    await a.fails('revoke_session', {}, 'bad_message');

    const seen = b.events.length;
    const r = await a.ok('revoke_session', { session: sb.session_id });
    assert.deepEqual(r.revoked, [sb.session_id]);
    // b heard it before a's reply was sent, and is logged out.
    assert.ok(b.events.length > seen || (await b.waitForEvents(seen + 1, 1000)));
    const ev = b.events.at(-1);
    assert.equal(ev.event, 'session.revoked');
    assert.equal(ev.data.session, sb.session_id);
    await b.fails('set_state', { state: 'available' }, 'not_logged_in');
    const b2 = await DeskClient.connect(server.wsUrl);
    await b2.hello();
    await b2.fails('resume', { token: sb.token, last_seq: 0 }, 'invalid_token');
    // a still works; bob's sessions are not alice's to see or end.
    await a.ok('set_state', { state: 'available' });
    assert.equal((await a.ok('sessions')).sessions.length, 1);
    const bobs = (await other.ok('sessions')).sessions;
    await a.fails('revoke_session', { session: bobs[0].id }, 'unknown_session');

    // all_others: two more of alice's sessions end, the current one stays.
    const c1 = await DeskClient.connect(server.wsUrl);
    await c1.login('alice');
    const c2 = await DeskClient.connect(server.wsUrl);
    await c2.login('alice');
    const all = await a.ok('revoke_session', { all_others: true });
    assert.equal(all.revoked.length, 2);
    await c1.fails('set_state', { state: 'available' }, 'not_logged_in');
    await c2.fails('set_state', { state: 'available' }, 'not_logged_in');
    await a.ok('set_state', { state: 'not_ready', reason: 'break' });
    await Promise.all([a.close(), b.close(), b2.close(), other.close(), c1.close(), c2.close()]);
  } finally { await server.stop(); }
});

test('a password check (Argon2) does not hold up other connections', async () => {
  const server = await startServer();
  try {
    const a = await DeskClient.connect(server.wsUrl);
    const b = await DeskClient.connect(server.wsUrl);
    await Promise.all([a.hello(), b.hello()]);
    const order = [];
    const login = a.request('login', { username: 'alice', password: 'switchboard' }).then((r) => { order.push('login'); return r; });
    await sleep(5);
    const ping = b.request('ping').then((r) => { order.push('ping'); return r; });
    const [l, p] = await Promise.all([login, ping]);
    assert.equal(l.ok, true);
    assert.equal(p.ok, true);
    assert.deepEqual(order, ['ping', 'login'], 'the ping was answered while the password was being checked');
    // The same connection cannot start a second check meanwhile, and a login still works after.
    await Promise.all([a.close(), b.close()]);
  } finally { await server.stop(); }
});
