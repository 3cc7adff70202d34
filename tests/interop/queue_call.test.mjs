// queue_call.test.mjs: calls to a queue number, routed by switchboardd (docs/telephony.md,
// "Queue calls"). Kamailio asks switchboardd's /telephony/route which agent takes the call; the
// agent's desk gets the voice contact (contact.offered) and the agent's phone (SIPp, registered
// with that desk session's credentials) the INVITE, with X-Switchboard-Contact naming the
// contact, media through rtpengine. Nobody available: the caller hears 486 and a callback
// contact waits for the next agent. An agent whose phone rejects: the next agent's phone rings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, agentSession, sipp, phoneOf, sipMessages, captureRtp, waitFor, udpListening, ports,
} from './harness.mjs';
import { sql } from '../server/harness.mjs';

const alicePort = 5081, bobPort = 5082, callerPort = 5090;
const aliceMedia = 16100, bobMedia = 17100, callerMedia = 18100;
let stack, alice, bob;

const offeredOn = (client, pred = () => true) => waitFor('a voice contact offered on the desk', () =>
  client.events.find((e) => e.event === 'contact.offered' && e.data.channel === 'voice' && pred(e.data))?.data, 15000);

async function register(who, port) {
  const r = await sipp(stack, 'register.xml', { as: phoneOf(who.name, who.sip), keys: { expires: 300 }, port }).done;
  assert.equal(r.code, 0, `registration of ${who.name} failed:\n${r.errors}\n${r.output}`);
}

// The INVITE a phone received (from its SIPp trace).
const inviteOf = (result) => sipMessages(result.messages).find((m) => m.direction === 'received' && m.startLine.startsWith('INVITE '));

before(async () => {
  stack = await startStack({ offerTimeout: 8 });
  alice = { name: 'alice', ...(await agentSession(stack, 'alice')) };
  bob = { name: 'bob', ...(await agentSession(stack, 'bob')) };
  await register(alice, alicePort);
  await register(bob, bobPort);
});
after(async () => {
  await alice?.client.close();
  await bob?.client.close();
  await stack?.stop();
  if (stack) assert.ok(!stack.server.stderr.includes(stack.secret), 'switchboardd never logs the telephony secret');
});

test('a call to 7001 rings the available agent chosen by switchboardd, with the contact id; media through rtpengine', async () => {
  await alice.client.ok('set_state', { state: 'available' });
  const rtp = await captureRtp();
  const phone = sipp(stack, 'queue_agent_answer.xml', { server: true, port: alicePort, mediaPort: aliceMedia, extra: ['-rtp_echo'] });
  await waitFor('the agent phone to listen', () => udpListening(alicePort));
  // The desk accepts the offer as its phone answers (what the desk's SIP user agent does).
  const accepted = offeredOn(alice.client).then((c) => alice.client.ok('accept', { contact: c.id }).then(() => c));
  const caller = sipp(stack, 'queue_caller.xml', {
    keys: { queue: '7001', caller: '+15551234567' }, port: callerPort, mediaPort: callerMedia,
  });
  const [c, p] = await Promise.all([caller.done, phone.done]);
  const flows = await rtp.stop();
  assert.equal(c.code, 0, `caller:\n${c.errors}\n${c.output}\n${stack.kamailioLog().slice(-3000)}`);
  assert.equal(p.code, 0, `agent phone:\n${p.errors}\n${p.output}`);

  const contact = await accepted;
  assert.deepEqual(contact.call, { direction: 'inbound', number: '+15551234567', callback: false });
  assert.equal(contact.queue, 'support');
  assert.equal(contact.customer.phone, '+15551234567');
  const invite = inviteOf(p);
  assert.match(invite.text, new RegExp(`^X-Switchboard-Contact: ${contact.id}\\s*$`, 'm'), 'the INVITE names the contact');
  assert.doesNotMatch(invite.text, /c-forged/, "the caller's own X-Switchboard-Contact was removed");
  assert.doesNotMatch(invite.text, /X-Switchboard-Telephony/);
  assert.match(invite.text, /^INVITE sip:alice@127\.0\.0\.1:5081/m, "to the agent's registration");

  const port = (address) => Number(address.split('.').pop());
  const isRtpengine = (address) => port(address) >= ports.rtp[0] && port(address) <= ports.rtp[1];
  const packets = (from, to) => Object.entries(flows)
    .filter(([pair]) => { const [src, dst] = pair.split(' > '); return from(src) && to(dst); })
    .reduce((n, [, count]) => n + count, 0);
  const at = (p) => (address) => port(address) === p;
  for (const [name, n] of Object.entries({
    callerToRtpengine: packets(at(callerMedia), isRtpengine), rtpengineToAgent: packets(isRtpengine, at(aliceMedia)),
    agentToRtpengine: packets(at(aliceMedia), isRtpengine), rtpengineToCaller: packets(isRtpengine, at(callerMedia)),
  })) assert.ok(n >= 30, `${name}: ${n} packets (${JSON.stringify(flows)})`);

  // The caller hung up: the desk says so (end by customer) and wraps up.
  const ended = await alice.client.ok('end', { contact: contact.id, by: 'customer' });
  assert.equal(ended.contact.ended_by, 'customer');
  await alice.client.ok('wrap_up', { contact: contact.id, disposition: 'resolved', notes: '', tags: [] });
});

