// sms.test.mjs: SMS (docs/sms.md): the inbound webhook (form fields From, To, Body), E.164
// matching of the customer, the queue chosen by the number written to, segments, replies sent
// to the provider as JSON {from, to, body} (the built-in fake provider records them), a failing
// provider marking the message failed, and bad input refused with nothing stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sql, sleep, tempDir } from './harness.mjs';
import { post, get, smsIn, waitEvent, offered, availableAgent } from './contacts_harness.mjs';

test('inbound SMS: customer matched by E.164, queue by number, reply through the provider', async () => {
  const server = await startServer({ args: ['--fake-sms-provider'] });
  try {
    const { c: carol } = await availableAgent(server, 'carol');
    const r = await smsIn(server.url, { From: '(555) 010-0001', To: '7002', Body: 'Hi, can I upgrade my plan?', MessageSid: 'SM1' });
    assert.equal(r.status, 200, r.text);
    const o = await waitEvent(carol, offered(r.json.contact));
    assert.equal(o.data.channel, 'sms');
    assert.equal(o.data.queue, 'sales');
    assert.equal(o.data.customer.phone, '+15550100001');
    assert.equal(o.data.customer.first_name, 'Marcus');
    assert.equal((await carol.transcript(r.json.contact))[0].segments, 1);

    // The gateway retries the same webhook: nothing new.
    const again = await smsIn(server.url, { From: '+1 555 010 0001', To: '7002', Body: 'Hi, can I upgrade my plan?', MessageSid: 'SM1' });
    assert.equal(again.json.message, r.json.message);
    // A second text continues the same conversation.
    const more = await smsIn(server.url, { From: '+15550100001', To: '7002', Body: 'It is for my home line.' });
    assert.equal(more.json.contact, r.json.contact);
    assert.equal(JSON.parse(sql(server.db, `SELECT COUNT(*) AS n FROM messages WHERE contact = '${r.json.contact}'`))[0].n, 2);

    await carol.ok('accept', { contact: r.json.contact });
    const long = 'a'.repeat(161);
    const { message } = await carol.ok('send_message', { contact: r.json.contact, text: long, client_id: 's1' });
    assert.equal(message.segments, 2);
    const { message: uni } = await carol.ok('send_message', { contact: r.json.contact, text: '你好'.repeat(36), client_id: 's2' });
    assert.equal(uni.segments, 2);
    await carol.fails('send_message', { contact: r.json.contact, text: 'b'.repeat(1601), client_id: 's3' }, 'bad_message');

    let outbox;
    for (let i = 0; i < 50; i++) {
      outbox = (await get(server.url, '/dev/sms-provider/outbox')).json.messages;
      if (outbox.length >= 2) break;
      await sleep(50);
    }
    assert.deepEqual(outbox.map((m) => [m.from, m.to, m.body]), [['7002', '+15550100001', long], ['7002', '+15550100001', '你好'.repeat(36)]]);
    const status = JSON.parse(sql(server.db, `SELECT status FROM messages WHERE id = '${message.id}'`));
    assert.equal(status[0].status, 'sent');
    await carol.close();
  } finally { await server.stop(); }
});

test('unknown number: a new customer record; a To that is not ours is refused', async () => {
  const server = await startServer();
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    // Not one of our numbers: refused (nothing routed, nobody texted back), not the default queue.
    const other = await smsIn(server.url, { From: '555-010-9999', To: '+1 999 000 0000', Body: 'hello' });
    assert.equal(other.status, 404, other.text);
    assert.equal(other.json.error.code, 'unknown_number');
    assert.equal(JSON.parse(sql(server.db, "SELECT count(*) AS n FROM contacts WHERE channel = 'sms'"))[0].n, 0);
    const r = await smsIn(server.url, { From: '555-010-9999', To: '7001', Body: 'hello' });
    assert.equal(r.status, 200, r.text);
    const o = await waitEvent(bob, offered(r.json.contact));
    assert.equal(o.data.queue, 'support');
    assert.equal(o.data.customer.phone, '+15550109999');
    assert.equal(o.data.customer.first_name, '');
    assert.deepEqual(o.data.customer.history, []);
    await bob.ok('accept', { contact: r.json.contact });
    const { customer } = await bob.ok('update_customer', { customer: o.data.customer.id, first_name: 'Nina', last_name: 'New', email: 'nina@example.com' });
    assert.deepEqual([customer.first_name, customer.last_name, customer.email], ['Nina', 'New', 'nina@example.com']);
    await bob.fails('update_customer', { customer: o.data.customer.id, email: 'nope' }, 'bad_message');
    await bob.close();
  } finally { await server.stop(); }
});

