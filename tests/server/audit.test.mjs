// audit.test.mjs: the audit log (docs/security.md, "Audit log"): GET /api/audit and the desk
// request `audit` are for supervisors only (401 without, with an unknown, a revoked or an
// expired token; 403 / forbidden for an agent), filter by contact, customer, actor, action and
// time, page newest first with before_id, and refuse bad parameters with a clear JSON error.
// Sign-in is audited: logins that succeed and fail (with the remote address), wrong second
// factors, locks, every revoked session (logout, one, all others); so is verification's
// refusals (a code expired or not sent, answers while locked) beside its attempts and locks.
// (Masking of card numbers in an entry's detail is
// checked by tests/unit/server/audit_test.cpp, on the same code.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DeskClient, sql, sleep } from './harness.mjs';
import { get, request, smsIn, waitEvent, offered, availableAgent } from './contacts_harness.mjs';

// GET `path` with an optional Authorization header; resolves with {status, json, text}.
const getAuth = (url, path, authorization) => get(url, path, authorization ? { authorization } : {});

const bearer = (token) => `Bearer ${token}`;

async function session(server, username) {
  const c = await DeskClient.connect(server.wsUrl);
  const s = await c.login(username);
  assert.ok(s.token, `${username} has a session (no second factor): ${JSON.stringify(s)}`);
  return { c, token: s.token, session: s };
}

// Seven entries written as AuditLog writes them (ids 1..7 in order).
function seed(db) {
  const rows = [
    [1000, 'alice', 'verification.attempt', 'c-1', 'cu-1', '{"step":"dob","ok":false}'],
    [2000, 'alice', 'verification.passed', 'c-1', 'cu-1', '{}'],
    [3000, 'bob', 'verification.attempt', 'c-2', 'cu-2', '{"step":"postcode","ok":true}'],
    [4000, 'alice', 'card.unlocked', 'c-1', 'cu-1', '{}'],
    [5000, 'bob', 'recording.paused', 'c-2', 'cu-2', '{}'],
    [6000, 'bob', 'payment.taken', 'c-2', 'cu-2', '{"last4":"1111"}'],
    [7000, 'carol', 'verification.locked', 'c-3', 'cu-1', '{}'],
  ];
  const values = rows.map((r) => `(${r[0]}, '${r[1]}', '${r[2]}', '${r[3]}', '${r[4]}', '${r[5]}')`).join(', ');
  sql(db, `INSERT INTO audit (at, actor, action, contact, customer, detail) VALUES ${values};`);
}

test('permissions: no token, unknown token, an agent, a supervisor; the session says the role', async () => {
  const server = await startServer();
  try {
    for (const auth of [undefined, 'Bearer nope-not-a-token-at-all', 'Basic c2FtOnN3aXRjaGJvYXJk', 'Bearer ', 'bearer']) {
      const r = await getAuth(server.url, '/api/audit', auth);
      assert.equal(r.status, 401, `${auth}: ${r.text}`);
      assert.equal(r.json.error.code, 'invalid_token');
      assert.ok(r.json.error.message.length > 0);
    }
    const alice = await session(server, 'alice');
    assert.equal(alice.session.role, 'agent');
    const forbidden = await getAuth(server.url, '/api/audit', bearer(alice.token));
    assert.equal(forbidden.status, 403, forbidden.text);
    assert.equal(forbidden.json.error.code, 'forbidden');
    await alice.c.fails('audit', {}, 'forbidden');

    const sam = await session(server, 'sam');
    assert.equal(sam.session.role, 'supervisor');
    const ok = await getAuth(server.url, '/api/audit', bearer(sam.token));
    assert.equal(ok.status, 200, ok.text);
    // Only the two sign-ins so far (newest first).
    assert.deepEqual(ok.json.entries.map((e) => [e.action, e.actor]), [['login.succeeded', 'sam'], ['login.succeeded', 'alice']]);
    assert.equal(ok.json.next_before_id, null);
    assert.deepEqual(await sam.c.ok('audit', {}), ok.json);
    const post = (await request(server.url, '/api/audit', { method: 'POST', headers: { authorization: bearer(sam.token) }, body: '' })).status;
    assert.equal(post, 405);

    // Not logged in on the desk: not_logged_in.
    const anon = await DeskClient.connect(server.wsUrl);
    await anon.hello();
    await anon.fails('audit', {}, 'not_logged_in');
    await anon.close();

    // A revoked session (logged out) no longer reads the log; the logout is in it.
    await sam.c.ok('logout');
    const revoked = await getAuth(server.url, '/api/audit', bearer(sam.token));
    assert.equal(revoked.status, 401);
    assert.equal(revoked.json.error.code, 'invalid_token');
    const sam2 = await session(server, 'sam');
    const after = await getAuth(server.url, '/api/audit?action=session.revoked', bearer(sam2.token));
    assert.equal(after.status, 200, after.text);
    assert.equal(after.json.entries.length, 1);
    const e = after.json.entries[0];
    assert.equal(e.actor, 'sam');
    assert.equal(e.contact, null);
    assert.equal(e.detail.reason, 'logout');
    assert.equal(e.detail.session, sam.session.session_id ?? e.detail.session);
    await alice.c.close();
    await sam.c.close();
    await sam2.c.close();
  } finally { await server.stop(); }
});

