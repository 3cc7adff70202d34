// End to end: the web app in headless Chromium against switchboardd. Login through the JS API
// and by keyboard and mouse on the canvas, presence with a reason change, a reload that resumes
// the session, on-demand rendering, and screenshots that must not be blank.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DeskClient } from '../server/harness.mjs';
import { startStack, openDesk, waitForState, waitForFrames, dispatch, shot, assertNotBlank, findPrimaryButton } from './browser.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

async function backendView(username) {
  // What the backend itself says of the agent: a separate desk-protocol session.
  const c = await DeskClient.connect(stack.server.wsUrl);
  await c.hello();
  const s = await c.ok('login', { username, password: 'switchboard' });
  c.ws.close();
  return s.agent;
}

test('the login screen renders, and the API reports a connected desk', async () => {
  const page = await openDesk(stack.browser, stack.server);
  const s = await page.evaluate(() => window.switchboard.state());
  assert.equal(s.session.state, 'logged_out');
  assert.equal(s.agent, null);
  assert.deepEqual(s.contacts, []);
  assertNotBlank(await shot(page, 'login'), 'login');
  const small = await openDesk(stack.browser, stack.server, { viewport: { width: 960, height: 640 } });
  assertNotBlank(await shot(small, 'login-960x640'), 'login-960x640');
  // A HiDPI screen: the canvas has twice the pixels and the card is laid out the same.
  const hidpi = await openDesk(stack.browser, stack.server, { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 2 });
  const sharp = await shot(hidpi, 'login-hidpi');
  assert.equal(sharp.width, 2560);
  assertNotBlank(sharp, 'login-hidpi');
  assert.ok(Math.abs(findPrimaryButton(sharp, undefined, 240).x - 1280) < 40, 'Sign in centred at 2x');
  assert.deepEqual(page.errors, []);
  for (const p of [page, small, hidpi]) await p.context().close();
});

