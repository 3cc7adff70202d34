// payment_recording.test.mjs: a card payment on a voice contact and the call recording
// (docs/payments.md), against a real switchboardd whose recorder talks to a fake rtpengine this
// test owns (the ng protocol: bencode over UDP, "<cookie> <dictionary>"), so that answers can be
// slow, lost or refused. Kamailio is played with plain HTTP requests, as in telephony.test.mjs.
// What must hold: the card is refused until the recorder confirmed the pause; the recording
// always comes back on once the capture ends, even when the capture ended while the pause was
// on its way or a command went unanswered; each confirmed pause and resume is audited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, tempDir, sql, serverBinary, sleep } from './harness.mjs';
import { waitEvent, offered, availableAgent, request } from './contacts_harness.mjs';
import { fakeRtpengine, OK } from './fake_rtpengine.mjs';

const secret = 'test-secret-0123456789abcdef';
const CARD = { card_number: '4242 4242 4242 4242', expiry: '12/30', cvc: '123' };

// ---- the server, playing Kamailio -----------------------------------------------------------------
async function tel(server, what, fields) {
  const r = await request(server.url, `/telephony/${what}`, { method: 'POST', body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-switchboard-telephony': secret } });
  return { status: r.status, text: r.text.trim() };
}

async function voiceServer(rtp) {
  const dir = tempDir();
  writeFileSync(join(dir, 'secret'), `${secret}\n`, { mode: 0o600 });
  const args = ['--sip-domain', '127.0.0.1', '--telephony-secret-file', join(dir, 'secret'), '--fake-payment-gateway',
    '--fake-sms-provider'];
  if (rtp) args.push('--rtpengine-ng', `udp:127.0.0.1:${rtp.port}`);
  return startServer({ dir, args });
}

// Marcus (cu-1001) phones 7001; alice answers and verifies him (date of birth, postcode).
async function verifiedCall(server) {
  const { c: alice } = await availableAgent(server, 'alice');
  const callId = `call-${Math.random().toString(36).slice(2)}@test`;
  const r = await tel(server, 'route', { call_id: callId, from: '5550100001', from_name: 'Marcus', number: '7001' });
  assert.equal(r.status, 200, r.text);
  const contact = r.text.split(' ')[1];
  await waitEvent(alice, offered(contact));
  await alice.ok('accept', { contact });
  await alice.ok('verify_answer', { contact, step: 'dob', answer: '7 March 1984' });
  const v = await alice.ok('verify_answer', { contact, step: 'postcode', answer: 'BS1 5TY' });
  assert.equal(v.verification.state, 'verified');
  return { alice, contact, callId };
}

const recordingIs = (contact, state) => (e) => e.event === 'contact.recording' && e.data.contact === contact && e.data.recording === state;
const paymentIs = (contact, state) => (e) => e.event === 'contact.payment' && e.data.contact === contact && e.data.payment.state === state;
const audited = (server, contact) => JSON.parse(sql(server.db, `SELECT action FROM audit WHERE contact = '${contact}' ORDER BY id`) || '[]')
  .map((r) => r.action);

test('the card waits for the confirmed pause; a capture cancelled while pausing still gets its recording back', async () => {
  const rtp = await fakeRtpengine();
  rtp.delayMs['stop recording'] = 1500;  // a slow rtpengine
  const server = await voiceServer(rtp);
  try {
    const { alice, contact, callId } = await verifiedCall(server);
    const start = await alice.ok('payment_start', { contact, amount: 1999 });
    assert.equal(start.payment.recording, 'pausing');
    const payment = start.payment.id;
    // Not yet paused: the card is refused, and nothing of it is kept.
    const refused = await alice.fails('payment_submit', { contact, payment, ...CARD }, 'recording_not_paused');
    assert.match(refused.message, /pausing/);
    // The agent gives up before rtpengine answers.
    await alice.ok('payment_cancel', { contact, payment });
    await waitEvent(alice, recordingIs(contact, 'paused'), { timeoutMs: 4000 });
    // The capture is over, so the recording comes back on by itself.
    await waitEvent(alice, recordingIs(contact, 'on'), { timeoutMs: 6000 });
    assert.deepEqual(rtp.commands(), ['stop recording', 'start recording']);
    assert.ok(rtp.got.every((g) => g.callId === callId), 'commands for the call routed');
    const actions = audited(server, contact);
    assert.ok(actions.includes('recording.paused') && actions.includes('recording.resumed'), actions.join(', '));

    // Again, and this time the card is taken once the pause is confirmed; approval resumes.
    const again = await alice.ok('payment_start', { contact, amount: 1999 });
    await waitEvent(alice, recordingIs(contact, 'paused'), { from: alice.events.length, timeoutMs: 4000 });
    const sent = await alice.ok('payment_submit', { contact, payment: again.payment.id, ...CARD });
    assert.equal(sent.payment.state, 'authorizing');
    await waitEvent(alice, paymentIs(contact, 'approved'), { timeoutMs: 5000 });
    const from = alice.events.length;
    await waitEvent(alice, recordingIs(contact, 'on'), { from: Math.max(0, from - 5), timeoutMs: 6000 });
    assert.deepEqual(rtp.commands(), ['stop recording', 'start recording', 'stop recording', 'start recording']);
    await alice.close();
  } finally {
    await server.stop();
    await rtp.close();
  }
});

test('an unanswered command is never taken as paused: the recorder asks again until it is confirmed', async () => {
  const rtp = await fakeRtpengine();
  // The first two datagrams of "stop recording" (the request and its one resend) are lost; the
  // answer to the next comes after 1.5 s.
  rtp.answer = (command, n) => (command === 'stop recording' && n <= 2 ? null : OK);
  rtp.delayMs['stop recording'] = 1500;
  const server = await voiceServer(rtp);
  try {
    const { alice, contact } = await verifiedCall(server);
    const start = await alice.ok('payment_start', { contact, amount: 500 });
    await waitEvent(alice, recordingIs(contact, 'unknown'), { timeoutMs: 8000 });
    // Unknown, then asked again and not yet answered: the card is still refused.
    await alice.fails('payment_submit', { contact, payment: start.payment.id, ...CARD }, 'recording_not_paused');
    // Sent again (after the backoff) and confirmed.
    await waitEvent(alice, recordingIs(contact, 'paused'), { timeoutMs: 8000 });
    assert.ok(rtp.counts['stop recording'] >= 3);
    await alice.ok('payment_submit', { contact, payment: start.payment.id, ...CARD });
    await waitEvent(alice, paymentIs(contact, 'approved'), { timeoutMs: 5000 });
    await alice.close();
  } finally {
    await server.stop();
    await rtp.close();
  }
});

test('without a recorder a call\'s card is refused; the gateway must be on loopback', async () => {
  const server = await voiceServer(null);
  try {
    const { alice, contact } = await verifiedCall(server);
    const start = await alice.ok('payment_start', { contact, amount: 500 });
    assert.equal(start.payment.recording, 'off');
    const refused = await alice.fails('payment_submit', { contact, payment: start.payment.id, ...CARD }, 'recording_not_paused');
    assert.match(refused.message, /cannot pause/);
    await alice.close();
  } finally { await server.stop(); }
  const remote = spawnSync(serverBinary, ['--listen', '127.0.0.1:0', '--db', join(tempDir(), 'x.db'),
    '--payment-gateway', 'http://payments.example.com/charge'], { encoding: 'utf8', timeout: 10000 });
  assert.notEqual(remote.status, 0);
  assert.match(remote.stderr + remote.stdout, /loopback/);
  await sleep(0);
});
