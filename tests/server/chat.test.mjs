// chat.test.mjs: the customer chat (docs/chat-protocol.md): the page at /chat, the WebSocket at
// /chat/ws, bad input answered with an error and nothing changed, idempotent messages, and
// resuming with the token after a dropped connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sql, sleep } from './harness.mjs';
import { ChatCustomer, get, waitEvent, offered, availableAgent } from './contacts_harness.mjs';

test('GET /chat serves an accessible page', async () => {
  const server = await startServer();
  try {
    const page = await get(server.url, '/chat');
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /^text\/html/);
    for (const id of ['name', 'email', 'text']) assert.match(page.text, new RegExp(`<label for="${id}">`));
    assert.match(page.text, /role="log" aria-live="polite"/);
    assert.match(page.text, /role="status"/);
    assert.match(page.text, /<button type="submit"[^>]*>Send<\/button>/);
    // Its script is a file beside it (the page's CSP allows no inline script).
    assert.match(page.text, /<script src="\/chat\/chat\.js">/);
    assert.match((await get(server.url, '/chat/chat.js')).text, /\/chat\/ws/);
    assert.equal((await get(server.url, '/chat/ws')).status, 426);
  } finally { await server.stop(); }
});

test('bad input on /chat/ws: a clear error, the connection stays, nothing stored', async () => {
  const server = await startServer();
  try {
    const c = await ChatCustomer.connect(server.url);
    const err = async (frame, code) => {
      const from = c.frames.length;
      c.send(frame);
      const f = await c.waitFor((x) => x.type === 'error', { from });
      assert.equal(f.code, code, JSON.stringify(f));
      assert.ok(f.message.length > 0);
      return f;
    };
    await err('not json', 'bad_json');
    await err('[1,2]', 'bad_json');
    await err(Buffer.from([0x7b, 0xff, 0x7d]), 'bad_json');
    await err('x'.repeat(70000), 'frame_too_large');
    await err({ type: 'message', text: 'hi', client_id: 'a' }, 'not_started');
    await err({ type: 'start' }, 'bad_message');
    await err({ type: 'start', name: '   ' }, 'bad_message');
    await err({ type: 'start', name: 'x'.repeat(101) }, 'bad_message');
    await err({ type: 'start', name: 'Eve', email: 'not-an-email' }, 'bad_message');
    await err({ type: 'resume', token: 'forged' }, 'invalid_token');
    await err({ type: 'fly' }, 'unknown_type');
    assert.equal(JSON.parse(sql(server.db, 'SELECT COUNT(*) AS n FROM contacts'))[0].n, 0);

    await c.start('Eve Example');
    await err({ type: 'start', name: 'Again' }, 'already_started');
    const e1 = await err({ type: 'message', text: '', client_id: 'e1' }, 'bad_message');
    assert.equal(e1.client_id, 'e1');
    await err({ type: 'message', text: ' \n ', client_id: 'e2' }, 'bad_message');
    await err({ type: 'message', text: 'y'.repeat(4001), client_id: 'e3' }, 'bad_message');
    await err({ type: 'message', client_id: 'e4' }, 'bad_message');
    await err({ type: 'typing', typing: 'yes' }, 'bad_message');
    await err({ type: 'received', message: 'm-nope' }, 'bad_message');
    assert.equal(JSON.parse(sql(server.db, 'SELECT COUNT(*) AS n FROM messages'))[0].n, 0);

    // Still usable; a repeated client_id is stored once and acked with the same message.
    const a1 = await c.say('Where is my order?', 'same');
    const a2 = await c.say('Where is my order?', 'same');
    assert.deepEqual(a2.message, a1.message);
    assert.equal(JSON.parse(sql(server.db, 'SELECT COUNT(*) AS n FROM messages'))[0].n, 1);
    await c.close();
  } finally { await server.stop(); }
});

test('resume with the token: the transcript, the state and the agent come back', async () => {
  const server = await startServer();
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const c = await ChatCustomer.connect(server.url);
    await c.start('Rita Resume', 'rita@example.com');
    await waitEvent(bob, offered(c.contact));
    await bob.ok('accept', { contact: c.contact });
    await c.say('First message');
    await bob.ok('send_message', { contact: c.contact, text: 'Hello Rita', client_id: 'b1' });
    await c.waitFor((f) => f.type === 'message' && f.message.text === 'Hello Rita');
    await c.close();
    // While the customer is away the agent writes again; a new connection sees it.
    await bob.ok('send_message', { contact: c.contact, text: 'Are you still there?', client_id: 'b2' });
    const d = await ChatCustomer.connect(server.url);
    const r = await d.call({ type: 'resume', token: c.token }, ['resumed', 'error']);
    assert.equal(r.type, 'resumed');
    assert.equal(r.contact, c.contact);
    assert.equal(r.state, 'active');
    assert.equal(r.agent, 'Bob Okafor');
    assert.deepEqual(r.messages.map((m) => m.text), ['First message', 'Hello Rita', 'Are you still there?']);
    const ack = await d.say('Yes, sorry!');
    assert.equal(ack.type, 'ack');
    await waitEvent(bob, (e) => e.event === 'contact.message' && e.data.message.text === 'Yes, sorry!');
    await d.close();
    await bob.close();
  } finally { await server.stop(); }
});

test("a chat's token expires --chat-token-ttl after the chat ended: its resume is refused token_expired", async () => {
  const server = await startServer({ args: ['--chat-token-ttl', '1.5'] });
  try {
    const c = await ChatCustomer.connect(server.url);
    await c.start('Tess Token');
    await c.say('Hello?');
    // While the chat lasts, however long, the token works.
    await sleep(1700);
    const live = await ChatCustomer.connect(server.url);
    assert.equal((await live.call({ type: 'resume', token: c.token }, ['resumed', 'error'])).type, 'resumed');
    await live.close();
    // It ends; for a while after, the transcript can still be read again.
    assert.equal((await c.call({ type: 'end' }, ['ended', 'error'])).type, 'ended');
    await c.close();
    const soon = await ChatCustomer.connect(server.url);
    const again = await soon.call({ type: 'resume', token: c.token }, ['resumed', 'error']);
    assert.equal(again.type, 'resumed', JSON.stringify(again));
    assert.equal(again.state, 'ended');
    assert.deepEqual(again.messages.map((m) => m.text), ['Hello?']);
    await soon.close();
    // Then no more: a clear code, not "unknown" (the page starts a new chat and says why).
    await sleep(1600);
    const late = await ChatCustomer.connect(server.url);
    const refused = await late.call({ type: 'resume', token: c.token }, ['resumed', 'error']);
    assert.equal(refused.type, 'error');
    assert.equal(refused.code, 'token_expired');
    assert.match(refused.message, /start a new chat/);
    // The connection is still good for a new chat.
    await late.start('Tess Token');
    await late.close();
  } finally { await server.stop(); }
});
