// contacts.test.mjs: chat contacts on the desk protocol (docs/protocol.md, "Contacts: chat and
// SMS"): the session's contact data, offer/accept, the customer card, messages both ways,
// typing, end and wrap-up, and every request's errors (nothing changes on an error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DeskClient, sql, sleep } from './harness.mjs';
import { ChatCustomer, waitEvent, offered, ended, availableAgent } from './contacts_harness.mjs';

test('session carries queues, canned responses, agents; "missed" is not an agent reason', async () => {
  const server = await startServer();
  try {
    const c = await DeskClient.connect(server.wsUrl);
    const s = await c.login('alice');
    assert.deepEqual(s.contacts, []);
    assert.deepEqual(s.queues.map((q) => [q.code, q.number]), [['support', '7001'], ['sales', '7002']]);
    assert.ok(s.queues[0].dispositions.some((d) => d.code === 'resolved' && d.label === 'Resolved'));
    assert.ok(s.canned_responses.some((r) => r.text.includes('{customer.first_name}')));
    assert.deepEqual(s.agents.map((a) => a.username), ['alice', 'bob', 'carol', 'erin', 'sam']);
    assert.ok(!s.reason_codes.some((r) => r.code === 'missed'));
    await c.fails('set_state', { state: 'not_ready', reason: 'missed' }, 'invalid_reason');
    await c.close();
  } finally { await server.stop(); }
});

test('a chat is offered, accepted, worked, ended and wrapped up; the card shows the customer', async () => {
  const server = await startServer();
  try {
    const { c: alice } = await availableAgent(server, 'alice');
    const cust = await ChatCustomer.connect(server.url);
    const started = await cust.start('Dana Whitfield', 'Dana@Example.com');
    assert.equal(started.state, 'waiting');
    assert.match(started.token, /.{20,}/);

    const offer = await waitEvent(alice, offered(cust.contact));
    const contact = offer.data;
    assert.equal(contact.state, 'offered');
    assert.equal(contact.channel, 'chat');
    assert.equal(contact.queue, 'support');
    assert.ok(contact.offer_expires_at > Date.now());
    // What the customer typed is shown as typed: a claim, not Dana's record (docs/verification.md).
    assert.equal(contact.customer.first_name, 'Dana');
    assert.equal(contact.customer.email, 'dana@example.com');
    assert.match(contact.customer.chat_identity, /^guest-.+@chat$/);
    assert.deepEqual(contact.customer.history, []);

    // A message while ringing reaches the offered agent.
    const ack0 = await cust.say('Hello, I have a billing question', 'c-1');
    assert.equal(ack0.type, 'ack');
    assert.equal(ack0.client_id, 'c-1');
    await waitEvent(alice, (e) => e.event === 'contact.message' && e.data.message.text.startsWith('Hello'));

    const { contact: active } = await alice.ok('accept', { contact: cust.contact });
    assert.equal(active.state, 'active');
    assert.ok(active.accepted_at);
    assert.equal(active.message_count, 1);  // the transcript itself is paged with get_messages
    assert.deepEqual((await alice.transcript(cust.contact)).map((m) => [m.seq, m.text]), [[1, 'Hello, I have a billing question']]);
    await cust.waitFor((f) => f.type === 'agent_joined' && f.agent === 'Alice Moreau');

    cust.send({ type: 'typing', typing: true });
    await waitEvent(alice, (e) => e.event === 'contact.typing' && e.data.typing === true);

    await alice.ok('typing', { contact: cust.contact, typing: true });
    await cust.waitFor((f) => f.type === 'typing' && f.typing === true);
    const { message } = await alice.ok('send_message', { contact: cust.contact, text: 'Hi Dana, how can I help?', client_id: 'a-1' });
    assert.deepEqual([message.from, message.agent, message.status, message.segments], ['agent', 'alice', 'sent', null]);
    const got = await cust.waitFor((f) => f.type === 'message' && f.message.id === message.id);
    assert.equal(got.message.agent, 'Alice Moreau');
    cust.send({ type: 'received', message: message.id });
    // The message again, by its id, with its new status.
    await waitEvent(alice, (e) => e.event === 'contact.message' && e.data.message.id === message.id && e.data.message.status === 'delivered');

    // Customer card: notes are editable by the agent who has the contact.
    const { customer } = await alice.ok('update_customer', { customer: contact.customer.id, notes: 'Asked about invoice 1142.' });
    assert.equal(customer.notes, 'Asked about invoice 1142.');
    await waitEvent(alice, (e) => e.event === 'contact.updated' && e.data.customer.notes === 'Asked about invoice 1142.');

    // Verified against the claim, the chat becomes Dana's: her card, with her history.
    const before = alice.events.length;
    await alice.ok('verify_answer', { contact: cust.contact, step: 'dob', answer: '1979-11-23' });
    await alice.ok('verify_answer', { contact: cust.contact, step: 'postcode', answer: '62704' });
    const hers = await waitEvent(alice, (e) => e.event === 'contact.updated' && e.data.customer.id === 'cu-1002', { from: before });
    assert.ok(hers.data.customer.history.length >= 2, 'the demo customer has history');
    assert.ok(hers.data.customer.history[0].at >= hers.data.customer.history[1].at, 'newest first');

    const { contact: wrapping } = await alice.ok('end', { contact: cust.contact });
    assert.equal(wrapping.state, 'wrap_up');
    assert.equal(wrapping.ended_by, 'agent');
    assert.ok(wrapping.acw_expires_at > Date.now());
    await cust.waitFor((f) => f.type === 'ended' && f.by === 'agent');

    await alice.fails('wrap_up', { contact: cust.contact, disposition: 'sale', notes: '', tags: [] }, 'invalid_disposition');
    const eventsBefore = alice.events.length;
    const { contact: closed } = await alice.ok('wrap_up', { contact: cust.contact, disposition: 'resolved', notes: 'Explained the invoice.', tags: ['billing'] });
    assert.equal(closed.state, 'closed');
    await waitEvent(alice, ended(cust.contact, 'closed'), { from: eventsBefore });

    // The interaction is now in the customer's history.
    const rows = JSON.parse(sql(server.db, `SELECT disposition, notes, agent FROM interactions WHERE contact = '${cust.contact}'`));
    assert.deepEqual(rows, [{ disposition: 'resolved', notes: 'Explained the invoice.', agent: 'alice' }]);
    await cust.close();
    await alice.close();
  } finally { await server.stop(); }
});

