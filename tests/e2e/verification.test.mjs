// End to end, customer verification (docs/verification.md) and a payment (docs/payments.md): a
// chat customer on the real /chat page; the agent, in the desk in headless Chromium, accepts,
// answers a knowledge question and the SMS code (read from the fake provider) in the customer
// card's checklist with the mouse and keyboard, and the card's sensitive section unlocks; then
// takes a payment through the card's masked fields (the fake gateway approves it), and a card
// number the customer wrote in the chat shows masked. Screenshots in tests/e2e/artifacts/.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer } from '../server/harness.mjs';
import { launchBrowser, openDesk, waitForState, dispatch, shot, assertNotBlank, findPrimaryButton, webRoot } from './browser.mjs';

let browser, server;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });
beforeEach(async () => {
  server = await startServer({ args: ['--web-root', webRoot, '--fake-sms-provider', '--fake-payment-gateway', '--offer-timeout', '60'] });
});
afterEach(async () => { await server?.stop(); });

const ACCENT = [0x4f, 0x46, 0xe5];
const CARD_FIELD_ABOVE_CHARGE = 141;

async function agent(username) {
  const page = await openDesk(browser, server);
  const r = await dispatch(page, { type: 'login', username, password: 'switchboard' });
  assert.equal(r.ok, true, JSON.stringify(r));
  const s = await dispatch(page, { type: 'set_state', state: 'available' });
  assert.equal(s.ok, true, JSON.stringify(s));
  return page;
}

