// admin.test.mjs: accounts without SQL (docs/operations.md, "Accounts"). `switchboardd admin`
// adds an agent, disables and enables one, resets a password or a second factor, sets a role,
// skills and queues, each recorded in the audit log; a running server ends at once the sessions a
// change revokes. Without --demo a new database has no demo agents (alice/switchboard is refused)
// and switchboardd says how to create the first supervisor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, DeskClient, sql, tempDir, serverBinary } from './harness.mjs';
import { get, waitEvent } from './contacts_harness.mjs';

// Runs `switchboardd admin --db DB ...args`; `input` is its standard input (a pipe, not a terminal).
function admin(db, args, input = '') {
  const r = spawnSync(serverBinary, ['admin', '--db', db, ...args], { input, encoding: 'utf8', timeout: 30000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function adminOk(db, args, input) {
  const r = admin(db, args, input);
  assert.equal(r.status, 0, `admin ${args.join(' ')}: ${r.stderr}`);
  return r;
}

async function login(server, username, password = 'switchboard') {
  const c = await DeskClient.connect(server.wsUrl);
  await c.hello();
  const reply = await c.request('login', { username, password });
  return { c, reply };
}
async function session(server, username, password) {
  const { c, reply } = await login(server, username, password);
  assert.equal(reply.ok, true, `${username}: ${JSON.stringify(reply.error)}`);
  assert.ok(reply.result.token, `${username} has a session: ${JSON.stringify(reply.result)}`);
  return { c, s: reply.result };
}
async function refused(server, username, password, code) {
  const { c, reply } = await login(server, username, password);
  assert.equal(reply.ok, false, `${username} should be refused with ${code}`);
  assert.equal(reply.error.code, code, reply.error.message);
  await c.close();
  return reply.error;
}

function auditEntries(db, action) {
  return JSON.parse(sql(db, `SELECT actor, action, detail FROM audit WHERE action = '${action}' ORDER BY id`) || '[]')
    .map((e) => ({ ...e, detail: JSON.parse(e.detail) }));
}

// TOTP (RFC 6238), independently of the server's code.
function totp(secretBase32, atMs = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const key = [];
  for (const ch of secretBase32) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) { key.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(atMs / 30000)));
  const mac = createHmac('sha1', Buffer.from(key)).update(msg).digest();
  const off = mac[19] & 0x0f;
  return String((((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3]) % 1_000_000)
    .padStart(6, '0');
}

test('without --demo: no demo agents, the starter configuration, and how to create the first supervisor', async () => {
  const dir = tempDir();
  let server = await startServer({ dir, demo: false, args: ['--mfa', 'off'] });
  try {
    await refused(server, 'alice', 'switchboard', 'invalid_credentials');
    await refused(server, 'sam', 'switchboard', 'invalid_credentials');
    assert.equal(sql(server.db, 'SELECT username FROM agents'), '', 'no agent at all');
    assert.equal(sql(server.db, 'SELECT id FROM customers'), '', 'no demo customers');
    // The hint, on stdout and in the log, names this database and the admin command.
    const hint = server.stdout.split('\n').find((l) => l.includes(' admin --db '));
    assert.ok(hint, `no hint on stdout:\n${server.stdout}`);
    assert.match(server.stdout, /No agents yet/);
    assert.ok(hint.includes(`admin --db ${server.db} add-agent USERNAME --name "Full Name" --role supervisor`), hint);
    assert.match(server.stderr, /"msg":"no agents yet"/);

    assert.equal(hint.trim().split(' ')[0], serverBinary);
    // Doing what it says (a password piped in) gives a supervisor who signs in and reads the audit log.
    const r = adminOk(server.db, ['add-agent', 'root1', '--name', 'Ruth Root', '--role', 'supervisor'],
      'a long enough password\n');
    assert.match(r.stdout, /Added supervisor root1 \(Ruth/);
    const { c, s } = await session(server, 'root1', 'a long enough password');
    assert.equal(s.role, 'supervisor');
    assert.ok(s.reason_codes.length > 0, 'the starter configuration has reason codes');
    const audit = await c.ok('audit', { action: 'agent.created' });
    assert.equal(audit.entries.length, 1);
    assert.equal(audit.entries[0].actor, 'admin');
    assert.equal(audit.entries[0].detail.agent, 'root1');
    assert.equal(audit.entries[0].detail.role, 'supervisor');
    await c.close();
  } finally { await server.stop(); }
  assert.deepEqual(JSON.parse(sql(server.db, 'SELECT name FROM queues ORDER BY name')).map((q) => q.name), ['sales', 'support']);

  // Restarted with a supervisor: no hint. Even --demo never adds the demo agents to a database with agents.
  server = await startServer({ dir, args: ['--mfa', 'off'] });
  try {
    assert.ok(!server.stdout.includes('admin --db'), server.stdout);
    await refused(server, 'alice', 'switchboard', 'invalid_credentials');
  } finally { await server.stop(); }
});

test('add-agent: password from standard input or generated, never on the command line; the agent signs in', async () => {
  const server = await startServer({ args: ['--mfa', 'off'] });
  try {
    const password = 'correct horse battery staple';
    const r = adminOk(server.db, ['add-agent', 'dave', '--name', 'Dave Jones', '--queues', 'support', '--skills', 'spanish'],
      `${password}\n`);
    assert.match(r.stdout, /Added agent dave \(Dave Jones\) with skills spanish,support/);
    const { c, s } = await session(server, 'dave', password);
    assert.equal(s.agent.display_name, 'Dave Jones');
    assert.equal(s.role, 'agent');
    await c.fails('audit', {}, 'forbidden');
    await c.close();
    await refused(server, 'dave', 'switchboard', 'invalid_credentials');

    // Generated: printed once, and it works.
    const g = adminOk(server.db, ['add-agent', 'erika', '--name', 'Erika Berg', '--role', 'supervisor', '--generate-password']);
    const generated = g.stdout.match(/shown once[^:]*: (\S+)/)?.[1];
    assert.match(generated ?? '', /^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/, g.stdout);
    const erika = await session(server, 'erika', generated);
    assert.equal(erika.s.role, 'supervisor');
    await erika.c.close();

    // Refusals: a password on the command line (2), a short one, a taken name, a bad name, an unknown queue.
    for (const args of [['add-agent', 'x1', '--name', 'X', '--password', 'hunter2hunter2'],
                        ['add-agent', 'x1', '--name', 'X', '--password=hunter2hunter2']]) {
      const bad = admin(server.db, args);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /never taken on the command line/);
    }
    assert.match(admin(server.db, ['add-agent', 'x2', '--name', 'X'], 'short\n').stderr, /at least 12 characters/);
    assert.match(admin(server.db, ['add-agent', 'x3', '--name', 'X'], '').stderr, /No password on standard input/);
    assert.match(admin(server.db, ['add-agent', 'dave', '--name', 'X'], `${password}\n`).stderr, /agent_exists/);
    assert.match(admin(server.db, ['add-agent', 'Bad Name', '--name', 'X'], `${password}\n`).stderr, /a-z, 0-9/);
    assert.match(admin(server.db, ['add-agent', 'admin', '--name', 'X'], `${password}\n`).stderr, /actor in the audit log/);
    assert.match(admin(server.db, ['add-agent', 'x4', '--name', 'X', '--queues', 'nope'], `${password}\n`).stderr,
      /unknown_queue/);
    assert.match(admin(server.db, ['add-agent', 'x5', '--name', 'X', '--role', 'boss'], `${password}\n`).stderr, /agent or supervisor/);
    assert.equal(admin(server.db, ['add-agent', 'x6']).status, 2, '--name is required');
    assert.equal(sql(server.db, "SELECT username FROM agents WHERE username LIKE 'x%'"), '');

    const created = auditEntries(server.db, 'agent.created');
    assert.deepEqual(created.map((e) => [e.actor, e.detail.agent, e.detail.role, e.detail.password]),
      [['admin', 'dave', 'agent', 'entered'], ['admin', 'erika', 'supervisor', 'generated']]);
    assert.deepEqual(created[0].detail.skills, ['spanish', 'support']);
    assert.ok(created[0].detail.os_user);
    const list = adminOk(server.db, ['list']).stdout;
    assert.match(list, /^dave\tagent\tenabled\tnot enrolled\tspanish,support\tDave Jones$/m);
    await server.stop();
    // Only the Argon2id hash is kept; no password in the log, the database or the audit.
    const files = [server.db, `${server.db}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');
    for (const secret of [password, generated]) {
      assert.ok(!files.includes(secret), 'a password in the database');
      assert.ok(!server.stderr.includes(secret), 'a password in the log');
    }
    assert.match(sql(server.db, "SELECT password_hash FROM agents WHERE username = 'dave'"), /\$argon2id\$/);
  } finally { await server.stop(); }
});

test('disable: the live session is signed out at once, sign-in and resume are refused; enable: signs in again', async () => {
  const server = await startServer({ args: ['--mfa', 'off'] });
  try {
    const { c: bob, s } = await session(server, 'bob');
    await bob.ok('set_state', { state: 'available' });
    const r = adminOk(server.db, ['disable', 'bob']);
    assert.match(r.stdout, /Disabled bob: .*1 session ended/);
    // The running server notices within a second or two: session.revoked (disabled), then logged out.
    const ev = await waitEvent(bob, (e) => e.event === 'session.revoked', { timeoutMs: 4000 });
    assert.deepEqual(ev.data, { session: s.session_id, reason: 'disabled' });
    await bob.fails('set_state', { state: 'available' }, 'not_logged_in');
    assert.equal(JSON.parse(sql(server.db, "SELECT state FROM agents WHERE username = 'bob'"))[0].state, 'offline');

    const e = await refused(server, 'bob', 'switchboard', 'account_disabled');
    assert.match(e.message, /disabled/);
    // A wrong password says nothing about the account.
    await refused(server, 'bob', 'not his password', 'invalid_credentials');
    const resume = await DeskClient.connect(server.wsUrl);
    await resume.hello();
    await resume.fails('resume', { token: s.token, last_seq: 0 }, 'account_disabled');
    const http = await get(server.url, '/api/audit', { authorization: `Bearer ${s.token}` });
    assert.equal(http.status, 401);
    assert.match(adminOk(server.db, ['list']).stdout, /^bob\tagent\tdisabled since \d{4}-/m);

    adminOk(server.db, ['enable', 'bob']);
    const again = await session(server, 'bob');
    assert.equal(again.s.agent.username, 'bob');
    await Promise.all([bob.close(), resume.close(), again.c.close()]);
    assert.deepEqual(auditEntries(server.db, 'agent.disabled').map((x) => [x.actor, x.detail.agent, x.detail.sessions_ended]),
      [['admin', 'bob', 1]]);
    assert.deepEqual(auditEntries(server.db, 'agent.enabled').map((x) => x.detail.agent), ['bob']);
  } finally { await server.stop(); }
});

test('reset-password: the old password fails, the new one works, the live session ends', async () => {
  const server = await startServer({ args: ['--mfa', 'off'] });
  try {
    const { c: alice, s } = await session(server, 'alice');
    const r = adminOk(server.db, ['reset-password', 'alice'], 'a brand new password\r\n');
    assert.match(r.stdout, /1 session ended/);
    const ev = await waitEvent(alice, (e) => e.event === 'session.revoked', { timeoutMs: 4000 });
    assert.deepEqual(ev.data, { session: s.session_id, reason: 'revoked' });
    await alice.fails('set_state', { state: 'available' }, 'not_logged_in');
    await refused(server, 'alice', 'switchboard', 'invalid_credentials');
    const fresh = await session(server, 'alice', 'a brand new password');
    // Generated instead: printed once, works; the previous one no longer does.
    const g = adminOk(server.db, ['reset-password', 'alice', '--generate-password']);
    const generated = g.stdout.match(/shown once[^:]*: (\S+)/)[1];
    await waitEvent(fresh.c, (e) => e.event === 'session.revoked', { timeoutMs: 4000 });
    await refused(server, 'alice', 'a brand new password', 'invalid_credentials');
    const last = await session(server, 'alice', generated);
    await Promise.all([alice.close(), fresh.c.close(), last.c.close()]);
    assert.deepEqual(auditEntries(server.db, 'password.reset').map((x) => [x.detail.agent, x.detail.password]),
      [['alice', 'entered'], ['alice', 'generated']]);
    assert.ok(!server.stderr.includes(generated) && !server.stderr.includes('a brand new password'));
    assert.match(admin(server.db, ['reset-password', 'nobody'], 'a brand new password\n').stderr, /unknown_agent/);
  } finally { await server.stop(); }
});

test('reset-mfa: the agent enrolls an authenticator app again', async () => {
  const server = await startServer();  // --mfa required (the default): erin must enroll
  try {
    const enroll = async () => {
      const { c, reply } = await login(server, 'erin');
      assert.equal(reply.result.mfa?.step, 'enroll', JSON.stringify(reply));
      const s = await c.ok('mfa', { challenge: reply.result.mfa.challenge, code: totp(reply.result.mfa.secret) });
      await c.close();
      return s;
    };
    const first = await enroll();
    assert.equal(first.recovery_codes.length, 10);
    const { c, reply } = await login(server, 'erin');
    assert.equal(reply.result.mfa.step, 'code', 'enrolled: only the code is asked');
    await c.close();

    const r = adminOk(server.db, ['reset-mfa', 'erin']);
    assert.match(r.stdout, /Second factor reset for erin/);
    assert.deepEqual(JSON.parse(sql(server.db, "SELECT enrolled, secret FROM agent_mfa WHERE agent = 'erin'")),
      [{ enrolled: 0, secret: null }]);
    assert.equal(sql(server.db, "SELECT code_hash FROM recovery_codes WHERE agent = 'erin'"), '');
    const second = await enroll();
    assert.equal(second.recovery_codes.length, 10);
    const entries = auditEntries(server.db, 'mfa.reset');
    assert.deepEqual(entries.map((x) => [x.actor, x.detail.agent, x.detail.was_enrolled]), [['admin', 'erin', true]]);
  } finally { await server.stop(); }
});

test('set-role: the audit log is readable as the role allows, at once', async () => {
  const server = await startServer({ args: ['--mfa', 'off'] });
  try {
    const { c: carol, s } = await session(server, 'carol');
    const auth = { authorization: `Bearer ${s.token}` };
    await carol.fails('audit', {}, 'forbidden');
    assert.equal((await get(server.url, '/api/audit', auth)).status, 403);

    assert.match(adminOk(server.db, ['set-role', 'carol', 'supervisor']).stdout, /carol is now a supervisor/);
    const page = await carol.ok('audit', { action: 'agent.role_changed' });
    assert.deepEqual(page.entries.map((e) => [e.actor, e.detail.agent, e.detail.from, e.detail.to]),
      [['admin', 'carol', 'agent', 'supervisor']]);
    assert.equal((await get(server.url, '/api/audit', auth)).status, 200);

    assert.equal(adminOk(server.db, ['set-role', 'carol', 'agent']).stderr, '', 'sam is still a supervisor');
    await carol.fails('audit', {}, 'forbidden');
    assert.equal((await get(server.url, '/api/audit', auth)).status, 403);
    assert.match(admin(server.db, ['set-role', 'carol', 'boss']).stderr, /agent or supervisor/);
    await carol.close();
  } finally { await server.stop(); }
});

test('set-skills and set-queues replace what the agent takes; unknown agents and queues are refused', async () => {
  const dir = tempDir();
  const db = join(dir, 'x.db');
  // No server running: the command creates and migrates the database itself.
  adminOk(db, ['add-agent', 'fay', '--name', 'Fay Lin', '--skills', 'french'], 'twelve chars ok\n');
  const skills = () => JSON.parse(sql(db, "SELECT skill FROM agent_skills WHERE agent = 'fay' ORDER BY skill") || '[]')
    .map((r) => r.skill);
  assert.deepEqual(skills(), ['french']);
  const server = await startServer({ dir, demo: false });
  try {
    assert.match(adminOk(db, ['set-queues', 'fay', 'support,sales']).stdout, /fay's skills: french,sales,support/);
    assert.match(adminOk(db, ['set-queues', 'fay', 'sales']).stdout, /fay's skills: french,sales/);
    assert.deepEqual(skills(), ['french', 'sales'], 'the other queue\'s skill goes, a skill no queue uses stays');
    adminOk(db, ['set-skills', 'fay', 'german,support']);
    assert.deepEqual(skills(), ['german', 'support']);
    adminOk(db, ['set-skills', 'fay', '']);
    assert.deepEqual(skills(), []);
    assert.match(adminOk(db, ['disable', 'fay']).stderr, /no enabled supervisor is left/);
    adminOk(db, ['enable', 'fay']);
    assert.match(admin(db, ['set-queues', 'fay', 'nope']).stderr, /queues: sales, support\).*unknown_queue/);
    assert.match(admin(db, ['set-skills', 'fay', 'Has Space']).stderr, /is not/);
    for (const args of [['disable', 'ghost'], ['enable', 'ghost'], ['reset-mfa', 'ghost'], ['set-role', 'ghost', 'agent'],
                        ['set-skills', 'ghost', 'a'], ['set-queues', 'ghost', 'sales']]) {
      const r = admin(db, args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, /There is no agent "ghost"/);
    }
    const typo = admin(`${db}.typo`, ['list']);
    assert.equal(typo.status, 1);
    assert.match(typo.stderr, /There is no database at .*no_database/);
    assert.ok(!existsSync(`${db}.typo`), 'a mistyped --db creates nothing');
    assert.equal(admin(db, ['frobnicate', 'fay']).status, 2);
    assert.equal(admin(db, ['disable']).status, 2);
    const changed = auditEntries(db, 'agent.skills_changed');
    assert.equal(changed.length, 4);
    assert.deepEqual(changed[1].detail.to, ['french', 'sales']);
    assert.deepEqual(changed[1].detail.queues, ['sales']);
    // The usage names every command.
    const help = spawnSync(serverBinary, ['admin', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const cmd of ['list', 'add-agent', 'disable', 'enable', 'reset-password', 'reset-mfa', 'set-role', 'set-skills', 'set-queues'])
      assert.ok(help.stdout.includes(cmd), cmd);
  } finally { await server.stop(); }
});
