// card_masking.test.mjs: card numbers never reach storage or logs (docs/security.md, "Card
// numbers"). Card numbers are sent by a chat customer, by SMS (the fake provider), by the agent
// (chat and SMS), in a transfer note, wrap-up notes and tags, customer notes and a chat name;
// then the SQLite database, its -wal and -shm files and the server's log are read as bytes and
// no card number may appear in any form (digits together, in groups of four with spaces or
// dashes, as sent), while the masked form ("•••• 1111") reaches the agent and the customer.
// A Luhn-invalid 16-digit number is not masked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, sleep, onPostgres } from './harness.mjs';
import { ChatCustomer, get, smsIn, waitEvent, offered, availableAgent } from './contacts_harness.mjs';

const MASK = '\u2022\u2022\u2022\u2022 ';
const masked = (last4) => MASK + last4;

// Every card number this test sends, as digits only.
const CARDS = {
  chatCustomer: '4111111111111111',   // sent as "4111 1111 1111 1111"
  chatCustomer2: '5555555555554444',  // sent as "5555-5555-5555-4444"
  chatName: '4012888888881881',       // typed as the customer's name
  chatAgent: '378282246310005',       // Amex, sent as "3782 822463 10005"
  smsCustomer: '6011111111111117',    // sent as "6011-1111-1111-1117"
  smsAgent: '4222222222222',          // 13 digits
  transferNote: '5105105105105100',
  wrapNotes: '4000056655665556',
  wrapTag: '3566002020360505',
  customerNotes: '6011000990139424',
  customerEmail: '4242424242424242',
  nineteen: '4111111111111111110',   // 19 digits
};
const NOT_A_CARD = '4111111111111112';  // 16 digits, Luhn fails: kept as it is

// The forms a card number could take in a file: together, in groups of four (spaces, dashes),
// and the Amex grouping.
function forms(digits) {
  const groups = digits.match(/.{1,4}/g);
  const out = [digits, groups.join(' '), groups.join('-')];
  if (digits.length === 15) out.push(`${digits.slice(0, 4)} ${digits.slice(4, 10)} ${digits.slice(10)}`);
  return out;
}

// Asserts that none of the card numbers appears in `bytes` (a Buffer) in any form.
function assertNoCards(bytes, what) {
  for (const [name, digits] of Object.entries(CARDS))
    for (const form of forms(digits))
      assert.equal(bytes.indexOf(Buffer.from(form, 'utf8')), -1, `${what} holds the card number ${name} as "${form}"`);
}

function readIf(path) { return existsSync(path) ? readFileSync(path) : Buffer.alloc(0); }

