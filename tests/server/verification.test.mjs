// verification.test.mjs: customer verification (docs/verification.md) against a real
// switchboardd: sensitive fields masked until the contact is verified and the sensitive actions
// refused with verification_required; knowledge answers compared after normalisation; the SMS
// code read from the fake provider; wrong answers -> attempts_left down -> failed -> the customer
// locked for every agent, contact and channel; verification follows a transfer and never a new
// contact; stored answers never reach a desk; bad input refused with clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, sql, DeskClient, sleep, tempDir } from './harness.mjs';
import { ChatCustomer, get, smsIn, waitEvent, offered, availableAgent } from './contacts_harness.mjs';

const DOTS = '\u2022\u2022\u2022\u2022';

// Every frame an agent received, as text: what must never carry a stored answer.
const seen = (client) => JSON.stringify(client.frames);

async function accepted(agent, contactId) {
  await waitEvent(agent, offered(contactId));
  const { contact } = await agent.ok('accept', { contact: contactId });
  return contact;
}

async function chatFrom(server, name, email) {
  const customer = await ChatCustomer.connect(server.url);
  await customer.start(name, email);
  await customer.say('Hello, I need help with my account.');
  return customer;
}

async function outbox(server, count) {
  for (let i = 0; i < 100; i++) {
    const messages = (await get(server.url, '/dev/sms-provider/outbox')).json.messages;
    if (messages.length >= count) return messages;
    await sleep(50);
  }
  assert.fail(`the fake provider did not get ${count} SMS`);
}

const verificationEvent = (contact, state) => (e) =>
  e.event === 'contact.verification' && e.data.contact === contact && (!state || e.data.verification.state === state);

