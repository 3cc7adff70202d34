// telephony.test.mjs: the endpoints Kamailio asks (docs/telephony.md, "Queue calls") and the
// voice side of the desk protocol (docs/protocol.md: voice contacts, dial, end by customer),
// against a real switchboardd playing Kamailio with plain HTTP requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, tempDir, DeskClient, sql, serverBinary } from './harness.mjs';
import { waitEvent, offered, ended, availableAgent, request } from './contacts_harness.mjs';

const secret = 'test-secret-0123456789abcdef';
let server;

// POST a form to /telephony/<what> with the secret (or `headers` instead).
async function tel(what, fields, { headers, raw, contentType = 'application/x-www-form-urlencoded', srv = server } = {}) {
  const body = raw ?? new URLSearchParams(fields).toString();
  const r = await request(srv.url, `/telephony/${what}`, { method: 'POST', body,
    headers: { 'content-type': contentType, ...(headers ?? { 'x-switchboard-telephony': secret }) } });
  return { status: r.status, text: r.text.trim() };
}

const route = (fields) => tel('route', { call_id: `call-${Math.random()}`, from_name: '', number: '7001', ...fields });
const stateEvent = (state, reason) => (e) => e.event === 'agent.state' && e.data.state === state && (!reason || e.data.reason === reason);

// Every agent of these tests logs in; only those named become available.
async function agents(...names) {
  const out = {};
  for (const name of names) out[name] = await availableAgent(server, name);
  return out;
}
async function closeAll(list) {
  for (const a of Object.values(list)) {
    if (a.c.ws.readyState === 1) {
      try { await a.c.ok('set_state', { state: 'offline' }); } catch { /* closed */ }
      await a.c.close();
    }
  }
}

before(async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'secret'), `${secret}\n`, { mode: 0o600 });
  server = await startServer({
    dir, args: ['--sip-domain', '127.0.0.1', '--telephony-secret-file', join(dir, 'secret'), '--offer-timeout', '5'],
  });
});
after(async () => {
  await server?.stop();
  assert.ok(!server.stderr.includes(secret), 'the secret is never logged');
});

test('the endpoints want the secret; without --telephony-secret-file they do not exist', async () => {
  assert.equal((await tel('route', { call_id: 'x', from: '1', number: '7001' }, { headers: {} })).status, 401);
  assert.equal((await tel('route', { call_id: 'x', from: '1', number: '7001' },
    { headers: { 'x-switchboard-telephony': 'wrong-secret-0123456789abcd' } })).status, 403);
  assert.equal((await tel('ended', { contact: 'c-x' }, { headers: { 'x-switchboard-telephony': '' } })).status, 403);
  const plain = await startServer();
  try {
    assert.equal((await tel('route', { call_id: 'x', from: '1', number: '7001' }, { srv: plain })).status, 404);
  } finally { await plain.stop(); }
});