test('an expired session gets 401 token_expired', async () => {
  const server = await startServer({ args: ['--token-ttl', '1'] });
  try {
    const sam = await session(server, 'sam');
    await sleep(1100);
    const r = await getAuth(server.url, '/api/audit', bearer(sam.token));
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json.error.code, 'token_expired');
    await sam.c.close();
  } finally { await server.stop(); }
});

test('filters and paging, over HTTP and the desk request', async () => {
  const server = await startServer();
  try {
    seed(server.db);
    const sam = await session(server, 'sam');
    sql(server.db, "DELETE FROM audit WHERE action = 'login.succeeded'");  // sam's own login: only the seven
    const q = async (query) => {
      const r = await getAuth(server.url, `/api/audit${query}`, bearer(sam.token));
      assert.equal(r.status, 200, r.text);
      return r.json;
    };
    const ats = (page) => page.entries.map((e) => e.at);

    assert.deepEqual(ats(await q('')), [7000, 6000, 5000, 4000, 3000, 2000, 1000]);
    assert.deepEqual(ats(await q('?contact=c-1')), [4000, 2000, 1000]);
    assert.deepEqual(ats(await q('?customer=cu-1')), [7000, 4000, 2000, 1000]);
    assert.deepEqual(ats(await q('?actor=bob')), [6000, 5000, 3000]);
    assert.deepEqual(ats(await q('?action=verification.attempt')), [3000, 1000]);
    assert.deepEqual(ats(await q('?actor=alice&contact=c-1&action=verification.passed')), [2000]);
    assert.deepEqual(ats(await q('?since=3000&until=6000')), [5000, 4000, 3000]);  // since <= at < until
    assert.deepEqual(ats(await q('?since=6500')), [7000]);
    assert.deepEqual(ats(await q('?contact=nobody')), []);
    const first = (await q('?limit=1')).entries[0];
    assert.deepEqual(first, { id: 7, at: 7000, actor: 'carol', action: 'verification.locked', contact: 'c-3',
      customer: 'cu-1', detail: {} });
    assert.deepEqual((await q('?action=payment.taken')).entries[0].detail, { last4: '1111' });

    // Paging: three at a time, newest first, until next_before_id is null.
    const seen = [];
    let before = null;
    for (let i = 0; i < 5; i++) {
      const page = await q(`?limit=3${before ? `&before_id=${before}` : ''}`);
      seen.push(...ats(page));
      before = page.next_before_id;
      if (before === null) break;
      assert.equal(page.entries.length, 3);
      assert.equal(before, page.entries[2].id);
    }
    assert.equal(before, null);
    assert.deepEqual(seen, [7000, 6000, 5000, 4000, 3000, 2000, 1000]);
    assert.equal((await q('?limit=7')).next_before_id, null);  // exactly all: no next page

    // The desk request: the same filters (integers as integers).
    const desk = await sam.c.ok('audit', { actor: 'bob', limit: 2 });
    assert.deepEqual(desk.entries.map((e) => e.at), [6000, 5000]);
    assert.equal(desk.next_before_id, 5);
    const next = await sam.c.ok('audit', { actor: 'bob', limit: 2, before_id: desk.next_before_id });
    assert.deepEqual(next.entries.map((e) => e.at), [3000]);
    assert.equal(next.next_before_id, null);
    assert.deepEqual((await sam.c.ok('audit', { since: 2000, until: 3000 })).entries.map((e) => e.at), [2000]);
    await sam.c.close();
  } finally { await server.stop(); }
});

