// End to end, input that arrives faster than the desk draws: a slow machine, a busy tab, a
// quick hand. The desk's frames are held back (requestAnimationFrame waits) while the mouse and
// keyboard act, then let go, so that everything arrives before a single frame: what the person
// did must still happen, in the order they did it. Each test here failed every time while the
// shell handed ImGui a click and the keys after it in one frame, or showed ImGui the mouse as it
// was at the end of the queue instead of as of the events read so far (now shell/sdl_input.h).
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, signSms } from '../server/harness.mjs';
import { launchBrowser, openDesk, waitForState, waitForFrames, dispatch, webRoot } from './browser.mjs';

// One browser for the file; a server of its own for each test, so that no contact is left over.
let browser, server;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });
beforeEach(async () => {
  server = await startServer({ args: ['--web-root', webRoot, '--fake-sms-provider', '--offer-timeout', '60'] });
});
afterEach(async () => { await server?.stop(); });

// The workspace at 1280x800: the composer's field, and the row under it.
const composer = { x: 625, y: 680 };
const cannedButton = { x: 392, y: 751 };
const sendButton = { x: 887, y: 751 };
const transcript = { x: 625, y: 300 };

// An agent with one active SMS conversation from `from`, shown in the workspace.
async function agentWithSms(username, from) {
  const page = await openDesk(browser, server);
  assert.equal((await dispatch(page, { type: 'login', username, password: 'switchboard' })).ok, true);
  assert.equal((await dispatch(page, { type: 'set_state', state: 'available' })).ok, true);
  const form = new URLSearchParams({ From: from, To: '7001', Body: 'Hello?' }).toString();
  const res = await fetch(`${server.url}/sms/inbound`, { method: 'POST', body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSms(server.url, form) } });
  assert.ok(res.status < 300, `webhook answered ${res.status}`);
  const offered = await waitForState(page, (s) => s.contacts.some((c) => c.state === 'offered'), 'an offer', 20000);
  const id = offered.contacts.find((c) => c.state === 'offered').id;
  assert.equal((await dispatch(page, { type: 'accept', contact: id })).ok, true);
  await waitForState(page, (s) => s.contacts[0]?.state === 'active', 'accepted');
  return { page, id };
}

// From here on, the page's animation frames wait until releaseFrames(). Returns once any frame
// requested before has run (animation frame callbacks run in the order they were requested).
async function holdFrames(page) {
  await page.evaluate(() => new Promise((resolve) => {
    const raf = window.requestAnimationFrame.bind(window);
    const held = [];
    window.requestAnimationFrame = (cb) => { held.push(cb); return 0; };
    window.releaseHeldFrames = () => {
      window.requestAnimationFrame = raf;
      for (const cb of held.splice(0)) raf(cb);
    };
    raf(() => resolve());
  }));
  return page.evaluate(() => window.switchboard.framesDrawn);
}

async function releaseFrames(page, drawnWhenHeld) {
  assert.equal(await page.evaluate(() => window.switchboard.framesDrawn), drawnWhenHeld, 'no frame drawn while held');
  await page.evaluate(() => window.releaseHeldFrames());
}

// What was held back is read a key or a click per frame once let go, and a frame under software
// GL on a loaded 2-core machine can take 300 ms: the waits after a release have room for that.
const drained = 30000;

function sentMessages(s) {
  return s.contacts[0].messages.filter((m) => m.from === 'agent');
}

