// browser_desks.mjs: web desks in headless Chromium against the interop stack (switchboardd,
// Kamailio, rtpengine), for the tests where browser agents take real calls.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from './harness.mjs';
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
