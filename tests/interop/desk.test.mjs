// desk.test.mjs: the desk's own phone. The core's SIP user agent, run by switchboard-bot (the
// native platform: Beast WebSocket with the "sip" subprotocol), takes the credentials from the
// login reply, registers through the project's Kamailio (answering its digest challenge), and
// shows the registration in its state; logging out closes the SIP connection and Kamailio
// drops the binding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, registrations, waitFor, sipp, botDesk } from './harness.mjs';
import { launchBrowser, openDesk, dispatch, waitForState, webRoot, shot, assertNotBlank } from '../e2e/browser.mjs';

let stack, browser;
before(async () => {
  stack = await startStack({ serverArgs: ['--web-root', webRoot] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('the web desk in Chromium registers its phone over the "sip" WebSocket, and logout unregisters it', async () => {
  const page = await openDesk(browser, stack.server);
  const login = await dispatch(page, { type: 'login', username: 'alice', password: 'switchboard' });
  assert.equal(login.ok, true, JSON.stringify(login));
  const s = await waitForState(page, (st) => st.voice.registration === 'registered', 'the phone registered', 15000);
  assert.equal(s.voice.available, true);
  assert.equal(s.voice.transport, 'open');
  assert.equal(s.voice.uri, 'sip:alice@127.0.0.1');
  assert.equal(s.voice.error, null);
  assert.doesNotMatch(JSON.stringify(s), /"password"/);
  const bound = await waitFor('alice bound in Kamailio', async () => (await registrations(stack))['alice']);
  assert.equal(bound.length, 1);
  assert.match(bound[0], /transport=ws/);
  assertNotBlank(await shot(page, 'desk-phone-ready'), 'desk with its phone registered');
  const out = await dispatch(page, { type: 'logout' });
  assert.equal(out.ok, true);
  const after = await waitForState(page, (st) => st.voice.available === false, 'the phone off after logout');
  assert.equal(after.voice.transport, 'closed');
  await waitFor('Kamailio to forget alice', async () => !(await registrations(stack))['alice'], 15000);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

const bot = (args) => botDesk(stack, args);

test('the desk registers its phone through Kamailio with the credentials of its session', async () => {
  const b = bot(['--username', 'bob', '--state', 'available', '--stay', '30']);
  try {
    const registered = await waitFor('the desk to say its phone is registered',
      () => b.lines.find((l) => l.event === 'voice' && l.data.registration === 'registered'), 15000);
    assert.ok(registered);
    const states = b.lines.filter((l) => l.event === 'voice').map((l) => l.data.registration);
    assert.deepEqual(states.slice(0, 2), ['registering', 'registered']);
    // Kamailio holds the binding: a WebSocket contact of the desk, for bob's address.
    const bound = await waitFor('the binding in Kamailio', async () => (await registrations(stack))['bob']);
    assert.equal(bound.length, 1);
    assert.match(bound[0], /transport=ws/);
    // The session's SIP password never reaches the desk's output.
    assert.doesNotMatch(b.stderr, /password/i);
  } finally {
    b.proc.kill('SIGTERM');
    await b.exited;
  }
  // The bot is gone: its WebSocket closed, and Kamailio forgets the binding.
  await waitFor('Kamailio to drop the closed connection\'s binding',
    async () => !(await registrations(stack))['bob'], 15000);
});

test('the native desk takes a queue call: rings with the contact, answers, and the caller\'s hang-up wraps the contact up', async () => {
  const b = bot(['--username', 'carol', '--state', 'available', '--answer-calls', '--stay', '40']);
  try {
    await waitFor('carol\'s phone registered', () => b.lines.find((l) => l.event === 'voice' && l.data.registration === 'registered'), 15000);
    await waitFor('carol available', () => b.lines.find((l) => l.event === 'completed' && l.data?.agent?.state === 'available'), 10000);
    const caller = sipp(stack, 'queue_caller.xml', { keys: { queue: '7002', caller: '+15550100001' }, port: 5091, mediaPort: 18300 });
    const incoming = await waitFor('the call ringing on the desk',
      () => b.lines.find((l) => l.event === 'call.incoming')?.data, 15000);
    assert.equal(incoming.number, '+15550100001');
    assert.match(incoming.contact ?? '', /\S/, 'the INVITE named its contact');
    const offered = b.lines.find((l) => l.event === 'contact.offered' && l.data.id === incoming.contact)?.data
      ?? await waitFor('the contact offered', () => b.lines.find((l) => l.event === 'contact.offered' && l.data.id === incoming.contact)?.data);
    assert.equal(offered.channel, 'voice');
    assert.equal(offered.customer.phone, '+15550100001');
    await waitFor('the call answered', () => b.lines.find((l) => l.event === 'call' && l.data.phase === 'active'), 10000);
    const r = await caller.done;
    assert.equal(r.code, 0, `caller:\n${r.errors}\n${r.output}\n${stack.kamailioLog().slice(-3000)}`);
    const ended = await waitFor('the call ended on the desk', () => b.lines.find((l) => l.event === 'call.ended')?.data, 10000);
    assert.equal(ended.by, 'remote');
    const wrap = await waitFor('the contact in wrap-up', () => b.lines.find((l) => l.event === 'contact.updated' &&
      l.data.id === incoming.contact && l.data.state === 'wrap_up')?.data, 10000);
    assert.equal(wrap.ended_by, 'customer');
  } finally {
    b.proc.kill('SIGTERM');
    await b.exited;
  }
});
