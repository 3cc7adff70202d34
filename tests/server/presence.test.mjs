// presence.test.mjs: set_state, agent.state events (seq, fan-out to every connection of the
// agent, event before reply), persistence across a restart, and resume delivering exactly the
// events a dropped connection missed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DeskClient, sleep, tempDir } from './harness.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

test('set_state: available, not_ready with reason, reason change, and their errors', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  const s = await c.login('alice');
  let seq = s.seq;

  const t0 = Date.now();
  const { agent } = await c.ok('set_state', { state: 'available' });
  assert.equal(agent.state, 'available');
  assert.equal(agent.reason, null);
  assert.ok(agent.state_since >= t0 - 1000);
  assert.equal(c.events.length, 1);
  assert.equal(c.events[0].seq, ++seq);
  assert.deepEqual(c.events[0].data, agent);

  const nr = await c.ok('set_state', { state: 'not_ready', reason: 'break' });
  assert.deepEqual([nr.agent.state, nr.agent.reason], ['not_ready', 'break']);
  const lunch = await c.ok('set_state', { state: 'not_ready', reason: 'lunch' });
  assert.equal(lunch.agent.reason, 'lunch');
  assert.deepEqual(c.events.map((e) => e.seq), [seq, seq + 1, seq + 2]);
  assert.deepEqual(c.events.map((e) => e.data.reason), [null, 'break', 'lunch']);

  // Same state and reason again: ok, no event.
  const same = await c.ok('set_state', { state: 'not_ready', reason: 'lunch' });
  assert.deepEqual(same.agent, lunch.agent);
  await sleep(100);
  assert.equal(c.events.length, 3);

  const errorCases = [
    [{ state: 'not_ready', reason: 'nap' }, 'invalid_reason'],
    [{ state: 'not_ready' }, 'invalid_reason'],
    [{ state: 'available', reason: 'break' }, 'invalid_reason'],
    [{ state: 'offline', reason: 'lunch' }, 'invalid_reason'],
    [{ state: 'on_fire' }, 'invalid_state'],
    [{ state: 'Available' }, 'invalid_state'],
    [{ state: 'sleeping', reason: 'break' }, 'invalid_state'],
  ];
  for (const [fields, code] of errorCases) await c.fails('set_state', fields, code);
  assert.equal(c.events.length, 3, 'a refused change sends no event');
  const { agent: still } = await c.ok('set_state', { state: 'not_ready', reason: 'lunch' });
  assert.deepEqual(still, lunch.agent, 'a refused change changes nothing');

  const off = await c.ok('set_state', { state: 'offline' });
  assert.equal(off.agent.state, 'offline');
  assert.equal(c.events.at(-1).seq, seq + 3);
  await c.close();
});

test('events go to every connection of the agent, before the reply, with increasing seq', async () => {
  const a = await DeskClient.connect(server.wsUrl);
  const b = await DeskClient.connect(server.wsUrl);
  const other = await DeskClient.connect(server.wsUrl);
  const s = await a.login('bob');
  await b.login('bob');
  await other.login('carol');

  await a.ok('set_state', { state: 'available' });
  await b.ok('set_state', { state: 'not_ready', reason: 'training' });
  await a.ok('set_state', { state: 'not_ready', reason: 'meeting' });
  await a.waitForEvents(3);
  await b.waitForEvents(3);
  const expected = [s.seq + 1, s.seq + 2, s.seq + 3];
  assert.deepEqual(a.events.map((e) => e.seq), expected);
  assert.deepEqual(b.events.map((e) => e.seq), expected);
  assert.deepEqual(a.events, b.events);
  assert.deepEqual(a.events.map((e) => e.data.reason), [null, 'training', 'meeting']);

  // On the connection that asked, the event precedes the reply.
  const frames = a.frames.filter((f) => f.type === 'event' || (f.type === 'reply' && f.result?.agent && !f.result.token));
  assert.deepEqual(frames.map((f) => f.type), ['event', 'reply', 'event', 'event', 'reply']);

  await sleep(100);
  assert.equal(other.events.length, 0, "another agent's connection gets none of bob's events");
  await Promise.all([a.close(), b.close(), other.close()]);
});

