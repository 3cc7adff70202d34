// cluster.test.mjs: two switchboardd nodes on one PostgreSQL (docs/architecture.md, "Several
// nodes"): a customer on one node and the agent on the other work a chat from offer to end, each
// hearing the other's side through the database's change feed; routing is one queue across the
// nodes (longest idle first, wherever the agent is connected); chats arriving on both nodes at
// once, with an agent on each, are each offered to one agent only; and behind the balancer
// (scripts/balancer: nginx), a node killed mid-chat loses nothing: its desk and customer
// reconnect to the other node and carry on. On PostgreSQL only (the server-pg suite); SQLite is
// one node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, tempDir, sql, sleep, onPostgres, repoRoot } from './harness.mjs';
import { ChatCustomer, waitEvent, offered, availableAgent } from './contacts_harness.mjs';
import { ResumingDesk, Customer, transcript, assertNoDuplicates, until } from './resuming_clients.mjs';

const skip = !onPostgres && 'several nodes need PostgreSQL (the server-pg suite)';

// Two nodes on one database, sharing the MFA key as every node must; `args` for both.
async function twoNodes(args = []) {
  const first = tempDir();
  const a = await startServer({ dir: first, args });
  const b = await startServer({ dir: tempDir(), db: a.db, args: [...args, '--mfa-key-file', join(first, 'mfa.key')] });
  return [a, b];
}

// The agent's events came in seq order with no gap (a node sends another node's events from the
// log; a resumed desk is sent what it missed).
function assertNoGap(events) {
  const seqs = events.map((e) => e.seq);
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, `events out of order or missing: ${seqs.join(',')}`);
}
const assertInOrder = (desk) => assertNoGap(desk.events);