test('nobody available: the caller hears 486 and a callback contact is queued, then offered to the next available agent', async () => {
  await alice.client.ok('set_state', { state: 'not_ready', reason: 'break' });
  const caller = await sipp(stack, 'queue_caller_busy.xml', {
    keys: { queue: '7001', caller: '+15557654321' }, port: callerPort, mediaPort: callerMedia,
  }).done;
  assert.equal(caller.code, 0, `caller:\n${caller.errors}\n${caller.output}\n${stack.kamailioLog().slice(-3000)}`);
  const rows = JSON.parse(sql(stack.server.db,
    "SELECT id, state, callback, customer_address FROM contacts WHERE channel = 'voice' AND customer_address = '+15557654321'"));
  assert.equal(rows.length, 1);
  assert.deepEqual({ ...rows[0], id: undefined }, { id: undefined, state: 'queued', callback: 1, customer_address: '+15557654321' });
  // The next agent to become available gets it, like a chat.
  const from = alice.client.events.length;
  await alice.client.ok('set_state', { state: 'available' });
  const cb = await waitFor('the callback offered', () => alice.client.events.slice(from)
    .find((e) => e.event === 'contact.offered' && e.data.id === rows[0].id)?.data, 10000);
  assert.equal(cb.call.callback, true);
  await alice.client.ok('accept', { contact: cb.id });
  const dial = await alice.client.ok('dial', { contact: cb.id });
  assert.equal(dial.dial, '+15557654321');
  await alice.client.ok('end', { contact: cb.id });
  await alice.client.ok('wrap_up', { contact: cb.id, disposition: 'follow_up', notes: '', tags: [] });
});

test("the first agent's phone rejects (486): the call rings the next agent", async () => {
  // Alice has been idle longest (she went available before bob): she is asked first.
  await bob.client.ok('set_state', { state: 'available' });
  const rejecting = sipp(stack, 'queue_agent_reject.xml', { server: true, port: alicePort });
  const answering = sipp(stack, 'queue_agent_answer.xml', { server: true, port: bobPort, mediaPort: bobMedia, extra: ['-rtp_echo'] });
  await waitFor('both phones to listen', async () => (await udpListening(alicePort)) && udpListening(bobPort));
  const aliceFrom = alice.client.events.length;
  const bobAccepted = offeredOn(bob.client).then((c) => bob.client.ok('accept', { contact: c.id }).then(() => c));
  const caller = sipp(stack, 'queue_caller.xml', {
    keys: { queue: '7001', caller: '+15551112222' }, port: callerPort, mediaPort: callerMedia,
  });
  const [c, a, b] = await Promise.all([caller.done, rejecting.done, answering.done]);
  assert.equal(c.code, 0, `caller:\n${c.errors}\n${c.output}\n${stack.kamailioLog().slice(-3000)}`);
  assert.equal(a.code, 0, `alice's phone:\n${a.errors}\n${a.output}`);
  assert.equal(b.code, 0, `bob's phone:\n${b.errors}\n${b.output}`);
  const contact = await bobAccepted;
  // The same contact rang alice's phone first, then bob's.
  for (const r of [a, b]) assert.match(inviteOf(r).text, new RegExp(`^X-Switchboard-Contact: ${contact.id}\\s*$`, 'm'));
  const aliceEvents = alice.client.events.slice(aliceFrom);
  assert.ok(aliceEvents.some((e) => e.event === 'contact.offered' && e.data.id === contact.id), 'offered to alice first');
  assert.ok(aliceEvents.some((e) => e.event === 'contact.ended' && e.data.contact === contact.id && e.data.reason === 'rejected'));
  await bob.client.ok('end', { contact: contact.id, by: 'customer' });
  await bob.client.ok('wrap_up', { contact: contact.id, disposition: 'resolved', notes: '', tags: [] });
});
