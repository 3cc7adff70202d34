// End to end: what the browser's transport does when the backend goes away and comes back, a
// backend chosen by URL parameter (one the server lists), and the layout following the window.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../server/harness.mjs';
import { launchBrowser, openDesk, waitForState, dispatch, shot, assertNotBlank, findPrimaryButton, webRoot } from './browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('a backend restart: the desk keeps its state, reconnects by itself and resumes', async () => {
  const first = await startServer({ args: ['--web-root', webRoot] });
  const port = new URL(first.url).port;
  let second;
  try {
    const page = await openDesk(browser, first);
    assert.equal((await dispatch(page, { type: 'login', username: 'alice', password: 'switchboard' })).ok, true);
    assert.equal((await dispatch(page, { type: 'set_state', state: 'not_ready', reason: 'training' })).ok, true);

    await first.stop();
    const down = await waitForState(page, (s) => s.connection.state === 'waiting_to_reconnect', 'reconnecting');
    assert.equal(down.session.state, 'logged_in');      // the agent is still signed in
    assert.equal(down.agent.reason, 'training');
    assert.ok(down.connection.retry_at > Date.now() - 1000);
    assertNotBlank(await shot(page, 'desk-reconnecting'), 'desk-reconnecting');
    const refused = await dispatch(page, { type: 'set_state', state: 'available' });
    assert.equal(refused.error.code, 'not_connected');

    second = await startServer({ dir: first.dir, args: ['--web-root', webRoot, '--listen', `127.0.0.1:${port}`] });
    const up = await waitForState(page, (s) => s.connection.state === 'connected' && s.session.state === 'logged_in',
      'reconnected and resumed', 40000);
    assert.equal(up.agent.state, 'not_ready');
    assert.equal(up.agent.reason, 'training');
    const avail = await dispatch(page, { type: 'set_state', state: 'available' });
    assert.equal(avail.ok, true, JSON.stringify(avail));
    await page.context().close();
  } finally {
    await second?.stop();
  }
});

test('?backend= chooses a backend the server lists; an unreachable one is shown and a login fails clearly', async () => {
  // A link may name only a backend the server publishes to the page (--desk-backend).
  const server = await startServer({ args: ['--web-root', webRoot, '--desk-backend', 'ws://127.0.0.1:9/desk'] });
  try {
    const page = await openDesk(browser, server, { query: '?backend=ws://127.0.0.1:9/desk' });
    const s = await waitForState(page, (st) => st.connection.state === 'waiting_to_reconnect', 'unreachable');
    assert.match(s.connection.error, /Cannot reach the backend/);
    assert.deepEqual(await page.evaluate(() => window.switchboard.backend), { url: 'ws://127.0.0.1:9/desk', refused: null });
    assertNotBlank(await shot(page, 'login-unreachable'), 'login-unreachable');
    const r = await dispatch(page, { type: 'login', username: 'alice', password: 'switchboard' });
    assert.equal(r.ok, false);
    assert.equal(r.error.code, 'not_connected');
    await page.context().close();
  } finally {
    await server.stop();
  }
});

test('the layout follows the window size', async () => {
  const server = await startServer({ args: ['--web-root', webRoot] });
  try {
    const page = await openDesk(browser, server);
    const wide = findPrimaryButton(await shot(page, 'resize-1280'));
    assert.ok(Math.abs(wide.x - 640) < 20, `Sign in centred at 1280: x=${wide.x}`);
    await page.setViewportSize({ width: 960, height: 640 });
    const narrow = findPrimaryButton(await shot(page, 'resize-960'));
    assert.ok(Math.abs(narrow.x - 480) < 20, `Sign in centred at 960: x=${narrow.x}`);
    assert.ok(narrow.y < wide.y, 'the card moves up in a shorter window');
    await page.context().close();
  } finally {
    await server.stop();
  }
});
