// routing.test.mjs: the ACD (docs/protocol.md, "Contacts: chat and SMS"): skills, capacity per
// channel, longest-idle agent, FIFO while nobody can take a contact, reject and missed offers
// (back to the front of the queue, another agent first, the agent to not_ready "missed"),
// transfers with a note to a queue and to a named agent, and ACW closing itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DeskClient, sql, sleep } from './harness.mjs';
import { ChatCustomer, waitEvent, offered, ended, availableAgent, smsIn, get } from './contacts_harness.mjs';

async function customers(server, n, prefix = 'Customer') {
  const list = [];
  for (let i = 0; i < n; i++) {
    const c = await ChatCustomer.connect(server.url);
    await c.start(`${prefix} ${i + 1}`);
    list.push(c);
    await sleep(5);  // distinct arrival times
  }
  return list;
}

test('capacity: chat 3 at once; the 4th waits in order and is offered when a slot frees', async () => {
  const server = await startServer();
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const cs = await customers(server, 5);
    for (const c of cs.slice(0, 3)) await waitEvent(bob, offered(c.contact));
    await sleep(200);
    assert.equal(bob.events.filter((e) => e.event === 'contact.offered').length, 3);
    // Positions of the waiting customers, in order.
    const p4 = await cs[3].waitFor((f) => f.type === 'queued' || (f.type === 'started' && f.position));
    assert.equal(p4.position, 1);
    const p5 = await cs[4].waitFor((f) => f.type === 'queued' || (f.type === 'started' && f.position));
    assert.equal(p5.position, 2);
    assert.ok(p5.estimated_wait_seconds >= p4.estimated_wait_seconds);

    await bob.ok('accept', { contact: cs[0].contact });
    await bob.ok('end', { contact: cs[0].contact });
    await sleep(100);
    assert.ok(!bob.events.some(offered(cs[3].contact)), 'wrap-up still holds the slot');
    await bob.ok('wrap_up', { contact: cs[0].contact, disposition: 'resolved', notes: '', tags: [] });
    await waitEvent(bob, offered(cs[3].contact));
    await cs[4].waitFor((f) => f.type === 'queued' && f.position === 1);
    await sleep(100);
    assert.ok(!bob.events.some(offered(cs[4].contact)), 'the 5th still waits');
    await Promise.all([...cs.map((c) => c.close()), bob.close()]);
  } finally { await server.stop(); }
});

test('longest idle agent first; skills decide who may take a queue', async () => {
  const server = await startServer();
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    await sleep(30);
    const { c: alice } = await availableAgent(server, 'alice');
    const { c: carol } = await availableAgent(server, 'carol');  // sales only: never offered support
    const [first, second, third] = await customers(server, 3);
    await waitEvent(bob, offered(first.contact));       // idle longest
    await waitEvent(alice, offered(second.contact));    // next longest
    await waitEvent(bob, offered(third.contact));       // bob's offer is older than alice's
    await sleep(100);
    assert.ok(!carol.events.some((e) => e.event === 'contact.offered'));
    await Promise.all([first, second, third, bob, alice, carol].map((x) => x.close()));
  } finally { await server.stop(); }
});

test('FIFO: customers who waited with nobody available are offered in arrival order', async () => {
  const server = await startServer();
  try {
    const cs = await customers(server, 3);
    const { c: bob } = await availableAgent(server, 'bob');
    for (const c of cs) await waitEvent(bob, offered(c.contact));
    const order = bob.events.filter((e) => e.event === 'contact.offered').map((e) => e.data.id);
    assert.deepEqual(order, cs.map((c) => c.contact));
    await Promise.all([...cs, bob].map((x) => x.close()));
  } finally { await server.stop(); }
});

test('reject: the contact goes back to the front and to another agent first', async () => {
  const server = await startServer();
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const [c1] = await customers(server, 1);
    await waitEvent(bob, offered(c1.contact));
    const { c: alice } = await availableAgent(server, 'alice');
    assert.deepEqual(await bob.ok('reject', { contact: c1.contact }), {});
    await waitEvent(bob, ended(c1.contact, 'rejected'));
    await waitEvent(alice, offered(c1.contact));
    assert.equal(bob.events.filter(offered(c1.contact)).length, 1, 'not back to bob while alice can take it');
    await bob.fails('accept', { contact: c1.contact }, 'not_your_contact');
    await Promise.all([c1, bob, alice].map((x) => x.close()));
  } finally { await server.stop(); }
});

