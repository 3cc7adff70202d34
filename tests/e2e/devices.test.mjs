// devices.test.mjs: the Audio settings and the call notification's buttons, in headless Chromium
// with fake audio devices (--use-fake-device-for-media-stream). A small SIP registrar written
// here (over WebSocket, subprotocol "sip") stands in for Kamailio: it accepts the desk's
// REGISTER and makes a call ring by sending an INVITE whose offer a second page's WebRTC made.
//
// - The agent opens Audio in the agent bar with the mouse, sees the fake devices, picks a
//   microphone from the list; after a reload state() still shows it. A refused microphone is
//   said in the panel.
// - The service worker registers; a ringing call in a hidden tab shows a notification with
//   Answer and Decline; the worker's click path answers the call; the notification is gone
//   once answered. During the call a new microphone and speaker are switched in without
//   dropping it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { startServer } from '../server/harness.mjs';
import { launchBrowser, openDesk, dispatch, waitForState, shot, assertNotBlank, webRoot } from './browser.mjs';
import { parseSip } from '../interop/ws_phone.mjs';

// ---- a registrar that can ring the desk -------------------------------------------------------
function sipResponse(req, status, reason, extra = []) {
  const h = (n) => req.headerAll(n);
  const lines = [`SIP/2.0 ${status} ${reason}`, ...h('via').map((v) => `Via: ${v}`), `From: ${req.header('from')}`,
    `To: ${req.header('to')}${/;tag=/.test(req.header('to')) ? '' : ';tag=reg1'}`, `Call-ID: ${req.header('call-id')}`,
    `CSeq: ${req.header('cseq')}`, ...extra, 'Content-Length: 0', '', ''];
  return lines.join('\r\n');
}

function startRegistrar() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (p) => (p.has('sip') ? 'sip' : false) });
  const reg = { socket: null, contact: null, received: [], waiters: [] };
  wss.on('connection', (ws) => {
    reg.socket = ws;
    ws.on('message', (data) => {
      const text = data.toString();
      if (!text.trim()) return;
      const m = parseSip(text);
      reg.received.push(m);
      if (m.method === 'REGISTER') {
        reg.contact = m.header('contact').match(/<([^>]+)>/)[1];
        ws.send(sipResponse(m, 200, 'OK', [`Contact: ${m.header('contact').replace(/;expires=\d+/, '')};expires=600`]));
      } else if (m.method && m.method !== 'ACK') {
        ws.send(sipResponse(m, 200, 'OK'));
      }
      reg.waiters = reg.waiters.filter((w) => !(w.pred(m) && (w.resolve(m), true)));
    });
  });
  reg.url = () => `ws://127.0.0.1:${wss.address().port}`;
  reg.next = (pred, what, ms = 15000) => new Promise((resolve, reject) => {
    const found = reg.received.find(pred);
    if (found) return resolve(found);
    const t = setTimeout(() => reject(new Error(`the registrar saw no ${what}`)), ms);
    reg.waiters.push({ pred, resolve: (m) => { clearTimeout(t); resolve(m); } });
  });
  // Rings the desk: an INVITE from a caller with `sdp` as its offer.
  reg.invite = (sdp) => {
    const callId = randomBytes(6).toString('hex');
    reg.socket.send([`INVITE ${reg.contact} SIP/2.0`, `Via: SIP/2.0/WS registrar.invalid;branch=z9hG4bK${callId}`,
      'From: "Ada Lovelace" <sip:+15551230001@127.0.0.1>;tag=caller1', 'To: <sip:alice@127.0.0.1>', `Call-ID: ${callId}`,
      'CSeq: 1 INVITE', 'Max-Forwards: 69', 'Contact: <sip:caller@registrar.invalid;transport=ws>',
      'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp].join('\r\n'));
    return callId;
  };
  reg.ack = (ok) => {
    const contact = ok.header('contact').match(/<([^>]+)>/)[1];
    reg.socket.send([`ACK ${contact} SIP/2.0`, `Via: SIP/2.0/WS registrar.invalid;branch=z9hG4bKack${Date.now()}`,
      `From: ${ok.header('from')}`, `To: ${ok.header('to')}`, `Call-ID: ${ok.header('call-id')}`, 'CSeq: 1 ACK',
      'Max-Forwards: 70', 'Content-Length: 0', '', ''].join('\r\n'));
  };
  reg.close = () => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(r); });
  return new Promise((resolve) => wss.on('listening', () => resolve(reg)));
}

