// desk_call.test.mjs: a call to the web desk, worked in its UI. The desk runs in headless
// Chromium, signs in and registers its phone through the project's Kamailio; a caller from
// outside (SIPp, scenarios/desk_call_uac.xml) calls the agent's address directly. Then, as an
// agent would, with the mouse on the canvas: the incoming-call banner shows the caller (and a
// desktop notification while the tab is hidden), Answer connects the call with media both
// ways through rtpengine, Hold and Resume send re-INVITEs the caller sees, the keypad sends
// DTMF (RFC 4733 telephone-events reach the caller), and Hang up sends the caller a BYE. The
// screenshots of each step are kept in tests/e2e/artifacts/desk-call-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startStack, sipp, sipMessages, captureRtp, waitFor, ports } from './harness.mjs';
import { launchBrowser, openDesk, dispatch, waitForState, webRoot, shot, assertNotBlank } from '../e2e/browser.mjs';

const callerPort = 5091, callerMedia = 18000, callerNumber = '+15551230001';
const trunkPort = 5095, trunkMedia = 18100;
let stack, browser;
before(async () => {
  stack = await startStack({ serverArgs: ['--web-root', webRoot], trunk: `127.0.0.1:${trunkPort}` });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

// ---- what the pictures show --------------------------------------------------------------------
// The bounding box of the thickest band of one colour (a filled button): contiguous rows with at
// least `minWidth` pixels of it each (a card's 2 px border in the same colour is thinner), between
// `fromX` and `toX`.
function colourBand(png, rgb, minWidth, { fromX = 0, toX = png.width } = {}) {
  let best = null, run = null;
  for (let y = 0; y <= png.height; y++) {
    let n = 0, minX = Infinity, maxX = -1;
    for (let x = fromX; y < png.height && x < toX; x++) {
      const i = (y * png.width + x) * 4;
      if (Math.abs(png.data[i] - rgb[0]) < 8 && Math.abs(png.data[i + 1] - rgb[1]) < 8 && Math.abs(png.data[i + 2] - rgb[2]) < 8) {
        n++; minX = Math.min(minX, x); maxX = Math.max(maxX, x);
      }
    }
    if (n >= minWidth) {
      if (!run) run = { minX, maxX, minY: y, maxY: y };
      run.minX = Math.min(run.minX, minX); run.maxX = Math.max(run.maxX, maxX); run.maxY = y;
      continue;
    }
    if (run && (!best || run.maxY - run.minY > best.maxY - best.minY)) best = run;
    run = null;
  }
  if (best) { best.x = Math.round((best.minX + best.maxX) / 2); best.y = Math.round((best.minY + best.maxY) / 2); }
  return best;
}
const green = [0x16, 0xa3, 0x4a];  // Answer (theme::color::success)
const red = [0xc7, 0x35, 0x2b];    // Hang up, Decline (theme::color::danger)

// The call panel's controls row (shell/panels/call_panel.cpp): Mute, Hold, Keypad, Transfer and
// Hang up, 76 px wide, 10 apart, the red Hang up last; the keypad opens under the row.
const tile = 86;
// The wrap-up form's first disposition row (shell/panels/wrap_up.cpp), at 1280x800.
const wrapUpFirstDispositionY = 292;
const controls = (hangup) => ({
  mute: { x: hangup.x - 4 * tile, y: hangup.y },
  hold: { x: hangup.x - 3 * tile, y: hangup.y },
  transfer: { x: hangup.x - tile, y: hangup.y },
  keypad: { x: hangup.x - 2 * tile, y: hangup.y },
  // Keys 64x44, 8 apart, under the row (64) + 18 + the digits strip (36) + 10, centred on Keypad.
  key: (digit) => {
    const i = '123456789*0#'.indexOf(digit);
    return { x: hangup.x - 2 * tile + (i % 3 - 1) * 72, y: hangup.minY + 64 + 18 + 46 + Math.floor(i / 3) * 52 + 22 };
  },
});

// ---- RFC 4733 telephone-events on the wire ------------------------------------------------------
// tcpdump of the UDP packets to `port`, hex; counts those whose RTP payload type is `pt`.
async function captureRtpPayloadTypes(port) {
  const proc = spawn('tcpdump', ['-i', 'lo', '-n', '-l', '-x', '-U', `udp and dst port ${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stdout.on('data', (d) => { out += d; });
  const exited = new Promise((res) => proc.on('exit', res));
  await new Promise((resolve, reject) => {
    proc.stderr.on('data', (d) => { err += d; if (/listening on/.test(err)) resolve(); });
    exited.then(() => reject(new Error(`tcpdump exited: ${err}`)));
  });
  return {
    async stop() {
      proc.kill('SIGINT');
      await exited;
      const types = {};
      for (const packet of out.split(/\n(?=\S)/)) {
        const hex = [...packet.matchAll(/0x[0-9a-f]{4}:\s+((?:[0-9a-f]{2,4}\s?)+)/g)].map((m) => m[1].replace(/\s+/g, '')).join('');
        if (hex.length < 2 * 30) continue;
        const ihl = (parseInt(hex.slice(1, 2), 16)) * 4;           // IPv4 header length
        const rtp = ihl + 8;                                          // after the UDP header
        const version = parseInt(hex.slice(2 * rtp, 2 * rtp + 2), 16) >> 6;
        if (version !== 2) continue;
        const pt = parseInt(hex.slice(2 * (rtp + 1), 2 * (rtp + 1) + 2), 16) & 0x7f;
        types[pt] = (types[pt] ?? 0) + 1;
      }
      return types;
    },
  };
}

test('a call to the desk: banner, answer by click, media both ways, hold, resume, keypad DTMF, hang up from the UI', async () => {
  const page = await openDesk(browser, stack.server);
  page.logs = [];
  page.on('console', (m) => page.logs.push(`${m.type()}: ${m.text()}`));
  const login = await dispatch(page, { type: 'login', username: 'alice', password: 'switchboard' });
  assert.equal(login.ok, true, JSON.stringify(login));
  const ready = await waitForState(page, (st) => st.voice.registration === 'registered', 'the phone registered', 15000);
  const callee = ready.voice.uri.match(/^sip:([^@]+)@/)[1];
  assert.equal(callee, 'alice');
  await page.mouse.click(640, 420);  // a click on the page unlocks audio (the ringtone)

  // The dial pad, from the agent bar's Call button (left of "Phone ready"): a number typed and
  // pressed on its keypad; the green Call button lights up once there is a number.
  const bar = await shot(page, 'desk-call-bar');
  let glyphX = Infinity;  // the button's green handset: the leftmost green in the bar (the dots come after)
  for (let y = 0; y < 60; y++) {
    for (let x = 0; x < bar.width; x++) {
      const i = (y * bar.width + x) * 4;
      if (Math.abs(bar.data[i] - green[0]) < 8 && Math.abs(bar.data[i + 1] - green[1]) < 8 && Math.abs(bar.data[i + 2] - green[2]) < 8) glyphX = Math.min(glyphX, x);
    }
  }
  assert.ok(glyphX < 1280, 'the Call button in the agent bar');
  await page.mouse.click(glyphX + 20, 30);
  await page.waitForTimeout(300);
  await page.keyboard.type('+1555');
  const padShot = await shot(page, 'desk-dial-pad');
  const dialCall = colourBand(padShot, green, 150);
  assert.ok(dialCall && dialCall.y > 300, 'the dial pad with its green Call button');
  await page.keyboard.press('Escape');
  const closed = await shot(page, 'desk-dial-pad-closed');
  assert.equal(colourBand(closed, green, 150), null, 'Escape closed the dial pad');

  // What the page tells its listeners, and the desktop notification of a hidden tab (a stand-in
  // Notification records what the page asks for; the tab pretends to be in the background).
  await page.evaluate(() => {
    window.__events = [];
    for (const name of ['call.incoming', 'call', 'call.ended', 'call.dtmf_sent'])
      window.switchboard.on(name, (data) => window.__events.push({ name, data }));
    window.__media = [];
    for (const fn of ['create', 'answer']) {
      const real = SBMedia[fn];
      SBMedia[fn] = (...args) => real(...args).then((r) => { window.__media.push({ fn, ok: true, r: JSON.stringify(r).slice(0, 200) }); return r; },
        (e) => { window.__media.push({ fn, ok: false, e: String(e && e.message) }); throw e; });
    }
    window.__notes = [];
    window.Notification = class {
      constructor(title, options) { this.title = title; this.body = options.body; this.closed = false; window.__notes.push(this); }
      close() { this.closed = true; }
      static get permission() { return 'granted'; }
      static requestPermission() { return Promise.resolve('granted'); }
    };
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
  });
  const events = (name) => page.evaluate((n) => window.__events.filter((e) => e.name === n).map((e) => e.data), name);

  const rtp = await captureRtp();
  const dtmfWire = await captureRtpPayloadTypes(callerMedia);
  const caller = sipp(stack, 'desk_call_uac.xml', {
    keys: { callee, caller: callerNumber }, port: callerPort, mediaPort: callerMedia, extra: ['-rtp_echo'], timeoutS: 120,
  });
  let done = null, flows, wire;
  caller.done.then((r) => { done = r; });
  try {
    // It rings: the state, the listeners, the notification, and the banner on screen.
    const ringing = await waitForState(page, (st) => st.calls[0]?.phase === 'ringing' || done, 'the call to ring', 20000);
    assert.equal(done, null, `the caller stopped early:\n${done?.errors}\n${done?.output}`);
    assert.equal(ringing.calls.length, 1);
    assert.equal(ringing.calls[0].direction, 'inbound');
    assert.equal(ringing.calls[0].number, callerNumber);
    assert.equal(ringing.calls[0].name, 'Ada Lovelace');
    assert.equal(ringing.calls[0].contact, null, 'a direct call has no contact');
    const incoming = await events('call.incoming');
    assert.equal(incoming.length, 1);
    assert.equal(incoming[0].id, ringing.calls[0].id);
    const notes = await page.evaluate(() => window.__notes.map((n) => ({ title: n.title, body: n.body, closed: n.closed })));
    assert.equal(notes.length, 1, 'a desktop notification while the tab is hidden');
    assert.equal(notes[0].title, 'Incoming call');
    assert.match(notes[0].body, /Ada Lovelace/);
    assert.equal(notes[0].closed, false);
    await page.evaluate(() => { delete document.hidden; });
    await page.waitForFunction(() => SBMedia.tone() === 'ring');
    const bannerShot = await shot(page, 'desk-call-incoming');
    assertNotBlank(bannerShot, 'incoming call');

    // Answer, with the mouse on the green button of the banner.
    const leftColumn = { toX: 310 };  // the banner; the workspace shows the ringing call too
    const answer = colourBand(bannerShot, green, 100, leftColumn);
    assert.ok(answer, 'a green Answer button on screen');
    assert.ok(answer.x < 320, `Answer is in the left column (x ${answer.x})`);
    await page.mouse.click(answer.x, answer.y);
    const active = await waitForState(page, (st) => st.calls[0]?.phase === 'active', 'the call answered', 15000);
    assert.ok(active.calls[0].connected_at > 0);
    assert.equal(await page.evaluate(() => SBMedia.tone()), null, 'the ringtone stopped');
    assert.ok((await page.evaluate(() => window.__notes[0].closed)), 'the notification closed once answered');

    // Media: the browser receives audio (its getStats, in the call's stats) ...
    const flowing = await waitForState(page, (st) => st.calls[0]?.stats?.bytes_in > 0 && st.calls[0]?.stats?.mos > 0,
      'inbound audio in the call stats', 15000);
    assert.ok(flowing.calls[0].stats.packets_in > 0);
    const activeShot = await shot(page, 'desk-call-active');
    assertNotBlank(activeShot, 'active call');

    // ... hold, with the mouse on Hold: the caller gets a=sendonly and the desk says held.
    const hangup = colourBand(activeShot, red, 60);
    assert.ok(hangup, 'a red Hang up control on screen');
    assert.ok(hangup.x > 320 && hangup.x < 960, `Hang up is in the workspace (x ${hangup.x})`);
    const ui = controls(hangup);
    // Mute and unmute: local only (the track is silenced), the state says so.
    await page.mouse.click(ui.mute.x, ui.mute.y);
    await waitForState(page, (st) => st.calls[0]?.muted === true, 'muted');
    assert.equal(await page.evaluate((id) => SBMedia._trackEnabled(String(id)), active.calls[0].id), false, 'the microphone track is off');
    await page.mouse.click(ui.mute.x, ui.mute.y);
    await waitForState(page, (st) => st.calls[0]?.muted === false, 'unmuted');

    await page.mouse.click(ui.hold.x, ui.hold.y);
    const held = await waitForState(page, (st) => st.calls[0]?.phase === 'held', 'the call held', 15000);
    assert.equal(held.calls[0].held, true);
    assertNotBlank(await shot(page, 'desk-call-held'), 'held call');

    // Resume (the same control, now "Resume").
    await page.mouse.click(ui.hold.x, ui.hold.y);
    await waitForState(page, (st) => st.calls[0]?.phase === 'active' && !st.calls[0].held, 'the call resumed', 15000);

    // The keypad: open it, press 5 with the mouse and type 1# on the keyboard.
    await page.mouse.click(ui.keypad.x, ui.keypad.y);
    await page.waitForTimeout(300);
    const five = ui.key('5');
    await page.mouse.click(five.x, five.y);
    await waitFor('the 5 sent', async () => (await events('call.dtmf_sent')).length >= 1, 5000);
    await page.keyboard.type('1#');
    await waitFor('1# sent', async () => (await events('call.dtmf_sent')).map((e) => e.digits).join('') === '51#', 5000);
    assertNotBlank(await shot(page, 'desk-call-keypad'), 'call with its keypad');

    // Hang up with the mouse: the caller gets the BYE, the listeners call.ended.
    await page.waitForTimeout(1000);  // let the tones play out before the call ends
    await page.mouse.click(hangup.x, hangup.y);
    const r = await caller.done;
    assert.equal(r.code, 0, `the caller's scenario (BYE expected):\n${r.errors}\n${r.output}`);
    const ended = await waitFor('call.ended', async () => (await events('call.ended'))[0], 5000);
    assert.equal(ended.by, 'local');
    const after = await waitForState(page, (st) => st.calls.length === 0, 'no call left');
    assert.equal(after.calls.length, 0);
    await page.waitForFunction(() => SBMedia.count() === 0);
    assertNotBlank(await shot(page, 'desk-call-ended'), 'after the call');

    // What the caller saw: hold and resume re-INVITEs from the desk, and the BYE.
    const msgs = sipMessages(r.messages);
    const got = msgs.filter((m) => m.direction === 'received').map((m) => m.startLine.split(' ')[0]);
    assert.deepEqual(got.filter((m) => m === 'INVITE' || m === 'BYE'), ['INVITE', 'INVITE', 'BYE']);
    const [hold, resume] = msgs.filter((m) => m.direction === 'received' && m.startLine.startsWith('INVITE '));
    assert.match(hold.text, /^a=sendonly$/m);
    assert.match(resume.text, /^a=sendrecv$/m);
  } catch (e) {
    const log = await page.evaluate(() => [window.__events, window.__media]).catch(() => []);
    console.log('events:', JSON.stringify(log), '\nconsole:', page.logs.join('\n'));
    await shot(page, 'desk-call-failure').catch(() => {});
    throw e;
  } finally {
    if (!done) caller.proc.kill('SIGKILL');
    const r = await caller.done;
    if (r.code !== 0) console.log('caller:', r.errors, r.output.slice(-3000));
    flows = await rtp.stop();
    wire = await dtmfWire.stop();
  }

  // The caller received the desk's audio through rtpengine, and sent its own.
  const port = (address) => Number(address.split('.').pop());
  const isRtpengine = (address) => port(address) >= ports.rtp[0] && port(address) <= ports.rtp[1];
  const count = (from, to) => Object.entries(flows)
    .filter(([pair]) => { const [src, dst] = pair.split(' > '); return from(src) && to(dst); })
    .reduce((n, [, c]) => n + c, 0);
  const toCaller = count(isRtpengine, (a) => port(a) === callerMedia);
  const fromCaller = count((a) => port(a) === callerMedia, isRtpengine);
  assert.ok(toCaller >= 50, `RTP to the caller: ${toCaller} packets (${JSON.stringify(flows)})`);
  assert.ok(fromCaller >= 50, `RTP from the caller: ${fromCaller} packets`);
  // The digits as RFC 4733 telephone-events (payload type 101, as the caller's offer said).
  assert.ok((wire[101] ?? 0) >= 3, `telephone-event packets at the caller: ${JSON.stringify(wire)}`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a call declined from the banner with its shortcut (Alt+X): the caller hears busy', async () => {
  const page = await openDesk(browser, stack.server);
  const login = await dispatch(page, { type: 'login', username: 'bob', password: 'switchboard' });
  assert.equal(login.ok, true, JSON.stringify(login));
  const ready = await waitForState(page, (st) => st.voice.registration === 'registered', 'the phone registered', 15000);
  const callee = ready.voice.uri.match(/^sip:([^@]+)@/)[1];
  await page.mouse.click(640, 420);
  const caller = sipp(stack, 'desk_call_uac_declined.xml', { keys: { callee, caller: callerNumber }, port: callerPort + 1 });
  try {
    await waitForState(page, (st) => st.calls[0]?.phase === 'ringing', 'the call to ring', 20000);
    await shot(page, 'desk-call-incoming-bob');
    await page.keyboard.press('Alt+x');
    const r = await caller.done;
    assert.equal(r.code, 0, `the caller's scenario (486 expected):\n${r.errors}\n${r.output}`);
    await waitForState(page, (st) => st.calls.length === 0, 'the call gone');
  } finally {
    caller.proc.kill('SIGKILL');
    await caller.done;
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an outbound call from the dial pad through the trunk; hung up, the voice contact goes to wrap-up and the form closes it', async () => {
  const page = await openDesk(browser, stack.server);
  const login = await dispatch(page, { type: 'login', username: 'carol', password: 'switchboard' });
  assert.equal(login.ok, true, JSON.stringify(login));
  await waitForState(page, (st) => st.voice.registration === 'registered', 'the phone registered', 15000);
  assert.equal((await dispatch(page, { type: 'set_state', state: 'not_ready', reason: 'admin' })).ok, true);
  await page.mouse.click(640, 420);
  const trunk = sipp(stack, 'desk_call_uas_trunk.xml', { server: true, port: trunkPort, mediaPort: trunkMedia, extra: ['-rtp_echo'], timeoutS: 90 });
  let done = null;
  trunk.done.then((r) => { done = r; });
  try {
    // The dial pad: type the number, Enter places the call.
    const bar = await shot(page, 'desk-outbound-bar');
    let glyphX = Infinity;
    for (let y = 0; y < 60; y++) {
      for (let x = 0; x < bar.width; x++) {
        const i = (y * bar.width + x) * 4;
        if (Math.abs(bar.data[i] - green[0]) < 8 && Math.abs(bar.data[i + 1] - green[1]) < 8 && Math.abs(bar.data[i + 2] - green[2]) < 8) glyphX = Math.min(glyphX, x);
      }
    }
    await page.mouse.click(glyphX + 20, 30);
    await page.waitForTimeout(300);
    await page.keyboard.type('+15557654321');
    await page.keyboard.press('Enter');
    const up = await waitForState(page, (st) => st.calls[0]?.phase === 'active' || done, 'the outbound call answered', 20000);
    assert.equal(done, null, `the trunk stopped early:\n${done?.errors}\n${done?.output}`);
    const call = up.calls[0];
    assert.equal(call.direction, 'outbound');
    assert.ok(call.contact, 'an outbound call has its voice contact');
    const contact = up.contacts.find((c) => c.id === call.contact);
    assert.equal(contact.channel, 'voice');
    assert.equal(contact.state, 'active');
    assert.equal(contact.call.number, '+15557654321');
    assert.equal(contact.call.live.id, call.id);
    const activeShot = await shot(page, 'desk-call-outbound');
    assertNotBlank(activeShot, 'outbound call');

    // Hang up in the UI: the trunk gets the BYE; the contact goes to wrap-up. (First a look at
    // the Transfer popup, closed again with Escape.)
    const hangup = colourBand(activeShot, red, 60);
    assert.ok(hangup, 'a red Hang up control');
    await page.mouse.click(controls(hangup).transfer.x, controls(hangup).transfer.y);
    assertNotBlank(await shot(page, 'desk-call-transfer'), 'the transfer popup');
    await page.keyboard.press('Escape');
    await page.waitForTimeout(200);
    await page.mouse.click(hangup.x, hangup.y);
    const r = await trunk.done;
    assert.equal(r.code, 0, `the trunk's scenario (BYE expected):\n${r.errors}\n${r.output}`);
    const wrap = await waitForState(page, (st) => st.contacts.find((c) => c.id === call.contact)?.state === 'wrap_up',
      'the voice contact in wrap-up', 10000);
    assert.equal(wrap.calls.length, 0);
    const wrapShot = await shot(page, 'desk-call-wrap-up');
    assertNotBlank(wrapShot, 'wrap-up of a call');

    // The wrap-up form: the first disposition, then Submit (the accent button, lit once chosen).
    await page.mouse.click(640, wrapUpFirstDispositionY);
    const ready = await shot(page, 'desk-call-wrap-up-ready');
    const submit = colourBand(ready, [0x4f, 0x46, 0xe5], 120);
    assert.ok(submit, 'Submit is enabled once a disposition is chosen');
    await page.mouse.click(submit.x, submit.y);
    await waitForState(page, (st) => !st.contacts.some((c) => c.id === call.contact), 'the contact closed after wrap-up', 10000);
  } catch (e) {
    await shot(page, 'desk-call-outbound-failure').catch(() => {});
    throw e;
  } finally {
    if (!done) trunk.proc.kill('SIGKILL');
    await trunk.done;
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a queue call rings with its contact: the banner names the customer and the queue; Decline by click sends it back', async () => {
  const page = await openDesk(browser, stack.server);
  assert.equal((await dispatch(page, { type: 'login', username: 'alice', password: 'switchboard' })).ok, true);
  await waitForState(page, (st) => st.voice.registration === 'registered', 'the phone registered', 15000);
  assert.equal((await dispatch(page, { type: 'set_state', state: 'available' })).ok, true);
  await page.mouse.click(640, 420);
  // Marcus Lee's number (demo data): the banner shows his name and the support queue.
  const caller = sipp(stack, 'desk_call_uac.xml', {
    keys: { callee: '7001', caller: '+15550100001' }, port: callerPort + 2, mediaPort: callerMedia + 200, timeoutS: 60,
  });
  let done = null;
  caller.done.then((r) => { done = r; });
  try {
    const ringing = await waitForState(page, (st) => (st.calls[0]?.phase === 'ringing' &&
      st.contacts.some((c) => c.id === st.calls[0].contact)) || done, 'the queue call to ring with its contact', 20000);
    assert.equal(done, null, `the caller stopped early:\n${done?.errors}\n${done?.output}`);
    const contact = ringing.contacts.find((c) => c.id === ringing.calls[0].contact);
    assert.equal(contact.state, 'offered');
    const banner = await shot(page, 'desk-call-incoming-queue');
    const decline = colourBand(banner, red, 60, { toX: 310 });
    assert.ok(decline && decline.x < 320, 'a red Decline button in the left column');
    await page.mouse.click(decline.x, decline.y);
    // The call is gone; the contact is no longer a ringing call here (the backend may come back
    // with a callback request when no one else takes it).
    const after = await waitForState(page, (st) => st.calls.length === 0 &&
      !st.contacts.some((c) => c.id === contact.id && !c.call?.callback), 'the call gone from the desk', 10000);
    const callback = after.contacts.find((c) => c.channel === 'voice' && c.call?.callback && c.state === 'offered');
    if (callback) assertNotBlank(await shot(page, 'desk-call-callback-offer'), 'a callback request offered');
  } finally {
    caller.proc.kill('SIGKILL');
    await caller.done;
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