test('a queue call is offered to an available agent with a phone: voice contact, customer card by number', async () => {
  const a = await agents('alice');
  try {
    const r = await route({ from: '5550100001', from_name: '"Marcus"' });
    assert.equal(r.status, 200, r.text);
    const [sipUser, contact] = r.text.split(' ');
    assert.equal(sipUser, a.alice.session.sip.username, 'the digest username of the current session');
    const e = await waitEvent(a.alice.c, offered(contact));
    assert.equal(e.data.channel, 'voice');
    assert.equal(e.data.state, 'offered');
    assert.deepEqual(e.data.call, { direction: 'inbound', number: '+15550100001', callback: false });
    assert.equal(e.data.customer.first_name, 'Marcus', 'the known customer (by caller number) pops');
    assert.ok(e.data.offer_expires_at > Date.now());
    // Accept, the caller hangs up (the phone saw the BYE), wrap up.
    const acc = await a.alice.c.ok('accept', { contact });
    assert.equal(acc.contact.state, 'active');
    const end = await a.alice.c.ok('end', { contact, by: 'customer' });
    assert.equal(end.contact.state, 'wrap_up');
    assert.equal(end.contact.ended_by, 'customer');
    const done = await a.alice.c.ok('wrap_up', { contact, disposition: 'resolved', notes: 'called about a bill', tags: [] });
    assert.equal(done.contact.state, 'closed');
    const row = JSON.parse(sql(server.db, `SELECT channel, call_direction, customer_address FROM contacts WHERE id = '${contact}'`));
    assert.deepEqual(row, [{ channel: 'voice', call_direction: 'inbound', customer_address: '+15550100001' }]);
    // A new caller becomes a new customer with that number.
    const r2 = await route({ from: '+44 20 7946 0958', from_name: 'Jane Doe' });
    assert.equal(r2.status, 200, r2.text);
    const e2 = await waitEvent(a.alice.c, offered(r2.text.split(' ')[1]));
    assert.equal(e2.data.customer.phone, '+442079460958');
    assert.equal(e2.data.customer.first_name, 'Jane');
    // The caller hangs up while it rings: abandoned.
    assert.equal((await tel('ended', { contact: e2.data.id, reason: 'caller_cancel' })).status, 200);
    await waitEvent(a.alice.c, ended(e2.data.id, 'abandoned'));
    assert.equal((await tel('ended', { contact: e2.data.id, reason: 'caller_cancel' })).status, 409);
    assert.equal((await tel('ended', { contact: 'c-nope', reason: 'caller_cancel' })).status, 404);
    const closed = JSON.parse(sql(server.db, `SELECT state, ended_by FROM contacts WHERE id = '${e2.data.id}'`));
    assert.deepEqual(closed, [{ state: 'closed', ended_by: 'customer' }]);
  } finally { await closeAll(a); }
});

test('no answer (408): the agent missed it (not_ready "missed") and the next agent rings', async () => {
  const a = await agents('alice', 'bob');
  try {
    const r = await route({ from: '5550100002' });
    assert.equal(r.status, 200, r.text);
    const [first, contact] = r.text.split(' ');
    const who = first === a.alice.session.sip.username ? 'alice' : 'bob';
    const other = who === 'alice' ? 'bob' : 'alice';
    await waitEvent(a[who].c, offered(contact));
    const again = await route({ from: '5550100002', previous: contact, status: '408' });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.text.split(' '), [a[other].session.sip.username, contact]);
    await waitEvent(a[who].c, ended(contact, 'missed'));
    await waitEvent(a[who].c, stateEvent('not_ready', 'missed'));
    const e = await waitEvent(a[other].c, offered(contact));
    assert.equal(e.data.channel, 'voice');
    // The second one rejects on the desk: recorded, not offered to anyone by the queue; then
    // Kamailio's failure route asks (486) and nobody is left: busy, a callback.
    await a[other].c.ok('reject', { contact });
    await waitEvent(a[other].c, ended(contact, 'rejected'));
    const busy = await route({ from: '5550100002', previous: contact, status: '486' });
    assert.equal(busy.status, 486);
    assert.equal(busy.text, `busy ${contact}`);
    // A callback is routed like a chat: offered to the available agent (who declined the call,
    // but is the only one), with callback true.
    const cb = await waitEvent(a[other].c, (ev) => ev.event === 'contact.offered' && ev.data.id === contact && ev.data.call.callback);
    assert.equal(cb.data.state, 'offered');
    // Asked again about a callback: not a ringing call any more.
    assert.equal((await route({ from: '5550100002', previous: contact, status: '408' })).status, 409);
    await a[other].c.ok('accept', { contact });
    await a[other].c.ok('end', { contact });
    await a[other].c.ok('wrap_up', { contact, disposition: 'resolved', notes: '', tags: [] });
  } finally { await closeAll(a); }
});

