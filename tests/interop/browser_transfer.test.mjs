// browser_transfer.test.mjs: three web desks in Chromium, calling each other through Kamailio.
// Carol calls Alice (agent to agent, by username); Alice consults Bob with Carol on hold, then
// completes an attended transfer: Carol's desk follows the REFER with an INVITE that replaces
// Alice's consultation at Bob's desk, which takes it at once. Carol and Bob end up talking (audio
// both ways), and Alice has no call left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatch, waitForState } from '../e2e/browser.mjs';
import { browserStack, signedInDesk, ok } from './browser_desks.mjs';

const ctx = browserStack();
const deskOf = (username) => signedInDesk(ctx, username);

test('agent to agent, then an attended transfer: the caller ends up with the colleague, with audio both ways', async () => {
  const [alice, bob, carol] = [await deskOf('alice'), await deskOf('bob'), await deskOf('carol')];
  try {
    await ok(carol, { type: 'dial', agent: 'alice' });
    const ringing = await waitForState(alice, (st) => st.calls[0]?.phase === 'ringing', 'Carol\'s call at Alice', 15000);
    assert.equal(ringing.calls[0].number, 'carol');
    assert.equal(ringing.calls[0].contact, null, 'a colleague\'s call has no contact');
    const first = ringing.calls[0].id;
    await ok(alice, { type: 'answer', call: first });
    await waitForState(carol, (st) => st.calls[0]?.phase === 'active' && st.calls[0]?.stats?.bytes_in > 0, 'Carol hears Alice', 15000);

    // Alice consults Bob; Carol waits on hold.
    await ok(alice, { type: 'transfer', call: first, agent: 'bob', mode: 'attended' });
    const consult = await waitForState(bob, (st) => st.calls[0]?.phase === 'ringing', 'the consultation at Bob', 15000);
    assert.equal(consult.calls[0].number, 'alice');
    await waitForState(alice, (st) => st.calls.find((c) => c.id === first)?.phase === 'held', 'Carol on hold', 10000);
    await ok(bob, { type: 'answer', call: consult.calls[0].id });
    await waitForState(alice, (st) => st.calls.length === 2 && st.calls[1].phase === 'active', 'Alice talks to Bob', 10000);

    // Complete: Carol is connected to Bob; Alice is out of both calls.
    await ok(alice, { type: 'transfer', call: first, mode: 'complete' });
    try {
      await waitForState(alice, (st) => st.calls.length === 0, 'Alice has no call left', 20000);
    } catch (e) {
      const st = async (p) => JSON.stringify((await p.evaluate(() => window.switchboard.state())).calls);
      throw new Error(`${e.message.slice(0, 300)}\nbob: ${await st(bob)}\ncarol: ${await st(carol)}\n${ctx.stack.kamailioLog().split('\n').filter((l) => /BYE|REFER|NOTIFY|Replaces|INVITE/.test(l)).slice(-30).join('\n')}`);
    }
    const carolNow = await waitForState(carol, (st) => st.calls.length === 1 && st.calls[0].phase === 'active' &&
      st.calls[0].number !== 'alice', 'Carol with Bob', 20000);
    assert.match(carolNow.calls[0].number, /bob/);
    const bobNow = await waitForState(bob, (st) => st.calls.length === 1 && st.calls[0].phase === 'active' &&
      st.calls[0].number === 'carol', 'Bob with Carol', 20000);
    const before = bobNow.calls[0].stats?.bytes_in ?? 0;
    await waitForState(bob, (st) => st.calls[0]?.stats?.bytes_in > before + 1000, 'Bob hears Carol', 15000);
    await waitForState(carol, (st) => st.calls[0]?.stats?.bytes_in > 1000, 'Carol hears Bob', 15000);

    // Bob hangs up: both sides are free.
    await ok(bob, { type: 'hangup', call: bobNow.calls[0].id });
    await waitForState(carol, (st) => st.calls.length === 0, 'Carol\'s call ended', 10000);
    for (const page of [alice, bob, carol]) assert.deepEqual(page.errors, []);
  } finally {
    for (const page of [alice, bob, carol]) await page.context().close();
  }
});
