// crash.test.mjs: kill -9 in the middle of several chats loses no acknowledged message; after a
// restart on the same database the agents resume with their contacts and the customers resume
// their chats with their tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DeskClient, tempDir, sleep, sql } from './harness.mjs';
import { ChatCustomer, waitEvent, offered, availableAgent } from './contacts_harness.mjs';

test('SIGKILL mid-conversation: every acked message survives; agents and customers resume', async () => {
  const dir = tempDir();
  const server = await startServer({ dir });
  const { c: alice, session: aliceSession } = await availableAgent(server, 'alice');
  const { c: bob } = await availableAgent(server, 'bob');
  const chats = [];
  for (let i = 0; i < 4; i++) {
    const c = await ChatCustomer.connect(server.url);
    await c.start(`Crash Customer ${i + 1}`);
    chats.push(c);
  }
  // Accept whatever each agent was offered.
  const owner = new Map();
  for (const c of chats) {
    const e = await Promise.race([waitEvent(alice, offered(c.contact)).then((x) => ['alice', x]),
                                  waitEvent(bob, offered(c.contact)).then((x) => ['bob', x])]);
    owner.set(c.contact, e[0]);
    await (e[0] === 'alice' ? alice : bob).ok('accept', { contact: c.contact });
  }
  // Traffic in both directions; then a burst nobody waits for, and the kill.
  const agentAcked = [];
  for (const c of chats) {
    await c.say(`hello from ${c.contact}`);
    const agent = owner.get(c.contact) === 'alice' ? alice : bob;
    const { message } = await agent.ok('send_message', { contact: c.contact, text: `reply to ${c.contact}`, client_id: `r-${c.contact}` });
    agentAcked.push(message.id);
  }
  for (const c of chats) for (let k = 0; k < 20; k++) c.send({ type: 'message', text: `burst ${k}`, client_id: `b${k}` });
  await sleep(15);
  process.kill(server.proc.pid, 'SIGKILL');
  const exit = await server.exited;
  assert.equal(exit.signal, 'SIGKILL');
  await sleep(50);
  const acked = new Map(chats.map((c) => [c.contact, c.frames.filter((f) => f.type === 'ack').map((f) => f.message.id)]));
  assert.ok([...acked.values()].every((ids) => ids.length >= 1));

  const again = await startServer({ dir });
  try {
    // The agent resumes: their contacts, with every acknowledged message.
    const a2 = await DeskClient.connect(again.wsUrl);
    await a2.hello();
    const s = await a2.ok('resume', { token: aliceSession.token, last_seq: 0 });
    const mine = chats.filter((c) => owner.get(c.contact) === 'alice').map((c) => c.contact).sort();
    assert.deepEqual(s.contacts.map((c) => c.id).sort(), mine);
    for (const contact of s.contacts) {
      assert.equal(contact.state, 'active');
      const ids = (await a2.transcript(contact.id)).map((m) => m.id);
      assert.equal(ids.length, contact.message_count);
      for (const id of acked.get(contact.id)) assert.ok(ids.includes(id), `acked ${id} lost`);
    }
    // Customers resume with their tokens and carry on.
    for (const c of chats) {
      const d = await ChatCustomer.connect(again.url);
      const r = await d.call({ type: 'resume', token: c.token }, ['resumed', 'error']);
      assert.equal(r.type, 'resumed');
      assert.equal(r.state, 'active');
      const ids = r.messages.map((m) => m.id);
      for (const id of acked.get(c.contact)) assert.ok(ids.includes(id), `acked ${id} lost`);
      assert.ok(r.messages.some((m) => m.from === 'agent' && m.text === `reply to ${c.contact}`));
      // Re-sending an acked message after the restart stores nothing new.
      const dup = await d.say('burst 0', 'b0');
      if (acked.get(c.contact).length > 1) assert.ok(ids.includes(dup.message.id));
      await d.close();
    }
    const storedIds = JSON.parse(sql(again.db, 'SELECT id FROM messages')).map((r) => r.id);
    for (const id of agentAcked) assert.ok(storedIds.includes(id), `agent message ${id} lost`);
    const mineNow = chats.find((c) => owner.get(c.contact) === 'alice');
    await a2.ok('send_message', { contact: mineNow.contact, text: 'Sorry, we had a hiccup.', client_id: 'after' });
    await a2.close();
  } finally { await again.stop(); }
  await Promise.all([alice, bob].map((x) => x.ws.terminate()));
});

test('killed and started again at once on SQLite: the waiting chats are offered without waiting for the old process to age', async () => {
  // The killed process's row in `nodes` stays fresh for a few seconds. On SQLite there is one
  // node, so that row is this server's past life, not a node to share the queue with: every
  // waiting chat is offered as soon as agents are available, not when the row ages out.
  const dir = tempDir();
  const server = await startServer({ dir });
  const chats = [];
  for (let i = 0; i < 6; i++) {
    const c = await ChatCustomer.connect(server.url);
    await c.start(`Waiting Customer ${i + 1}`);
    chats.push(c);
  }
  await sleep(1200);  // (a beat: the node has said it is alive)
  process.kill(server.proc.pid, 'SIGKILL');
  assert.equal((await server.exited).signal, 'SIGKILL');
  const [ghost] = JSON.parse(sql(server.db, 'SELECT node, seen_at FROM nodes'));
  assert.ok(ghost, 'the killed node had said it was alive');
  const again = await startServer({ dir });
  const agents = [];
  try {
    for (const name of ['alice', 'bob']) agents.push((await availableAgent(again, name)).c);
    const offerTimeoutMs = 20_000;
    for (const c of chats) {
      const e = await Promise.race(agents.map((a) => waitEvent(a, offered(c.contact), { timeoutMs: 8000 })));
      const offeredAt = e.data.offer_expires_at - offerTimeoutMs;
      assert.ok(offeredAt < ghost.seen_at + 5000,
                `chat ${c.contact} offered ${offeredAt - ghost.seen_at} ms after the killed node's last beat: it waited for the old node to age out`);
    }
  } finally {
    await Promise.all(agents.map((a) => a.ws.terminate()));
    await Promise.all(chats.map((c) => c.close()));
    await again.stop();
  }
});
