// protocol.test.mjs: the desk protocol's envelope: hello and version negotiation,
// hello_required, and every kind of bad frame answered with its code on a connection that
// keeps working (docs/protocol.md, "Transport", "Envelope", "Errors").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DeskClient } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

test('hello picks the highest common version and reports server time and max_frame', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  const before = Date.now();
  const result = await c.ok('hello', { versions: [4, 1, 3, 2], client: 'test' });
  assert.equal(result.version, 3);
  assert.equal(result.max_frame, 65536);
  assert.match(result.server, /^switchboardd/);
  assert.ok(Math.abs(result.now - before) < 5000, 'now is server time in ms since the epoch');
  await c.close();
});

test('hello with no common version is unsupported_version and the connection stays open', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  const error = await c.fails('hello', { versions: [4, 7], client: 'test' }, 'unsupported_version');
  assert.match(error.message, /1, 2, 3/, 'the message lists the versions the server speaks');
  // Still not past hello, still connected.
  await c.fails('ping', {}, 'hello_required');
  const result = await c.ok('hello', { versions: [1], client: 'test' });
  assert.equal(result.version, 1);  // version 1 is still spoken (docs/protocol.md, "Version negotiation")
  await c.close();
});

test('any request before hello gets hello_required', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  await c.fails('ping', {}, 'hello_required');
  await c.fails('login', { username: 'alice', password: 'switchboard' }, 'hello_required');
  await c.fails('set_state', { state: 'available' }, 'hello_required');
  await c.fails('get_reason_codes', {}, 'hello_required');
  await c.hello();
  const pong = await c.ok('ping');
  assert.equal(typeof pong.now, 'number');
  await c.close();
});

test('requests that need a login get not_logged_in', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  await c.hello();
  await c.fails('set_state', { state: 'available' }, 'not_logged_in');
  await c.fails('get_reason_codes', {}, 'not_logged_in');
  await c.fails('logout', {}, 'not_logged_in');
  await c.close();
});

const badFrames = [
  ['malformed JSON', '{"type": "ping", "id": ', 'bad_json', null],
  ['a JSON array', '[1, 2, 3]', 'bad_json', null],
  ['a JSON string', '"ping"', 'bad_json', null],
  ['missing id', JSON.stringify({ type: 'ping' }), 'bad_message', null],
  ['empty id', JSON.stringify({ type: 'ping', id: '' }), 'bad_message', null],
  ['id too long', JSON.stringify({ type: 'ping', id: 'x'.repeat(65) }), 'bad_message', null],
  ['unknown type', JSON.stringify({ type: 'dance', id: 'u1' }), 'unknown_type', 'u1'],
  ['missing type', JSON.stringify({ id: 'u2' }), 'bad_message', 'u2'],
  ['missing field', JSON.stringify({ type: 'login', id: 'm1', username: 'alice' }), 'bad_message', 'm1'],
  ['wrong-typed field', JSON.stringify({ type: 'set_state', id: 'w1', state: 5 }), 'bad_message', 'w1'],
  ['negative last_seq', JSON.stringify({ type: 'resume', id: 'w2', token: 'x', last_seq: -1 }), 'bad_message', 'w2'],
  ['extra field', JSON.stringify({ type: 'ping', id: 'e1', extra: true }), 'bad_message', 'e1'],
  ['oversize frame (70 KB)', JSON.stringify({ type: 'ping', id: 'big', pad: 'x'.repeat(70 * 1024) }), 'frame_too_large', null],
  ['binary frame', Buffer.from(JSON.stringify({ type: 'ping', id: 'b1' })), 'bad_json', null, { binary: true }],
  ['invalid UTF-8 in a text frame', Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 'bad_json', null],
  ['overlong UTF-8 encoding', Buffer.concat([Buffer.from('{"type":"ping","id":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), 'bad_json', null],
];

for (const [name, frame, code, id, options] of badFrames) {
  test(`${name} is answered with ${code} and the connection still answers ping`, async () => {
    const c = await DeskClient.connect(server.wsUrl);
    await c.hello();
    const reply = await c.raw(frame, options);
    assert.equal(reply.ok, false);
    assert.equal(reply.error.code, code, reply.error.message);
    assert.equal(reply.id, id);
    const pong = await c.ok('ping');
    assert.equal(typeof pong.now, 'number');
    await c.close();
  });
}

test('the bad_message reply names the field', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  await c.hello();
  const reply = await c.raw(JSON.stringify({ type: 'login', id: 'n1', username: 'alice', password: 1 }));
  assert.equal(reply.error.code, 'bad_message');
  assert.match(reply.error.message, /password/);
  await c.close();
});

test('bad frames before hello are answered too, and hello still works after them', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  assert.equal((await c.raw('nope')).error.code, 'bad_json');
  assert.equal((await c.raw(Buffer.from([1, 2, 3]), { binary: true })).error.code, 'bad_json');
  await c.hello();
  await c.ok('ping');
  await c.close();
});

test('a message above 1 MiB closes the connection with 1009', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  await c.hello();
  c.ws.send('x'.repeat(1024 * 1024 + 10));
  const { code } = await c.closed;
  assert.equal(code, 1009);
  // The server itself is fine.
  const d = await DeskClient.connect(server.wsUrl);
  await d.hello();
  await d.close();
});

test('every request on one connection gets exactly one reply, in order', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  await c.hello();
  const ids = [];
  for (let i = 0; i < 20; i++) {
    const id = `burst${i}`;
    ids.push(id);
    c.ws.send(i % 3 === 0 ? 'garbage' : JSON.stringify({ type: 'ping', id }));
  }
  await c.ok('ping'); // the last one: everything before it has been answered
  const replies = c.buffered.splice(0);
  assert.equal(replies.length, 20);
  replies.forEach((r, i) => assert.equal(r.id, i % 3 === 0 ? null : ids[i]));
  await c.close();
});
