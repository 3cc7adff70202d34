// register.test.mjs: an agent's SIP credentials, issued by switchboardd at login, register a real
// SIP phone (SIPp) through the project's Kamailio: the digest challenge is answered and the
// contact is bound; a wrong password, another agent's credentials, or a session that logged out
// are refused. Kamailio reads the credentials from switchboardd's own database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, agentSession, sipp, phoneOf, sipMessages, registrations, waitFor, ports } from './harness.mjs';
import { sql } from '../server/harness.mjs';

let stack;
const passwords = [];
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const finalReplies = (trace) => sipMessages(trace)
  .filter((m) => m.direction === 'received' && /^SIP\/2\.0 [2-6]/.test(m.startLine))
  .map((m) => m.startLine.split(' ')[1]);

test('an agent logs in, and a SIP phone registers with the credentials it was issued', async () => {
  assert.match(stack.startOutput, /ws:\/\/127\.0\.0\.1:25066/);
  const { client, sip } = await agentSession(stack, 'alice');
  passwords.push(sip.password);
  assert.equal(sip.uri, 'sip:alice@127.0.0.1');
  assert.equal(sip.ws_url, `ws://127.0.0.1:${ports.ws}`);

  const r = await sipp(stack, 'register.xml', { as: phoneOf('alice', sip), keys: { expires: 300 }, port: 5071 }).done;
  assert.equal(r.code, 0, `SIPp failed:\n${r.errors}\n${r.output}`);
  assert.deepEqual(finalReplies(r.messages), ['401', '200'], 'challenged, then registered');
  const registered = await registrations(stack);
  assert.deepEqual(registered.alice, ['sip:alice@127.0.0.1:5071']);
  await client.close();
});

test('a wrong password is refused with 401; another agent\'s credentials with 403', async () => {
  const { client, sip } = await agentSession(stack, 'bob');
  passwords.push(sip.password);
  const wrong = await sipp(stack, 'register_refused.xml', {
    as: { ...phoneOf('bob', sip), password: 'not-the-password' }, keys: { expires: 300 }, port: 5072,
  }).done;
  assert.equal(wrong.code, 0, `SIPp failed:\n${wrong.errors}\n${wrong.output}`);
  assert.deepEqual(finalReplies(wrong.messages), ['401', '401']);

  // Bob's (valid) credentials may not register Alice's address.
  const impostor = await sipp(stack, 'register_refused.xml', {
    as: { ...phoneOf('bob', sip), aor: 'alice' }, keys: { expires: 300 }, port: 5073,
  }).done;
  assert.equal(impostor.code, 0, `SIPp failed:\n${impostor.errors}\n${impostor.output}`);
  assert.deepEqual(finalReplies(impostor.messages), ['401', '403']);

  const registered = await registrations(stack);
  assert.equal(registered.bob, undefined);
  assert.deepEqual(registered.alice, ['sip:alice@127.0.0.1:5071'], 'alice\'s registration is untouched');
  await client.close();
});

test('after logout the session\'s SIP credentials no longer register', async () => {
  const { client, sip } = await agentSession(stack, 'carol');
  passwords.push(sip.password);
  const ok = await sipp(stack, 'register.xml', { as: phoneOf('carol', sip), keys: { expires: 300 }, port: 5074 }).done;
  assert.equal(ok.code, 0, `SIPp failed:\n${ok.errors}\n${ok.output}`);
  await client.ok('logout');
  const after = await sipp(stack, 'register_refused.xml', { as: phoneOf('carol', sip), keys: { expires: 300 }, port: 5074 }).done;
  assert.equal(after.code, 0, `SIPp failed:\n${after.errors}\n${after.output}`);
  assert.deepEqual(finalReplies(after.messages), ['401', '401']);
  await client.close();
});

test('credentials whose session has ended are refused (403), even before switchboardd sweeps them', async () => {
  const { client, sip } = await agentSession(stack, 'alice');
  passwords.push(sip.password);
  // As if the session had expired a minute ago (switchboardd deletes such rows at its next login).
  sql(stack.server.db, `UPDATE subscriber SET expires = ${Math.floor(Date.now() / 1000) - 60} WHERE username = '${sip.username}'`);
  const r = await sipp(stack, 'register_refused.xml', { as: phoneOf('alice', sip), keys: { expires: 300 }, port: 5075 }).done;
  assert.equal(r.code, 0, `SIPp failed:\n${r.errors}\n${r.output}`);
  assert.deepEqual(finalReplies(r.messages), ['401', '403']);
  assert.match(r.messages, /SIP\/2\.0 403 Credentials Expired/);
  await client.close();
});

test('no SIP password reaches the logs of switchboardd or Kamailio', async () => {
  await waitFor('the logs', () => stack.kamailioLog().length > 0);
  assert.equal(passwords.length, 4);
  for (const p of passwords) {
    assert.ok(!stack.server.stderr.includes(p), 'a SIP password in switchboardd\'s log');
    assert.ok(!stack.kamailioLog().includes(p), 'a SIP password in Kamailio\'s log');
  }
});
