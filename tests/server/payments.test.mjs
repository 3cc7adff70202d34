// payments.test.mjs: taking a card payment (docs/payments.md) against a real switchboardd with
// its fake payment gateway: every payment request refused until the customer is verified; a chat
// contact's whole flow (start, cards refused by the core's checks, a declined card, an approved
// one stored as a payment method, the refund, a cancel, the capture cancelled when the contact
// ends); another agent's contact; wrong states; a gateway that is down; no gateway at all. The
// card numbers sent must appear in none of the database files, the server's log or the fake
// gateway's list of charges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { startServer, sql, sqlScript, DeskClient, sleep, onPostgres } from './harness.mjs';
import http from 'node:http';
import { ChatCustomer, get, post, smsIn, waitEvent, offered, availableAgent } from './contacts_harness.mjs';

// Every card number the tests send (digits only).
const CARDS = {
  typo: '4111111111111112',      // Luhn fails: a typo
  expired: '5555555555554444',   // sent with an expiry in the past
  declined: '4000000000000002',  // the fake gateway declines it
  good: '4242424242424242',
  amex: '378282246310005',
  down: '6011111111111117',      // sent while the gateway is down
};

// The forms a card number could take in a file: together, in groups of four with spaces or dashes.
function forms(digits) {
  const groups = digits.match(/.{1,4}/g);
  return [digits, groups.join(' '), groups.join('-')];
}

function assertNoCards(bytes, what) {
  for (const [name, digits] of Object.entries(CARDS))
    for (const form of forms(digits))
      assert.equal(bytes.indexOf(Buffer.from(form, 'utf8')), -1, `${what} holds the card number ${name} as "${form}"`);
}

const readIf = (path) => (existsSync(path) ? readFileSync(path) : Buffer.alloc(0));

const paymentEvent = (contact, pred = () => true) => (e) =>
  e.event === 'contact.payment' && e.data.contact === contact && pred(e.data.payment);

// A chat from someone who says they are Dana Whitfield (dana@example.com), accepted by `agent`:
// the chat's own customer until verified against Dana's record (cu-1002).
async function danaChat(server, agent) {
  const customer = await ChatCustomer.connect(server.url);
  await customer.start('Dana Whitfield', 'dana@example.com');
  await customer.say('I would like to pay my bill.');
  await waitEvent(agent, offered(customer.contact));
  const { contact } = await agent.ok('accept', { contact: customer.contact });
  assert.notEqual(contact.customer.id, 'cu-1002', 'a claim is not a link');
  return { customer, contact };
}

// Verified, the chat becomes Dana's (contact.updated with her as its customer).
async function verifyDana(agent, contact) {
  const from = agent.events.length;
  await agent.ok('verify_answer', { contact, step: 'dob', answer: '23 Nov 79' });
  const r = await agent.ok('verify_answer', { contact, step: 'postcode', answer: '62704' });
  assert.equal(r.state, 'verified');
  await waitEvent(agent, (e) => e.event === 'contact.updated' && e.data.id === contact && e.data.customer.id === 'cu-1002', { from });
}

// A loopback port nobody listens on.
async function closedPort() {
  const srv = net.createServer();
  await new Promise((res) => srv.listen(0, '127.0.0.1', res));
  const { port } = srv.address();
  await new Promise((res) => srv.close(res));
  return port;
}

const GATEWAY = ['--fake-sms-provider', '--fake-payment-gateway', '--log-level', 'debug'];

test('every payment request is refused until the customer is verified', async () => {
  const server = await startServer({ args: GATEWAY });
  try {
    const anon = await DeskClient.connect(server.wsUrl);
    await anon.hello();
    await anon.fails('payment_start', { contact: 'c-x', amount: 100 }, 'not_logged_in');
    await anon.close();

    const { c: bob } = await availableAgent(server, 'bob');
    const { customer, contact } = await danaChat(server, bob);
    assert.equal(contact.payment, null, 'a contact carries its latest payment: none yet');
    await bob.fails('payment_start', { contact: contact.id, amount: 2500 }, 'verification_required');
    await bob.fails('payment_submit', { contact: contact.id, payment: 'pay-x', card_number: CARDS.good, expiry: '12/30', cvc: '123' },
      'verification_required');
    await bob.fails('payment_cancel', { contact: contact.id, payment: 'pay-x' }, 'verification_required');
    await bob.fails('refund', { contact: contact.id, payment: 'pay-x' }, 'verification_required');
    await bob.fails('payment_start', { contact: 'c-nope', amount: 2500 }, 'unknown_contact');
    // The schema: amount an integer, no unknown fields.
    await bob.fails('payment_start', { contact: contact.id, amount: '25.00' }, 'bad_message');
    await bob.fails('payment_start', { contact: contact.id, amount: 1, card_number: CARDS.good }, 'bad_message');
    assert.equal(JSON.parse(sql(server.db, 'SELECT COUNT(*) AS n FROM payments'))[0].n, 0);
    assert.equal(bob.events.filter((e) => e.event === 'contact.payment').length, 0);
    await customer.close();
    await bob.close();
  } finally { await server.stop(); }
});

