// agents.test.mjs: the `agents` request (docs/protocol.md): the agents a transfer or a call may
// name, found by name instead of a list of everyone in the session (a floor of thousands).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DeskClient, sql } from './harness.mjs';
import { availableAgent } from './contacts_harness.mjs';

test('agents: found by name, the available first, at most limit; wildcards are text; disabled agents left out', async () => {
  const server = await startServer();
  try {
    const { c: bob } = await availableAgent(server, 'bob');
    const alice = await DeskClient.connect(server.wsUrl);
    await alice.login('alice');

    const all = await alice.ok('agents');
    assert.equal(all.more, false);
    const names = all.agents.map((a) => a.username);
    assert.deepEqual([...names].sort(), ['alice', 'bob', 'carol', 'erin', 'sam']);
    assert.equal(names[0], 'bob', 'the one available agent comes first');
    const rest = all.agents.slice(1);
    assert.ok(rest.every((a) => a.state !== 'available'));
    assert.deepEqual(rest.map((a) => a.display_name), [...rest.map((a) => a.display_name)].sort(), 'then by display name');
    assert.deepEqual(all.agents.find((a) => a.username === 'carol'),
      { username: 'carol', display_name: 'Carol Nguyen', state: 'offline' });

    // By username or display name, in any case, with spaces around it trimmed.
    assert.deepEqual((await alice.ok('agents', { query: 'CAR' })).agents.map((a) => a.username), ['carol']);
    assert.deepEqual((await alice.ok('agents', { query: ' okafor ' })).agents.map((a) => a.username), ['bob']);
    assert.deepEqual((await alice.ok('agents', { query: 'nobody-here' })).agents, []);
    // LIKE's wildcards are only text to find.
    assert.deepEqual((await alice.ok('agents', { query: '%' })).agents, []);
    assert.deepEqual((await alice.ok('agents', { query: '_' })).agents, []);

    // At most `limit`, and `more` says there are others.
    const two = await alice.ok('agents', { limit: 2 });
    assert.equal(two.agents.length, 2);
    assert.equal(two.more, true);
    assert.deepEqual(two.agents.map((a) => a.username), names.slice(0, 2));

    // A disabled account is nobody to transfer to.
    sql(server.db, "UPDATE agents SET disabled_at = 1 WHERE username = 'erin'");
    assert.ok(!(await alice.ok('agents')).agents.some((a) => a.username === 'erin'));

    // By usernames: the names a desk shows for a transcript or a customer's history, disabled
    // agents too, in the order asked; unknown ones left out.
    const named = await alice.ok('agents', { usernames: ['sam', 'nobody', 'erin', 'bob'] });
    assert.deepEqual(named.agents.map((a) => [a.username, a.display_name]),
      [['sam', 'Sam Patel'], ['erin', (all.agents.find((a) => a.username === 'erin')).display_name], ['bob', 'Bob Okafor']]);
    assert.equal(named.more, false);

    await bob.close();
    await alice.close();
  } finally { await server.stop(); }
});

test('agents: refused before sign-in, and a query or limit out of range is bad_message', async () => {
  const server = await startServer();
  try {
    const c = await DeskClient.connect(server.wsUrl);
    await c.fails('agents', {}, 'hello_required');
    await c.hello();
    await c.fails('agents', {}, 'not_logged_in');
    await c.fails('agents', { query: 'a' }, 'not_logged_in');
    await c.ok('login', { username: 'alice', password: 'switchboard' });
    await c.fails('agents', { query: 'x'.repeat(65) }, 'bad_message');
    assert.equal((await c.ok('agents', { query: 'é'.repeat(64) })).agents.length, 0, '64 characters, not bytes');
    await c.fails('agents', { limit: 0 }, 'bad_message');
    await c.fails('agents', { limit: 101 }, 'bad_message');
    await c.fails('agents', { query: 7 }, 'bad_message');
    await c.fails('agents', { limit: 'ten' }, 'bad_message');
    await c.fails('agents', { who: 'bob' }, 'bad_message');
    await c.fails('agents', { usernames: [] }, 'bad_message');
    await c.fails('agents', { usernames: Array.from({ length: 101 }, (_, i) => `a${i}`) }, 'bad_message');
    await c.fails('agents', { usernames: ['bob'], query: 'b' }, 'bad_message');
    await c.fails('agents', { usernames: ['bob'], limit: 5 }, 'bad_message');
    await c.fails('agents', { usernames: [7] }, 'bad_message');
    assert.equal((await c.ok('agents', { usernames: Array.from({ length: 100 }, () => 'bob') })).agents.length, 100);
    assert.equal((await c.ok('agents', { limit: 100 })).agents.length, 5);
    await c.close();
  } finally { await server.stop(); }
});

test('version 3: the session lists no agents; a version 2 desk still gets them all', async () => {
  const server = await startServer();
  try {
    const v3 = await DeskClient.connect(server.wsUrl);
    assert.equal((await v3.hello([3])).version, 3);
    const s3 = await v3.ok('login', { username: 'alice', password: 'switchboard' });
    assert.equal('agents' in s3, false, 'no list of every agent in a version 3 session');
    assert.ok(s3.queues.length > 0 && s3.canned_responses.length > 0, 'the rest of the session is there');
    const resumed = await DeskClient.connect(server.wsUrl);
    await resumed.hello([3]);
    const r3 = await resumed.ok('resume', { token: s3.token, last_seq: s3.seq });
    assert.equal('agents' in r3, false, 'nor in a resumed one');

    const v2 = await DeskClient.connect(server.wsUrl);
    assert.equal((await v2.hello([2])).version, 2);
    const s2 = await v2.ok('login', { username: 'bob', password: 'switchboard' });
    assert.deepEqual(s2.agents.map((a) => a.username), ['alice', 'bob', 'carol', 'erin', 'sam']);
    const both = await DeskClient.connect(server.wsUrl);
    assert.equal((await both.hello([2, 3])).version, 3, 'the highest in common');
    for (const c of [v3, resumed, v2, both]) await c.close();
  } finally { await server.stop(); }
});