test('a provider that fails: retried, then the message is failed (contact.message, by its id)', async () => {
  const server = await startServer({ args: ['--sms-provider-url', 'http://127.0.0.1:9/nowhere'] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const r = await smsIn(server.url, { From: '+15550100003', To: '7001', Body: 'Order status?' });
    await waitEvent(bob, offered(r.json.contact));
    await bob.ok('accept', { contact: r.json.contact });
    const { message } = await bob.ok('send_message', { contact: r.json.contact, text: 'Checking now', client_id: 'f1' });
    assert.equal(message.status, 'sent');
    const upd = await waitEvent(bob, (e) => e.event === 'contact.message' &&
      e.data.message.id === message.id && e.data.message.status === 'failed', { timeoutMs: 8000 });
    assert.ok(upd);
    await bob.close();
  } finally { await server.stop(); }
});

test('kill -9 while an SMS is being retried: the restarted server sends it', async () => {
  const dir = tempDir();
  // A provider that is down (connection refused): the first attempts fail, the retries wait.
  let server = await startServer({ dir, args: ['--sms-provider-url', 'http://127.0.0.1:9/down'] });
  const { c: bob } = await availableAgent(server, 'bob');
  const r = await smsIn(server.url, { From: '+15550100004', To: '7001', Body: 'Where is my refund?' });
  await waitEvent(bob, offered(r.json.contact));
  await bob.ok('accept', { contact: r.json.contact });
  const { message } = await bob.ok('send_message', { contact: r.json.contact, text: 'It went out on Monday.', client_id: 'k1' });
  assert.deepEqual(JSON.parse(sql(server.db, 'SELECT message FROM sms_pending')), [{ message: message.id }]);
  await sleep(300);  // after the first failed attempt, before the last
  process.kill(server.proc.pid, 'SIGKILL');
  await server.exited;
  await bob.close();

  server = await startServer({ dir, args: ['--fake-sms-provider'] });
  try {
    let outbox = [];
    for (let i = 0; i < 60 && outbox.length === 0; i++) {
      outbox = (await get(server.url, '/dev/sms-provider/outbox')).json.messages;
      if (outbox.length === 0) await sleep(50);
    }
    assert.deepEqual(outbox.map((m) => [m.from, m.to, m.body]), [['7001', '+15550100004', 'It went out on Monday.']]);
    await sleep(100);
    assert.deepEqual(JSON.parse(sql(server.db, `SELECT status FROM messages WHERE id = '${message.id}'`)), [{ status: 'sent' }]);
    assert.equal(sql(server.db, 'SELECT message FROM sms_pending'), '');
  } finally { await server.stop(); }
});

test('bad input on /sms/inbound: 4xx with a code, nothing stored', async () => {
  const server = await startServer({ args: ['--fake-sms-provider'] });
  try {
    const form = 'application/x-www-form-urlencoded';
    const cases = [
      [new URLSearchParams({ From: '+15550100001', To: '7001', Body: '' }).toString(), form, 400],
      [new URLSearchParams({ From: '+15550100001', To: '7001', Body: '   ' }).toString(), form, 400],
      [new URLSearchParams({ From: '+15550100001', To: '7001', Body: 'x'.repeat(1601) }).toString(), form, 400],
      [new URLSearchParams({ To: '7001', Body: 'hi' }).toString(), form, 400],
      [new URLSearchParams({ From: 'call me maybe', To: '7001', Body: 'hi' }).toString(), form, 400],
      [new URLSearchParams({ From: '123', To: '7001', Body: 'hi' }).toString(), form, 400],
      ['From=%2B15550100001&To=7001&Body=%FF%FE', form, 400],
      ['From=%2B15550100001&To=7001&Body=%G1', form, 400],
      [JSON.stringify({ From: '+15550100001', To: '7001', Body: 'hi' }), 'application/json', 415],
    ];
    for (const [body, type, status] of cases) {
      const r = await post(server.url, '/sms/inbound', body, type);
      assert.equal(r.status, status, `${body}: ${r.text}`);
      assert.ok(r.json.error.code && r.json.error.message, r.text);
    }
    assert.equal((await get(server.url, '/sms/inbound')).status, 405);
    assert.equal(JSON.parse(sql(server.db, 'SELECT COUNT(*) AS n FROM contacts'))[0].n, 0);
    assert.equal(JSON.parse(sql(server.db, 'SELECT COUNT(*) AS n FROM messages'))[0].n, 0);
    // The fake provider refuses what is not {from, to, body}.
    assert.equal((await post(server.url, '/dev/sms-provider', '{"to":"x"}', 'application/json')).status, 400);
  } finally { await server.stop(); }
});
