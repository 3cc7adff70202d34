// End to end: two-step sign-in in headless Chromium. erin (policy "required") signs in on the
// canvas, gets the enrollment (QR code drawn from the server's module matrix, the secret as
// text), types the code her "app" shows (computed here with node's HMAC-SHA1 from the secret in
// state()), sees her recovery codes once, and reaches the desk; a second sign-in asks only for
// the code, and a wrong one is shown inline with the tries left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startStack, openDesk, waitForState, waitForFrames, shot, assertNotBlank, findPrimaryButton } from './browser.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

function totp(secretBase32, atMs = Date.now(), stepOffset = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const key = [];
  for (const ch of secretBase32) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) { key.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(atMs / 30000) + stepOffset));
  const mac = createHmac('sha1', Buffer.from(key)).update(msg).digest();
  const off = mac[19] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 1_000_000).padStart(6, '0');
}

// Frames are drawn on demand: wait until they stop coming (the field that asked for the focus
// has it, ImGui has settled) or a second has passed.
async function settle(page) {
  let last = -1;
  for (let i = 0; i < 10; i++) {
    const drawn = await page.evaluate(() => window.switchboard.framesDrawn);
    if (drawn === last) return;
    last = drawn;
    await page.waitForTimeout(100);
  }
}

async function typePassword(page) {
  await waitForFrames(page);
  await page.keyboard.type('erin');
  await page.keyboard.press('Tab');
  await page.keyboard.type('switchboard');
  await page.keyboard.press('Enter');
}

// Pure black pixels in a square block: the QR code's dark modules on its white ground.
function qrPixels(png) {
  let black = 0, white = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (r === 0 && g === 0 && b === 0) black++;
    else if (r === 255 && g === 255 && b === 255) white++;
  }
  return { black, white };
}

let secret;