let registrar, server, browser;
before(async () => {
  registrar = await startRegistrar();
  // The caller's page (a second desk page used only for its WebRTC) is sent nowhere by its link:
  // a backend the server lists for it.
  server = await startServer({ args: ['--web-root', webRoot, '--sip-domain', '127.0.0.1', '--sip-ws-url', registrar.url(),
    '--desk-backend', 'ws://127.0.0.1:1/none'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await registrar?.close();
});

async function signIn(page) {
  const login = await dispatch(page, { type: 'login', username: 'alice', password: 'switchboard' });
  assert.equal(login.ok, true, JSON.stringify(login));
  return waitForState(page, (s) => s.voice.registration === 'registered' && s.voice.devices, 'the phone registered, devices listed', 15000);
}

// ---- what the pictures show --------------------------------------------------------------------
const near = (png, x, y, rgb, tol = 10) => {
  const i = (y * png.width + x) * 4;
  return Math.abs(png.data[i] - rgb[0]) < tol && Math.abs(png.data[i + 1] - rgb[1]) < tol && Math.abs(png.data[i + 2] - rgb[2]) < tol;
};
const green = [0x16, 0xa3, 0x4a];          // the Call button's handset
const borderStrong = [0xcd, 0xd2, 0xdb];   // fields' and popups' borders (theme::color::border_strong)

// The agent bar's Audio button: the square left of Call, whose handset is the leftmost green.
function audioButton(png) {
  let glyphX = Infinity;
  for (let y = 0; y < 60; y++) for (let x = 0; x < png.width; x++) if (near(png, x, y, green, 8)) glyphX = Math.min(glyphX, x);
  assert.ok(glyphX < png.width, 'the Call button in the agent bar');
  // The Call button starts ~12 px left of its glyph; the Audio button (34 px) ends 8 px before it.
  return { x: glyphX - 12 - 8 - 17, y: 30 };
}

// Horizontal borders (rows with at least `minRun` border-coloured pixels between x0 and x1),
// grouped: the popup's top, then each field's top and bottom, then the popup's bottom.
function borderRows(png, x0, x1, minRun, fromY = 40) {
  const rows = [];
  for (let y = fromY; y < png.height; y++) {
    let n = 0;
    for (let x = x0; x < x1; x++) if (near(png, x, y, borderStrong, 6)) n++;
    if (n >= minRun) {
      if (rows.length && y - rows[rows.length - 1].end <= 1) rows[rows.length - 1].end = y;
      else rows.push({ start: y, end: y });
    }
  }
  return rows;
}

// Lines of dark text between y0 and y1 (and x0..x1): [{top, bottom}], top to bottom.
function textLines(png, x0, x1, y0, y1) {
  const lines = [];
  for (let y = y0; y < y1; y++) {
    let dark = false;
    for (let x = x0; x < x1 && !dark; x++) {
      const i = (y * png.width + x) * 4;
      dark = png.data[i] < 110 && png.data[i + 1] < 110 && png.data[i + 2] < 130;
    }
    if (!dark) continue;
    if (lines.length && y - lines[lines.length - 1].bottom <= 3) lines[lines.length - 1].bottom = y;
    else lines.push({ top: y, bottom: y });
  }
  return lines;
}

test('Audio settings: opened with the mouse, the fake devices listed, a microphone picked and remembered', async () => {
  const page = await openDesk(browser, server);
  const signedIn = await signIn(page);
  assert.ok(signedIn.voice.devices.list.length > 0, 'the phone claim listed the devices');

  const bar = await shot(page, 'audio-bar');
  const button = audioButton(bar);
  await page.mouse.click(button.x, button.y);
  // Opening asks for the microphone, so the labels are the devices' names.
  const listed = await waitForState(page, (s) => s.voice.devices?.list.some((d) => /Fake/.test(d.label)), 'device labels');
  const inputs = listed.voice.devices.list.filter((d) => d.kind === 'input');
  const outputs = listed.voice.devices.list.filter((d) => d.kind === 'output');
  assert.ok(inputs.length >= 2, JSON.stringify(listed.voice.devices));
  assert.ok(outputs.length >= 1, JSON.stringify(listed.voice.devices));
  assert.equal(listed.voice.devices.microphone, 'granted');
  const settings = await shot(page, 'audio-settings');
  assertNotBlank(settings, 'audio settings');

  // The popup hangs under the button, right-aligned to it: its borders and its three fields.
  const right = button.x + 17, left = right - 376;
  const rows = borderRows(settings, left + 20, left + 200, 150);
  assert.ok(rows.length >= 7, `popup and three fields: ${JSON.stringify(rows)}`);
  const mic = { x: left + 120, y: Math.round((rows[1].end + rows[2].start) / 2) };

  // The microphone list: "System default (the browser's default one)", then each other
  // microphone; pick the second of those.
  await page.mouse.click(mic.x, mic.y);
  const open = await shot(page, 'audio-settings-microphones');
  const choices = inputs.filter((d) => d.id !== 'default');
  const lines = textLines(open, left + 24, left + 300, rows[2].end + 2, rows[2].end + 40 * (choices.length + 2));
  assert.ok(lines.length >= choices.length + 1, `one line per choice: ${JSON.stringify(lines)}`);
  const want = choices[1];
  await page.mouse.click(mic.x, Math.round((lines[2].top + lines[2].bottom) / 2));
  const chosen = await waitForState(page, (s) => s.voice.devices.input === want.id, `microphone ${want.label} chosen`);
  assert.equal(chosen.voice.devices.input, want.id);
  assert.equal(await page.evaluate(() => localStorage.getItem('sb.audio.input')), want.id, 'remembered by the browser');
  await shot(page, 'audio-settings-chosen');

  // After a reload the session resumes, and state() has the choice again.
  await page.reload();
  await page.evaluate(() => window.switchboard.ready.then(() => true));
  const back = await waitForState(page, (s) => s.voice.registration === 'registered' && s.voice.devices, 'resumed with devices', 15000);
  assert.equal(back.voice.devices.input, want.id);
  await page.waitForTimeout(300);
  await page.mouse.click(button.x, button.y);
  await waitForState(page, (s) => s.voice.devices?.list.some((d) => /Fake/.test(d.label)), 'labels after reload');
  await shot(page, 'audio-settings-after-reload');
  await page.keyboard.press('Escape');

  // The JS API: an unknown device is refused; the ringer can be tested.
  const unknown = await dispatch(page, { type: 'set_device', kind: 'output', id: 'no-such-speaker' });
  assert.equal(unknown.ok, false);
  assert.equal(unknown.error.code, 'unknown_device');
  const bad = await dispatch(page, { type: 'set_device', kind: 'camera', id: '' });
  assert.equal(bad.error.code, 'bad_intent');
  const ringer = outputs[outputs.length - 1];
  assert.equal((await dispatch(page, { type: 'set_device', kind: 'ringer', id: ringer.id })).ok, true);
  assert.equal((await dispatch(page, { type: 'test_ringer' })).ok, true);
  await page.waitForFunction(() => SBMedia.tone() === 'ring');
  assert.equal(await page.evaluate(() => SBMedia.ringerSink()), ringer.id, 'the ringtone plays on the ringer device');
  await page.waitForFunction(() => SBMedia.tone() === null, null, { timeout: 6000 });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('Audio settings: a refused microphone is said plainly', async () => {
  const page = await openDesk(browser, server);
  await signIn(page);
  await page.evaluate(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  const bar = await shot(page, 'audio-bar-2');
  const button = audioButton(bar);
  await page.mouse.click(button.x, button.y);
  const s = await waitForState(page, (st) => st.voice.devices?.microphone === 'denied', 'the microphone refused');
  assert.equal(s.voice.devices.microphone, 'denied');
  const pic = await shot(page, 'audio-settings-denied');
  // The warning box (danger_soft) fills a band inside the popup.
  let soft = 0;
  for (let y = 60; y < 400; y++) for (let x = button.x - 340; x < button.x; x++) if (near(pic, x, y, [0xfe, 0xf1, 0xf0], 4)) soft++;
  assert.ok(soft > 5000, `a red-tinted box says why (${soft} px)`);
  await page.context().close();
});

test('a ringing call in a hidden tab: a notification with Answer / Decline through the service worker; Answer answers', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['notifications'], { origin: server.url });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${server.url}/`);
  await page.evaluate(() => window.switchboard.ready.then(() => true));
  // The service worker registers with the desk's path as its scope.
  const scope = await page.evaluate(() => SBHost.serviceWorker().then((r) => r && r.scope));
  assert.equal(scope, `${server.url}/`);
  let worker = null;
  for (let i = 0; i < 100 && !worker; i++) {
    worker = context.serviceWorkers().find((w) => /\/sw\.js$/.test(w.url())) ?? null;
    if (!worker) await page.waitForTimeout(100);
  }
  assert.ok(worker, 'the service worker runs');
  assert.match(worker.url(), /\/sw\.js$/);
  const swType = await page.evaluate(() => fetch('sw.js').then((r) => r.headers.get('content-type')));
  assert.match(swType, /javascript/);

  const ready = await signIn(page);
  assert.equal(ready.voice.owner, 'here');
  await page.evaluate(() => Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }));

  // The caller: a second page's WebRTC makes the offer.
  const far = await context.newPage();
  await far.goto(`${server.url}/?backend=ws://127.0.0.1:1/none`);
  const offer = await far.evaluate(async () => { await SBMedia.create('far'); return (await SBMedia.offer('far')).sdp; });
  registrar.invite(offer);
  const ringing = await waitForState(page, (s) => s.calls[0]?.phase === 'ringing', 'the call to ring');
  const call = ringing.calls[0];

  // The notification, shown by the worker, with its two buttons.
  const notes = await worker.evaluate(async () => {
    for (let i = 0; i < 50; i++) {
      const list = await self.registration.getNotifications();
      if (list.length) return list.map((n) => ({ title: n.title, body: n.body, actions: n.actions.map((a) => a.action), data: n.data }));
      await new Promise((r) => setTimeout(r, 100));
    }
    return [];
  });
  assert.equal(notes.length, 1, 'one notification for the ringing call');
  assert.equal(notes[0].title, 'Incoming call');
  assert.match(notes[0].body, /Ada Lovelace/);
  assert.deepEqual(notes[0].actions, ['answer', 'decline']);
  assert.equal(notes[0].data.call, call.id);

  // "Answer" clicked: the worker's click path posts the action to the tab, which answers.
  const posted = await worker.evaluate(async () => {
    const [n] = await self.registration.getNotifications();
    n.close();
    return self.sbNotificationAction('answer', n.data);
  });
  assert.equal(posted.action, 'answer');
  const ok = await registrar.next((m) => m.status === 200 && /INVITE/.test(m.header('cseq')), '200 OK to the INVITE');
  assert.match(ok.body, /a=fingerprint/);
  registrar.ack(ok);
  await far.evaluate((sdp) => SBMedia.accept('far', sdp), ok.body);
  await waitForState(page, (s) => s.calls[0]?.phase === 'active', 'the call answered');
  assert.equal(await worker.evaluate(() => self.registration.getNotifications().then((l) => l.length)), 0, 'no notification left');

  // During the call: another microphone and speaker, switched in without dropping the call.
  const devices = (await page.evaluate(() => window.switchboard.state())).voice.devices.list;
  const mic = devices.filter((d) => d.kind === 'input').find((d) => d.id !== 'default' && d.id !== 'communications') ?? devices[0];
  const spk = devices.filter((d) => d.kind === 'output').pop();
  const cid = String(call.id);
  const before = await page.evaluate((id) => SBMedia._trackSettings(id).deviceId, cid);
  const other = devices.filter((d) => d.kind === 'input' && d.id !== before && d.id !== 'communications' && d.id !== 'default')[0] ?? mic;
  assert.equal((await dispatch(page, { type: 'set_device', kind: 'input', id: other.id })).ok, true);
  assert.equal((await dispatch(page, { type: 'set_device', kind: 'output', id: spk.id })).ok, true);
  await page.waitForFunction(([id, want]) => SBMedia._trackSettings(id).deviceId === want, [cid, other.id], { timeout: 5000 });
  await page.waitForFunction(([id, want]) => SBMedia._sinkId(id) === want, [cid, spk.id], { timeout: 5000 });
  const still = await waitForState(page, (s) => s.calls[0]?.phase === 'active' && s.calls[0]?.stats?.bytes_in > 0, 'the call carries audio');
  assert.equal(still.calls.length, 1);

  await dispatch(page, { type: 'hangup', call: call.id });
  await registrar.next((m) => m.method === 'BYE', 'BYE');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('without a service worker the plain notification still shows, and a posted Decline declines', async () => {
  const page = await openDesk(browser, server);
  await signIn(page);
  // A page that substitutes its own Notification gets that one (no buttons).
  await page.evaluate(() => {
    window.__notes = [];
    window.Notification = class {
      constructor(title, options) { this.title = title; this.closed = false; window.__notes.push(this); }
      close() { this.closed = true; }
      static get permission() { return 'granted'; }
    };
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
  });
  registrar.received = [];
  const far = await page.context().newPage();
  await far.goto(`${server.url}/?backend=ws://127.0.0.1:1/none`);
  const offer = await far.evaluate(async () => { await SBMedia.create('far2'); return (await SBMedia.offer('far2')).sdp; });
  registrar.invite(offer);
  const ringing = await waitForState(page, (s) => s.calls[0]?.phase === 'ringing', 'the call to ring');
  assert.equal(await page.evaluate(() => window.__notes.length), 1);
  // What the worker would post for "Decline": the call is declined (486), the notification closed.
  const reply = await page.evaluate((id) => SBHost.callAction({ type: 'call.action', action: 'decline', call: id }), ringing.calls[0].id);
  assert.equal(reply.ok, true, JSON.stringify(reply));
  const declined = await registrar.next((m) => m.status >= 400 && /INVITE/.test(m.header('cseq')), 'the decline');
  assert.equal(declined.status, 486);
  await waitForState(page, (s) => s.calls.length === 0, 'no call left');
  assert.equal(await page.evaluate(() => window.__notes[0].closed), true);
  await page.context().close();
});