async function customer(name, email, firstMessage) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/chat`);
  await page.getByLabel(/name/i).fill(name);
  await page.getByLabel(/email/i).fill(email);
  await page.locator('#start button[type=submit]').click();
  await page.locator('#text').waitFor({ state: 'visible' });
  await page.locator('#text').fill(firstMessage);
  await page.keyboard.press('Enter');
  return page;
}

function getJson(path) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    http.get({ hostname, port, path, agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve(JSON.parse(text)));
    }).on('error', reject);
  });
}
const outbox = async () => (await getJson('/dev/sms-provider/outbox')).messages;

// The accent-coloured buttons (Check, Send code) in the customer card (the right column), top to
// bottom: {x, y} of their centre and minX, their left edge.
function cardButtons(png) {
  const left = Math.floor(png.width * 0.7);
  const rows = [];
  for (let y = 0; y < png.height; y++) {
    let n = 0, minX = Infinity, maxX = -1;
    for (let x = left; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      if (Math.abs(png.data[i] - ACCENT[0]) < 10 && Math.abs(png.data[i + 1] - ACCENT[1]) < 10 &&
          Math.abs(png.data[i + 2] - ACCENT[2]) < 10) {
        n++; minX = Math.min(minX, x); maxX = Math.max(maxX, x);
      }
    }
    if (n >= 30) rows.push({ y, minX, maxX });
  }
  const buttons = [];
  for (const r of rows) {
    const last = buttons[buttons.length - 1];
    if (last && r.y - last.bottom <= 1) { last.bottom = r.y; last.minX = Math.min(last.minX, r.minX); last.maxX = Math.max(last.maxX, r.maxX); }
    else buttons.push({ top: r.y, bottom: r.y, minX: r.minX, maxX: r.maxX });
  }
  return buttons.filter((b) => b.bottom - b.top >= 20)
    .map((b) => ({ x: Math.round((b.minX + b.maxX) / 2), y: Math.round((b.top + b.bottom) / 2), minX: b.minX, width: b.maxX - b.minX }));
}

// Pixels of a colour in the customer card: how the test sees the padlock chip turn green.
function countColour(png, rgb) {
  let n = 0;
  for (let y = 0; y < png.height; y++)
    for (let x = Math.floor(png.width * 0.7); x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      if (Math.abs(png.data[i] - rgb[0]) < 6 && Math.abs(png.data[i + 1] - rgb[1]) < 6 && Math.abs(png.data[i + 2] - rgb[2]) < 6) n++;
    }
  return n;
}

const contactOf = (s) => s.contacts[0];
const stepOf = (s, step) => contactOf(s)?.verification?.steps.find((x) => x.step === step);

test('a chat customer verified with a knowledge question and an SMS code; the customer card unlocks', async () => {
  const alice = await agent('alice');
  const dana = await customer('Dana Whitfield', 'dana@example.com', 'Hi, I moved house and need to update my address.');

  const offer = await waitForState(alice, (s) => s.contacts.some((c) => c.state === 'offered'), 'an offer', 20000);
  // A claimed email is a hint: the chat is its own customer until verified against Dana's record.
  assert.notEqual(contactOf(offer).customer.id, 'cu-1002');
  assert.equal(contactOf(offer).customer.email, 'dana@example.com');
  const offerShot = await shot(alice, 'verification-offer');
  const accept = findPrimaryButton(offerShot, undefined, 60);
  await alice.mouse.click(accept.x, accept.y);
  let s = await waitForState(alice, (st) => contactOf(st)?.state === 'active' && contactOf(st).verification, 'accepted');

  // Before: unverified, the sensitive section masked, no stored answer anywhere in the desk.
  assert.equal(contactOf(s).verification.state, 'unverified');
  assert.deepEqual(contactOf(s).verification.steps.map((x) => x.step), ['dob', 'postcode', 'sms_code']);
  const sensitive = contactOf(s).customer.sensitive;
  assert.equal(sensitive.unlocked, false);
  assert.ok(sensitive.accounts.every((a) => /^\u2022{4} \d{4}$/.test(a.number) && a.balance_cents === null));
  // (the year as a number of its own: a millisecond timestamp may hold the digits 1979 by chance)
  assert.equal(/(?<!\d)1979(?!\d)/.test(JSON.stringify(s)), false, 'the date of birth is not on the desk');
  const before = await shot(alice, 'verification-unverified');
  assertNotBlank(before, 'verification-unverified');
  const lockedGreen = countColour(before, [0xe8, 0xf7, 0xee]);  // success_soft: none while locked

  // The date of birth: click its answer field, type what the customer said, click Check.
  let buttons = cardButtons(before);
  assert.equal(buttons.length, 3, `Check, Check, Send code in the card: ${JSON.stringify(buttons)}`);
  await alice.mouse.click(buttons[0].minX - 80, buttons[0].y);
  await alice.keyboard.type('23 Nov 1979');
  await alice.mouse.click(buttons[0].x, buttons[0].y);
  s = await waitForState(alice, (st) => stepOf(st, 'dob')?.state === 'passed', 'the date of birth passed');
  assert.equal(contactOf(s).verification.state, 'in_progress');
  assert.equal(contactOf(s).customer.sensitive.unlocked, false, 'one step is not enough');

  // The SMS code: Send code, read it from the fake provider, type it, Enter.
  const midShot = await shot(alice, 'verification-in-progress');
  buttons = cardButtons(midShot);
  assert.equal(buttons.length, 2, `Check (postcode), Send code: ${JSON.stringify(buttons)}`);
  const sendCode = buttons[1];
  await alice.mouse.click(sendCode.x, sendCode.y);
  s = await waitForState(alice, (st) => stepOf(st, 'sms_code')?.code_expires_at, 'the code sent');
  let sms;
  for (let i = 0; i < 100 && !sms; i++) {
    sms = (await outbox()).find((m) => m.to === '+15550100002' && /code/i.test(m.body));
    if (!sms) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(sms, 'the fake provider received the code');
  const code = sms.body.match(/\b(\d{6})\b/)[1];
  assert.equal(JSON.stringify(await alice.evaluate(() => window.switchboard.state())).includes(code), false,
    'the desk never holds the code');
  const codeShot = await shot(alice, 'verification-code-sent');
  buttons = cardButtons(codeShot);
  assert.equal(buttons.length, 2, `Check (postcode), Check (code): ${JSON.stringify(buttons)}`);
  await alice.mouse.click(buttons[1].minX - 80, buttons[1].y);
  await alice.keyboard.type(code);
  await alice.keyboard.press('Enter');
  s = await waitForState(alice, (st) => contactOf(st)?.verification.state === 'verified', 'verified');

  // After: the customer card's sensitive section is unlocked, in the state and on screen.
  const unlocked = contactOf(s).customer.sensitive;
  assert.equal(unlocked.unlocked, true);
  assert.deepEqual(unlocked.accounts.map((a) => a.number).sort(), ['30011872', '30011873']);
  assert.equal(unlocked.address, '221 Elm Street, Springfield, IL');
  const after = await shot(alice, 'verification-verified');
  const takePayment = cardButtons(after);
  assert.equal(takePayment.length, 1, `no more Check buttons once verified, only Take payment: ${JSON.stringify(takePayment)}`);
  assert.ok(countColour(after, [0xe8, 0xf7, 0xee]) > lockedGreen + 200, 'the Verified and Unlocked chips are drawn');

  // The backend now lets the address change.
  const changed = await dispatch(alice, { type: 'update_customer', customer: 'cu-1002', address: '5 Oak Avenue, Springfield, IL' });
  assert.equal(changed.ok, true, JSON.stringify(changed));

  // A payment: the amount beside Take payment, then the card in the masked fields.
  await alice.mouse.click(takePayment[0].minX - 80, takePayment[0].y);
  await alice.keyboard.type('45.99');
  await alice.mouse.click(takePayment[0].x, takePayment[0].y);
  s = await waitForState(alice, (st) => contactOf(st)?.payment?.state === 'capturing', 'the capture open');
  assert.equal(contactOf(s).payment.amount, 4599);
  assert.equal(contactOf(s).payment.recording, 'off', 'a chat is not recorded');
  const capture = await shot(alice, 'payment-capture');
  const charge = cardButtons(capture);
  assert.equal(charge.length, 1, `Charge $45.99: ${JSON.stringify(charge)}`);
  // The number field is the section's first (CARD_FIELD_ABOVE_CHARGE px above Charge); Tab moves on.
  await alice.mouse.click(charge[0].minX + 60, charge[0].y - CARD_FIELD_ABOVE_CHARGE);
  const card = '4242 4242 4242 4242';
  await alice.keyboard.type(card);
  await alice.keyboard.press('Tab');
  await alice.keyboard.type('12/30');
  await alice.keyboard.press('Tab');
  await alice.keyboard.type('123');
  const typed = await shot(alice, 'payment-card-typed');
  assert.equal(cardButtons(typed).length, 1);
  await alice.keyboard.press('Enter');
  s = await waitForState(alice, (st) => contactOf(st)?.payment?.state === 'approved', 'the payment approved', 15000);
  assert.deepEqual(contactOf(s).payment.card, { brand: 'visa', last4: '4242', expiry: '12/30' });
  s = await waitForState(alice, (st) => contactOf(st)?.customer.sensitive.payment_methods?.some((m) => m.last4 === '4242'),
    'the card on file in the customer card');
  const charges = await getJson('/dev/payment-gateway/charges');
  assert.equal(JSON.stringify(charges).includes('4242424242424242'), false, 'the fake gateway lists no card number');
  assert.ok(JSON.stringify(charges).includes('4599'), JSON.stringify(charges));
  const paid = await shot(alice, 'payment-approved');
  assertNotBlank(paid, 'payment-approved');

  // The customer writes a card number in the chat: the desk shows it masked, and holds it nowhere.
  await dana.locator('#text').fill('Or use my other card 4111 1111 1111 1111 next time');
  await dana.keyboard.press('Enter');
  s = await waitForState(alice, (st) => contactOf(st)?.messages.some((m) => m.text.includes('\u2022\u2022\u2022\u2022 1111')),
    'the masked message');
  const desk = JSON.stringify(await alice.evaluate(() => window.switchboard.state()));
  for (const number of ['4111 1111 1111 1111', '4111111111111111', '4242 4242 4242 4242', '4242424242424242'])
    assert.equal(desk.includes(number), false, `no ${number} on the desk`);
  await shot(alice, 'payment-masked-transcript');
  assert.deepEqual(alice.errors, []);
  await dana.context().close();
});

test('wrong answers lock the customer: the checklist says until when, and the card stays masked', async () => {
  const alice = await agent('alice');
  const dana = await customer('Dana Whitfield', 'dana@example.com', 'Hello');
  await waitForState(alice, (s) => s.contacts.some((c) => c.state === 'offered'), 'an offer', 20000);
  await dispatch(alice, { type: 'accept', contact: (await alice.evaluate(() => window.switchboard.state())).contacts[0].id });
  const s = await waitForState(alice, (st) => contactOf(st)?.state === 'active', 'accepted');
  const id = contactOf(s).id;
  // Five wrong answers (the support policy's limit), through the JS API.
  for (const [step, answer] of [['dob', '1 Jan 1990'], ['dob', '2 Jan 1990'], ['dob', '3 Jan 1990'], ['postcode', '10001'], ['postcode', '10002']]) {
    const r = await dispatch(alice, { type: 'verify_answer', contact: id, step, answer });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.passed, false);
  }
  const locked = await waitForState(alice, (st) => contactOf(st)?.verification.state === 'locked', 'locked');
  assert.ok(contactOf(locked).verification.locked_until > Date.now());
  const refused = await dispatch(alice, { type: 'verify_answer', contact: id, step: 'postcode', answer: '62704' });
  assert.equal(refused.ok, false);
  assert.equal(refused.error.code, 'verification_locked');
  const png = await shot(alice, 'verification-locked');
  assertNotBlank(png, 'verification-locked');
  assert.equal(cardButtons(png).length, 0, 'nothing to answer while locked');
  assert.equal(contactOf(locked).customer.sensitive.unlocked, false);
  await dana.context().close();
});