test('first sign-in: enroll with the QR code, type the code, save the recovery codes, reach the desk', async () => {
  const page = await openDesk(stack.browser, stack.server);
  await typePassword(page);
  const s = await waitForState(page, (x) => x.session.state === 'mfa_required', 'the second step');
  assert.equal(s.session.mfa.step, 'enroll');
  assert.equal(s.agent, null);
  assert.match(s.session.mfa.secret, /^[A-Z2-7]{32}$/);
  assert.ok(s.session.mfa.otpauth.startsWith('otpauth://totp/Switchboard:erin?secret='));
  assert.equal(s.session.mfa.qr.modules.length, s.session.mfa.qr.size ** 2);
  assert.equal(s.session.mfa.challenge, undefined, 'the challenge token stays inside the desk');
  secret = s.session.mfa.secret;
  await settle(page);
  const enrollShot = await shot(page, 'mfa-enroll');
  assertNotBlank(enrollShot, 'mfa-enroll');
  // The QR code is on screen: as many black pixels as dark modules at >= 4 px each, on white.
  const dark = [...s.session.mfa.qr.modules].filter((m) => m === '1').length;
  const { black, white } = qrPixels(enrollShot);
  assert.ok(black >= dark * 16, `QR code: ${black} black pixels for ${dark} dark modules`);
  assert.ok(white >= black, 'the QR code has its white ground and quiet zone');

  // A wrong code is refused inline, and the step stays.
  await page.keyboard.type('000000');
  await page.keyboard.press('Enter');
  const wrong = await waitForState(page, (x) => x.session.error?.code === 'invalid_code' || x.session.state === 'logged_in', 'the wrong code refused');
  if (wrong.session.state !== 'logged_in') {  // ("000000" could, once in a million, be right)
    assert.equal(wrong.session.state, 'mfa_required');
    assert.equal(wrong.session.mfa.attempts_left, 4);
    await settle(page);
    assertNotBlank(await shot(page, 'mfa-enroll-wrong-code'), 'mfa-enroll-wrong-code');

    await page.keyboard.type(totp(secret));
    await page.keyboard.press('Enter');
  }
  const inside = await waitForState(page, (x) => x.session.state === 'logged_in', 'signed in');
  assert.equal(inside.agent.username, 'erin');
  assert.equal(inside.session.recovery_codes.length, 10);
  for (const c of inside.session.recovery_codes) assert.match(c, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
  assert.equal(inside.session.mfa, null);
  await settle(page);
  const codesShot = await shot(page, 'mfa-recovery-codes');
  assertNotBlank(codesShot, 'mfa-recovery-codes');
  // "I have saved these" is the screen's primary button.
  const button = findPrimaryButton(codesShot, undefined, 100);
  await page.mouse.click(button.x, button.y);
  const desk = await waitForState(page, (x) => x.session.recovery_codes.length === 0, 'the codes put away');
  assert.equal(desk.session.state, 'logged_in');
  await settle(page);
  assertNotBlank(await shot(page, 'mfa-desk'), 'mfa-desk');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a second sign-in asks only for the code', async () => {
  assert.ok(secret, 'the first test enrolled erin');
  const page = await openDesk(stack.browser, stack.server);
  await typePassword(page);
  const s = await waitForState(page, (x) => x.session.state === 'mfa_required', 'the code step');
  assert.equal(s.session.mfa.step, 'code');
  assert.equal(s.session.mfa.secret, undefined);
  assert.equal(s.session.mfa.qr, undefined);
  await settle(page);
  const codeShot = await shot(page, 'mfa-code');
  assertNotBlank(codeShot, 'mfa-code');
  assert.equal(qrPixels(codeShot).black < 50, true, 'no QR code at the code step');
  // The enrollment used this step's code; the next step's is inside the window and unused.
  await page.keyboard.type(totp(secret, Date.now(), 1));
  await page.keyboard.press('Enter');
  const inside = await waitForState(page, (x) => x.session.state === 'logged_in', 'signed in with the code');
  assert.equal(inside.agent.username, 'erin');
  assert.deepEqual(inside.session.recovery_codes, [], 'recovery codes are shown only after enrollment');
  await settle(page);
  assertNotBlank(await shot(page, 'mfa-code-desk'), 'mfa-code-desk');

  // The sessions list shows both of erin's sessions; this one is current.
  const list = await page.evaluate(() => window.switchboard.dispatch({ type: 'sessions' }));
  assert.equal(list.ok, true, JSON.stringify(list));
  assert.equal(list.sessions.length, 2);
  assert.equal(list.sessions.filter((x) => x.current).length, 1);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('too many wrong codes lock the account; the sign-in card says why and until when', async () => {
  const page = await openDesk(stack.browser, stack.server);
  const first = await page.evaluate(() => window.switchboard.dispatch({ type: 'login', username: 'erin', password: 'switchboard' }));
  assert.equal(first.ok, true, JSON.stringify(first));
  assert.equal(first.mfa.step, 'code');
  const wrong = ['000001', '000002', '000003', '000004', '000005'].filter((c) => ![-1, 0, 1].some((d) => totp(secret, Date.now(), d) === c));
  let last;
  for (const code of wrong.slice(0, 5)) {
    last = await page.evaluate((c) => window.switchboard.dispatch({ type: 'mfa', code: c }), code);
    if (last.error?.code === 'account_locked') break;
    assert.equal(last.error.code, 'invalid_code');
  }
  assert.equal(last.error.code, 'account_locked', JSON.stringify(last));
  const s = await waitForState(page, (x) => x.session.state === 'logged_out' && x.session.locked_until, 'the lock');
  assert.ok(s.session.locked_until > Date.now() + 14 * 60_000);
  assert.match(s.session.error.message, /too many failed sign-in attempts/i);
  await settle(page);
  assertNotBlank(await shot(page, 'mfa-locked'), 'mfa-locked');
  // The password alone is refused now too, with the same lock.
  const again = await page.evaluate(() => window.switchboard.dispatch({ type: 'login', username: 'erin', password: 'switchboard' }));
  assert.equal(again.error.code, 'account_locked');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