test('nobody available: 486 busy, and the callback is offered to the next agent who becomes available; dial calls back', async () => {
  const bob = await DeskClient.connect(server.wsUrl);
  const bobSession = await bob.login('bob');
  const alice = await DeskClient.connect(server.wsUrl);
  const aliceSession = await alice.login('alice');
  try {
    const r = await route({ from: '5550100003', number: '7001' });
    assert.equal(r.status, 486, r.text);
    const contact = r.text.split(' ')[1];
    assert.match(r.text, /^busy c-/);
    const row = JSON.parse(sql(server.db, `SELECT state, callback, channel FROM contacts WHERE id = '${contact}'`));
    assert.deepEqual(row, [{ state: 'queued', callback: 1, channel: 'voice' }]);
    await bob.ok('set_state', { state: 'available' });
    const e = await waitEvent(bob, offered(contact));
    assert.deepEqual(e.data.call, { direction: 'inbound', number: '+15550100003', callback: true });
    // Before it is accepted it cannot be dialled, nor go out.
    await bob.fails('dial', { contact }, 'wrong_state');
    await bob.ok('accept', { contact });
    const dial = await bob.ok('dial', { contact });
    assert.equal(dial.dial, '+15550100003');
    assert.equal(dial.contact.call.direction, 'outbound');
    assert.equal(dial.contact.call.callback, true);
    await alice.ok('set_state', { state: 'not_ready', reason: 'break' });
    await alice.fails('dial', { contact }, 'not_your_contact');
    // Kamailio checks the agent's INVITE: only bob's SIP user, only this contact.
    const ok = await tel('outbound', { contact, sip_user: bobSession.sip.username });
    assert.deepEqual([ok.status, ok.text], [200, '7001 +15550100003']);
    assert.equal((await tel('outbound', { contact, sip_user: aliceSession.sip.username })).status, 403);
    assert.equal((await tel('outbound', { contact: 'c-nope', sip_user: bobSession.sip.username })).status, 403);
    assert.equal((await tel('outbound', { contact, sip_user: 'nobody.000000000000' })).status, 403);
    // While bob is on a voice contact, no new call is offered to him.
    const busyAgain = await route({ from: '5550100004' });
    assert.equal(busyAgain.status, 486, 'voice capacity 1: bob is on a call');
    await bob.ok('end', { contact });
    await bob.ok('wrap_up', { contact, disposition: 'resolved', notes: '', tags: [] });
  } finally {
    await bob.ok('set_state', { state: 'offline' });
    await bob.close(); await alice.close();
  }
});

test('dial a number: an outbound voice contact, active at once; bad numbers and offline agents refused', async () => {
  const c = await DeskClient.connect(server.wsUrl);
  const session = await c.login('carol');
  try {
    await c.fails('dial', { number: '555 010 0009' }, 'wrong_state');  // offline
    await c.ok('set_state', { state: 'not_ready', reason: 'break' });
    const d = await c.ok('dial', { number: '(555) 010-0009' });
    assert.equal(d.dial, '+15550100009');
    assert.equal(d.contact.state, 'active');
    assert.equal(d.contact.queue, 'sales', "carol's first queue");
    assert.ok(d.contact.accepted_at);
    assert.deepEqual(d.contact.call, { direction: 'outbound', number: '+15550100009', callback: false });
    const out = await tel('outbound', { contact: d.contact.id, sip_user: session.sip.username });
    assert.deepEqual([out.status, out.text], [200, '7002 +15550100009']);
    const bad = await c.fails('dial', { number: 'call me maybe' }, 'bad_message');
    assert.match(bad.message, /number/);
    await c.fails('dial', { number: '5550100009', contact: d.contact.id }, 'bad_message');
    await c.fails('dial', {}, 'bad_message');
    await c.fails('dial', { number: '5550100009', queue: 'nope' }, 'unknown_queue');
    await c.fails('dial', { contact: 'c-nope' }, 'unknown_contact');
    await c.fails('dial', { contact: d.contact.id }, 'wrong_state');  // not a callback
    await c.fails('end', { contact: d.contact.id, by: 'robot' }, 'bad_message');
    const end = await c.ok('end', { contact: d.contact.id });
    assert.equal(end.contact.ended_by, 'agent');
    await c.ok('wrap_up', { contact: d.contact.id, disposition: 'no_action', notes: '', tags: [] });
    assert.equal((await tel('outbound', { contact: d.contact.id, sip_user: session.sip.username })).status, 403);
  } finally {
    await c.ok('set_state', { state: 'offline' });
    await c.close();
  }
});