test('chat: start, cards refused, declined, approved and stored, refunded; cancel; never a card number at rest', async () => {
  const server = await startServer({ args: GATEWAY });
  let stopped = false;
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const { customer, contact } = await danaChat(server, bob);
    const id = contact.id;
    await verifyDana(bob, id);

    // ---- start ----
    await bob.fails('payment_start', { contact: id, amount: 0 }, 'bad_message');
    await bob.fails('payment_start', { contact: id, amount: 10000001 }, 'bad_message');
    await bob.fails('payment_start', { contact: id, amount: 100, currency: 'usd' }, 'bad_message');
    let from = bob.events.length;
    const { payment: p } = await bob.ok('payment_start', { contact: id, amount: 2500 });
    assert.match(p.id, /^pay-/);
    assert.deepEqual([p.contact, p.state, p.amount, p.currency, p.recording, p.card, p.error],
      [id, 'capturing', 2500, 'USD', 'off', null, null]);
    assert.ok(Math.abs(p.created_at - Date.now()) < 10000);
    await waitEvent(bob, paymentEvent(id, (x) => x.id === p.id && x.state === 'capturing'), { from });
    await bob.fails('payment_start', { contact: id, amount: 100 }, 'wrong_state');  // one open capture per contact
    await bob.fails('payment_submit', { contact: id, payment: 'pay-nope', card_number: CARDS.good, expiry: '12/30', cvc: '123' },
      'unknown_payment');

    // ---- the core's checks: nothing is sent, nothing stored ----
    const submit = (card_number, expiry = '12/30', cvc = '123') =>
      ({ contact: id, payment: p.id, card_number, expiry, cvc });
    const typo = await bob.fails('payment_submit', submit('4111 1111 1111 1112'), 'card_invalid');
    assert.match(typo.message, /card_number/);
    const expired = await bob.fails('payment_submit', submit('5555-5555-5555-4444', '01/20'), 'card_invalid');
    assert.match(expired.message, /expiry/);
    const month13 = await bob.fails('payment_submit', submit(CARDS.good, '13/30'), 'card_invalid');
    assert.match(month13.message, /expiry/);
    const cvc = await bob.fails('payment_submit', submit(CARDS.amex, '12/30', '123'), 'card_invalid');
    assert.match(cvc.message, /cvc/);
    for (const e of [typo, expired, month13, cvc]) assertNoCards(Buffer.from(e.message), 'an error message');
    assert.equal((await get(server.url, '/dev/payment-gateway/charges')).json.charges.length, 0);

    // ---- declined: back to capturing with the gateway's reason ----
    from = bob.events.length;
    const first = await bob.ok('payment_submit', submit('4000 0000 0000 0002'));
    assert.equal(first.payment.state, 'authorizing');
    const declined = await waitEvent(bob, paymentEvent(id, (x) => x.state === 'capturing' && x.error), { from });
    assert.equal(declined.data.payment.error.code, 'payment_declined');
    assert.match(declined.data.payment.error.message, /card declined/);
    assert.equal(declined.data.payment.card, null);

    // ---- approved: the card kept as a payment method (brand, last four, expiry) ----
    from = bob.events.length;
    const authorizing = await bob.ok('payment_submit', submit('4242 4242 4242 4242', '12 / 2030', '123'));
    assert.equal(authorizing.payment.state, 'authorizing');
    assert.equal(authorizing.payment.error, null);
    const approved = (await waitEvent(bob, paymentEvent(id, (x) => x.state === 'approved'), { from })).data.payment;
    assert.deepEqual(approved.card, { brand: 'visa', last4: '4242', expiry: '12/30' });
    assert.equal(approved.error, null);
    assert.equal(approved.recording, 'off');
    await bob.fails('payment_submit', submit(CARDS.good), 'wrong_state');
    await bob.fails('payment_cancel', { contact: id, payment: p.id }, 'wrong_state');
    const methods = JSON.parse(sql(server.db, "SELECT customer, brand, last4, exp_month, exp_year, token FROM payment_methods WHERE customer = 'cu-1002'"));
    assert.equal(methods.length, 1);
    assert.deepEqual([methods[0].brand, methods[0].last4, methods[0].exp_month, methods[0].exp_year], ['visa', '4242', 12, 2030]);
    assert.match(methods[0].token, /^tok_/);
    // The unlocked card lists it.
    const { customer: card } = await bob.ok('update_customer', { customer: 'cu-1002', contact: id, notes: 'Paid her bill.' });
    assert.equal(card.sensitive.unlocked, true);
    assert.deepEqual(card.sensitive.payment_methods, [{ brand: 'visa', last4: '4242', expiry: '12/30' }]);

    // ---- refund ----
    await bob.fails('refund', { contact: id, payment: p.id, amount: 2501 }, 'bad_message');
    await bob.fails('refund', { contact: id, payment: 'pay-nope' }, 'unknown_payment');
    from = bob.events.length;
    const refunding = await bob.ok('refund', { contact: id, payment: p.id });
    assert.equal(refunding.payment.state, 'approved');
    const refunded = await waitEvent(bob, paymentEvent(id, (x) => x.state === 'refunded'), { from });
    assert.equal(refunded.data.payment.id, p.id);
    await bob.fails('refund', { contact: id, payment: p.id }, 'wrong_state');

    // ---- another capture, cancelled by the agent ----
    const { payment: p2 } = await bob.ok('payment_start', { contact: id, amount: 990, currency: 'EUR' });
    assert.equal(p2.currency, 'EUR');
    from = bob.events.length;
    const cancelled = await bob.ok('payment_cancel', { contact: id, payment: p2.id });
    assert.equal(cancelled.payment.state, 'cancelled');
    await waitEvent(bob, paymentEvent(id, (x) => x.id === p2.id && x.state === 'cancelled'), { from });
    await bob.fails('payment_cancel', { contact: id, payment: p2.id }, 'wrong_state');
    await bob.fails('payment_submit', { contact: id, payment: p2.id, card_number: CARDS.good, expiry: '12/30', cvc: '123' }, 'wrong_state');
    await bob.fails('refund', { contact: id, payment: p2.id }, 'wrong_state');

    // ---- a capture left open is cancelled when the contact ends ----
    const { payment: p3 } = await bob.ok('payment_start', { contact: id, amount: 100 });
    from = bob.events.length;
    await bob.ok('end', { contact: id });
    await waitEvent(bob, paymentEvent(id, (x) => x.id === p3.id && x.state === 'cancelled'), { from });
    await bob.fails('payment_start', { contact: id, amount: 100 }, 'wrong_state');  // wrap-up

    // ---- what was stored and audited ----
    const rows = JSON.parse(sql(server.db, `SELECT id, state, amount, currency FROM payments WHERE contact = '${id}' ORDER BY created_at`));
    assert.deepEqual(rows.map((r) => [r.id, r.state, r.amount, r.currency]),
      [[p.id, 'refunded', 2500, 'USD'], [p2.id, 'cancelled', 990, 'EUR'], [p3.id, 'cancelled', 100, 'USD']]);
    const audit = JSON.parse(sql(server.db, `SELECT actor, action, detail FROM audit WHERE action LIKE 'payment.%' ORDER BY id`));
    assert.deepEqual(audit.map((a) => [a.actor, a.action]), [
      ['bob', 'payment.started'], ['bob', 'payment.declined'], ['bob', 'payment.taken'], ['bob', 'payment.refunded'],
      ['bob', 'payment.started'], ['bob', 'payment.cancelled'], ['bob', 'payment.started'], ['system', 'payment.cancelled'],
    ]);
    const taken = JSON.parse(audit[2].detail);
    assert.deepEqual([taken.amount, taken.currency, taken.brand, taken.last4], [2500, 'USD', 'visa', '4242']);
    assert.equal(JSON.parse(audit[1].detail).last4, '0002');

    // ---- the fake gateway's record: last four, amount, currency, reference; no card numbers ----
    const charges = (await get(server.url, '/dev/payment-gateway/charges')).json.charges;
    assert.deepEqual(charges.map((c) => [c.kind, c.reference, c.status, c.last4 ?? null, c.amount]), [
      ['charge', p.id, 'declined', '0002', 2500], ['charge', p.id, 'approved', '4242', 2500], ['refund', p.id, 'refunded', null, 2500],
    ]);
    for (const c of charges) assert.equal(c.card_number, undefined);
    assertNoCards(Buffer.from(JSON.stringify(charges)), 'the fake gateway\'s charges');

    // ---- no card number at rest: the database, -wal, -shm and the log, running and stopped ----
    const files = () => [server.db, `${server.db}-wal`, `${server.db}-shm`];
    for (const f of files()) assertNoCards(readIf(f), f);
    assertNoCards(Buffer.from(JSON.stringify(bob.frames)), 'the frames the desk received');
    await customer.close();
    await bob.close();
    await server.stop();
    stopped = true;
    for (const f of files()) assertNoCards(readIf(f), f);
    assert.ok(server.stderr.includes('payment approved'), 'the log has the payment (debug level)');
    assertNoCards(Buffer.from(server.stderr), 'the server log');
  } finally { if (!stopped) await server.stop(); }
});

