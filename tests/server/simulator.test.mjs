// simulator.test.mjs: --simulate brings customers through the real chat and SMS interfaces
// with believable requests, and they answer what the agent writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sql, sleep } from './harness.mjs';
import { waitEvent, availableAgent } from './contacts_harness.mjs';

test('simulated customers arrive, and reply to the agent', async () => {
  const server = await startServer({ args: ['--simulate-rate', '120', '--fake-sms-provider'] });
  try {
    const { c: alice } = await availableAgent(server, 'alice');
    const offer = await waitEvent(alice, (e) => e.event === 'contact.offered', { timeoutMs: 8000 });
    const id = offer.data.id;
    await alice.ok('accept', { contact: id });
    // The opening line: already in the transcript, or typed a few seconds after arriving.
    let openingText = (await alice.transcript(id)).find((m) => m.from === 'customer')?.text;
    if (!openingText) {
      const e = await waitEvent(alice, (x) => x.event === 'contact.message' && x.data.contact === id &&
        x.data.message.from === 'customer', { timeoutMs: 12000 });
      openingText = e.data.message.text;
    }
    assert.ok(openingText.length > 10);
    const from = alice.events.length;
    await alice.ok('send_message', { contact: id, text: 'Thanks for reaching out, let me check.', client_id: 'sim-a1' });
    const answer = await waitEvent(alice, (e) => e.event === 'contact.message' && e.data.contact === id &&
      e.data.message.from === 'customer', { from, timeoutMs: 15000 });
    assert.notEqual(answer.data.message.text, openingText);
    const channels = JSON.parse(sql(server.db, 'SELECT DISTINCT channel FROM contacts')).map((r) => r.channel);
    assert.ok(channels.length >= 1);
    // The simulated chat customers came in as outsiders do: a WebSocket to /chat/ws over loopback.
    const chats = JSON.parse(sql(server.db, "SELECT id FROM contacts WHERE channel = 'chat'")).map((r) => r.id);
    assert.ok(chats.length >= 1, 'at 120 a minute, some customers chose chat');
    // A chat that started just now is in the database before its log line has come through
    // the pipe: wait (boundedly) for the line of every chat found.
    const attached = () => server.stderr.split('\n').filter((l) => l.includes('"chat attached"')).map((l) => JSON.parse(l));
    const deadline = Date.now() + 5000;
    while (!chats.every((chat) => attached().some((l) => l.contact === chat)) && Date.now() < deadline) await sleep(20);
    for (const chat of chats) {
      const line = attached().find((l) => l.contact === chat);
      assert.ok(line, `no chat attached line for ${chat}`);
      assert.equal(line.how, 'started');
      assert.equal(line.address, '127.0.0.1');
    }
    await alice.close();
    // SIGTERM ends the simulation too: no customer's timer (a chat's keep-alive is 25 s off)
    // keeps the server from exiting.
    const { stopMs } = await server.stop();
    assert.ok(stopMs < 10000, `switchboardd took ${stopMs} ms to stop`);
  } finally { await server.stop(); }
});
