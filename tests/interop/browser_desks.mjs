// browser_desks.mjs: web desks in headless Chromium against the interop stack (switchboardd,
// Kamailio, rtpengine), for the tests where browser agents take real calls.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, sipp } from './harness.mjs';
import { launchBrowser, openDesk, dispatch, waitForState, webRoot } from '../e2e/browser.mjs';

// One stack serving the web build and one Chromium for the test file, stopped after it.
// Returns an object whose `stack` and `browser` are set once `before` has run.
export function browserStack() {
  const ctx = { stack: null, browser: null };
  before(async () => {
    ctx.stack = await startStack({ serverArgs: ['--web-root', webRoot] });
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.stack?.stop();
  });
  return ctx;
}

// An intent that must succeed.
export async function ok(page, intent) {
  const r = await dispatch(page, intent);
  assert.equal(r.ok, true, `${JSON.stringify(intent)}: ${JSON.stringify(r)}`);
  return r;
}

// A desk signed in as `username` (demo password) whose phone has registered.
export async function signedInDesk(ctx, username) {
  const page = await openDesk(ctx.browser, ctx.stack.server);
  await ok(page, { type: 'login', username, password: 'switchboard' });
  await waitForState(page, (st) => st.voice.registration === 'registered', `${username}'s phone registered`, 15000);
  return page;
}

// After a blip: the desk's hold, resume and hang-up of its one call still work; the contact
// ends in wrap-up.
export async function holdResumeHangUp(page, contact) {
  await ok(page, { type: 'hold', contact });
  await waitForState(page, (st) => st.calls[0]?.phase === 'held', 'held', 10000);
  await ok(page, { type: 'resume', contact });
  await waitForState(page, (st) => st.calls[0]?.phase === 'active', 'resumed', 10000);
  await ok(page, { type: 'hangup', contact });
  await waitForState(page, (st) => st.contacts.find((c) => c.id === contact)?.state === 'wrap_up', 'the contact in wrap-up', 10000);
}

// A SIPp caller (scenarios/desk_call_uac.xml, echoing the desk's audio) phones `callee` from
// `from`; `page`'s desk rings and answers; resolves once the call is active with audio coming
// in. Returns { caller, contact, up (the desk's state then), finished() (the caller's result
// once it has ended, else null) }. Stop an unfinished caller with stopCaller().
export async function answeredCall(stack, page, { from, callee = '7001', port, mediaPort, timeoutS = 120 }) {
  const caller = sipp(stack, 'desk_call_uac.xml', {
    keys: { callee, caller: from }, port, mediaPort, extra: ['-rtp_echo'], timeoutS,
  });
  let done = null;
  caller.done.then((r) => { done = r; });
  const call = { caller, contact: null, up: null, finished: () => done };
  try {
    const ringing = await waitForState(page, (st) => st.calls[0]?.phase === 'ringing' || done, 'the call to ring', 20000);
    assert.equal(done, null, `the caller stopped early:\n${done?.errors}\n${done?.output}`);
    call.contact = ringing.calls[0].contact;
    await ok(page, { type: 'answer', contact: call.contact });
    call.up = await waitForState(page, (st) => st.calls[0]?.phase === 'active' && st.calls[0]?.stats?.bytes_in > 0,
      'the call up with audio', 15000);
    return call;
  } catch (e) {
    await stopCaller(call);
    throw e;
  }
}

// Ends a caller from answeredCall that is still running (a failed test's cleanup).
export async function stopCaller(call) {
  if (!call.finished()) call.caller.proc.kill('SIGKILL');
  await call.caller.done.catch(() => {});
}