test('bad requests get a clear 4xx and the server carries on', async () => {
  const cases = [
    [await tel('route', { from: '1', number: '7001' }), 400],
    [await tel('route', { call_id: 'x', from: '1', number: '9999' }), 404],
    [await tel('route', { call_id: 'x', from: '1', number: '7001', previous: 'c-nope', status: '408' }), 404],
    [await tel('route', { call_id: 'x', from: '1', number: '7001', previous: 'c-nope' }), 400],
    [await tel('route', { call_id: 'x', from: '1', number: '7001', previous: 'c-nope', status: 'abc' }), 400],
    [await tel('route', null, { raw: 'call_id=x&from=%FF%FE&number=7001' }), 400],
    [await tel('route', null, { raw: 'call_id=%zz' }), 400],
    [await tel('route', { call_id: 'x', from: '1', number: '7001' }, { contentType: 'application/json' }), 415],
    [await tel('route', null, { raw: `call_id=${'x'.repeat(5000)}&from=1&number=7001` }), 413],
    [await tel('ended', {}), 400],
    [await tel('ended', { contact: 'c-x', reason: 'other' }), 400],
    [await tel('outbound', { contact: 'c-x' }), 400],
    [await tel('nothing', {}), 404],
  ];
  for (const [i, [res, want]] of cases.entries()) {
    assert.equal(res.status, want, `case ${i}: ${res.text}`);
    assert.ok(res.text.length > 0, `case ${i} says why`);
  }
  // Above the listener's 64 KiB: 413, though the client may see the connection reset first.
  const big = await tel('route', null, { raw: 'x='.padEnd(70 * 1024, 'y') }).catch((e) => ({ status: e.code }));
  assert.ok([413, 'ECONNRESET', 'EPIPE'].includes(big.status), String(big.status));
  const c = await DeskClient.connect(server.wsUrl);
  await c.hello();
  await c.ok('ping');
  await c.close();
});

test('a ringing call Kamailio never asks about again is given up after the offer timeout + 15 s', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'secret'), secret, { mode: 0o600 });
  const srv = await startServer({
    dir, args: ['--sip-domain', '127.0.0.1', '--telephony-secret-file', join(dir, 'secret'), '--offer-timeout', '1'],
  });
  try {
    const c = await DeskClient.connect(srv.wsUrl);
    await c.login('bob');
    await c.ok('set_state', { state: 'available' });
    const r = await tel('route', { call_id: 'x', from: '5550100007', number: '7001' }, { srv });
    assert.equal(r.status, 200, r.text);
    const contact = r.text.split(' ')[1];
    await waitEvent(c, offered(contact));
    // Past the offer timeout it still rings (Kamailio decides), and bob is not marked missed.
    await new Promise((res) => setTimeout(res, 3000));
    assert.ok(!c.events.some((e) => e.event === 'contact.ended' && e.data.contact === contact));
    await waitEvent(c, ended(contact, 'revoked'), { timeoutMs: 16000 });
    assert.ok(!c.events.some(stateEvent('not_ready', 'missed')));
    const row = JSON.parse(sql(srv.db, `SELECT state, ended_by FROM contacts WHERE id = '${contact}'`));
    assert.deepEqual(row, [{ state: 'closed', ended_by: 'system' }]);
    await c.close();
  } finally { await srv.stop(); }
});