test('bad parameters: 400 with a JSON error that names the parameter', async () => {
  const server = await startServer();
  try {
    const sam = await session(server, 'sam');
    const cases = [
      ['?limit=0', 'limit'], ['?limit=501', 'limit'], ['?limit=ten', 'limit'], ['?since=yesterday', 'since'],
      ['?since=-5', 'since'], ['?until=', 'until'], ['?before_id=x', 'before_id'], ['?colour=red', 'colour'],
      ['?contact=', 'contact'], ['?since=10&until=5', 'since'], ['?contact=%zz', 'malformed'],
    ];
    for (const [query, names] of cases) {
      const r = await getAuth(server.url, `/api/audit${query}`, bearer(sam.token));
      assert.equal(r.status, 400, `${query}: ${r.text}`);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.json.error.code, 'bad_message', query);
      assert.ok(r.json.error.message.includes(names), `${query}: ${r.json.error.message}`);
    }
    assert.equal((await getAuth(server.url, '/api/audit?limit=500', bearer(sam.token))).status, 200);
    // The desk request: the schema checks types, the server the ranges.
    await sam.c.fails('audit', { limit: 0 }, 'bad_message');
    await sam.c.fails('audit', { limit: 501 }, 'bad_message');
    await sam.c.fails('audit', { since: 'yesterday' }, 'bad_message');
    await sam.c.fails('audit', { colour: 'red' }, 'bad_message');
    await sam.c.fails('audit', { since: 9, until: 1 }, 'bad_message');
    await sam.c.close();
  } finally { await server.stop(); }
});

// The entries of `action` (or all, without one), oldest first, details parsed.
function entries(db, action) {
  const where = action ? `WHERE action = '${action}'` : '';
  return JSON.parse(sql(db, `SELECT actor, action, contact, customer, detail FROM audit ${where} ORDER BY id`) || '[]')
    .map((e) => ({ ...e, detail: JSON.parse(e.detail) }));
}

test('sign-in: logins that succeed and fail, with the address; wrong codes; the lock', async () => {
  const server = await startServer({ args: ['--lock-after', '3'] });
  try {
    // A wrong password, then the right one.
    const c = await DeskClient.connect(server.wsUrl);
    await c.hello();
    await c.fails('login', { username: 'alice', password: 'nope' }, 'invalid_credentials');
    await c.fails('login', { username: 'nobody', password: 'nope' }, 'invalid_credentials');
    const s = await c.ok('login', { username: 'alice', password: 'switchboard' });
    const failed = entries(server.db, 'login.failed');
    assert.deepEqual(failed.map((e) => [e.actor, e.contact, e.customer, e.detail]),
      [['alice', null, null, { address: '127.0.0.1', step: 'password' }],
        ['nobody', null, null, { address: '127.0.0.1', step: 'password' }]]);
    const ok = entries(server.db, 'login.succeeded');
    assert.deepEqual(ok.map((e) => [e.actor, e.detail]), [['alice', { address: '127.0.0.1', session: s.session_id }]]);
    assert.ok(!sql(server.db, 'SELECT detail FROM audit').includes('switchboard'), 'never a password');

    // erin must enroll a second factor: a wrong code is mfa.failed; the third failure locks her.
    const e = await DeskClient.connect(server.wsUrl);
    await e.hello();
    const first = await e.ok('login', { username: 'erin', password: 'switchboard' });
    assert.equal(first.mfa.step, 'enroll');
    await e.fails('mfa', { challenge: first.mfa.challenge, code: '000000' }, 'invalid_code');
    await e.fails('login', { username: 'erin', password: 'wrong' }, 'invalid_credentials');
    await e.fails('login', { username: 'erin', password: 'wrong again' }, 'account_locked');
    assert.deepEqual(entries(server.db, 'mfa.failed').map((x) => [x.actor, x.detail]),
      [['erin', { address: '127.0.0.1', step: 'code' }]]);
    const locked = entries(server.db, 'account.locked');
    assert.equal(locked.length, 1);
    assert.equal(locked[0].actor, 'erin');
    assert.deepEqual([locked[0].detail.address, locked[0].detail.step], ['127.0.0.1', 'password']);
    assert.ok(locked[0].detail.locked_until > Date.now());
    assert.equal(entries(server.db, 'login.succeeded').length, 1, 'erin never signed in');
    await c.close();
    await e.close();
  } finally { await server.stop(); }
});

