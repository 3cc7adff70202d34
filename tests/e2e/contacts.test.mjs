// End to end, chat and SMS: real customers on the /chat page and by SMS webhook, agents in the
// desk (headless Chromium), switchboardd routing between them. A conversation is transferred
// from one agent to another with a note and wrapped up; the customer's next chat pops that
// history; an SMS reply reaches the (fake) provider; three conversations at once are drawn.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, signSms, sql } from '../server/harness.mjs';
import { launchBrowser, openDesk, waitForState, dispatch, shot, assertNotBlank, findPrimaryButton, webRoot } from './browser.mjs';

// One browser for the file; a server of its own for each test, so that no contact is left over.
let browser, server;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });
beforeEach(async () => {
  server = await startServer({ args: ['--web-root', webRoot, '--fake-sms-provider', '--offer-timeout', '60'] });
});
afterEach(async () => { await server?.stop(); });

async function agent(username, state = 'available') {
  const page = await openDesk(browser, server);
  const r = await dispatch(page, { type: 'login', username, password: 'switchboard' });
  assert.equal(r.ok, true, JSON.stringify(r));
  const s = await dispatch(page, state === 'available' ? { type: 'set_state', state } : { type: 'set_state', state, reason: 'break' });
  assert.equal(s.ok, true, JSON.stringify(s));
  return page;
}

