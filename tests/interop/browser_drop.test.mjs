// browser_drop.test.mjs: a network blip in the middle of a call. The web desk reaches
// switchboardd and Kamailio through TCP relays this test owns; with a routed queue call up,
// both relays cut every connection at once. The desk reconnects to both by itself, resumes its
// session and registers its phone again, and the call goes on: its media never stopped (it does
// not ride either WebSocket), and hold, resume and hang-up still reach the caller through the
// new SIP connection. The contact then wraps up as usual.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startStack, sipMessages, ports, registrations, waitFor } from './harness.mjs';
import { launchBrowser, openDesk, dispatch, waitForState, webRoot } from '../e2e/browser.mjs';
import { holdResumeHangUp, answeredCall, stopCaller } from './browser_desks.mjs';

const callerPort = 5094, callerMedia = 18500;
const deskRelayPort = 25201, sipRelayPort = 25202, serverPort = 25200;

// A TCP relay that can cut every connection it carries.
function relay(listenPort, targetPort) {
  const pairs = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream).pipe(client);
    const drop = () => { client.destroy(); upstream.destroy(); pairs.delete(pair); };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  return new Promise((resolve) => server.listen(listenPort, '127.0.0.1', () => resolve({
    cut() { const n = pairs.size; for (const p of [...pairs]) { p.client.destroy(); p.upstream.destroy(); } pairs.clear(); return n; },
    count: () => pairs.size,
    close: () => new Promise((r) => { for (const p of pairs) { p.client.destroy(); p.upstream.destroy(); } server.close(r); }),
  })));
}

let stack, browser, deskRelay, sipRelay;
before(async () => {
  // The sessions' SIP WebSocket address is the relay's (the last --sip-ws-url wins). The page
  // comes from the server itself and reaches it through the relay: the relay is a backend the
  // server lists for its desk (?backend=), and the page's origin one it accepts WebSockets from
  // when they arrive with the relay's Host (a fixed port: this network namespace is the test's).
  stack = await startStack({ serverArgs: ['--web-root', webRoot, '--sip-ws-url', `ws://127.0.0.1:${sipRelayPort}`,
    '--listen', `127.0.0.1:${serverPort}`, '--desk-backend', `ws://127.0.0.1:${deskRelayPort}/desk`,
    '--allowed-origin', `http://127.0.0.1:${serverPort}`] });
  deskRelay = await relay(deskRelayPort, Number(new URL(stack.server.url).port));
  sipRelay = await relay(sipRelayPort, ports.ws);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await deskRelay?.close();
  await sipRelay?.close();
  await stack?.stop();
});

test('both WebSockets drop mid-call: the desk reconnects, re-registers and resumes, and the call goes on to a normal end', async () => {
  const page = await openDesk(browser, stack.server, { query: `?backend=ws://127.0.0.1:${deskRelayPort}/desk` });
  assert.equal((await dispatch(page, { type: 'login', username: 'alice', password: 'switchboard' })).ok, true);
  await waitForState(page, (st) => st.voice.registration === 'registered', 'the phone registered', 15000);
  assert.equal((await dispatch(page, { type: 'set_state', state: 'available' })).ok, true);
  assert.ok(deskRelay.count() >= 1 && sipRelay.count() >= 1, 'both WebSockets go through the relays');

  const call = await answeredCall(stack, page, { from: '+15550100003', port: callerPort, mediaPort: callerMedia });
  const { caller, contact, up: before } = call;
  try {
    assert.ok((await registrations(stack)).alice?.[0], 'alice registered through the relay');

    // The blip: every connection of both relays is cut at once.
    assert.ok(deskRelay.cut() >= 1);
    assert.ok(sipRelay.cut() >= 1);
    await waitForState(page, (st) => st.connection.state !== 'connected' || st.voice.transport !== 'open',
      'the desk to notice', 10000);
    const back = await waitForState(page, (st) => st.connection.state === 'connected' && st.session.state === 'logged_in' &&
      st.voice.registration === 'registered' && st.voice.transport === 'open', 'the desk back, resumed and registered', 30000);
    assert.equal(back.calls.length, 1, 'the call is still on the desk');
    assert.equal(back.calls[0].phase, 'active');
    assert.equal(back.contacts.find((c) => c.id === contact)?.state, 'active', 'the contact too, after the resume');
    // One binding: the new connection's (the lost connection's went with it).
    await waitFor('one binding for alice', async () => (await registrations(stack)).alice?.length === 1, 15000);
    // Media kept flowing through the blip.
    const grown = await waitForState(page, (st) => st.calls[0]?.stats?.bytes_in > before.calls[0].stats.bytes_in + 1000,
      'more audio after the blip', 10000);
    assert.ok(grown.calls[0].stats.bytes_in > before.calls[0].stats.bytes_in);

    // Hold, resume and hang up still reach the caller, through the new SIP connection.
    await holdResumeHangUp(page, contact);
    const r = await caller.done;
    assert.equal(r.code, 0, `caller:\n${r.errors}\n${r.output}\n${stack.kamailioLog().slice(-3000)}`);
    const got = sipMessages(r.messages).filter((m) => m.direction === 'received').map((m) => m.startLine.split(' ')[0]);
    assert.ok(got.includes('BYE'), `the caller got the BYE: ${got}`);
    assert.deepEqual(page.errors, []);
  } finally {
    await stopCaller(call);
    await page.context().close();
  }
});