test('resume after a dropped connection delivers exactly the missed events, in order', async () => {
  const a = await DeskClient.connect(server.wsUrl);
  const s = await a.login('alice');
  await a.ok('set_state', { state: 'available' });
  const lastSeen = a.events.at(-1).seq;
  a.ws.terminate(); // dropped, no close handshake
  await a.closed;

  const b = await DeskClient.connect(server.wsUrl);
  await b.login('alice');
  await b.ok('set_state', { state: 'not_ready', reason: 'coaching' });
  await b.ok('set_state', { state: 'not_ready', reason: 'admin' });
  await b.ok('set_state', { state: 'available' });
  const latest = b.events.at(-1).seq;
  assert.equal(latest, lastSeen + 3);

  const c = await DeskClient.connect(server.wsUrl);
  await c.hello();
  const resumed = await c.ok('resume', { token: s.token, last_seq: lastSeen });
  assert.equal(resumed.token, s.token);
  assert.equal(resumed.expires_at, s.expires_at);
  assert.equal(resumed.seq, latest);
  assert.equal(resumed.agent.state, 'available');
  await c.waitForEvents(3);
  await sleep(200);
  assert.deepEqual(c.events.map((e) => e.seq), [lastSeen + 1, lastSeen + 2, lastSeen + 3], 'no gaps, no duplicates');
  assert.deepEqual(c.events.map((e) => e.data.reason), ['coaching', 'admin', null]);
  // The reply comes first, then the events.
  const resumeIndex = c.frames.findIndex((f) => f.type === 'reply' && f.result?.token);
  assert.ok(c.frames.slice(resumeIndex + 1).every((f) => f.type === 'event'));
  assert.equal(c.frames.slice(resumeIndex + 1).length, 3);

  // The resumed connection is logged in: it gets new events live and can change state.
  await b.ok('set_state', { state: 'not_ready', reason: 'break' });
  await c.waitForEvents(4);
  assert.equal(c.events[3].seq, latest + 1);
  await c.ok('set_state', { state: 'available' });
  await b.waitForEvents(5);
  assert.equal(b.events.at(-1).seq, latest + 2);

  // Resuming from the latest seq sends nothing more.
  const d = await DeskClient.connect(server.wsUrl);
  await d.hello();
  const up = await d.ok('resume', { token: s.token, last_seq: latest + 2 });
  assert.equal(up.seq, latest + 2);
  await sleep(200);
  assert.equal(d.events.length, 0);
  await Promise.all([b.close(), c.close(), d.close()]);
});

test('presence and seq persist across a server restart', async () => {
  const dir = tempDir();
  const first = await startServer({ dir });
  let token, seq;
  try {
    const c = await DeskClient.connect(first.wsUrl);
    const s = await c.login('carol');
    token = s.token;
    await c.ok('set_state', { state: 'available' });
    await c.ok('set_state', { state: 'not_ready', reason: 'training' });
    seq = c.events.at(-1).seq;
    await c.close();
  } finally {
    await first.stop();
  }
  const second = await startServer({ dir });
  try {
    const c = await DeskClient.connect(second.wsUrl);
    const s = await c.login('carol');
    assert.equal(s.agent.state, 'not_ready');
    assert.equal(s.agent.reason, 'training');
    assert.equal(s.seq, seq);
    await c.ok('set_state', { state: 'available' });
    assert.equal(c.events.at(-1).seq, seq + 1);

    // The token from before the restart still resumes, with the events since.
    const d = await DeskClient.connect(second.wsUrl);
    await d.hello();
    const r = await d.ok('resume', { token, last_seq: seq - 1 });
    assert.equal(r.seq, seq + 1);
    await d.waitForEvents(2);
    assert.deepEqual(d.events.map((e) => e.seq), [seq, seq + 1]);
    await Promise.all([c.close(), d.close()]);
    assert.ok(!/seeded/.test(second.stderr), 'an existing database is not seeded again');
  } finally {
    await second.stop();
  }
});

test('the event log keeps the last 1000 events per agent', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  const s = await c.login('carol');
  // Alternate between two states: 1010 changes.
  const n = 1010;
  for (let i = 0; i < n; i++) {
    c.ws.send(JSON.stringify({ type: 'set_state', id: `bulk${i}`, state: i % 2 ? 'available' : 'not_ready', ...(i % 2 ? {} : { reason: 'break' }) }));
  }
  await c.ok('ping');
  await c.waitForEvents(n, 20000);
  const latest = c.events.at(-1).seq;
  assert.equal(latest, s.seq + n);
  const d = await DeskClient.connect(server.wsUrl);
  await d.hello();
  await d.ok('resume', { token: s.token, last_seq: 0 });
  await d.waitForEvents(1000, 10000);
  await sleep(200);
  assert.equal(d.events.length, 1000);
  assert.equal(d.events[0].seq, latest - 999);
  assert.equal(d.events.at(-1).seq, latest);
  await Promise.all([c.close(), d.close()]);
});
