// browser_queue_call.test.mjs: a customer phones the support queue and the agent in the web desk
// takes the call, end to end through the parts a contact center runs: SIPp dials 7001 on
// Kamailio, switchboardd's routing picks the available agent (a voice contact, the customer's
// card found by the calling number), the desk in headless Chromium rings, answers through the
// JS API with WebRTC media through rtpengine (audio both ways), holds and resumes, sends DTMF,
// hangs up, and the contact goes through wrap-up to closed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, sipp, sipMessages, captureRtp, ports } from './harness.mjs';
import { launchBrowser, openDesk, dispatch, waitForState, webRoot, shot, assertNotBlank } from '../e2e/browser.mjs';

const callerPort = 5093, callerMedia = 18400;
let stack, browser;
before(async () => {
  stack = await startStack({ serverArgs: ['--web-root', webRoot], offerTimeout: 20 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('a caller phones 7001: routed to the browser agent, answered with audio both ways, held, resumed, DTMF, hung up, wrapped up', async () => {
  const page = await openDesk(browser, stack.server);
  assert.equal((await dispatch(page, { type: 'login', username: 'alice', password: 'switchboard' })).ok, true);
  await waitForState(page, (st) => st.voice.registration === 'registered', 'the phone registered', 15000);
  assert.equal((await dispatch(page, { type: 'set_state', state: 'available' })).ok, true);

  const rtp = await captureRtp();
  // Marcus Lee's number (demo data): his card must pop.
  const caller = sipp(stack, 'desk_call_uac.xml', {
    keys: { callee: '7001', caller: '+15550100001' }, port: callerPort, mediaPort: callerMedia, extra: ['-rtp_echo'], timeoutS: 120,
  });
  let done = null;
  caller.done.then((r) => { done = r; });
  try {
    const ringing = await waitForState(page, (st) => (st.calls[0]?.phase === 'ringing' &&
      st.contacts.some((c) => c.id === st.calls[0].contact)) || done, 'the routed call to ring with its contact', 20000);
    assert.equal(done, null, `the caller stopped early:\n${done?.errors}\n${done?.output}\n${stack.kamailioLog().slice(-3000)}`);
    const call = ringing.calls[0];
    const contact = ringing.contacts.find((c) => c.id === call.contact);
    assert.equal(contact.channel, 'voice');
    assert.equal(contact.state, 'offered');
    assert.equal(contact.queue, 'support');
    assert.equal(contact.customer.first_name, 'Marcus', "the caller's card, found by number");
    assert.deepEqual({ ...contact.call, live: undefined }, { direction: 'inbound', number: '+15550100001', callback: false, live: undefined });
    assert.equal(contact.call.live.phase, 'ringing');

    const answered = await dispatch(page, { type: 'answer', contact: contact.id });
    assert.equal(answered.ok, true, JSON.stringify(answered));
    const active = await waitForState(page, (st) => st.contacts.find((c) => c.id === contact.id)?.state === 'active' &&
      st.calls[0]?.stats?.bytes_in > 0, 'the call active with audio coming in', 15000);
    assert.equal(active.calls[0].phase, 'active');
    assert.equal(active.agent.activity, 'on_contact');
    // rtpengine records the call (record-call=on), and the desk says so (docs/payments.md).
    assert.equal(active.contacts.find((c) => c.id === contact.id).recording, 'on');
    const shown = await shot(page, 'queue-call-active');
    assertNotBlank(shown, 'the queue call on the desk');
    const red = (x, y) => { const i = (y * shown.width + x) * 4; return shown.data[i] > 180 && shown.data[i + 1] < 80 && shown.data[i + 2] < 70; };
    // The red "Recording" dot in the call panel (theme danger #C7352B): a few red pixels above
    // the red Hang up tile (the first row with a wide run of red).
    const rows = [];
    for (let y = 0; y < shown.height; y++) {
      let n = 0;
      for (let x = Math.floor(shown.width * 0.25); x < shown.width * 0.75; x++) if (red(x, y)) n++;
      rows.push(n);
    }
    const tileTop = rows.findIndex((n) => n > 30);
    const dots = rows.slice(0, Math.max(0, tileTop - 4)).reduce((a, b) => a + b, 0);
    assert.ok(tileTop > 0 && dots >= 20, `the call panel shows the red recording dot (${dots} red pixels above the Hang up tile at ${tileTop})`);

    assert.equal((await dispatch(page, { type: 'hold', contact: contact.id })).ok, true);
    await waitForState(page, (st) => st.calls[0]?.phase === 'held', 'the call held', 10000);
    assert.equal((await dispatch(page, { type: 'resume', contact: contact.id })).ok, true);
    await waitForState(page, (st) => st.calls[0]?.phase === 'active', 'the call resumed', 10000);
    assert.equal((await dispatch(page, { type: 'dtmf', contact: contact.id, digits: '42' })).ok, true);
    const stats = (await waitForState(page, (st) => st.calls[0]?.stats?.bytes_out > 0, 'audio going out')).calls[0].stats;
    assert.ok(stats.mos >= 1 && stats.mos <= 4.5, `MOS ${stats.mos}`);

    assert.equal((await dispatch(page, { type: 'hangup', contact: contact.id })).ok, true);
    const wrap = await waitForState(page, (st) => st.calls.length === 0 &&
      st.contacts.find((c) => c.id === contact.id)?.state === 'wrap_up', 'the contact in wrap-up', 10000);
    assert.equal(wrap.contacts.find((c) => c.id === contact.id).ended_by, 'agent');
    const r = await caller.done;
    assert.equal(r.code, 0, `caller:\n${r.errors}\n${r.output}`);
    const got = sipMessages(r.messages).filter((m) => m.direction === 'received').map((m) => m.startLine.split(' ')[0]);
    assert.ok(got.filter((m) => m === 'INVITE').length >= 2, `hold and resume re-INVITEs reached the caller: ${got}`);
    assert.ok(got.includes('BYE'), 'the caller got the BYE');

    const flows = await rtp.stop();
    const port = (address) => Number(address.split('.').pop());
    const fromCaller = Object.entries(flows).filter(([pair]) => port(pair.split(' > ')[0]) === callerMedia).reduce((n, [, c]) => n + c, 0);
    const toCaller = Object.entries(flows).filter(([pair]) => port(pair.split(' > ')[1]) === callerMedia).reduce((n, [, c]) => n + c, 0);
    assert.ok(fromCaller >= 30 && toCaller >= 30, `RTP both ways at the caller: ${JSON.stringify(flows)} (rtp ${ports.rtp})`);

    const queue = wrap.queues.find((q) => q.code === 'support');
    const closed = await dispatch(page, { type: 'wrap_up', contact: contact.id, disposition: queue.dispositions[0].code, notes: 'Called about a bill.' });
    assert.equal(closed.ok, true, JSON.stringify(closed));
    await waitForState(page, (st) => !st.contacts.some((c) => c.id === contact.id), 'the contact closed');
    assert.deepEqual(page.errors, []);
  } finally {
    if (!done) await caller.done.catch(() => {});
    await page.context().close();
  }
});
