// browser_kamailio_restart.test.mjs: Kamailio restarted in the middle of a call. A SIPp caller
// (scenarios/desk_call_uac.xml) phones the support queue and the web desk answers; then
// `scripts/telephony restart-kamailio` stops and starts Kamailio alone, rtpengine carrying on.
// The desk's SIP WebSocket drops; the desk reconnects by itself and registers again (Kamailio
// lost every registration with its memory), the call's media never stops (it runs through
// rtpengine, not Kamailio), and afterwards hold, resume and hang-up still reach the caller: the
// dialog's route set is in Record-Route, nothing Kamailio had to remember.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sipMessages, registrations, waitFor, ports } from './harness.mjs';
import { waitForState } from '../e2e/browser.mjs';
import { browserStack, signedInDesk, ok, holdResumeHangUp, answeredCall, stopCaller } from './browser_desks.mjs';

const callerPort = 5097, callerMedia = 18800;
const ctx = browserStack();

test('Kamailio restarts mid-call: the desk reconnects and re-registers, media flows on, hold/resume/hang-up reach the caller', async () => {
  const page = await signedInDesk(ctx, 'alice');
  await ok(page, { type: 'set_state', state: 'available' });

  const call = await answeredCall(ctx.stack, page, { from: '+15550100005', port: callerPort, mediaPort: callerMedia, timeoutS: 150 });
  const { caller, contact, up: before } = call;
  try {

    const out = await ctx.stack.restartKamailio();
    assert.match(out, /Kamailio restarted/);
    await waitForState(page, (st) => st.voice.transport !== 'open' || st.voice.registration !== 'registered',
      'the desk to notice', 10000).catch(() => null);  // (it may already be back)
    const back = await waitForState(page, (st) => st.voice.registration === 'registered' && st.voice.transport === 'open' &&
      st.connection.state === 'connected', 'the phone back and registered', 30000);
    assert.equal(back.calls.length, 1, 'the call is still on the desk');
    assert.equal(back.calls[0].phase, 'active');
    await waitFor('alice registered with the new Kamailio', async () => (await registrations(ctx.stack)).alice?.length === 1, 15000);
    const grown = await waitForState(page, (st) => st.calls[0]?.stats?.bytes_in > before.calls[0].stats.bytes_in + 2000,
      'audio went on', 15000);
    assert.ok(grown.calls[0].stats.bytes_in > before.calls[0].stats.bytes_in);

    await holdResumeHangUp(page, contact);
    const r = await caller.done;
    assert.equal(r.code, 0, `caller:\n${r.errors}\n${r.output}\n${ctx.stack.kamailioLog().slice(-3000)}`);
    const got = sipMessages(r.messages).filter((m) => m.direction === 'received').map((m) => m.startLine.split(' ')[0]);
    assert.deepEqual(got.filter((m) => m === 'INVITE' || m === 'BYE'), ['INVITE', 'INVITE', 'BYE'], `re-INVITEs and the BYE: ${got}`);
    // While Kamailio was down the desk may have tried its SIP WebSocket and been refused: the
    // browser reports each such try itself (how often depends on how long the restart took on a
    // busy machine). That is the reconnecting this test wants; anything else is an error.
    const refused = new RegExp(`^WebSocket connection to 'ws://127\\.0\\.0\\.1:${ports.ws}/' failed: .*ERR_CONNECTION_REFUSED$`);
    assert.deepEqual(page.errors.filter((e) => !refused.test(e)), []);
  } finally {
    await stopCaller(call);
    await page.context().close();
  }
});