test('every revoked session: one by revoke_session, all others, and a logout', async () => {
  const server = await startServer();
  try {
    const one = await session(server, 'alice');
    const two = await session(server, 'alice');
    const three = await session(server, 'alice');
    await three.c.ok('revoke_session', { session: two.session.session_id });
    await three.c.ok('revoke_session', { all_others: true });  // one, the only other left
    await three.c.ok('logout');
    const revoked = entries(server.db, 'session.revoked');
    assert.deepEqual(revoked.map((e) => [e.actor, e.detail.reason, e.detail.session]),
      [['alice', 'revoked', two.session.session_id], ['alice', 'revoked_others', one.session.session_id],
        ['alice', 'logout', three.session.session_id]]);
    assert.equal(revoked[0].detail.agent, 'alice');
    // Denied: not logged in (the logged-out connection), an unknown session.
    await three.c.fails('revoke_session', { all_others: true }, 'not_logged_in');
    const four = await session(server, 'alice');
    await four.c.fails('revoke_session', { session: 'nope' }, 'unknown_session');
    assert.equal(entries(server.db, 'session.revoked').length, 3);
    for (const x of [one, two, three, four]) await x.c.close();
  } finally { await server.stop(); }
});

test('verification: a wrong code, a code too late or never sent, the lock and what is refused while locked', async () => {
  const server = await startServer({ args: ['--fake-sms-provider'] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const r = await smsIn(server.url, { From: '+15550100002', To: '7001', Body: 'I want to change my address' });
    await waitEvent(bob, offered(r.json.contact));
    const { contact } = await bob.ok('accept', { contact: r.json.contact });
    const id = contact.id;
    await bob.fails('verify_answer', { contact: id, step: 'sms_code', answer: '123456' }, 'code_not_sent');
    await bob.ok('verify_send_code', { contact: id });
    let code = null;
    for (let i = 0; i < 100 && !code; i++) {
      const sms = (await get(server.url, '/dev/sms-provider/outbox')).json.messages.find((m) => /code/.test(m.body));
      code = sms?.body.match(/\b(\d{6})\b/)[1];
      if (!code) await sleep(50);
    }
    const wrong = String((Number(code) + 1) % 1000000).padStart(6, '0');
    assert.equal((await bob.ok('verify_answer', { contact: id, step: 'sms_code', answer: wrong })).passed, false);
    // The code runs out: typed too late, it is refused (no attempt used) and audited.
    sql(server.db, `UPDATE contact_verifications SET code_expires_at = 1 WHERE contact = '${id}'`);
    await bob.fails('verify_answer', { contact: id, step: 'sms_code', answer: code }, 'code_expired');
    // Four more wrong answers: five in all lock the customer.
    for (const answer of ['1 Jan 1990', '2 Jan 1990', '3 Jan 1990']) await bob.ok('verify_answer', { contact: id, step: 'dob', answer });
    const last = await bob.ok('verify_answer', { contact: id, step: 'postcode', answer: '99999' });
    assert.equal(last.state, 'locked');
    await bob.fails('verify_answer', { contact: id, step: 'postcode', answer: '62704' }, 'verification_locked');
    await bob.fails('verify_send_code', { contact: id }, 'verification_locked');

    const mine = entries(server.db).filter((e) => e.contact === id);
    assert.ok(mine.every((e) => e.actor === 'bob' && e.customer === 'cu-1002'));
    assert.deepEqual(mine.map((e) => [e.action, e.detail.step, e.detail.passed ?? e.detail.error ?? e.detail.code_sent]), [
      ['verification.refused', 'sms_code', 'code_not_sent'],
      ['verification.attempt', 'sms_code', true],  // the code sent
      ['verification.attempt', 'sms_code', false],  // the wrong code
      ['verification.refused', 'sms_code', 'code_expired'],
      ['verification.attempt', 'dob', false],
      ['verification.attempt', 'dob', false],
      ['verification.attempt', 'dob', false],
      ['verification.attempt', 'postcode', false],
      ['verification.locked', undefined, undefined],
      ['verification.refused', 'postcode', 'verification_locked'],
      ['verification.refused', 'sms_code', 'verification_locked'],
    ]);
    assert.ok(mine.find((e) => e.action === 'verification.locked').detail.locked_until > Date.now());
    assert.ok(!sql(server.db, 'SELECT detail FROM audit').includes(code), 'never a code');
    await bob.close();
  } finally { await server.stop(); }
});
