// queue_call_outbound.test.mjs: an agent's call out for a contact (docs/telephony.md, "Queue
// calls"): after `dial` on the desk, the agent's phone INVITEs the number with
// X-Switchboard-Contact; Kamailio asks switchboardd's /telephony/outbound and sends the call to
// the trunk with the queue's number as caller id and without switchboardd's header. A contact
// that is not the agent's is refused with 403 and nothing reaches the trunk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, agentSession, sipp, phoneOf, sipMessages, waitFor, udpListening } from './harness.mjs';

const alicePort = 5083, bobPort = 5084, trunkPort = 5095;
let stack, alice, bob;

before(async () => {
  stack = await startStack({ trunk: `127.0.0.1:${trunkPort}` });
  alice = await agentSession(stack, 'alice');
  bob = await agentSession(stack, 'bob');
  const r = await sipp(stack, 'register.xml', { as: phoneOf('alice', alice.sip), keys: { expires: 300 }, port: alicePort }).done;
  assert.equal(r.code, 0, `registration failed:\n${r.errors}\n${r.output}`);
});
after(async () => {
  await alice?.client.close();
  await bob?.client.close();
  await stack?.stop();
});

test('the agent dials a number: out through the trunk with the queue number as caller id, header removed', async () => {
  await alice.client.ok('set_state', { state: 'available' });
  const d = await alice.client.ok('dial', { number: '555 765 4321', queue: 'support' });
  assert.equal(d.dial, '+15557654321');
  const trunk = sipp(stack, 'queue_trunk.xml', { server: true, port: trunkPort, mediaPort: 19100, extra: ['-rtp_echo'] });
  await waitFor('the trunk to listen', () => udpListening(trunkPort));
  const phone = await sipp(stack, 'queue_agent_dial.xml', {
    as: phoneOf('alice', alice.sip), keys: { callee: d.dial, contact: d.contact.id }, port: alicePort, mediaPort: 16200,
  }).done;
  const t = await trunk.done;
  assert.equal(phone.code, 0, `agent phone:\n${phone.errors}\n${phone.output}\n${stack.kamailioLog().slice(-3000)}`);
  assert.equal(t.code, 0, `trunk:\n${t.errors}\n${t.output}`);
  const invite = sipMessages(t.messages).find((m) => m.direction === 'received' && m.startLine.startsWith('INVITE '));
  assert.match(invite.startLine, /^INVITE sip:\+15557654321@127\.0\.0\.1:5095/);
  assert.doesNotMatch(invite.text, /X-Switchboard-/i, "switchboardd's header does not leave");
  await alice.client.ok('end', { contact: d.contact.id });
  await alice.client.ok('wrap_up', { contact: d.contact.id, disposition: 'resolved', notes: '', tags: [] });
});

test("a call for someone else's contact is refused (403) before it reaches the trunk", async () => {
  await bob.client.ok('set_state', { state: 'available' });
  const d = await bob.client.ok('dial', { number: '5557654322' });
  const phone = await sipp(stack, 'queue_agent_dial_refused.xml', {
    as: phoneOf('alice', alice.sip), keys: { callee: d.dial, contact: d.contact.id }, port: alicePort, mediaPort: 16200,
  }).done;
  assert.equal(phone.code, 0, `agent phone:\n${phone.errors}\n${phone.output}\n${stack.kamailioLog().slice(-3000)}`);
  assert.match(stack.kamailioLog(), new RegExp(`outbound .*switchboardd refused contact ${d.contact.id}`));
  await bob.client.ok('end', { contact: d.contact.id });
  await bob.client.ok('wrap_up', { contact: d.contact.id, disposition: 'no_action', notes: '', tags: [] });
});