test('offer timeout: missed, the agent goes not_ready "missed", the contact goes to the next agent', async () => {
  const server = await startServer({ args: ['--offer-timeout', '0.6'] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const [c1] = await customers(server, 1);
    const offer = await waitEvent(bob, offered(c1.contact));
    assert.ok(offer.data.offer_expires_at - Date.now() <= 700);
    const { c: alice } = await availableAgent(server, 'alice');
    await waitEvent(bob, ended(c1.contact, 'missed'), { timeoutMs: 3000 });
    const st = await waitEvent(bob, (e) => e.event === 'agent.state' && e.data.reason === 'missed');
    assert.equal(st.data.state, 'not_ready');
    await waitEvent(alice, offered(c1.contact));
    await alice.ok('accept', { contact: c1.contact });
    await bob.fails('accept', { contact: c1.contact }, 'not_your_contact');
    // The agent's state survives a new login: still not_ready / missed until they choose.
    const again = await DeskClient.connect(server.wsUrl);
    const s = await again.login('bob');
    assert.deepEqual([s.agent.state, s.agent.reason], ['not_ready', 'missed']);
    await Promise.all([c1, bob, alice, again].map((x) => x.close()));
  } finally { await server.stop(); }
});

test('transfer with a note: to a queue (skill) and to a named agent', async () => {
  const server = await startServer();
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const { c: carol } = await availableAgent(server, 'carol');
    const [c1] = await customers(server, 1);
    await waitEvent(bob, offered(c1.contact));
    await bob.ok('accept', { contact: c1.contact });
    await c1.say('I want to upgrade my plan');
    assert.deepEqual(await bob.ok('transfer', { contact: c1.contact, queue: 'sales', note: 'Wants an upgrade' }), {});
    await waitEvent(bob, ended(c1.contact, 'transferred'));
    const o = await waitEvent(carol, offered(c1.contact));
    assert.equal(o.data.queue, 'sales');
    assert.deepEqual(o.data.transfer, { from: 'bob', note: 'Wants an upgrade' });
    assert.equal(o.data.message_count, 1, 'the transcript goes along');
    assert.deepEqual((await carol.transcript(c1.contact)).map((m) => m.text), ['I want to upgrade my plan']);
    await bob.fails('get_messages', { contact: c1.contact }, 'not_your_contact');  // no longer his to read
    await carol.ok('accept', { contact: c1.contact });
    await bob.fails('send_message', { contact: c1.contact, text: 'x', client_id: 'x' }, 'not_your_contact');

    // To a named agent: offered to that agent only, even without the queue's skill.
    const { c: alice } = await availableAgent(server, 'alice');
    const from = bob.events.length;
    await carol.ok('transfer', { contact: c1.contact, agent: 'bob', note: 'Back to you, billing part' });
    const back = await waitEvent(bob, offered(c1.contact), { from });
    assert.deepEqual(back.data.transfer, { from: 'carol', note: 'Back to you, billing part' });
    await sleep(100);
    assert.ok(!alice.events.some(offered(c1.contact)));
    await carol.fails('transfer', { contact: c1.contact, agent: 'bob', note: '' }, 'not_your_contact');
    await Promise.all([c1, bob, carol, alice].map((x) => x.close()));
  } finally { await server.stop(); }
});

test('ACW closes itself after --acw-max with disposition null', async () => {
  const server = await startServer({ args: ['--acw-max', '0.5'] });
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const [c1] = await customers(server, 1);
    await waitEvent(bob, offered(c1.contact));
    await bob.ok('accept', { contact: c1.contact });
    const { contact } = await bob.ok('end', { contact: c1.contact });
    assert.ok(contact.acw_expires_at - Date.now() <= 600);
    await waitEvent(bob, ended(c1.contact, 'closed'), { timeoutMs: 3000 });
    const rows = JSON.parse(sql(server.db, `SELECT state, disposition FROM contacts WHERE id = '${c1.contact}'`));
    assert.deepEqual(rows, [{ state: 'closed', disposition: null }]);
    await bob.fails('wrap_up', { contact: c1.contact, disposition: 'resolved', notes: '', tags: [] }, 'wrong_state');
    await Promise.all([c1, bob].map((x) => x.close()));
  } finally { await server.stop(); }
});

