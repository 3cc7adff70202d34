// transcript.test.mjs: protocol version 2 (docs/protocol.md, "Version negotiation"): contact
// objects count their transcript instead of carrying it, so that a long chat's every change does
// not send (or store) the whole conversation again; get_messages pages the transcript, for the
// agent whose contact it is only; version 1 desks still get the transcript in every contact.
// (The harness checks every frame's shape against the version its connection chose.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DeskClient, sql } from './harness.mjs';
import { ChatCustomer, waitEvent, offered, availableAgent } from './contacts_harness.mjs';

// An agent with an active chat whose customer said hello while it rang.
async function activeChat(server, agent = 'alice') {
  const { c } = await availableAgent(server, agent);
  const cust = await ChatCustomer.connect(server.url);
  await cust.start('Dana Whitfield');
  const offer = await waitEvent(c, offered(cust.contact));
  await cust.say('Hello, a question about my bill', 'hello');
  await c.ok('accept', { contact: cust.contact });
  return { c, cust, contact: cust.contact, customer: offer.data.customer.id };
}

const bytes = (frame) => Buffer.byteLength(JSON.stringify(frame));

// Changes the customer card (a contact.updated to the agent); resolves with that event.
async function touch(agent, contact, customer, notes, watcher = agent) {
  const from = watcher.events.length;
  await agent.ok('update_customer', { customer, notes });
  return waitEvent(watcher, (e) => e.event === 'contact.updated' && e.data.id === contact && e.data.customer.notes === notes,
    { from });
}

test('a long chat: contact.updated stays small however long the transcript grows, sent and stored', async () => {
  const server = await startServer();
  try {
    const { c: alice, contact, customer } = await activeChat(server);
    const line = 'x'.repeat(400);
    const sizes = [];
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < 100; i++)
        await alice.ok('send_message', { contact, text: `${round}.${i} ${line}`, client_id: `r${round}-${i}` });
      const updated = await touch(alice, contact, customer, `round ${round}`);
      assert.equal(updated.data.message_count, 1 + round * 100);
      assert.equal(updated.data.last_message.seq, 1 + round * 100);
      sizes.push(bytes(updated));
    }
    // 300 messages of 400 characters (120 kB) later, the event is the size it was.
    assert.ok(Math.max(...sizes) < 4096, `contact.updated sizes ${sizes}`);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 8, `contact.updated grew: ${sizes}`);
    // The event log keeps them small too.
    const stored = JSON.parse(sql(server.db, "SELECT MAX(LENGTH(data)) AS n FROM events WHERE event = 'contact.updated'"))[0].n;
    assert.ok(stored < 4096, `a stored contact.updated of ${stored} bytes`);

    // The transcript, paged: 301 messages in pages of at most 200, in order, once each.
    const messages = await alice.transcript(contact);
    assert.equal(messages.length, 301);
    assert.deepEqual(messages.map((m) => m.seq), Array.from({ length: 301 }, (_, i) => i + 1));
    assert.equal(new Set(messages.map((m) => m.id)).size, 301);
    assert.equal(messages[0].text, 'Hello, a question about my bill');
    assert.equal(messages[300].text, `3.99 ${line}`);

    // A version 1 desk signed in as the same agent gets the same change with the whole transcript.
    const v1 = await DeskClient.connect(server.wsUrl);
    await v1.hello([1]);
    await v1.login('alice');
    const old = await touch(alice, contact, customer, 'seen by both', v1);
    const now = await waitEvent(alice, (e) => e.seq === old.seq);
    assert.equal(old.data.messages.length, 301);
    assert.ok(bytes(old) > 120000, `a version 1 contact.updated of ${bytes(old)} bytes`);
    assert.ok(bytes(now) < 4096);
    await v1.close();
    await alice.close();
  } finally { await server.stop(); }
});