test('login through the JS API; presence with a reason change reaches the backend', async () => {
  const page = await openDesk(stack.browser, stack.server);

  const wrong = await dispatch(page, { type: 'login', username: 'alice', password: 'nope' });
  assert.equal(wrong.ok, false);
  assert.equal(wrong.error.code, 'invalid_credentials');
  const shown = await waitForState(page, (s) => s.session.error?.code === 'invalid_credentials', 'login error');
  assert.equal(shown.session.state, 'logged_out');
  assertNotBlank(await shot(page, 'login-error'), 'login-error');

  const bad = await dispatch(page, { type: 'dance' });
  assert.equal(bad.error.code, 'unknown_intent');

  const ok = await dispatch(page, { type: 'login', username: 'alice', password: 'switchboard' });
  assert.equal(ok.ok, true, JSON.stringify(ok));
  assert.equal(ok.agent.username, 'alice');
  let s = page.evaluate(() => window.switchboard.state());
  s = await s;
  assert.equal(s.session.state, 'logged_in');
  assert.ok(s.reason_codes.some((r) => r.code === 'lunch'));

  // Events reach listeners; unsubscribing stops them.
  await page.evaluate(() => {
    window.seen = [];
    window.off = window.switchboard.on('agent.state', (a) => window.seen.push(`${a.state}/${a.reason}`));
  });

  const noReason = await dispatch(page, { type: 'set_state', state: 'not_ready' });
  assert.equal(noReason.error.code, 'invalid_reason');

  const avail = await dispatch(page, { type: 'set_state', state: 'available' });
  assert.equal(avail.ok, true, JSON.stringify(avail));
  assert.equal(avail.agent.state, 'available');
  assertNotBlank(await shot(page, 'desk-available'), 'desk-available');

  const lunch = await dispatch(page, { type: 'set_state', state: 'not_ready', reason: 'lunch' });
  assert.equal(lunch.agent.reason, 'lunch');
  const brk = await dispatch(page, { type: 'set_state', state: 'not_ready', reason: 'break' });
  assert.equal(brk.ok, true);
  s = await page.evaluate(() => window.switchboard.state());
  assert.equal(s.agent.state, 'not_ready');
  assert.equal(s.agent.reason, 'break');
  assertNotBlank(await shot(page, 'desk-not-ready'), 'desk-not-ready');

  const seen = await page.evaluate(() => { window.off(); return window.seen; });
  assert.deepEqual(seen, ['available/null', 'not_ready/lunch', 'not_ready/break']);
  await dispatch(page, { type: 'set_state', state: 'available' });
  assert.equal((await page.evaluate(() => window.seen)).length, 3, 'unsubscribed listener was called');

  const server = await backendView('alice');
  assert.equal(server.state, 'available');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('login by typing and clicking on the canvas, and by pressing Enter', async () => {
  const page = await openDesk(stack.browser, stack.server);
  await waitForFrames(page);
  await page.keyboard.type('bob');      // focus starts in the username field
  await page.keyboard.press('Tab');
  await page.keyboard.type('switchboard');
  const png = await shot(page, 'login-typed');
  const button = findPrimaryButton(png);
  await page.mouse.click(button.x, button.y);
  const s = await waitForState(page, (st) => st.session.state === 'logged_in', 'logged in by click');
  assert.equal(s.agent.username, 'bob');
  await page.context().close();

  const page2 = await openDesk(stack.browser, stack.server);
  await waitForFrames(page2);
  await page2.keyboard.type('carol');
  await page2.keyboard.press('Tab');
  await page2.keyboard.type('switchboard');
  await page2.keyboard.press('Enter');
  const s2 = await waitForState(page2, (st) => st.session.state === 'logged_in', 'logged in by Enter');
  assert.equal(s2.agent.username, 'carol');
  assert.deepEqual(page2.errors, []);
  await page2.context().close();
});

test('a reload resumes the session without signing in again', async () => {
  const page = await openDesk(stack.browser, stack.server);
  assert.equal((await dispatch(page, { type: 'login', username: 'alice', password: 'switchboard' })).ok, true);
  assert.equal((await dispatch(page, { type: 'set_state', state: 'not_ready', reason: 'lunch' })).ok, true);
  const before = await page.evaluate(() => window.switchboard.state());

  await page.reload();
  await page.evaluate(() => window.switchboard.ready.then(() => true));
  const after = await waitForState(page, (s) => s.session.state === 'logged_in', 'resumed session');
  assert.equal(after.agent.username, 'alice');
  assert.equal(after.agent.state, 'not_ready');
  assert.equal(after.agent.reason, 'lunch');
  assert.equal(after.agent.state_since, before.agent.state_since);
  assert.ok(after.last_seq >= before.last_seq);
  assertNotBlank(await shot(page, 'desk-resumed'), 'desk-resumed');

  // Signing out forgets the session: the next reload shows the login screen.
  assert.equal((await dispatch(page, { type: 'logout' })).revoked, true);
  await page.reload();
  await page.evaluate(() => window.switchboard.ready.then(() => true));
  await waitForState(page, (s) => s.connection.state === 'connected', 'connected');
  await page.waitForTimeout(500);
  assert.equal((await page.evaluate(() => window.switchboard.state())).session.state, 'logged_out');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an idle desk draws only when something changes', async () => {
  const page = await openDesk(stack.browser, stack.server);
  assert.equal((await dispatch(page, { type: 'login', username: 'alice', password: 'switchboard' })).ok, true);
  await page.waitForTimeout(1000);
  const f0 = await page.evaluate(() => window.switchboard.framesDrawn);
  await page.waitForTimeout(3000);
  const f1 = await page.evaluate(() => window.switchboard.framesDrawn);
  // The state timer ticks once a second (about 3 frames here); a render loop would draw ~180.
  assert.ok(f1 - f0 <= 6, `drew ${f1 - f0} frames in 3 s while idle`);
  assert.ok(f1 - f0 >= 1, 'the state timer should tick');
  await page.context().close();
});