test('another agent cannot touch the contact or its payment', async () => {
  const server = await startServer({ args: GATEWAY });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const { customer, contact } = await danaChat(server, bob);
    await verifyDana(bob, contact.id);
    const { payment: p } = await bob.ok('payment_start', { contact: contact.id, amount: 500 });
    const { c: alice } = await availableAgent(server, 'alice');
    await alice.fails('payment_start', { contact: contact.id, amount: 500 }, 'not_your_contact');
    await alice.fails('payment_submit', { contact: contact.id, payment: p.id, card_number: CARDS.good, expiry: '12/30', cvc: '123' },
      'not_your_contact');
    await alice.fails('payment_cancel', { contact: contact.id, payment: p.id }, 'not_your_contact');
    await alice.fails('refund', { contact: contact.id, payment: p.id }, 'not_your_contact');
    assert.equal(alice.events.filter((e) => e.event === 'contact.payment').length, 0);
    // Bob's capture is untouched.
    const { payment } = await bob.ok('payment_cancel', { contact: contact.id, payment: p.id });
    assert.equal(payment.state, 'cancelled');
    // The payment travels with the contact object on resume.
    const session = bob.frames.find((f) => f.type === 'reply' && f.result?.token)?.result;
    assert.ok(session, 'the login reply has a token');
    const again = await DeskClient.connect(server.wsUrl);
    await again.hello();
    const resumed = await again.ok('resume', { token: session.token, last_seq: 0 });
    const c = resumed.contacts.find((x) => x.id === contact.id);
    assert.equal(c.payment.id, p.id);
    assert.equal(c.payment.state, 'cancelled');
    await again.close();
    await customer.close();
    await alice.close();
    await bob.close();
  } finally { await server.stop(); }
});