test('a click on the composer and Enter straight after it send the draft', async () => {
  const { page } = await agentWithSms('alice', '+1 555 010 0201');
  // Something typed, then the composer left (a click on the transcript).
  await page.mouse.click(composer.x, composer.y);
  await page.keyboard.type('Let me check that for you.');
  await page.mouse.click(transcript.x, transcript.y);
  await waitForState(page, (s) => s.contacts[0].draft.text === 'Let me check that for you.', 'the draft saved');

  const drawn = await holdFrames(page);
  await page.mouse.click(composer.x, composer.y);
  await page.keyboard.press('Enter');
  await releaseFrames(page, drawn);

  const s = await waitForState(page, (st) => sentMessages(st).some((m) => m.text === 'Let me check that for you.'), 'the draft sent by Enter', drained);
  assert.equal(sentMessages(s).length, 1);
  await waitForState(page, (st) => st.contacts[0].draft.text === '', 'the draft dropped once sent');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('keys typed before a mouse press reach the field before the press moves the focus', async () => {
  const { page } = await agentWithSms('alice', '+1 555 010 0202');
  const drawn = await holdFrames(page);
  await page.mouse.click(composer.x, composer.y);
  await page.keyboard.type('Refund sent.');
  await page.mouse.move(sendButton.x, sendButton.y);
  await page.mouse.down();
  await releaseFrames(page, drawn);
  // The button is still held: every character is in the draft before Send acts on the release.
  await waitForState(page, (s) => s.contacts[0].draft.text === 'Refund sent.', 'every character in the draft', drained);
  await page.mouse.up();

  const s = await waitForState(page, (st) => sentMessages(st).length > 0, 'the message sent by Send');
  assert.deepEqual(sentMessages(s).map((m) => m.text), ['Refund sent.']);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a canned response searched, picked and sent, all before the desk draws', async () => {
  const { page, id } = await agentWithSms('alice', '+1 555 010 0203');
  const drawn = await holdFrames(page);
  await page.mouse.click(cannedButton.x, cannedButton.y);
  await page.keyboard.type('anything else');
  await page.keyboard.press('Enter');
  await page.mouse.click(composer.x, composer.y);
  await page.keyboard.press('Enter');
  await releaseFrames(page, drawn);

  const s = await waitForState(page, (st) => sentMessages(st).length > 0, 'the canned response sent', drained);
  const sent = sentMessages(s);
  assert.equal(sent.length, 1);
  assert.match(sent[0].text, /^Is there anything else I can help you with/);
  await waitForState(page, (st) => st.contacts.find((c) => c.id === id).draft.text === '', 'the draft dropped once sent');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a username, Tab, a password and Enter typed before the desk draws sign in', async () => {
  // A field that Tab moves the focus into becomes active a frame after the Tab is read, and
  // ImGui drops the characters it reads in that frame: the password would lose its first letter
  // (shell/sdl_input.h).
  const page = await openDesk(browser, server);
  await waitForFrames(page);  // the username field has the focus
  const drawn = await holdFrames(page);
  await page.keyboard.type('bob');
  await page.keyboard.press('Tab');
  await page.keyboard.type('switchboard');
  await page.keyboard.press('Enter');
  await releaseFrames(page, drawn);

  const s = await waitForState(page, (st) => st.session.state === 'logged_in' || st.session.error, 'the sign-in answered', drained);
  assert.equal(s.session.error, null);
  assert.equal(s.agent.username, 'bob');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a press with no pointer motion before it (a tap, a synthetic click) lands where it was made', async () => {
  // The browser may send a mousedown with no mousemove first (a touch screen's tap, assistive
  // technology, an embedding page's synthetic click): the press must act where it happened, not
  // where the pointer last moved.
  const page = await openDesk(browser, server);
  await waitForFrames(page);  // the username field has the focus
  const tap = (x, y) => page.evaluate(([cx, cy]) => {
    const canvas = document.querySelector('canvas');
    for (const type of ['mousedown', 'mouseup']) {
      canvas.dispatchEvent(new MouseEvent(type, { clientX: cx, clientY: cy, button: 0, buttons: type === 'mousedown' ? 1 : 0, bubbles: true }));
    }
  }, [x, y]);
  await tap(640, 435);  // the password field
  await waitForFrames(page, (await page.evaluate(() => window.switchboard.framesDrawn)) + 3);
  await page.keyboard.type('switchboard');
  await tap(640, 357);  // the username field
  await waitForFrames(page, (await page.evaluate(() => window.switchboard.framesDrawn)) + 3);
  await page.keyboard.type('carol');
  await page.keyboard.press('Enter');
  const s = await waitForState(page, (st) => st.session.state === 'logged_in' || st.session.error, 'the sign-in answered', drained);
  assert.equal(s.session.error, null);
  assert.equal(s.agent.username, 'carol');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