test('masked until verified: sensitive actions refused, knowledge answers normalised, then unlocked', async () => {
  const server = await startServer({ args: ['--fake-sms-provider'] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const r = await smsIn(server.url, { From: '+15550100002', To: '7001', Body: 'Hello, I need help with my account.' });
    const contact = await accepted(bob, r.json.contact);
    const customer = contact.customer;
    assert.equal(customer.id, 'cu-1002');

    // Masked: numbers as •••• 1234, no balance, no date of birth, address, postcode or payments.
    assert.equal(customer.sensitive.unlocked, false);
    assert.deepEqual(customer.sensitive.accounts.map((a) => [a.id, a.number, a.balance_cents]),
      [['AC-11872', `${DOTS} 1872`, null], ['AC-11873', `${DOTS} 1873`, null]]);
    for (const a of customer.sensitive.accounts) assert.match(a.number, /^\u2022{4} \d{4}$/);
    assert.equal(customer.sensitive.date_of_birth, null);
    assert.equal(customer.sensitive.address, null);
    assert.equal(customer.sensitive.postcode, null);
    assert.equal(customer.sensitive.payment_methods, null);

    // The checklist: the support queue's policy, questions only.
    const v = contact.verification;
    assert.equal(v.state, 'unverified');
    assert.equal(v.required, 2);
    assert.deepEqual(v.steps.map((s) => [s.step, s.state, s.attempts_left]),
      [['dob', 'pending', 3], ['postcode', 'pending', 3], ['sms_code', 'pending', 3]]);
    assert.match(v.steps[0].question, /date of birth/i);
    assert.equal(v.caller_number, null);  // only a call has a calling number
    assert.deepEqual((await bob.ok('verify', { contact: contact.id })).verification, v);

    // Every sensitive request, unverified: verification_required; the rest of the card is not sensitive.
    await bob.fails('update_customer', { customer: customer.id, contact: contact.id, address: '1 New Street' }, 'verification_required');
    await bob.fails('update_customer', { customer: customer.id, contact: contact.id, postcode: '90210' }, 'verification_required');
    await bob.fails('update_customer', { customer: customer.id, contact: contact.id, first_name: 'Dana', address: 'x' }, 'verification_required');
    await bob.fails('update_customer', { customer: customer.id, address: '1 New Street' }, 'verification_required');
    assert.equal(JSON.parse(sql(server.db, "SELECT address, first_name FROM customers WHERE id = 'cu-1002'"))[0].address,
      '221 Elm Street, Springfield, IL');
    await bob.ok('update_customer', { customer: customer.id, notes: 'Asked about her bill.' });

    // Answers as the customer says them; the server normalises and compares.
    const dob = await bob.ok('verify_answer', { contact: contact.id, step: 'dob', answer: '23 Nov 79' });
    assert.deepEqual([dob.passed, dob.attempts_left, dob.state], [true, 3, 'in_progress']);
    const wrongPostcode = await bob.ok('verify_answer', { contact: contact.id, step: 'postcode', answer: '62705' });
    assert.deepEqual([wrongPostcode.passed, wrongPostcode.attempts_left, wrongPostcode.state], [false, 2, 'in_progress']);
    assert.equal(wrongPostcode.verification.steps[1].attempts_left, 2);
    // Still nothing stored has reached the desk.
    for (const secret of ['1979', '62704', 'Elm Street', '30011872', 'autumn', 'argon2', 'security_phrase_hash'])
      assert.ok(!seen(bob).includes(secret), `the desk saw ${secret}`);
    await bob.fails('update_customer', { customer: customer.id, contact: contact.id, address: '1 New Street' }, 'verification_required');

    const from = bob.events.length;
    const postcode = await bob.ok('verify_answer', { contact: contact.id, step: 'postcode', answer: ' 62704-0001 ' });
    assert.deepEqual([postcode.passed, postcode.state], [true, 'verified']);
    const ev = await waitEvent(bob, verificationEvent(contact.id, 'verified'), { from });
    const unlocked = ev.data.customer.sensitive;
    assert.equal(unlocked.unlocked, true);
    assert.deepEqual(unlocked.accounts.map((a) => [a.id, a.number, a.balance_cents]).sort(),
      [['AC-11872', '30011872', 0], ['AC-11873', '30011873', 2350]]);
    assert.equal(unlocked.date_of_birth, '1979-11-23');
    assert.equal(unlocked.postcode, '62704');
    assert.deepEqual(unlocked.payment_methods, []);
    // Verified is final: no more answers.
    await bob.fails('verify_answer', { contact: contact.id, step: 'sms_code', answer: '123456' }, 'wrong_state');

    // Now the sensitive action goes through, and the reply shows the card unlocked.
    // Named: the verified contact (without it, the change is refused like before).
    await bob.fails('update_customer', { customer: customer.id, address: '5 Oak Avenue, Springfield, IL' }, 'verification_required');
    const { customer: changed } = await bob.ok('update_customer', { customer: customer.id, contact: contact.id, address: '5 Oak Avenue, Springfield, IL', postcode: '62701' });
    assert.equal(changed.sensitive.unlocked, true);
    assert.equal(changed.sensitive.address, '5 Oak Avenue, Springfield, IL');
    await bob.fails('update_customer', { customer: customer.id, contact: contact.id, postcode: 'SW1A/1AA' }, 'bad_message');
    const row = JSON.parse(sql(server.db, "SELECT address, postcode FROM customers WHERE id = 'cu-1002'"))[0];
    assert.deepEqual(row, { address: '5 Oak Avenue, Springfield, IL', postcode: '62701' });

    // Never a stored security phrase, in any frame; the audit log has the attempts (not the answers).
    assert.ok(!seen(bob).includes('argon2'));
    const audit = JSON.parse(sql(server.db, `SELECT action, detail FROM audit WHERE contact = '${contact.id}' ORDER BY id`));
    assert.deepEqual(audit.map((a) => a.action),
      ['verification.attempt', 'verification.attempt', 'verification.attempt', 'verification.passed', 'card.unlocked',
        'verification.refused', 'customer.updated']);
    assert.deepEqual(JSON.parse(audit[5].detail), { step: 'sms_code', error: 'wrong_state' });  // an answer after verified
    assert.deepEqual(JSON.parse(audit[6].detail), { fields: ['address', 'postcode'] });
    assert.ok(!audit.some((a) => /62704|62705|62701|Nov|Oak/.test(a.detail)), 'answers and new values are not audited');
    await bob.close();
  } finally { await server.stop(); }
});

test('the SMS code: sent through the fake provider to the number on file, hashed, limited attempts', async () => {
  const server = await startServer({ args: ['--fake-sms-provider'] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const r = await smsIn(server.url, { From: '+15550100002', To: '7001', Body: 'I want to change my address' });
    const contact = await accepted(bob, r.json.contact);
    await bob.fails('verify_answer', { contact: contact.id, step: 'sms_code', answer: '123456' }, 'code_not_sent');

    const sent = await bob.ok('verify_send_code', { contact: contact.id });
    assert.equal(sent.sent_to, `${DOTS} 0002`);
    assert.ok(Math.abs(sent.expires_at - Date.now() - 5 * 60 * 1000) < 10000, 'expires in 5 minutes');
    assert.equal(sent.verification.state, 'in_progress');
    assert.ok(sent.verification.steps[2].code_expires_at >= sent.expires_at - 1);
    const messages = await outbox(server, 1);
    const sms = messages.find((m) => /code/.test(m.body));
    assert.equal(sms.to, '+15550100002');
    assert.equal(sms.from, '7001');
    const code = sms.body.match(/\b(\d{6})\b/)[1];
    // Only its hash is kept.
    assert.ok(!sql(server.db, 'SELECT * FROM contact_verifications').includes(code));
    assert.ok(!seen(bob).includes(code), 'the desk never receives the code');

    const wrong = String((Number(code) + 1) % 1000000).padStart(6, '0');
    const miss = await bob.ok('verify_answer', { contact: contact.id, step: 'sms_code', answer: wrong });
    assert.deepEqual([miss.passed, miss.attempts_left], [false, 2]);
    await bob.fails('verify_answer', { contact: contact.id, step: 'sms_code', answer: '12345' }, 'bad_message');
    const hit = await bob.ok('verify_answer', { contact: contact.id, step: 'sms_code', answer: `${code.slice(0, 3)} ${code.slice(3)}` });
    assert.deepEqual([hit.passed, hit.state], [true, 'in_progress']);
    assert.equal(JSON.parse(sql(server.db, `SELECT code_hash FROM contact_verifications WHERE contact = '${contact.id}'`))[0].code_hash, null);
    const done = await bob.ok('verify_answer', { contact: contact.id, step: 'dob', answer: '1979-11-23' });
    assert.equal(done.state, 'verified');
    await bob.fails('verify_send_code', { contact: contact.id }, 'wrong_state');
    await bob.close();
  } finally { await server.stop(); }
});

test('wrong answers: attempts_left down, failed, then the customer is locked across agents, contacts and channels', async () => {
  const server = await startServer({ args: ['--fake-sms-provider'] });
  try {
    const { c: carol } = await availableAgent(server, 'carol');  // sales only
    const r = await smsIn(server.url, { From: '+15550100001', To: '7002', Body: 'Upgrade please' });
    const sms = await accepted(carol, r.json.contact);
    assert.deepEqual(sms.verification.steps.map((s) => s.step), ['account_last4', 'security_phrase']);
    assert.match(sms.verification.steps[1].question, /security phrase/i);
    // The phrase compares after normalisation, but a wrong one is wrong.
    const left = [];
    for (const answer of ['1111', '2222', '3333']) {
      const a = await carol.ok('verify_answer', { contact: sms.id, step: 'account_last4', answer });
      assert.equal(a.passed, false);
      left.push([a.attempts_left, a.state]);
    }
    assert.deepEqual(left, [[2, 'in_progress'], [1, 'in_progress'], [0, 'failed']]);
    await carol.fails('verify_answer', { contact: sms.id, step: 'security_phrase', answer: 'blue whale' }, 'wrong_state');

    // The same customer on a chat with another agent: two more wrong answers lock him.
    const { c: bob } = await availableAgent(server, 'bob');
    const marcus = await chatFrom(server, 'Marcus Lee', 'marcus.lee@example.com');
    const chat = await accepted(bob, marcus.contact);
    assert.notEqual(chat.customer.id, 'cu-1001', 'a claimed email is not a link');
    assert.equal(chat.customer.first_name, 'Marcus');
    assert.equal(chat.verification.state, 'unverified');  // a failed contact does not fail the next one
    const first = await bob.ok('verify_answer', { contact: chat.id, step: 'dob', answer: '1 January 1990' });
    assert.deepEqual([first.passed, first.state], [false, 'in_progress']);
    const carolFrom = carol.events.length;
    const second = await bob.ok('verify_answer', { contact: chat.id, step: 'dob', answer: '2 January 1990' });
    assert.deepEqual([second.passed, second.state], [false, 'locked']);
    const until = second.verification.locked_until;
    assert.ok(until > Date.now() + 29 * 60 * 1000 && until <= Date.now() + 30 * 60 * 1000 + 5000, 'locked for 30 minutes');

    // Locked for everyone: a right answer is refused, no code goes out, and the other agent's
    // contact on another channel is locked too (and told so).
    const refused = await bob.fails('verify_answer', { contact: chat.id, step: 'dob', answer: '7 March 1984' }, 'verification_locked');
    assert.ok(refused.retry_after_ms > 29 * 60 * 1000);
    await bob.fails('verify_send_code', { contact: chat.id }, 'verification_locked');
    const told = await waitEvent(carol, verificationEvent(sms.id, 'locked'), { from: carolFrom });
    assert.equal(told.data.verification.locked_until, until);
    assert.equal((await carol.ok('verify', { contact: sms.id })).verification.state, 'locked');
    await bob.fails('update_customer', { customer: chat.customer.id, contact: chat.id, address: 'x' }, 'verification_required');

    // A new contact from the same customer, while the lock holds: locked from the start.
    await carol.ok('end', { contact: sms.id });
    await carol.ok('wrap_up', { contact: sms.id, disposition: 'no_action', notes: '', tags: [] });
    const again = await smsIn(server.url, { From: '+15550100001', To: '7002', Body: 'Hello again' });
    assert.notEqual(again.json.contact, sms.id);
    const next = await accepted(carol, again.json.contact);
    assert.equal(next.verification.state, 'locked');
    await carol.fails('verify_answer', { contact: next.id, step: 'account_last4', answer: '0417' }, 'verification_locked');
    const lock = JSON.parse(sql(server.db, "SELECT failures, locked_until FROM verification_locks WHERE customer = 'cu-1001'"))[0];
    assert.equal(lock.locked_until, until);
    const audit = JSON.parse(sql(server.db, "SELECT action, actor FROM audit WHERE action = 'verification.locked'"));
    assert.deepEqual(audit, [{ action: 'verification.locked', actor: 'bob' }]);
    await marcus.close();
    await bob.close();
    await carol.close();
  } finally { await server.stop(); }
});

test('verification follows a transfer; a new contact from the same customer starts unverified', async () => {
  const server = await startServer({ args: ['--fake-sms-provider'] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const alice = await DeskClient.connect(server.wsUrl);
    await alice.login('alice');
    const dana = await chatFrom(server, 'Dana Whitfield', 'dana@example.com');
    const contact = await accepted(bob, dana.contact);
    await bob.ok('verify_answer', { contact: contact.id, step: 'dob', answer: '11/23/1979' });
    const v = await bob.ok('verify_answer', { contact: contact.id, step: 'postcode', answer: '62704' });
    assert.equal(v.state, 'verified');

    await alice.ok('set_state', { state: 'available' });
    await bob.ok('transfer', { contact: contact.id, agent: 'alice', note: 'Verified; wants a new address.' });
    const there = await accepted(alice, contact.id);
    assert.equal(there.verification.state, 'verified');
    assert.equal(there.customer.sensitive.unlocked, true);
    assert.equal(there.customer.id, 'cu-1002', 'verified, the claimed chat became Dana\'s');
    await alice.ok('update_customer', { customer: there.customer.id, contact: contact.id, address: '7 Pine Road' });
    // bob no longer has the contact: he may not act on it.
    await bob.fails('verify', { contact: contact.id }, 'not_your_contact');

    await alice.ok('end', { contact: contact.id });
    await alice.ok('wrap_up', { contact: contact.id, disposition: 'resolved', notes: '', tags: [] });
    await dana.close();
    await bob.ok('set_state', { state: 'not_ready', reason: 'break' });  // the next chat goes to alice
    const danaAgain = await chatFrom(server, 'Dana Whitfield', 'dana@example.com');
    const fresh = await accepted(alice, danaAgain.contact);
    assert.notEqual(fresh.id, contact.id);
    assert.notEqual(fresh.customer.id, 'cu-1002', 'a new chat is nobody\'s until verified');
    assert.equal(fresh.verification.state, 'unverified');
    assert.equal(fresh.customer.sensitive.unlocked, false);
    assert.equal(fresh.customer.sensitive.address, null);
    await alice.fails('update_customer', { customer: fresh.customer.id, contact: fresh.id, address: 'x' }, 'verification_required');
    await danaAgain.close();
    await alice.close();
    await bob.close();
  } finally { await server.stop(); }
});

test('bad input: unknown contact, not the agent\'s contact, unknown step, unreadable answers, wrong state', async () => {
  const server = await startServer({ args: ['--fake-sms-provider'] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const carol = await DeskClient.connect(server.wsUrl);
    await carol.login('carol');
    const dana = await chatFrom(server, 'Dana Whitfield', 'dana@example.com');
    await waitEvent(bob, offered(dana.contact));
    // Offered, not accepted yet: the checklist can be read, not answered.
    assert.equal((await bob.ok('verify', { contact: dana.contact })).verification.state, 'unverified');
    await bob.fails('verify_answer', { contact: dana.contact, step: 'dob', answer: '1979-11-23' }, 'wrong_state');
    await bob.ok('accept', { contact: dana.contact });

    await bob.fails('verify', { contact: 'c-nope' }, 'unknown_contact');
    await bob.fails('verify_answer', { contact: 'c-nope', step: 'dob', answer: '1' }, 'unknown_contact');
    await carol.fails('verify', { contact: dana.contact }, 'not_your_contact');
    await carol.fails('verify_answer', { contact: dana.contact, step: 'dob', answer: '1979-11-23' }, 'not_your_contact');
    await carol.fails('verify_send_code', { contact: dana.contact }, 'not_your_contact');
    const unknown = await bob.fails('verify_answer', { contact: dana.contact, step: 'shoe_size', answer: '42' }, 'unknown_step');
    assert.match(unknown.message, /shoe_size/);
    await bob.fails('verify_answer', { contact: dana.contact, step: 'security_phrase', answer: 'autumn leaves' }, 'unknown_step');
    await bob.fails('verify_answer', { contact: dana.contact, step: 'caller_number', answer: 'yes' }, 'bad_message');
    const unreadable = await bob.fails('verify_answer', { contact: dana.contact, step: 'dob', answer: 'yesterday' }, 'bad_message');
    assert.match(unreadable.message, /date/i);
    await bob.fails('verify_answer', { contact: dana.contact, step: 'dob' }, 'bad_message');
    await bob.fails('verify_answer', { contact: dana.contact, step: 'dob', answer: 7 }, 'bad_message');
    // None of that used an attempt.
    const { verification } = await bob.ok('verify', { contact: dana.contact });
    assert.deepEqual(verification.steps.map((s) => s.attempts_left), [3, 3, 3]);
    assert.equal(verification.state, 'unverified');

    const anon = await DeskClient.connect(server.wsUrl);
    await anon.hello();
    await anon.fails('verify', { contact: dana.contact }, 'not_logged_in');
    await anon.close();
    await dana.close();
    await carol.close();
    await bob.close();
  } finally { await server.stop(); }
});

test('a call: the calling number matching the number on file is a hint, never a step', async () => {
  const dir = tempDir();
  const secret = 'verification-secret-0123456789';
  writeFileSync(join(dir, 'secret'), `${secret}\n`, { mode: 0o600 });
  const server = await startServer({ dir, args: ['--sip-domain', '127.0.0.1', '--telephony-secret-file', join(dir, 'secret')] });
  const route = (fields) => new Promise((resolve, reject) => {
    const body = new URLSearchParams({ call_id: `call-${Math.random()}`, from_name: '', number: '7001', ...fields }).toString();
    const { hostname, port } = new URL(server.url);
    const req = http.request({ hostname, port, path: '/telephony/route', method: 'POST', agent: false,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body),
        'x-switchboard-telephony': secret } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text: text.trim() }));
    });
    req.on('error', reject);
    req.end(body);
  });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const r = await route({ from: '5550100002' });
    assert.equal(r.status, 200, r.text);
    const contact = await accepted(bob, r.text.split(' ')[1]);
    assert.equal(contact.channel, 'voice');
    assert.equal(contact.customer.id, 'cu-1002');
    assert.equal(contact.verification.caller_number, 'match');
    assert.equal(contact.verification.state, 'unverified', 'a matching number does not verify');
    assert.ok(!contact.verification.steps.some((s) => s.step === 'caller_number'));
    assert.equal(contact.customer.sensitive.unlocked, false);
    await bob.fails('verify_answer', { contact: contact.id, step: 'caller_number', answer: 'match' }, 'bad_message');
    const chat = await chatFrom(server, 'Dana Whitfield', 'dana@example.com');
    const onChat = await accepted(bob, chat.contact);
    assert.equal(onChat.verification.caller_number, null, 'no hint without a call');
    await chat.close();
    await bob.close();
  } finally { await server.stop(); }
});