test('a gateway that hangs, then is down: wrong_state while authorising, gateway_unavailable, the capture stays open', async () => {
  // A "gateway" that takes the request and answers nothing until told to hang up.
  const received = [];
  const sockets = [];
  const hanging = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (d) => received.push(d.toString('utf8')));
  });
  await new Promise((res) => hanging.listen(0, '127.0.0.1', res));
  const hangingUrl = `http://127.0.0.1:${hanging.address().port}/charge`;
  const server = await startServer({ args: ['--payment-gateway', hangingUrl, '--log-level', 'debug'] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const { customer, contact } = await danaChat(server, bob);
    await verifyDana(bob, contact.id);
    const { payment: p } = await bob.ok('payment_start', { contact: contact.id, amount: 1200 });
    let from = bob.events.length;
    const card = { contact: contact.id, payment: p.id, card_number: '6011-1111-1111-1117', expiry: '01/35', cvc: '321' };
    const r = await bob.ok('payment_submit', card);
    assert.equal(r.payment.state, 'authorizing');
    // The gateway request, as docs/payments.md says.
    for (let i = 0; i < 100 && !received.join('').includes('}'); i++) await sleep(20);
    const raw = received.join('');
    assert.match(raw, /^POST \/charge HTTP\/1\.1/);
    const sent = JSON.parse(raw.slice(raw.indexOf('{')));
    assert.match(sent.idempotency_key, /^ik_[A-Za-z0-9_-]{16,}$/);
    assert.deepEqual(sent, { card_number: CARDS.down, exp_month: 1, exp_year: 2035, cvc: '321', amount: 1200, currency: 'USD', reference: p.id,
      idempotency_key: sent.idempotency_key });
    assert.match(raw, new RegExp(`\r\nIdempotency-Key: ${sent.idempotency_key}\r\n`, 'i'));
    // Authorising: a second submit and a cancel wait for the answer.
    await bob.fails('payment_submit', card, 'wrong_state');
    await bob.fails('payment_cancel', { contact: contact.id, payment: p.id }, 'wrong_state');
    // The gateway hangs up without an answer.
    for (const s of sockets) s.destroy();
    let ev = await waitEvent(bob, paymentEvent(contact.id, (x) => x.error !== null), { from, timeoutMs: 20000 });
    assert.equal(ev.data.payment.state, 'capturing');
    assert.equal(ev.data.payment.error.code, 'gateway_unavailable');
    assert.equal(ev.data.payment.card, null);

    // Now nothing listens there at all: the same.
    await new Promise((res) => hanging.close(res));
    from = bob.events.length;
    assert.equal((await bob.ok('payment_submit', card)).payment.state, 'authorizing');
    ev = await waitEvent(bob, paymentEvent(contact.id, (x) => x.state === 'capturing' && x.error !== null), { from, timeoutMs: 20000 });
    assert.equal(ev.data.payment.error.code, 'gateway_unavailable');
    // Still open: one capture per contact, and it can be cancelled.
    await bob.fails('payment_start', { contact: contact.id, amount: 1 }, 'wrong_state');
    const { payment } = await bob.ok('payment_cancel', { contact: contact.id, payment: p.id });
    assert.equal(payment.state, 'cancelled');
    assert.equal(JSON.parse(sql(server.db, 'SELECT COUNT(*) AS n FROM payment_methods WHERE customer = \'cu-1002\''))[0].n, 0);
    assertNoCards(Buffer.from(server.stderr), 'the server log');
    await customer.close();
    await bob.close();
  } finally {
    for (const s of sockets) s.destroy();
    hanging.close();
    await server.stop();
  }
});