// ---- transfers of voice contacts (docs/telephony.md, "Transfers") ----------------------------
// Each on a server of its own: what earlier tests leave (callbacks, busy agents) stays out.
async function transferServer(t, extra = []) {
  const dir = tempDir();
  writeFileSync(join(dir, 'secret'), secret, { mode: 0o600 });
  const srv = await startServer({
    dir, args: ['--sip-domain', '127.0.0.1', '--telephony-secret-file', join(dir, 'secret'), '--offer-timeout', '5', ...extra],
  });
  const opened = [];
  t.after(async () => {
    for (const a of opened) if (a.c.ws.readyState === 1) await a.c.close();
    await srv.stop();
  });
  return {
    srv,
    route: (fields) => tel('route', { call_id: `call-${Math.random()}`, from_name: '', number: '7001', ...fields }, { srv }),
    ended: (contact) => tel('ended', { contact, reason: 'caller_cancel' }, { srv }),
    async agent(name) { const a = await availableAgent(srv, name); opened.push(a); return a; },
  };
}

// `a` takes a queue call from `from`; resolves with the contact's id.
async function answeredCall(x, a, from) {
  const r = await x.route({ from });
  assert.equal(r.status, 200, r.text);
  const [user, contact] = r.text.split(' ');
  assert.equal(user, a.session.sip.username);
  await waitEvent(a.c, offered(contact));
  await a.c.ok('accept', { contact });
  return contact;
}

test('a voice contact transferred to an agent: pending until the caller calls again, then the same contact rings the target', async (t) => {
  const x = await transferServer(t);
  const alice = await x.agent('alice');
  const contact = await answeredCall(x, alice, '5550100021');
  const bob = await x.agent('bob');
  assert.deepEqual(await alice.c.ok('transfer', { contact, agent: 'bob', note: 'wants a refund' }), {});
  // Nothing moves before the caller arrives: still Alice's, active.
  assert.deepEqual(JSON.parse(sql(x.srv.db, `SELECT state, agent FROM contacts WHERE id = '${contact}'`)),
    [{ state: 'active', agent: 'alice' }]);
  assert.ok(!alice.c.events.some((e) => e.event === 'contact.ended' && e.data.contact === contact));
  // The caller's new INVITE to the queue's number names the contact (Kamailio passes transfer=).
  const r = await x.route({ from: '5550100021', transfer: contact });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.text.split(' '), [bob.session.sip.username, contact], 'the target, the same contact');
  const e = await waitEvent(bob.c, offered(contact));
  assert.equal(e.data.channel, 'voice');
  assert.equal(e.data.customer.phone, '+15550100021', 'the same customer card');
  assert.deepEqual(e.data.transfer, { from: 'alice', note: 'wants a refund' });
  assert.equal(e.data.call.direction, 'inbound');
  await waitEvent(alice.c, ended(contact, 'transferred'));
  // Bob answers and works it to the end; Alice can no longer end it.
  assert.equal((await bob.c.ok('accept', { contact })).contact.state, 'active');
  await alice.c.fails('end', { contact }, 'not_your_contact');
  assert.equal((await bob.c.ok('end', { contact, by: 'customer' })).contact.state, 'wrap_up');
  await bob.c.ok('wrap_up', { contact, disposition: 'resolved', notes: '', tags: [] });
  // The pending transfer was used up: the same caller with the same parameter is a new call.
  const again = await x.route({ from: '5550100021', transfer: contact });
  assert.equal(again.status, 200, again.text);
  assert.notEqual(again.text.split(' ')[1], contact);
  assert.equal((await x.ended(again.text.split(' ')[1])).status, 200);
});