test('get_messages pages a transcript: after, limit (1 to 200), more', async () => {
  const server = await startServer();
  try {
    const { c: alice, contact } = await activeChat(server);
    for (let i = 1; i <= 6; i++) await alice.ok('send_message', { contact, text: `answer ${i}`, client_id: `a${i}` });
    const all = await alice.ok('get_messages', { contact });
    assert.equal(all.more, false);
    assert.deepEqual(all.messages.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(all.messages.map((m) => m.from), ['customer', 'agent', 'agent', 'agent', 'agent', 'agent', 'agent']);

    const first = await alice.ok('get_messages', { contact, limit: 3 });
    assert.deepEqual([first.messages.map((m) => m.seq), first.more], [[1, 2, 3], true]);
    const second = await alice.ok('get_messages', { contact, after: 3, limit: 3 });
    assert.deepEqual([second.messages.map((m) => m.seq), second.more], [[4, 5, 6], true]);
    const last = await alice.ok('get_messages', { contact, after: 6, limit: 3 });
    assert.deepEqual([last.messages.map((m) => m.seq), last.more], [[7], false]);
    const past = await alice.ok('get_messages', { contact, after: 7 });
    assert.deepEqual([past.messages, past.more], [[], false]);
    assert.deepEqual((await alice.transcript(contact, { limit: 2 })).map((m) => m.id), all.messages.map((m) => m.id));

    await alice.fails('get_messages', { contact, limit: 0 }, 'bad_message');
    await alice.fails('get_messages', { contact, limit: 201 }, 'bad_message');
    await alice.fails('get_messages', { contact, after: -1 }, 'bad_message');
    await alice.fails('get_messages', { contact, after: 'x' }, 'bad_message');
    await alice.fails('get_messages', { contact, since: 1 }, 'bad_message');
    await alice.fails('get_messages', {}, 'bad_message');
    await alice.close();
  } finally { await server.stop(); }
});

test('get_messages is refused before hello, before login, and for a contact that is not the agent\'s', async () => {
  const server = await startServer();
  try {
    const { c: alice, cust, contact } = await activeChat(server);

    const stranger = await DeskClient.connect(server.wsUrl);
    await stranger.fails('get_messages', { contact }, 'hello_required');
    await stranger.hello();
    await stranger.fails('get_messages', { contact }, 'not_logged_in');
    await stranger.close();

    const bob = await DeskClient.connect(server.wsUrl);
    await bob.login('bob');
    const denied = await bob.fails('get_messages', { contact }, 'not_your_contact');
    assert.doesNotMatch(denied.message, /bill/);
    await bob.fails('get_messages', { contact: 'c-nope' }, 'unknown_contact');

    // Waiting in a queue, a chat is nobody's: nobody reads it.
    await alice.ok('set_state', { state: 'not_ready', reason: 'break' });
    const waiting = await ChatCustomer.connect(server.url);
    await waiting.start('Queued Person');
    await waiting.say('anyone there?');
    await alice.fails('get_messages', { contact: waiting.contact }, 'not_your_contact');
    await bob.fails('get_messages', { contact: waiting.contact }, 'not_your_contact');

    // Once wrapped up, it has left the agent's desk: no more reading either.
    await alice.ok('end', { contact });
    await alice.ok('get_messages', { contact });  // wrap-up: still on the desk
    await alice.ok('wrap_up', { contact, disposition: 'resolved', notes: '', tags: [] });
    await alice.fails('get_messages', { contact }, 'wrong_state');
    await Promise.all([bob.close(), alice.close(), cust.close(), waiting.close()]);
  } finally { await server.stop(); }
});

test('an offered contact\'s transcript can be read by the agent it rings for', async () => {
  const server = await startServer();
  try {
    const { c: alice } = await availableAgent(server, 'alice');
    const cust = await ChatCustomer.connect(server.url);
    await cust.start('Ring Ring');
    const offer = await waitEvent(alice, offered(cust.contact));
    assert.deepEqual([offer.data.message_count, offer.data.last_message], [0, null]);
    await cust.say('first words', 'f1');
    const page = await alice.ok('get_messages', { contact: cust.contact });
    assert.deepEqual(page.messages.map((m) => m.text), ['first words']);
    await alice.close();
  } finally { await server.stop(); }
});

test('a message whose status changes comes again by its id (version 2) and in the transcript (version 1)', async () => {
  const server = await startServer();
  try {
    const { c: alice, cust, contact } = await activeChat(server);
    const v1 = await DeskClient.connect(server.wsUrl);
    await v1.hello([1]);
    const session = await v1.login('alice');
    const mine = session.contacts.find((c) => c.id === contact);
    assert.deepEqual(mine.messages.map((m) => m.text), ['Hello, a question about my bill']);
    assert.equal(mine.message_count, 1);

    const { message } = await alice.ok('send_message', { contact, text: 'How can I help?', client_id: 's1' });
    await waitEvent(alice, (e) => e.event === 'contact.message' && e.data.message.id === message.id);
    const got = await cust.waitFor((f) => f.type === 'message' && f.message.id === message.id);
    cust.send({ type: 'received', message: got.message.id });
    const again = await waitEvent(alice, (e) => e.event === 'contact.message' && e.data.message.id === message.id &&
      e.data.message.status === 'delivered');
    assert.equal(again.data.message.seq, message.seq);
    const v1updated = await waitEvent(v1, (e) => e.event === 'contact.updated' &&
      e.data.messages.some((m) => m.id === message.id && m.status === 'delivered'));
    assert.equal(v1updated.data.messages.length, 2);
    await Promise.all([v1.close(), alice.close(), cust.close()]);
  } finally { await server.stop(); }
});

test('version 1 still works end to end: the session, replies, events and a resume carry the transcript', async () => {
  const server = await startServer();
  try {
    const v1 = await DeskClient.connect(server.wsUrl);
    assert.equal((await v1.hello([1])).version, 1);
    const session = await v1.login('alice');
    await v1.ok('set_state', { state: 'available' });
    const cust = await ChatCustomer.connect(server.url);
    await cust.start('Old Desk');
    await cust.say('still there?', 'o1');
    const offer = await waitEvent(v1, offered(cust.contact));
    const { contact } = await v1.ok('accept', { contact: cust.contact });
    assert.deepEqual(contact.messages.map((m) => m.text), ['still there?']);
    assert.ok(Array.isArray(offer.data.messages));
    await v1.ok('send_message', { contact: cust.contact, text: 'yes', client_id: 'y' });
    const { contact: ended } = await v1.ok('end', { contact: cust.contact });
    assert.deepEqual(ended.messages.map((m) => m.text), ['still there?', 'yes']);
    await v1.close();

    // Resumed on version 1: the replayed contact events have their transcripts too.
    const again = await DeskClient.connect(server.wsUrl);
    await again.hello([1]);
    const resumed = await again.ok('resume', { token: session.token, last_seq: session.seq });
    assert.deepEqual(resumed.contacts[0].messages.map((m) => m.text), ['still there?', 'yes']);
    const missed = resumed.seq - session.seq;
    const replayed = await again.waitForEvents(missed);
    const contactEvents = replayed.filter((e) => e.event === 'contact.offered' || e.event === 'contact.updated');
    assert.ok(contactEvents.length >= 1);
    for (const e of contactEvents) assert.ok(Array.isArray(e.data.messages));
    await again.close();

    // The same log replayed on version 2: the same events, without.
    const v2 = await DeskClient.connect(server.wsUrl);
    await v2.hello();
    await v2.ok('resume', { token: session.token, last_seq: session.seq });
    const replayed2 = await v2.waitForEvents(missed);
    for (const e of replayed2.filter((x) => x.event === 'contact.offered' || x.event === 'contact.updated'))
      assert.ok(!('messages' in e.data) && Number.isInteger(e.data.message_count));
    await Promise.all([v2.close(), cust.close()]);
  } finally { await server.stop(); }
});