test('errors: unknown_contact, not_your_contact, wrong_state, bad_message, replayed send_message', async () => {
  const server = await startServer();
  try {
    const { c: alice } = await availableAgent(server, 'alice');
    const bob = await DeskClient.connect(server.wsUrl);
    await bob.login('bob');
    const cust = await ChatCustomer.connect(server.url);
    await cust.start('Sam Doe');
    await waitEvent(alice, offered(cust.contact));
    const id = cust.contact;

    for (const type of ['accept', 'reject', 'end']) {
      await alice.fails(type, { contact: 'nope' }, 'unknown_contact');
      await bob.fails(type, { contact: id }, 'not_your_contact');
    }
    await alice.fails('send_message', { contact: id, text: 'x', client_id: 'a' }, 'wrong_state');
    await alice.fails('end', { contact: id }, 'wrong_state');
    await alice.fails('wrap_up', { contact: id, disposition: 'resolved', notes: '', tags: [] }, 'wrong_state');
    await alice.fails('transfer', { contact: id, queue: 'sales', note: '' }, 'wrong_state');
    await bob.fails('typing', { contact: id, typing: true }, 'not_your_contact');
    await alice.ok('accept', { contact: id });
    await alice.fails('accept', { contact: id }, 'wrong_state');
    await alice.fails('reject', { contact: id }, 'wrong_state');
    await bob.fails('send_message', { contact: id, text: 'hijack', client_id: 'b' }, 'not_your_contact');

    await alice.fails('send_message', { contact: id, text: '', client_id: 'e1' }, 'bad_message');
    await alice.fails('send_message', { contact: id, text: '   ', client_id: 'e2' }, 'bad_message');
    await alice.fails('send_message', { contact: id, text: 'x'.repeat(4001), client_id: 'e3' }, 'bad_message');
    await alice.ok('send_message', { contact: id, text: 'é'.repeat(4000), client_id: 'e4' });

    const first = await alice.ok('send_message', { contact: id, text: 'Once only', client_id: 'dup' });
    const again = await alice.ok('send_message', { contact: id, text: 'Once only', client_id: 'dup' });
    assert.deepEqual(again.message, first.message);
    const count = JSON.parse(sql(server.db, `SELECT COUNT(*) AS n FROM messages WHERE contact = '${id}' AND client_id = 'dup'`));
    assert.equal(count[0].n, 1);
    await sleep(100);
    assert.equal(cust.frames.filter((f) => f.type === 'message' && f.message.text === 'Once only').length, 1, 'sent once');

    await alice.fails('transfer', { contact: id, note: '' }, 'bad_message');
    await alice.fails('transfer', { contact: id, queue: 'sales', agent: 'bob', note: '' }, 'bad_message');
    await alice.fails('transfer', { contact: id, queue: 'nowhere', note: '' }, 'unknown_queue');
    await alice.fails('transfer', { contact: id, agent: 'mallory', note: '' }, 'unknown_agent');
    await alice.fails('update_customer', { customer: 'cu-none', notes: 'x' }, 'unknown_customer');
    await bob.fails('update_customer', { customer: 'cu-1001', notes: 'x' }, 'not_your_contact');

    await alice.ok('end', { contact: id });
    // After the end: the replay still answers with the first message; a new one is refused.
    assert.deepEqual((await alice.ok('send_message', { contact: id, text: 'Once only', client_id: 'dup' })).message, first.message);
    await alice.fails('send_message', { contact: id, text: 'late', client_id: 'late' }, 'wrong_state');
    await alice.fails('wrap_up', { contact: id, disposition: 'resolved', notes: '', tags: [''] }, 'bad_message');
    await alice.ok('wrap_up', { contact: id, disposition: 'no_action', notes: '', tags: [] });
    await alice.fails('wrap_up', { contact: id, disposition: 'resolved', notes: '', tags: [] }, 'wrong_state');
    await bob.fails('wrap_up', { contact: id, disposition: 'resolved', notes: '', tags: [] }, 'not_your_contact');
    const state = JSON.parse(sql(server.db, `SELECT state, disposition FROM contacts WHERE id = '${id}'`));
    assert.deepEqual(state, [{ state: 'closed', disposition: 'no_action' }]);
    await Promise.all([alice.close(), bob.close(), cust.close()]);
  } finally { await server.stop(); }
});

