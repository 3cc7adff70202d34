// browser_blind_transfer.test.mjs: a queue call transferred blind from one web desk to another,
// contact and all. A SIPp caller (scenarios/transfer_caller.xml) phones the support queue 7001;
// Alice's desk in Chromium answers. Alice transfers the contact to Bob: the desk asks the backend
// (`transfer`), then REFERs the caller to the queue's number naming the contact; the caller's new
// INVITE comes through Kamailio's queue route, switchboardd gives Bob the same contact (customer,
// transfer note "from alice"), Bob's desk rings and answers, audio flows caller <-> Bob both
// ways (Bob's inbound bytes grow; RTP packets reach the caller), Alice's call ends and the contact
// leaves her desk ("transferred"). Bob hangs up; the contact is his to wrap up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipp, sipMessages, captureRtp } from './harness.mjs';
import { dispatch, waitForState } from '../e2e/browser.mjs';
import { browserStack, signedInDesk, ok } from './browser_desks.mjs';

const callerPort = 5096, callerMedia = 18700, callerNumber = '+15550100042';
const ctx = browserStack();
const deskOf = (username) => signedInDesk(ctx, username);

test('blind transfer of a queue call to another agent: same contact and customer at Bob, audio both ways, Alice out', async () => {
  const [alice, bob] = [await deskOf('alice'), await deskOf('bob')];
  await ok(alice, { type: 'set_state', state: 'available' });  // only Alice can take the call
  const caller = sipp(ctx.stack, 'transfer_caller.xml', {
    keys: { callee: '7001', caller: callerNumber }, port: callerPort, mediaPort: callerMedia, extra: ['-rtp_echo'], timeoutS: 150,
  });
  let done = null;
  caller.done.then((r) => { done = r; });
  const why = async () => {
    const st = async (p) => JSON.stringify((await p.evaluate(() => window.switchboard.state())).calls);
    return `\nalice: ${await st(alice)}\nbob: ${await st(bob)}\ncaller: ${done ? `${done.errors}\n${done.output.slice(-1500)}` : 'running'}\n` +
      ctx.stack.kamailioLog().split('\n').filter((l) => /queue call|REFER|transfer|ERROR/i.test(l)).slice(-20).join('\n');
  };
  try {
    const ringing = await waitForState(alice, (st) => st.calls[0]?.phase === 'ringing' || done, 'the call at Alice', 20000);
    assert.equal(done, null, `the caller stopped early: ${await why()}`);
    const contact = ringing.calls[0].contact;
    assert.ok(contact, 'a queue call has its contact');
    const card = ringing.contacts.find((c) => c.id === contact);
    assert.equal(card.customer.phone, callerNumber);
    await ok(alice, { type: 'answer', contact });
    await waitForState(alice, (st) => st.calls[0]?.phase === 'active' && st.calls[0]?.stats?.bytes_in > 0, 'Alice hears the caller', 15000);
    await ok(bob, { type: 'set_state', state: 'available' });

    // Alice transfers the contact to Bob, with a note.
    await ok(alice, { type: 'transfer', contact, agent: 'bob', mode: 'blind', note: 'wants a refund' });
    let atBob;
    try {
      atBob = await waitForState(bob, (st) => st.calls[0]?.phase === 'ringing', 'the transferred call at Bob', 20000);
    } catch (e) {
      throw new Error(`${e.message.slice(0, 400)}${await why()}`);
    }
    assert.equal(atBob.calls[0].contact, contact, 'Bob\'s call carries the same contact');
    const moved = atBob.contacts.find((c) => c.id === contact);
    assert.ok(moved, 'the contact is on Bob\'s desk');
    assert.equal(moved.customer.phone, callerNumber, 'with the same customer');
    assert.equal(moved.customer.id, card.customer.id);
    assert.deepEqual(moved.transfer, { from: 'alice', note: 'wants a refund' });
    await waitForState(alice, (st) => !st.contacts.some((c) => c.id === contact), 'the contact gone from Alice\'s desk', 10000);

    await ok(bob, { type: 'answer', contact });
    const capture = await captureRtp();
    let flows;
    try {
      const up = await waitForState(bob, (st) => st.calls[0]?.phase === 'active' && st.calls[0]?.stats?.bytes_in > 0, 'Bob hears the caller', 15000);
      await waitForState(bob, (st) => st.calls[0]?.stats?.bytes_in > up.calls[0].stats.bytes_in + 2000, 'more audio at Bob', 15000);
      await waitForState(alice, (st) => st.calls.length === 0, 'Alice\'s call over', 20000);
    } finally {
      flows = await capture.stop();
    }
    const toCaller = Object.entries(flows).filter(([k]) => k.endsWith(`.${callerMedia}`)).reduce((n, [, v]) => n + v, 0);
    const fromCaller = Object.entries(flows).filter(([k]) => k.startsWith(`127.0.0.1.${callerMedia} `)).reduce((n, [, v]) => n + v, 0);
    assert.ok(toCaller > 20, `RTP reaches the caller after the transfer: ${JSON.stringify(flows)}`);
    assert.ok(fromCaller > 20, `and comes back from it: ${JSON.stringify(flows)}`);
    const bobNow = await waitForState(bob, (st) => st.contacts.find((c) => c.id === contact)?.state === 'active', 'the contact active at Bob', 10000);
    assert.equal(bobNow.calls[0].number, callerNumber);

    // Bob hangs up: the caller gets the BYE, the contact goes to Bob's wrap-up.
    await ok(bob, { type: 'hangup', contact });
    await waitForState(bob, (st) => st.contacts.find((c) => c.id === contact)?.state === 'wrap_up', 'the contact in Bob\'s wrap-up', 10000);
    const r = await caller.done;
    assert.equal(r.code, 0, `caller:${await why()}`);
    const got = sipMessages(r.messages).filter((m) => m.direction === 'received').map((m) => m.startLine.split(' ')[0]);
    assert.equal(got.filter((m) => m === 'BYE').length, 2, `a BYE from each agent: ${got}`);
    assert.ok(got.includes('REFER'));
    const invites = sipMessages(r.messages).filter((m) => m.direction === 'sent' && m.startLine.startsWith('INVITE'));
    assert.match(invites.at(-1).startLine, new RegExp(`^INVITE sip:7001@127\\.0\\.0\\.1;sb_contact=${contact} `));
    const aliceNow = await alice.evaluate(() => window.switchboard.state());
    assert.equal(aliceNow.contacts.some((c) => c.id === contact), false, 'nothing left for Alice to wrap up: the contact is Bob\'s');
    for (const page of [alice, bob]) assert.deepEqual(page.errors, []);
  } finally {
    if (!done) { caller.proc.kill('SIGKILL'); await caller.done.catch(() => {}); }
    for (const page of [alice, bob]) await page.context().close();
  }
});
