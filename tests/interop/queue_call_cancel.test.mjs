// queue_call_cancel.test.mjs: a caller who hangs up while the agent's phone rings (CANCEL):
// Kamailio tells switchboardd (/telephony/ended), which closes the voice contact as the
// customer's and tells the agent's desk (contact.ended "abandoned"); the agent stays available.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, agentSession, sipp, phoneOf, waitFor, udpListening } from './harness.mjs';
import { sql } from '../server/harness.mjs';

const alicePort = 5085, callerPort = 5091;
let stack, alice;

before(async () => {
  stack = await startStack();
  alice = await agentSession(stack, 'alice');
  const r = await sipp(stack, 'register.xml', { as: phoneOf('alice', alice.sip), keys: { expires: 300 }, port: alicePort }).done;
  assert.equal(r.code, 0, `registration failed:\n${r.errors}\n${r.output}`);
});
after(async () => {
  await alice?.client.close();
  await stack?.stop();
});

test('the caller hangs up while it rings: the contact is abandoned on the desk', async () => {
  await alice.client.ok('set_state', { state: 'available' });
  const phone = sipp(stack, 'queue_agent_ring.xml', { server: true, port: alicePort });
  await waitFor('the agent phone to listen', () => udpListening(alicePort));
  const caller = await sipp(stack, 'queue_caller_cancel.xml', {
    keys: { queue: '7001', caller: '+15553334444' }, port: callerPort, mediaPort: 18200,
  }).done;
  const p = await phone.done;
  assert.equal(caller.code, 0, `caller:\n${caller.errors}\n${caller.output}\n${stack.kamailioLog().slice(-3000)}`);
  assert.equal(p.code, 0, `agent phone:\n${p.errors}\n${p.output}`);
  const offer = alice.client.events.find((e) => e.event === 'contact.offered' && e.data.channel === 'voice');
  assert.ok(offer, 'the call was offered on the desk');
  await waitFor('contact.ended abandoned', () => alice.client.events.some((e) =>
    e.event === 'contact.ended' && e.data.contact === offer.data.id && e.data.reason === 'abandoned'));
  assert.deepEqual(JSON.parse(sql(stack.server.db, `SELECT state, ended_by FROM contacts WHERE id = '${offer.data.id}'`)),
    [{ state: 'closed', ended_by: 'customer' }]);
  assert.ok(!alice.client.events.some((e) => e.event === 'agent.state' && e.data.state === 'not_ready'),
    'a caller who gave up is not a missed offer');
});