// A customer in a browser tab of their own, on the real chat page.
async function customer(name, email, firstMessage) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${server.url}/chat`);
  await page.getByLabel(/name/i).fill(name);
  if (email) await page.getByLabel(/email/i).fill(email);
  await page.locator('#start button[type=submit]').click();
  await page.locator('#text').waitFor({ state: 'visible' });
  await page.locator('#text').fill(firstMessage);
  await page.keyboard.press('Enter');
  return page;
}

async function offeredTo(page, predicate = () => true) {
  const s = await waitForState(page, (st) => st.contacts.some((c) => c.state === 'offered' && predicate(c)), 'an offer', 20000);
  return s.contacts.find((c) => c.state === 'offered' && predicate(c));
}

async function logText(page) {
  return page.locator('#log').innerText();
}

async function until(fn, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a chat: offer, accept by click, messages and typing both ways, transfer with a note, wrap-up, a claim', async () => {
  const alice = await agent('alice');
  const bob = await agent('bob', 'not_ready');
  const erin = await customer('Erin Example', 'erin.e2e@example.com', 'Hi, I was charged twice this month.');

  // The offer rings on Alice's desk; she accepts with the mouse, as a person would.
  const offer = await offeredTo(alice);
  assert.equal(offer.channel, 'chat');
  assert.equal(offer.customer.first_name, 'Erin');
  await waitForState(alice, (s) => s.contacts[0]?.messages.some((m) => /charged twice/.test(m.text)), 'the first message');
  const offerShot = await shot(alice, 'contacts-offer');
  assertNotBlank(offerShot, 'contacts-offer');
  const accept = findPrimaryButton(offerShot, undefined, 60);
  await alice.mouse.click(accept.x, accept.y);
  await waitForState(alice, (s) => s.contacts[0]?.state === 'active', 'accepted by click');
  await until(async () => /joined|chatting with/i.test(await erin.locator('#status').innerText()), 'the customer told an agent joined');

  // Messages both ways; the agent's is shown as pending, then stored.
  const sent = await dispatch(alice, { type: 'send_message', contact: offer.id, text: 'Sorry about that, Erin. Let me look.' });
  assert.equal(sent.ok, true, JSON.stringify(sent));
  await until(async () => (await logText(erin)).includes('Let me look'), 'the customer sees the reply');
  await erin.locator('#text').pressSequentially('It was on the 3rd', { delay: 20 });
  await waitForState(alice, (s) => s.contacts[0]?.customer_typing === true, 'the customer typing');
  await erin.keyboard.press('Enter');
  await waitForState(alice, (s) => s.contacts[0]?.messages.some((m) => m.text === 'It was on the 3rd'), 'the customer message');

  // The agent types in the composer on the canvas: Shift+Enter adds a line, Enter sends.
  await alice.mouse.click(640 - 15, 800 - 120);  // the composer, at the bottom of the workspace
  await alice.keyboard.type('Two charges then.');
  await alice.keyboard.press('Shift+Enter');
  await alice.keyboard.type('Refunding one now.');
  await alice.keyboard.press('Enter');
  await waitForState(alice, (s) => s.contacts[0]?.messages.some(
    (m) => m.from === 'agent' && m.text === 'Two charges then.\nRefunding one now.' && m.status !== 'pending'), 'the typed message sent');
  await until(async () => (await logText(erin)).includes('Refunding one now.'), 'the customer sees the typed message');
  const afterSend = await alice.evaluate(() => window.switchboard.state());
  assert.equal(afterSend.contacts[0].draft.text, '', 'the composer is cleared and its draft dropped');

  // A canned response found by searching its text, with the customer's name filled in.
  await alice.mouse.click(392, 751);  // "Canned responses", under the composer
  await alice.keyboard.type('anything else');
  await alice.keyboard.press('Enter');
  await waitForState(alice, (s) => s.contacts[0]?.draft.text === 'Is there anything else I can help you with, Erin?',
    'the canned response in the composer');
  await alice.mouse.click(640 - 15, 800 - 120);
  await alice.keyboard.press('Enter');
  await waitForState(alice, (s) => s.contacts[0]?.messages.some(
    (m) => m.text === 'Is there anything else I can help you with, Erin?' && m.status !== 'pending'), 'the canned response sent');

  // Transfer to Bob with a note: it leaves Alice and rings Bob, who sees the note.
  assert.equal((await dispatch(bob, { type: 'set_state', state: 'available' })).ok, true);
  const moved = await dispatch(alice, { type: 'transfer', contact: offer.id, agent: 'bob', note: 'Double charge, wants a refund' });
  assert.equal(moved.ok, true, JSON.stringify(moved));
  await waitForState(alice, (s) => s.contacts.length === 0, 'the contact left Alice');
  const atBob = await offeredTo(bob, (c) => c.id === offer.id);
  assert.equal(atBob.transfer.from, 'alice');
  assert.equal(atBob.transfer.note, 'Double charge, wants a refund');
  assert.equal((await dispatch(bob, { type: 'accept', contact: offer.id })).ok, true);
  assert.equal((await dispatch(bob, { type: 'send_message', contact: offer.id, text: 'Bob here: refund issued.' })).ok, true);
  await until(async () => (await logText(erin)).includes('refund issued'), 'the customer sees Bob');

  // Bob ends; wrap-up needs a disposition from the queue's list.
  const ended = await dispatch(bob, { type: 'end', contact: offer.id });
  assert.equal(ended.contact.state, 'wrap_up');
  await until(async () => /ended/i.test(await erin.locator('#status').innerText()), 'the customer told the chat ended');
  const st = await waitForState(bob, (s) => s.agent.activity === 'after_contact_work', 'after-contact work');
  const queue = st.queues.find((q) => q.code === st.contacts[0].queue);
  const disposition = queue.dispositions[0].code;
  await dispatch(bob, { type: 'save_draft', contact: offer.id, wrap_up: { disposition, notes: 'Refunded the duplicate', tags: ['billing'] } });
  assertNotBlank(await shot(bob, 'contacts-wrap-up'), 'contacts-wrap-up');
  const bad = await dispatch(bob, { type: 'wrap_up', contact: offer.id, disposition: 'made_up', notes: '', tags: [] });
  assert.equal(bad.error.code, 'invalid_disposition');
  const done = await dispatch(bob, { type: 'wrap_up', contact: offer.id, disposition, notes: 'Refunded the duplicate', tags: ['billing'] });
  assert.equal(done.ok, true, JSON.stringify(done));
  await waitForState(bob, (s) => s.contacts.length === 0 && s.agent.activity === 'idle', 'wrapped up');

  // The wrap-up is the interaction on file for the chat's customer, with Bob's disposition and notes.
  const [interaction] = JSON.parse(sql(server.db,
    `SELECT customer, disposition, notes, agent FROM interactions WHERE contact = '${offer.id}'`) || '[]');
  assert.deepEqual(interaction, { customer: offer.customer.id, disposition, notes: 'Refunded the duplicate', agent: 'bob' });

  // The same email typed again is a claim, never a link (docs/verification.md, "Claims"): the
  // second chat is a customer record of its own, and nothing of the first chat (its history,
  // Bob's notes) is shown to whoever typed that email.
  await erin.locator('#again').click();
  await erin.getByLabel(/name/i).fill('Erin Example');
  await erin.getByLabel(/email/i).fill('erin.e2e@example.com');
  await erin.locator('#start button[type=submit]').click();
  await erin.locator('#text').fill('Me again!');
  await erin.keyboard.press('Enter');
  const pages = [alice, bob];
  const again = await until(async () => {
    for (const p of pages) {
      const s = await p.evaluate(() => window.switchboard.state());
      const c = s.contacts.find((x) => x.state === 'offered');
      if (c) return c;
    }
    return null;
  }, 'the second chat offered', 20000);
  assert.notEqual(again.customer.id, offer.customer.id);
  assert.deepEqual(again.customer.history ?? [], []);
  assert.deepEqual(erin.errors, []);
  for (const p of [alice, bob, erin]) await p.context().close();
});

test('transfer by the picker: a colleague found by name, picked with the mouse; the note and her name reach them', async () => {
  const bob = await agent('bob', 'not_ready');
  const carol = await agent('carol');
  await dispatch(carol, { type: 'set_state', state: 'not_ready', reason: 'break' });  // alice takes the chat
  const alice = await agent('alice');
  const dana = await customer('Dana Whitfield', 'dana.picker@example.com', 'Can someone in sales help?');
  const offer = await offeredTo(alice);
  assert.equal((await dispatch(alice, { type: 'accept', contact: offer.id })).ok, true);
  await waitForState(alice, (s) => s.contacts[0]?.state === 'active', 'accepted');
  await dispatch(carol, { type: 'set_state', state: 'available' });

  // Transfer, "To an agent": the first colleagues, the available first, found by the backend.
  await shot(alice, 'transfer-picker-before');  // (waits for the accepted chat to be drawn)
  await alice.mouse.click(824, 114);  // Transfer, in the conversation's header
  await shot(alice, 'transfer-picker-open');
  await alice.mouse.click(830, 197);  // "To an agent"
  let s = await waitForState(alice, (st) => st.agent_search.answered === '' && !st.agent_search.pending &&
    st.agent_search.found.length > 0, 'the first colleagues');
  const others = s.agent_search.found.filter((a) => a.username !== 'alice');  // (she is listed too, not drawn)
  assert.equal(others[0].username, 'carol', 'the one available colleague first');
  assert.ok(s.agent_search.found.some((a) => a.username === 'bob' && a.state === 'not_ready'));
  // Typing narrows it: each change asks again, and only the answer to what is typed is shown.
  await alice.mouse.click(748, 240);  // the search field
  await alice.keyboard.type('car', { delay: 30 });
  s = await waitForState(alice, (st) => st.agent_search.answered === 'car' && !st.agent_search.pending, 'carol found');
  assert.deepEqual(s.agent_search.found.map((a) => a.username), ['carol']);
  assertNotBlank(await shot(alice, 'transfer-picker'), 'transfer-picker');
  await alice.mouse.click(700, 286);  // Carol's row
  await alice.mouse.click(748, 405);  // the note
  await alice.keyboard.type('Wants sales', { delay: 20 });
  await alice.mouse.click(834, 470);  // Transfer
  await waitForState(alice, (st) => st.contacts.length === 0, 'the contact left Alice');
  const atCarol = await offeredTo(carol, (c) => c.id === offer.id);
  assert.deepEqual(atCarol.transfer, { from: 'alice', note: 'Wants sales' });
  // Carol's desk was never sent a list of agents; it asked for the name behind "alice" and shows it.
  assertNotBlank(await shot(carol, 'transfer-picker-received'), 'transfer-picker-received');
  await dana.context().close();
  await bob.context().close();
});

test('an SMS arrives by webhook, the agent replies, and the provider receives the reply', async () => {
  const alice = await agent('alice');
  const form = new URLSearchParams({ From: '(555) 010-0199', To: '7001', Body: 'Where is my order #4411?' }).toString();
  const res = await fetch(`${server.url}/sms/inbound`, {
    method: 'POST', body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSms(server.url, form) },
  });
  assert.ok(res.status < 300, `webhook answered ${res.status}`);
  const offer = await offeredTo(alice, (c) => c.channel === 'sms');
  assert.equal(offer.customer.phone, '+15550100199');
  assert.equal((await dispatch(alice, { type: 'accept', contact: offer.id })).ok, true);
  const reply = 'It ships today, tracking to follow. ' + 'x'.repeat(150);  // two SMS
  const sent = await dispatch(alice, { type: 'send_message', contact: offer.id, text: reply });
  assert.equal(sent.ok, true, JSON.stringify(sent));
  assert.equal(sent.message.segments, 2);
  const outbox = await until(async () => {
    const r = await (await fetch(`${server.url}/dev/sms-provider/outbox`)).json();
    return r.messages.find((m) => m.body === reply);
  }, 'the provider to receive the reply');
  assert.equal(outbox.to, '+15550100199');
  await alice.context().close();
});

test('three conversations at once on one desk', async () => {
  const alice = await agent('alice');
  const customers = [
    await customer('Farah Nasser', 'farah@example.com', 'Can I change my delivery address?'),
    await customer('Gus Lindqvist', null, 'I would like to return a jacket, it is too small.'),
  ];
  const text = new URLSearchParams({ From: '+1 555 010 0142', To: '7001', Body: 'Is the store open on Sunday?' }).toString();
  await fetch(`${server.url}/sms/inbound`, {
    method: 'POST', body: text,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSms(server.url, text) },
  });
  for (let i = 0; i < 3; i++) {
    const c = await offeredTo(alice);
    assert.equal((await dispatch(alice, { type: 'accept', contact: c.id })).ok, true);
  }
  const s = await waitForState(alice, (st) => st.contacts.filter((c) => c.state === 'active').length === 3, 'three active');
  assert.deepEqual(s.contacts.map((c) => c.channel).sort(), ['chat', 'chat', 'sms']);
  await dispatch(alice, { type: 'send_message', contact: s.contacts[0].id, text: 'Of course, what is the new address?' });
  await dispatch(alice, { type: 'save_draft', contact: s.contacts[1].id, text: 'Happy to help with the return' });
  assertNotBlank(await shot(alice, 'contacts-three-conversations'), 'contacts-three-conversations');

  // What the agent typed and did not send survives a reload of the page.
  await alice.reload();
  await alice.evaluate(() => window.switchboard.ready.then(() => true));
  // The session brings the contacts; each transcript follows it (get_messages, protocol version 2).
  const sent = (st) => st.contacts.find((c) => c.id === s.contacts[0].id)?.messages.some((m) => m.text === 'Of course, what is the new address?');
  const back = await waitForState(alice, (st) => st.session.state === 'logged_in' && st.contacts.length === 3 && sent(st),
    'resumed, with the transcripts');
  assert.equal(back.contacts.find((c) => c.id === s.contacts[1].id).draft.text, 'Happy to help with the return');
  const first = back.contacts.find((c) => c.id === s.contacts[0].id);
  assert.equal(first.messages.length, first.message_count);
  for (const p of [alice, ...customers]) await p.context().close();
});