test('a voice contact transferred to a queue; a phone that drops the parameter is matched by its number', async (t) => {
  const x = await transferServer(t);
  const alice = await x.agent('alice');
  const contact = await answeredCall(x, alice, '5550100022');
  const carol = await x.agent('carol');  // sales
  assert.deepEqual(await alice.c.ok('transfer', { contact, queue: 'sales', note: '' }), {});
  // Another caller to the sales number is not this transfer: a new contact.
  const other = await x.route({ from: '5550100099', number: '7002' });
  assert.equal(other.status, 200, other.text);
  assert.notEqual(other.text.split(' ')[1], contact);
  assert.equal((await x.ended(other.text.split(' ')[1])).status, 200);
  // The same caller to the support number (not the transfer's queue) is not it either.
  assert.equal((await x.route({ from: '5550100022' })).status, 486);  // (nobody free for support: busy)
  const r = await x.route({ from: '+1 555 010 0022', number: '7002' });  // no transfer=, same caller, sales
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.text.split(' '), [carol.session.sip.username, contact]);
  const e = await waitEvent(carol.c, offered(contact));
  assert.equal(e.data.queue, 'sales');
  assert.deepEqual(e.data.transfer, { from: 'alice', note: '' });
  await waitEvent(alice.c, ended(contact, 'transferred'));
  // Carol does not answer (408) and nobody else in sales can take it but Alice, who transferred
  // it away: busy, a callback.
  const busy = await x.route({ from: '5550100022', number: '7002', previous: contact, status: '408' });
  assert.equal(busy.status, 486, busy.text);
  assert.equal(busy.text, `busy ${contact}`);
});

test('voice transfers: unknown or foreign contacts, bad targets and bad route fields are refused', async (t) => {
  const x = await transferServer(t);
  const alice = await x.agent('alice');
  const r = await x.route({ from: '5550100023' });
  const contact = r.text.split(' ')[1];
  await waitEvent(alice.c, offered(contact));
  await alice.c.fails('transfer', { contact, agent: 'bob', note: '' }, 'wrong_state');  // offered, not accepted
  await alice.c.ok('accept', { contact });
  const bob = await x.agent('bob');
  await bob.c.fails('transfer', { contact, agent: 'carol', note: '' }, 'not_your_contact');
  await alice.c.fails('transfer', { contact: 'c-nope', agent: 'bob', note: '' }, 'unknown_contact');
  await alice.c.fails('transfer', { contact, agent: 'alice', note: '' }, 'bad_message');
  await alice.c.fails('transfer', { contact, agent: 'nobody', note: '' }, 'unknown_agent');
  await alice.c.fails('transfer', { contact, queue: 'nowhere', note: '' }, 'unknown_queue');
  await alice.c.fails('transfer', { contact, queue: 'sales', agent: 'bob', note: '' }, 'bad_message');
  await alice.c.fails('transfer', { contact, agent: 'bob', note: 'x'.repeat(2001) }, 'bad_message');
  assert.equal((await x.route({ from: '1', previous: contact, status: '408', transfer: contact })).status, 400);
  // A refused transfer leaves nothing pending: the caller's new call is a new contact (to Bob).
  const fresh = await x.route({ from: '5550100023', transfer: contact });
  assert.equal(fresh.status, 200, fresh.text);
  assert.deepEqual(fresh.text.split(' ')[0], bob.session.sip.username);
  assert.notEqual(fresh.text.split(' ')[1], contact);
  assert.deepEqual(JSON.parse(sql(x.srv.db, `SELECT state, agent FROM contacts WHERE id = '${contact}'`)),
    [{ state: 'active', agent: 'alice' }]);
  assert.ok(!alice.c.events.some((e) => e.event === 'contact.ended' && e.data.contact === contact));
});

test('a pending voice transfer expires after --transfer-wait: the caller\'s call is then a new contact', async (t) => {
  const x = await transferServer(t, ['--transfer-wait', '1']);
  const alice = await x.agent('alice');
  const contact = await answeredCall(x, alice, '5550100024');
  const bob = await x.agent('bob');
  await alice.c.ok('transfer', { contact, agent: 'bob', note: '' });
  await new Promise((res) => setTimeout(res, 1300));
  const late = await x.route({ from: '5550100024', transfer: contact });
  assert.equal(late.status, 200, late.text);
  assert.deepEqual(late.text.split(' ')[0], bob.session.sip.username);
  assert.notEqual(late.text.split(' ')[1], contact, 'too late: a new contact');
  assert.deepEqual(JSON.parse(sql(x.srv.db, `SELECT state, agent FROM contacts WHERE id = '${contact}'`)),
    [{ state: 'active', agent: 'alice' }]);
  assert.ok(!alice.c.events.some((e) => e.event === 'contact.ended' && e.data.contact === contact));
});