// (It reads the SQLite file's bytes: not a PostgreSQL run's to check.)
test('card numbers are masked in both directions and never reach the database or the log', { skip: onPostgres && 'reads SQLite\'s files' }, async () => {
  const server = await startServer({ args: ['--fake-sms-provider', '--log-level', 'debug'] });
  let stopped = false;
  try {
    const { c: alice } = await availableAgent(server, 'alice');

    // ---- chat: the customer writes card numbers; the name is one too ----
    const customer = await ChatCustomer.connect(server.url);
    const started = await customer.start('4012 8888 8888 1881');
    const contact = started.contact;
    const o = await waitEvent(alice, offered(contact));
    assert.equal(`${o.data.customer.first_name} ${o.data.customer.last_name}`, masked('1881'));
    const ack = await customer.say('my card is 4111 1111 1111 1111, or 5555-5555-5555-4444.');
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    assert.equal(ack.message.text, `my card is ${masked('1111')}, or ${masked('4444')}.`);  // the customer sees it masked
    const order = await customer.say(`order ${NOT_A_CARD} please`);
    assert.equal(order.message.text, `order ${NOT_A_CARD} please`);  // Luhn fails: not a card

    await alice.ok('accept', { contact });
    const texts = (await alice.transcript(contact)).map((m) => m.text);
    assert.ok(texts.includes(`my card is ${masked('1111')}, or ${masked('4444')}.`), JSON.stringify(texts));
    assert.ok(texts.includes(`order ${NOT_A_CARD} please`));

    // ---- chat: the agent writes one; the customer receives it masked ----
    const from = customer.frames.length;
    const sent = await alice.ok('send_message', { contact, text: 'Is it 3782 822463 10005?', client_id: 'a1' });
    assert.equal(sent.message.text, `Is it ${masked('0005')}?`);
    const got = await customer.waitFor((f) => f.type === 'message' && f.message.from === 'agent', { from });
    assert.equal(got.message.text, `Is it ${masked('0005')}?`);
    const nineteen = await customer.say('4111-1111-1111-1111-110');
    assert.equal(nineteen.message.text, masked('1110'));

    // ---- customer notes and email ----
    const cust = await alice.ok('update_customer', {
      customer: o.data.customer.id, notes: 'Paid with 6011 0009 9013 9424 last time', email: '4242424242424242@example.com' });
    assert.equal(cust.customer.notes, `Paid with ${masked('9424')} last time`);
    assert.equal(cust.customer.email, `${masked('4242')}@example.com`);

    // ---- transfer note: to the sales queue, which alice also serves ----
    const before = alice.events.length;
    await alice.ok('transfer', { contact, queue: 'sales', note: 'card 5105-1051-0510-5100 declined' });
    const again = await waitEvent(alice, offered(contact), { from: before });
    assert.equal(again.data.transfer.note, `card ${masked('5100')} declined`);
    await alice.ok('accept', { contact });

    // ---- wrap-up notes and tags ----
    await alice.ok('end', { contact });
    const wrapped = await alice.ok('wrap_up', {
      contact, disposition: 'resolved', notes: 'Customer read out 4000 0566 5566 5556 on chat', tags: ['3566002020360505'] });
    assert.equal(wrapped.contact.state, 'closed');

    // ---- SMS: the customer texts a card number; the agent replies with one ----
    const r = await smsIn(server.url, { From: '+15550100003', To: '7001', Body: 'Card 6011-1111-1111-1117 please', MessageSid: 'SMcard' });
    assert.equal(r.status, 200, r.text);
    const so = await waitEvent(alice, offered(r.json.contact));
    assert.equal((await alice.transcript(r.json.contact))[0].text, `Card ${masked('1117')} please`);
    await alice.ok('accept', { contact: r.json.contact });
    const reply = await alice.ok('send_message', { contact: r.json.contact, text: 'Noted 4222222222222.', client_id: 's1' });
    assert.equal(reply.message.text, `Noted ${masked('2222')}.`);
    let outbox = [];
    for (let i = 0; i < 60 && outbox.length < 1; i++) {
      outbox = (await get(server.url, '/dev/sms-provider/outbox')).json.messages;
      if (outbox.length < 1) await sleep(50);
    }
    assert.deepEqual(outbox.map((m) => m.body), [`Noted ${masked('2222')}.`]);  // what the customer's phone gets

    // ---- the files, while the server runs (the WAL holds the recent pages) ----
    const db = server.db;
    const live = Buffer.concat([readIf(db), readIf(`${db}-wal`), readIf(`${db}-shm`)]);
    assert.ok(live.length > 0);
    assertNoCards(live, 'the database (running)');
    // The masked form and the non-card number are there: the test reads the right files.
    assert.notEqual(live.indexOf(Buffer.from(masked('1111'))), -1, 'the masked form is stored');
    assert.notEqual(live.indexOf(Buffer.from(NOT_A_CARD)), -1, 'the Luhn-invalid number is stored as it is');

    await alice.close();
    await customer.close();
    await server.stop();
    stopped = true;
    const after = Buffer.concat([readIf(db), readIf(`${db}-wal`), readIf(`${db}-shm`)]);
    assertNoCards(after, 'the database (stopped)');

    // ---- the log (stderr, at debug level) ----
    const logPath = join(server.dir, 'switchboardd.log');
    writeFileSync(logPath, server.stderr);
    const log = readFileSync(logPath);
    assert.ok(log.length > 0);
    assertNoCards(log, 'the log');
  } finally {
    if (!stopped) await server.stop();
  }
});

test('a refusal that quotes the customer\'s frame masks the card number (and the log has none)', async () => {
  const server = await startServer({ args: ['--log-level', 'debug'] });
  try {
    const customer = await ChatCustomer.connect(server.url);
    // The refusal quotes the unknown type; neither it nor the log may hold the card number.
    const e = await customer.call({ type: 'pay 4111111111111111' }, ['error']);
    assert.equal(e.code, 'unknown_type');
    assert.ok(!e.message.includes('4111111111111111'), e.message);
    assert.ok(e.message.includes(masked('1111')), e.message);
    await customer.close();
  } finally { await server.stop(); }
  assertNoCards(Buffer.from(server.stderr), 'the log');
});