test('the customer leaving moves an active chat to wrap_up; a queued one just closes', async () => {
  const server = await startServer();
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const a = await ChatCustomer.connect(server.url);
    await a.start('Leaving Customer');
    await waitEvent(bob, offered(a.contact));
    await bob.ok('accept', { contact: a.contact });
    const from = bob.events.length;
    a.send({ type: 'end' });
    await a.waitFor((f) => f.type === 'ended' && f.by === 'customer');
    const upd = await waitEvent(bob, (e) => e.event === 'contact.updated' && e.data.id === a.contact, { from });
    assert.equal(upd.data.state, 'wrap_up');
    assert.equal(upd.data.ended_by, 'customer');
    const err = await a.call({ type: 'message', text: 'hello?', client_id: 'x' }, ['ack', 'error']);
    assert.equal(err.code, 'wrong_state');

    await bob.ok('set_state', { state: 'not_ready', reason: 'break' });
    const b = await ChatCustomer.connect(server.url);
    await b.start('Impatient');
    b.send({ type: 'end' });
    await b.waitFor((f) => f.type === 'ended');
    const rows = JSON.parse(sql(server.db, `SELECT state, ended_by FROM contacts WHERE id = '${b.contact}'`));
    assert.deepEqual(rows, [{ state: 'closed', ended_by: 'customer' }]);
    await Promise.all([a.close(), b.close(), bob.close()]);
  } finally { await server.stop(); }
});