test('a customer on one node and the agent on another: offered, accepted, talked, ended', { skip }, async () => {
  const [a, b] = await twoNodes();
  const { c: bob } = await availableAgent(b, 'bob');
  const chat = await ChatCustomer.connect(a.url);
  try {
    await chat.start('Cross Node');
    const offer = await waitEvent(bob, offered(chat.contact));
    assert.equal(offer.data.channel, 'chat');
    assert.equal(offer.data.state, 'offered');
    await bob.ok('accept', { contact: chat.contact });
    const joined = await chat.waitFor((f) => f.type === 'agent_joined');
    assert.equal(joined.agent, 'Bob Okafor');

    // The customer's words reach the agent on the other node, and the agent's the customer.
    const ack = await chat.say('hello from node a');
    assert.equal(ack.type, 'ack');
    const heard = await waitEvent(bob, (e) => e.event === 'contact.message' && e.data.message.text === 'hello from node a');
    assert.equal(heard.data.contact, chat.contact);
    await bob.ok('send_message', { contact: chat.contact, text: 'hello from node b', client_id: 'x-1' });
    const answer = await chat.waitFor((f) => f.type === 'message' && f.message.text === 'hello from node b');
    assert.equal(answer.message.from, 'agent');
    assert.equal(answer.message.agent, 'Bob Okafor');

    // The agent ends it on node b: the customer on node a is told.
    await bob.ok('end', { contact: chat.contact });
    const ended = await chat.waitFor((f) => f.type === 'ended');
    assert.equal(ended.by, 'agent');
    assertInOrder(bob);
    const [row] = JSON.parse(sql(a.db, `SELECT state, agent FROM contacts WHERE id = '${chat.contact}'`));
    assert.deepEqual(row, { state: 'wrap_up', agent: 'bob' });
  } finally {
    await chat.close();
    await bob.close();
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('routing is one queue across nodes: the longest idle agent gets the chat, whichever node either is on', { skip }, async () => {
  const [a, b] = await twoNodes();
  // alice (node a) has waited longest; bob (node b) became available after her.
  const { c: alice } = await availableAgent(a, 'alice');
  await sleep(50);
  const { c: bob } = await availableAgent(b, 'bob');
  const customers = [];
  try {
    // Four chats, one after another, all arriving at node b: they alternate between the two,
    // starting with alice on the other node (each offer makes its agent the most recently busy).
    const got = [];
    for (let i = 0; i < 4; i++) {
      const chat = await ChatCustomer.connect(b.url);
      customers.push(chat);
      await chat.start(`Fair ${i}`);
      const offer = await Promise.race([
        waitEvent(alice, offered(chat.contact)).then(() => 'alice'),
        waitEvent(bob, offered(chat.contact)).then(() => 'bob'),
      ]);
      got.push(offer);
    }
    assert.deepEqual(got, ['alice', 'bob', 'alice', 'bob']);
    const rows = JSON.parse(sql(a.db, `SELECT agent FROM contacts WHERE id IN (${customers.map((c) => `'${c.contact}'`).join(',')}) ORDER BY created_at`));
    assert.deepEqual(rows.map((r) => r.agent), got);
    assertInOrder(alice);
    assertInOrder(bob);
  } finally {
    await Promise.all(customers.map((c) => c.close()));
    await Promise.all([alice.close(), bob.close()]);
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('chats arriving on two nodes at once, an agent on each: every contact offered to one agent only', { skip }, async () => {
  const [a, b] = await twoNodes();
  const { c: alice } = await availableAgent(a, 'alice');
  const { c: bob } = await availableAgent(b, 'bob');
  const customers = [];
  try {
    // Ten chats, alternately on each node, all at once: six places (three chats each).
    for (let i = 0; i < 10; i++) customers.push(await ChatCustomer.connect((i % 2 ? b : a).url));
    await Promise.all(customers.map((c, i) => c.start(`Rush ${i}`)));
    const ids = customers.map((c) => c.contact);
    const offersOf = (desk) => desk.events.filter((e) => e.event === 'contact.offered' && ids.includes(e.data.id)).map((e) => e.data.id);
    const deadline = Date.now() + 8000;
    while (offersOf(alice).length + offersOf(bob).length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));  // (an offer made twice would arrive by now)
    const toAlice = offersOf(alice);
    const toBob = offersOf(bob);
    assert.equal(toAlice.length, 3, `alice: ${toAlice}`);
    assert.equal(toBob.length, 3, `bob: ${toBob}`);
    assert.equal(new Set([...toAlice, ...toBob]).size, 6, 'a contact offered to both');
    // The database agrees: six offered (three to each), four waiting.
    const rows = JSON.parse(sql(a.db, `SELECT agent, COUNT(*) AS n FROM contacts WHERE id IN (${ids.map((id) => `'${id}'`).join(',')}) GROUP BY agent ORDER BY agent`));
    assert.deepEqual(rows, [{ agent: 'alice', n: 3 }, { agent: 'bob', n: 3 }, { agent: null, n: 4 }]);
    assertInOrder(alice);
    assertInOrder(bob);
  } finally {
    await Promise.all(customers.map((c) => c.close()));
    await Promise.all([alice.close(), bob.close()]);
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('a node killed mid-chat behind the balancer: desk and customer go on through the other node, nothing acknowledged lost', { skip }, async (t) => {
  const [a, b] = await twoNodes(['--trusted-proxy', '127.0.0.1']);
  const lb = tempDir();
  const balancer = join(repoRoot, 'scripts/balancer');
  const port = (node) => new URL(node.url).port;
  const front = execFileSync(balancer, ['start', '--dir', lb, '--port', '0', '--node', `127.0.0.1:${port(a)}`,
    '--node', `127.0.0.1:${port(b)}`], { encoding: 'utf8' }).trim();
  const desk = new ResumingDesk(`${front.replace(/^http/, 'ws')}/desk`, 'alice');
  const customer = new Customer('Failover');
  let survivor = null;
  try {
    await desk.start();
    await customer.start(front);
    await until('the chat accepted', () => desk.accepted.has(customer.contact));
    const contact = customer.contact;
    customer.say('before the crash');
    await desk.say(contact, 'an answer before');
    await until('both sides heard', () => customer.acked.length === 1 && customer.received.length === 1 &&
      desk.messages(contact).some((m) => m.text === 'before the crash'));

    // The node alice's desk is on dies without a word.
    const onA = a.stderr.split('\n').some((l) => l.includes('"msg":"logged in"') && l.includes('"username":"alice"'));
    const [victim, other] = onA ? [a, b] : [b, a];
    survivor = other;
    const customerLost = new Promise((res) => customer.chat.ws.once('close', () => res(true)));
    const killedAt = Date.now();
    process.kill(victim.proc.pid, 'SIGKILL');
    await victim.exited;
    // Meanwhile each side says something; it goes out once a link is back.
    customer.say('during the crash');
    const answered = desk.say(contact, 'an answer during');

    // The desk reconnects through the balancer to the survivor and resumes from its last event.
    const connects = desk.connects;
    await until('the desk resumed on the other node', () => desk.connects > connects && desk.ready, 15000);
    t.diagnostic(`desk resumed ${Date.now() - killedAt} ms after kill -9`);
    // A customer whose page was on the dead node resumes there too (with its token).
    if (await Promise.race([customerLost, sleep(1500).then(() => false)])) await customer.resume(front);
    await answered;
    customer.say('after the crash');
    await desk.say(contact, 'an answer after');
    await until('every message at the other side', () => customer.acked.length === 3 &&
      ['an answer before', 'an answer during', 'an answer after'].every((text) =>
        customer.received.some((m) => m.text === text) || (customer.resumedMessages ?? []).some((m) => m.text === text)) &&
      ['before the crash', 'during the crash', 'after the crash'].every((text) =>
        desk.messages(contact).some((m) => m.text === text)), 15000);

    // Stored once each, in order; the chat still alice's and active; the desk's events in order.
    const stored = transcript(survivor.db, contact);
    assertNoDuplicates(stored, 'transcript');
    // (each side's in the order it said them; the two sides' interleave as they raced)
    const said = (sender) => stored.filter((m) => m.sender === sender).map((m) => m.text);
    assert.equal(stored.length, 6);
    assert.deepEqual(said('customer'), ['before the crash', 'during the crash', 'after the crash']);
    assert.deepEqual(said('agent'), ['an answer before', 'an answer during', 'an answer after']);
    assert.deepEqual(JSON.parse(sql(survivor.db, `SELECT state, agent FROM contacts WHERE id = '${contact}'`)),
      [{ state: 'active', agent: 'alice' }]);
    assertNoGap(desk.applied);  // (across the crash: the resume sent what the dead node had not)
    assert.deepEqual(desk.problems, []);
  } finally {
    execFileSync(balancer, ['stop', '--dir', lb]);  // (first: whatever else fails, nginx is not left running)
    await desk.stop();
    if (customer.chat?.ws.readyState === WebSocket.OPEN) await customer.chat.close();
    await Promise.all([a, b].map((n) => (n.proc.exitCode === null && n.proc.signalCode === null ? n.stop() : null)));
  }
});