test('a claimed email is a hint, never a link: the chat is its own customer until verified against the claim', async () => {
  const server = await startServer({ args: ['--fake-sms-provider'] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const dana = await chatFrom(server, 'Dana Whitfield', 'Dana@Example.com');
    const contact = await accepted(bob, dana.contact);
    // What the customer typed, as typed (the hint the desk shows); nothing of the account it names.
    const guest = contact.customer;
    assert.notEqual(guest.id, 'cu-1002');
    assert.deepEqual([guest.first_name, guest.last_name, guest.email, guest.phone], ['Dana', 'Whitfield', 'dana@example.com', null]);
    assert.match(guest.chat_identity, /^guest-.+@chat$/);
    assert.deepEqual(guest.history, []);
    assert.equal(guest.notes, '');
    assert.deepEqual(guest.sensitive.accounts, []);
    for (const secret of ['cu-1002', '1872', '1873', '+15550100002', 'Elm Street', 'Business Pro'])
      assert.ok(!seen(bob).includes(secret), `the desk saw ${secret}`);
    // The checklist is the claimed customer's: the steps they have on file, to identify them.
    assert.deepEqual(contact.verification.steps.map((s) => [s.step, s.state]),
      [['dob', 'pending'], ['postcode', 'pending'], ['sms_code', 'pending']]);
    // Nothing sensitive on the claim, and the account it names is not the agent's to touch.
    await bob.fails('update_customer', { customer: guest.id, contact: contact.id, address: 'x' }, 'verification_required');
    await bob.fails('update_customer', { customer: 'cu-1002', notes: 'x' }, 'not_your_contact');
    await bob.fails('update_customer', { customer: 'cu-1002', contact: contact.id, notes: 'x' }, 'bad_message');
    assert.equal(JSON.parse(sql(server.db, `SELECT claimed_customer FROM contacts WHERE id = '${contact.id}'`))[0].claimed_customer, 'cu-1002');
    // The code goes to the claimed customer's phone on file.
    const sent = await bob.ok('verify_send_code', { contact: contact.id });
    assert.equal(sent.sent_to, `${DOTS} 0002`);

    // Identified by the checklist: the contact becomes Dana's, unlocked, with her history.
    const from = bob.events.length;
    await bob.ok('verify_answer', { contact: contact.id, step: 'dob', answer: '23 Nov 1979' });
    const v = await bob.ok('verify_answer', { contact: contact.id, step: 'postcode', answer: '62704' });
    assert.equal(v.state, 'verified');
    const ev = await waitEvent(bob, verificationEvent(contact.id, 'verified'), { from });
    assert.equal(ev.data.customer.id, 'cu-1002');
    assert.equal(ev.data.customer.sensitive.unlocked, true);
    const updated = await waitEvent(bob, (e) => e.event === 'contact.updated' && e.data.id === contact.id && e.data.customer.id === 'cu-1002', { from });
    assert.ok(updated.data.customer.history.length >= 2, 'her history');
    assert.equal(updated.data.verification.state, 'verified');
    assert.deepEqual(JSON.parse(sql(server.db, `SELECT customer, claimed_customer FROM contacts WHERE id = '${contact.id}'`)),
      [{ customer: 'cu-1002', claimed_customer: null }]);
    const identified = JSON.parse(sql(server.db, "SELECT actor, contact, customer, detail FROM audit WHERE action = 'customer.identified'"));
    assert.deepEqual(identified, [{ actor: 'bob', contact: contact.id, customer: 'cu-1002', detail: JSON.stringify({ started_as: guest.id }) }]);
    await bob.ok('update_customer', { customer: 'cu-1002', contact: contact.id, address: '5 Oak Avenue' });

    // An email nobody has: its own customer, nothing on file to verify against.
    const stranger = await chatFrom(server, 'Sam Stranger', 'stranger@example.com');
    const other = await accepted(bob, stranger.contact);
    assert.deepEqual(other.verification.steps.map((s) => s.state), ['unavailable', 'unavailable', 'unavailable']);
    // The same email again: another record of its own, never the first chat's.
    const twice = await chatFrom(server, 'Dana W', 'dana@example.com');
    const third = await accepted(bob, twice.contact);
    assert.notEqual(third.customer.id, guest.id);
    assert.notEqual(third.customer.id, 'cu-1002');
    assert.equal(third.verification.state, 'unverified', 'verified on one contact is not verified on the next');
    await dana.close();
    await stranger.close();
    await twice.close();
    await bob.close();
  } finally { await server.stop(); }
});

test('email and phone are sensitive: changed only on the named contact, verified; a new customer\'s first email is filled in', async () => {
  const server = await startServer({ args: ['--fake-sms-provider'] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const { c: carol } = await availableAgent(server, 'carol');
    const r = await smsIn(server.url, { From: '+15550100002', To: '7001', Body: 'New phone, new email' });
    const text = await accepted(bob, r.json.contact);
    const id = text.id;
    assert.equal(text.customer.id, 'cu-1002');
    // Unverified: the channels codes go to stay as they are.
    await bob.fails('update_customer', { customer: 'cu-1002', contact: id, email: 'someone.else@example.com' }, 'verification_required');
    await bob.fails('update_customer', { customer: 'cu-1002', contact: id, phone: '+1 555 999 0000' }, 'verification_required');
    await bob.fails('update_customer', { customer: 'cu-1002', contact: id, email: '' }, 'verification_required');
    await bob.fails('update_customer', { customer: 'cu-1002', phone: '+1 555 999 0000' }, 'verification_required');
    // Unverified, a number on file for another customer is not even looked up (nothing learnt).
    await bob.fails('update_customer', { customer: 'cu-1002', contact: id, phone: '+15550100001' }, 'verification_required');
    assert.deepEqual(JSON.parse(sql(server.db, "SELECT email, phone FROM customers WHERE id = 'cu-1002'")),
      [{ email: 'dana@example.com', phone: '+15550100002' }]);
    // The contact named must be the agent's own, open, with this customer.
    await bob.fails('update_customer', { customer: 'cu-1002', contact: 'c-nope', notes: 'x' }, 'unknown_contact');
    await carol.fails('update_customer', { customer: 'cu-1002', contact: id, email: 'x@example.com' }, 'not_your_contact');

    await bob.ok('verify_answer', { contact: id, step: 'dob', answer: '1979-11-23' });
    assert.equal((await bob.ok('verify_answer', { contact: id, step: 'postcode', answer: '62704' })).state, 'verified');
    await bob.fails('update_customer', { customer: 'cu-1002', contact: id, phone: 'not a number' }, 'bad_message');
    await bob.fails('update_customer', { customer: 'cu-1002', contact: id, phone: '+15550100001' }, 'bad_message');  // Marcus's
    const { customer } = await bob.ok('update_customer', { customer: 'cu-1002', contact: id, email: 'dana.w@example.com', phone: '555-010-7777' });
    assert.deepEqual([customer.email, customer.phone], ['dana.w@example.com', '+15550107777']);
    // (The verification code now goes to the new number.)
    const audit = JSON.parse(sql(server.db, "SELECT actor, contact, customer, detail FROM audit WHERE action = 'customer.updated'"));
    assert.deepEqual(audit, [{ actor: 'bob', contact: id, customer: 'cu-1002', detail: JSON.stringify({ fields: ['email', 'phone'] }) }]);
    const details = sql(server.db, 'SELECT detail FROM audit');
    assert.ok(!details.includes('5550107777') && !details.includes('dana.w@'), 'never the new values');

    // A new customer (nothing on file to check): their first email is filled in without
    // verification; changing it after, or their number, needs it like anyone's.
    const n = await smsIn(server.url, { From: '555-010-9898', To: '7001', Body: 'hi' });
    const fresh = await accepted(bob, n.json.contact);
    const { customer: nina } = await bob.ok('update_customer', { customer: fresh.customer.id, first_name: 'Nina', email: 'nina@example.com' });
    assert.equal(nina.email, 'nina@example.com');
    await bob.fails('update_customer', { customer: fresh.customer.id, contact: fresh.id, email: 'other@example.com' }, 'verification_required');
    await bob.fails('update_customer', { customer: fresh.customer.id, contact: fresh.id, phone: '+15550109999' }, 'verification_required');
    await bob.close();
    await carol.close();
  } finally { await server.stop(); }
});