test('Kamailio on another machine: --telephony-peer lets its address ask, with the secret; other addresses are refused', async () => {
  // The peer's address is played through X-Forwarded-For from a trusted proxy on loopback (what
  // the server believes is the client's address), so no other network is needed.
  const dir = tempDir();
  writeFileSync(join(dir, 'secret'), `${secret}\n`, { mode: 0o600 });
  const srv = await startServer({ dir, args: ['--sip-domain', '127.0.0.1', '--telephony-secret-file', join(dir, 'secret'),
    '--trusted-proxy', '127.0.0.1', '--telephony-peer', '10.1.2.0/24', '--telephony-peer', 'fd00::5'] });
  try {
    const from = (address, headers = { 'x-switchboard-telephony': secret }) =>
      tel('route', { call_id: `call-${Math.random()}`, from: '5550100001', from_name: '', number: '7001' },
        { srv, headers: { ...headers, 'x-forwarded-for': address } });
    // Nobody is available: the call is refused busy, which only an allowed peer gets to hear.
    const allowed = await from('10.1.2.3');
    assert.equal(allowed.status, 486, allowed.text);
    assert.equal((await from('fd00::5')).status, 486);
    const stranger = await from('10.9.9.9');
    assert.equal(stranger.status, 403);
    assert.match(stranger.text, /loopback or --telephony-peer only/);
    assert.equal((await from('fd00::6')).status, 403);
    // An allowed peer still needs the secret.
    assert.equal((await from('10.1.2.3', {})).status, 401);
    assert.equal((await from('10.1.2.3', { 'x-switchboard-telephony': 'wrong-secret-0123456789abcd' })).status, 403);
    assert.ok(srv.stderr.includes('"peer":"10.9.9.9"'), 'the refused peer is logged');
  } finally { await srv.stop(); }

  // A peer that is not an address, or a peer without the secret file, stops the server at start.
  for (const args of [['--telephony-secret-file', join(dir, 'secret'), '--telephony-peer', 'kamailio.example'],
                      ['--telephony-peer', '10.1.2.3']]) {
    const r = spawnSync(serverBinary, ['--listen', '127.0.0.1:0', '--db', join(tempDir(), 'x.db'), ...args],
      { encoding: 'utf8', timeout: 10000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr + r.stdout, /--telephony-peer/);
  }
});

test('the same question about one call asked twice (Kamailio passed over a slow node) gets the same answer: one contact, one offer', async () => {
  const a = await agents('alice', 'bob');
  try {
    const call_id = `call-twice-${Math.random()}`;
    const ask = () => tel('route', { call_id, from: '5550100007', from_name: 'Twice', number: '7001' });
    const contactsBefore = JSON.parse(sql(server.db, "SELECT COUNT(*) AS n FROM contacts WHERE channel = 'voice'"))[0].n;
    const first = await ask();
    assert.equal(first.status, 200, first.text);
    const again = await ask();
    assert.equal(again.status, 200, again.text);
    assert.equal(again.text, first.text, 'the same agent and contact');
    const contact = first.text.split(' ')[1];
    assert.equal(JSON.parse(sql(server.db, "SELECT COUNT(*) AS n FROM contacts WHERE channel = 'voice'"))[0].n, contactsBefore + 1);
    const owner = first.text.split(' ')[0] === a.alice.session.sip.username ? a.alice.c : a.bob.c;
    await waitEvent(owner, offered(contact));
    const offers = [a.alice.c, a.bob.c].flatMap((c) => c.events.filter(offered(contact)));
    assert.equal(offers.length, 1, 'offered once');
    // Answered, the same question again is refused: the call is not made a second time.
    await owner.ok('accept', { contact });
    const late = await ask();
    assert.equal(late.status, 409, late.text);
    assert.match(late.text, /already active/);
    await owner.ok('end', { contact, by: 'customer' });
  } finally { await closeAll(a); }
});