test('a transfer to a named agent who does not take it goes to its queue after --transfer-wait', async () => {
  const server = await startServer({ args: ['--transfer-wait', '1'] });
  try {
    const { c: alice } = await availableAgent(server, 'alice');
    const [c1] = await customers(server, 1);
    await waitEvent(alice, offered(c1.contact));
    await alice.ok('accept', { contact: c1.contact });
    // Bob has the queue's skill and is available, but the transfer names carol (not available).
    const carol = await DeskClient.connect(server.wsUrl);
    await carol.login('carol');
    await alice.ok('set_state', { state: 'not_ready', reason: 'break' });
    const { c: bob } = await availableAgent(server, 'bob');
    const t0 = Date.now();
    await alice.ok('transfer', { contact: c1.contact, agent: 'carol', note: 'Billing question for Carol' });
    await sleep(500);
    assert.ok(!bob.events.some(offered(c1.contact)), 'carol\'s turn first');
    const o = await waitEvent(bob, offered(c1.contact), { timeoutMs: 3000 });
    assert.ok(Date.now() - t0 >= 900, 'not before the wait is over');
    assert.deepEqual(o.data.transfer, { from: 'alice', note: 'Billing question for Carol' }, 'the note stays');
    assert.equal(o.data.queue, 'support');
    assert.ok(!carol.events.some(offered(c1.contact)));
    await Promise.all([c1, alice, bob, carol].map((x) => x.close()));
  } finally { await server.stop(); }
});

test('nobody takes a contact within --queue-max-wait: the customer is told, the contact closes', async () => {
  const server = await startServer({ args: ['--queue-max-wait', '1', '--fake-sms-provider'] });
  try {
    const [c1] = await customers(server, 1);
    const sms = await smsIn(server.url, { From: '+1 555 010 0042', To: '7001', Body: 'Is anyone there?' });
    assert.equal(sms.status, 200);
    const system = await c1.waitFor((f) => f.type === 'message' && f.message.from === 'system', { timeoutMs: 4000 });
    assert.match(system.message.text, /again later/);
    const end = await c1.waitFor((f) => f.type === 'ended');
    assert.equal(end.by, 'system');
    assert.ok(c1.frames.indexOf(system) < c1.frames.indexOf(end), 'told before the end');
    // The SMS customer gets the same words by SMS.
    let outbox = [];
    for (let i = 0; i < 40 && outbox.length === 0; i++) {
      outbox = (await get(server.url, '/dev/sms-provider/outbox')).json.messages;
      if (outbox.length === 0) await sleep(100);
    }
    assert.equal(outbox.length, 1);
    assert.equal(outbox[0].to, '+15550100042');
    assert.match(outbox[0].body, /again later/);
    const rows = JSON.parse(sql(server.db, "SELECT channel, state, ended_by FROM contacts ORDER BY channel"));
    assert.deepEqual(rows, [{ channel: 'chat', state: 'closed', ended_by: 'system' },
      { channel: 'sms', state: 'closed', ended_by: 'system' }]);
    // Remembered in the customers' history, and the transcript says why.
    assert.equal(JSON.parse(sql(server.db, 'SELECT COUNT(*) AS n FROM interactions WHERE contact IN (SELECT id FROM contacts)'))[0].n, 2);
    const said = JSON.parse(sql(server.db, "SELECT COUNT(*) AS n FROM messages WHERE sender = 'system'"))[0].n;
    assert.equal(said, 2);
    // An agent who comes now has nothing offered; a resume of the old chat says it ended.
    const { c: bob } = await availableAgent(server, 'bob');
    await sleep(400);
    assert.ok(!bob.events.some(offered()));
    const again = await ChatCustomer.connect(server.url);
    const r = await again.call({ type: 'resume', token: c1.token }, ['resumed', 'error']);
    assert.equal(r.state, 'ended');
    assert.equal(r.ended_by, 'system');
    await Promise.all([c1, again, bob].map((x) => x.close()));
  } finally { await server.stop(); }
});