test('a gateway on a closed port: gateway_unavailable', async () => {
  const port = await closedPort();
  const server = await startServer({ args: ['--payment-gateway', `http://127.0.0.1:${port}`] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const { customer, contact } = await danaChat(server, bob);
    await verifyDana(bob, contact.id);
    const { payment: p } = await bob.ok('payment_start', { contact: contact.id, amount: 700 });
    const from = bob.events.length;
    await bob.ok('payment_submit', { contact: contact.id, payment: p.id, card_number: CARDS.good, expiry: '12/30', cvc: '123' });
    const ev = await waitEvent(bob, paymentEvent(contact.id, (x) => x.error !== null), { from, timeoutMs: 20000 });
    assert.deepEqual([ev.data.payment.state, ev.data.payment.error.code], ['capturing', 'gateway_unavailable']);
    await customer.close();
    await bob.close();
  } finally { await server.stop(); }
});

test('a capture expires unapproved (--payment-capture-ttl); a refund from a later contact of the same customer', async () => {
  const server = await startServer({ args: [...GATEWAY, '--payment-capture-ttl', '1'] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const first = await danaChat(server, bob);
    await verifyDana(bob, first.contact.id);
    // Approved within the second: it stands.
    const { payment: paid } = await bob.ok('payment_start', { contact: first.contact.id, amount: 4000 });
    let from = bob.events.length;
    await bob.ok('payment_submit', { contact: first.contact.id, payment: paid.id, card_number: '5555 5555 5555 4444', expiry: '09/2031', cvc: '123' });
    const approved = await waitEvent(bob, paymentEvent(first.contact.id, (x) => x.state === 'approved'), { from });
    assert.deepEqual(approved.data.payment.card, { brand: 'mastercard', last4: '4444', expiry: '09/31' });
    // Left open: expired by the server's tick, audited by system.
    const { payment: open } = await bob.ok('payment_start', { contact: first.contact.id, amount: 100 });
    from = bob.events.length;
    const expired = await waitEvent(bob, paymentEvent(first.contact.id, (x) => x.id === open.id && x.state === 'expired'), { from, timeoutMs: 5000 });
    assert.ok(expired.data.payment.updated_at - open.created_at >= 1000);
    await bob.fails('payment_submit', { contact: first.contact.id, payment: open.id, card_number: CARDS.good, expiry: '12/30', cvc: '123' }, 'wrong_state');
    const audit = JSON.parse(sql(server.db, `SELECT actor FROM audit WHERE action = 'payment.expired'`));
    assert.deepEqual(audit, [{ actor: 'system' }]);
    // The approved one did not expire.
    assert.equal(JSON.parse(sql(server.db, `SELECT state FROM payments WHERE id = '${paid.id}'`))[0].state, 'approved');
    await bob.ok('end', { contact: first.contact.id });
    await bob.ok('wrap_up', { contact: first.contact.id, disposition: 'resolved', notes: '', tags: [] });
    await first.customer.close();

    // Dana again, on a new contact: verified again, she gets the refund of the earlier payment.
    const second = await danaChat(server, bob);
    assert.equal(second.contact.payment, null);
    await bob.fails('refund', { contact: second.contact.id, payment: paid.id }, 'verification_required');
    await verifyDana(bob, second.contact.id);
    from = bob.events.length;
    await bob.ok('refund', { contact: second.contact.id, payment: paid.id, amount: 1500 });
    const refunded = await waitEvent(bob, paymentEvent(second.contact.id, (x) => x.id === paid.id && x.state === 'refunded'), { from });
    assert.equal(refunded.data.payment.contact, first.contact.id);
    const entry = JSON.parse(sql(server.db, `SELECT contact, detail FROM audit WHERE action = 'payment.refunded'`))[0];
    assert.equal(entry.contact, second.contact.id);
    assert.deepEqual([JSON.parse(entry.detail).amount, JSON.parse(entry.detail).last4], [1500, '4444']);
    await second.customer.close();
    await bob.close();
  } finally { await server.stop(); }
});

test('without a gateway: payments_unavailable; the demo customer Marcus has a stored card', async () => {
  const server = await startServer({ args: ['--fake-sms-provider'] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const { customer, contact } = await danaChat(server, bob);
    await verifyDana(bob, contact.id);
    await bob.fails('payment_start', { contact: contact.id, amount: 100 }, 'payments_unavailable');
    assert.equal((await get(server.url, '/dev/payment-gateway/charges')).status, 404);
    const demo = JSON.parse(sql(server.db, "SELECT brand, last4 FROM payment_methods WHERE customer = 'cu-1001'"));
    assert.deepEqual(demo, [{ brand: 'visa', last4: '4242' }]);
    await customer.close();
    await bob.close();
  } finally { await server.stop(); }
});

// ---- the named contact, one transaction per change, idempotency -----------------------------

test('a second contact of the same customer is not verified by the first: every payment request refused on it', async () => {
  const server = await startServer({ args: GATEWAY });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const { customer, contact: chat } = await danaChat(server, bob);
    await verifyDana(bob, chat.id);
    // A text from Dana's number: the same customer, on another contact, not verified.
    const r = await smsIn(server.url, { From: '+15550100002', To: '7001', Body: 'Pay my other bill' });
    await waitEvent(bob, offered(r.json.contact));
    const { contact: text } = await bob.ok('accept', { contact: r.json.contact });
    assert.equal(text.customer.id, 'cu-1002');
    assert.equal(text.verification.state, 'unverified');
    await bob.fails('payment_start', { contact: text.id, amount: 700 }, 'verification_required');
    // On the verified chat it goes through, and the payment it opens is not the text's to touch.
    const { payment: p } = await bob.ok('payment_start', { contact: chat.id, amount: 700 });
    await bob.fails('payment_submit', { contact: text.id, payment: p.id, card_number: CARDS.good, expiry: '12/30', cvc: '123' },
      'verification_required');
    await bob.fails('payment_cancel', { contact: text.id, payment: p.id }, 'verification_required');
    await bob.fails('refund', { contact: text.id, payment: p.id }, 'verification_required');
    // Its card on file is not shown on the unverified contact either.
    assert.equal(JSON.parse(sql(server.db, `SELECT COUNT(*) AS n FROM payments WHERE contact = '${text.id}'`))[0].n, 0);
    await bob.ok('payment_cancel', { contact: chat.id, payment: p.id });
    await customer.close();
    await bob.close();
  } finally { await server.stop(); }
});

test('an approval is one transaction: storing it fails, no card is left on file; submitted again, charged once', async () => {
  const server = await startServer({ args: GATEWAY });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const { customer, contact } = await danaChat(server, bob);
    await verifyDana(bob, contact.id);
    // The database refuses to make any payment approved (as a full disk or a crash at that
    // moment would): the card on file, written first in the same transaction, must go too.
    sqlScript(server.db, onPostgres
      ? `CREATE FUNCTION refuse_approval() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
         CREATE TRIGGER refuse_approval BEFORE UPDATE OF state ON payments FOR EACH ROW WHEN (NEW.state = 'approved')
           EXECUTE FUNCTION refuse_approval();`
      : "CREATE TRIGGER refuse_approval BEFORE UPDATE OF state ON payments WHEN NEW.state = 'approved' "
        + "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    const { payment: p } = await bob.ok('payment_start', { contact: contact.id, amount: 1800 });
    const card = { contact: contact.id, payment: p.id, card_number: CARDS.good, expiry: '12/30', cvc: '123' };
    let from = bob.events.length;
    await bob.ok('payment_submit', card);
    let ev = await waitEvent(bob, paymentEvent(contact.id, (x) => x.state === 'capturing' && x.error), { from, timeoutMs: 10000 });
    assert.equal(ev.data.payment.error.code, 'gateway_unavailable');
    const charges = async () => (await get(server.url, '/dev/payment-gateway/charges')).json.charges.filter((c) => c.reference === p.id);
    assert.deepEqual((await charges()).map((c) => c.status), ['approved'], 'the gateway took it');
    const count = (q) => JSON.parse(sql(server.db, q))[0].n;
    assert.equal(count("SELECT COUNT(*) AS n FROM payment_methods WHERE customer = 'cu-1002'"), 0, 'no card on file');
    assert.equal(count(`SELECT COUNT(*) AS n FROM audit WHERE action = 'payment.taken' AND contact = '${contact.id}'`), 0);
    assert.equal(JSON.parse(sql(server.db, `SELECT state FROM payments WHERE id = '${p.id}'`))[0].state, 'capturing');

    // The database is well again; the agent submits the same card: it goes under the same key,
    // so the gateway answers with its approval and charges nothing more.
    sqlScript(server.db, onPostgres ? 'DROP TRIGGER refuse_approval ON payments;' : 'DROP TRIGGER refuse_approval;');
    from = bob.events.length;
    await bob.ok('payment_submit', card);
    ev = await waitEvent(bob, paymentEvent(contact.id, (x) => x.state === 'approved'), { from, timeoutMs: 10000 });
    assert.deepEqual(ev.data.payment.card, { brand: 'visa', last4: '4242', expiry: '12/30' });
    const list = await charges();
    assert.equal(list.length, 1, 'charged once');
    const row = JSON.parse(sql(server.db, `SELECT charge_key, charge_card, gateway_ref FROM payments WHERE id = '${p.id}'`))[0];
    assert.equal(row.charge_key, list[0].idempotency_key);
    assert.equal(row.charge_card, 'visa 4242 12/2030');
    assert.equal(count("SELECT COUNT(*) AS n FROM payment_methods WHERE customer = 'cu-1002'"), 1);
    assert.equal(count(`SELECT COUNT(*) AS n FROM audit WHERE action = 'payment.taken' AND contact = '${contact.id}'`), 1);
    await customer.close();
    await bob.close();
  } finally { await server.stop(); }
});

test('the fake gateway honours idempotency_key: the first answer again, one charge, 422 for another request', async () => {
  const server = await startServer({ args: GATEWAY });
  try {
    const charge = (fields) => post(server.url, '/dev/payment-gateway', JSON.stringify({
      card_number: CARDS.good, exp_month: 12, exp_year: 2030, cvc: '123', amount: 500, currency: 'USD', reference: 'pay-direct',
      ...fields }), 'application/json');
    const a = await charge({ idempotency_key: 'ik_test_1' });
    const b = await charge({ idempotency_key: 'ik_test_1' });
    assert.deepEqual([a.status, b.status], [200, 200]);
    assert.equal(a.json.status, 'approved');
    assert.equal(b.json.token, a.json.token, 'the same approval');
    const d1 = await charge({ card_number: CARDS.declined, reference: 'pay-declined', idempotency_key: 'ik_test_2' });
    const d2 = await charge({ card_number: CARDS.declined, reference: 'pay-declined', idempotency_key: 'ik_test_2' });
    assert.deepEqual([d1.status, d2.status], [402, 402]);
    // The same key for another request: refused, nothing charged.
    assert.equal((await charge({ amount: 501, idempotency_key: 'ik_test_1' })).status, 422);
    assert.equal((await charge({ idempotency_key: 7 })).status, 400);
    // Refunds too.
    const refund = () => post(server.url, '/dev/payment-gateway/refunds',
      JSON.stringify({ token: a.json.token, reference: 'pay-direct', amount: 500, idempotency_key: 'ik_refund_1' }), 'application/json');
    assert.deepEqual([(await refund()).status, (await refund()).status], [200, 200]);
    // Without a key, every request is its own.
    await charge({ reference: 'pay-nokey' });
    await charge({ reference: 'pay-nokey' });
    const list = (await get(server.url, '/dev/payment-gateway/charges')).json.charges;
    assert.deepEqual(list.map((c) => [c.kind, c.reference, c.status, c.idempotency_key]), [
      ['charge', 'pay-direct', 'approved', 'ik_test_1'],
      ['charge', 'pay-declined', 'declined', 'ik_test_2'],
      ['refund', 'pay-direct', 'refunded', 'ik_refund_1'],
      ['charge', 'pay-nokey', 'approved', null],
      ['charge', 'pay-nokey', 'approved', null],
    ]);
    assertNoCards(Buffer.from(JSON.stringify(list)), "the fake gateway's list");
  } finally { await server.stop(); }
});

test('a charge whose answer was lost goes again under the same key: the customer is charged once', async () => {
  // A proxy in front of the server's own fake gateway that loses the first answer: the gateway
  // charged the card, switchboardd never heard.
  let target = null;
  const seen = [];
  const proxy = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ header: req.headers['idempotency-key'], body: JSON.parse(body) });
      const answer = await post(target, req.url, body, 'application/json');
      if (seen.length === 1) { req.socket.destroy(); return; }  // charged, and the answer lost
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.text);
    });
  });
  await new Promise((res) => proxy.listen(0, '127.0.0.1', res));
  const server = await startServer({ args: [...GATEWAY, '--payment-gateway', `http://127.0.0.1:${proxy.address().port}/dev/payment-gateway`] });
  target = server.url;
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const { customer, contact } = await danaChat(server, bob);
    await verifyDana(bob, contact.id);
    const { payment: p } = await bob.ok('payment_start', { contact: contact.id, amount: 3100 });
    const card = { contact: contact.id, payment: p.id, card_number: CARDS.amex, expiry: '09/31', cvc: '1234' };
    let from = bob.events.length;
    await bob.ok('payment_submit', card);
    let ev = await waitEvent(bob, paymentEvent(contact.id, (x) => x.state === 'capturing' && x.error), { from, timeoutMs: 20000 });
    assert.equal(ev.data.payment.error.code, 'gateway_unavailable');
    from = bob.events.length;
    await bob.ok('payment_submit', card);
    ev = await waitEvent(bob, paymentEvent(contact.id, (x) => x.state === 'approved'), { from, timeoutMs: 20000 });
    assert.equal(ev.data.payment.card.last4, '0005');
    assert.equal(seen.length, 2);
    assert.match(seen[0].body.idempotency_key, /^ik_/);
    assert.equal(seen[1].body.idempotency_key, seen[0].body.idempotency_key, 'the same key');
    assert.equal(seen[0].header, seen[0].body.idempotency_key, 'and as the Idempotency-Key header');
    const charges = (await get(server.url, '/dev/payment-gateway/charges')).json.charges.filter((c) => c.reference === p.id);
    assert.deepEqual(charges.map((c) => c.status), ['approved'], 'charged once');
    // A new charge (after a definite answer) gets a new key: a refund has its own.
    from = bob.events.length;
    await bob.ok('refund', { contact: contact.id, payment: p.id });
    await waitEvent(bob, paymentEvent(contact.id, (x) => x.state === 'refunded'), { from, timeoutMs: 20000 });
    assert.notEqual(seen[2].body.idempotency_key, seen[0].body.idempotency_key);
    await customer.close();
    await bob.close();
  } finally {
    proxy.close();
    await server.stop();
  }
});
