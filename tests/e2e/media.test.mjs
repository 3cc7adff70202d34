// media.test.mjs: the browser's half of a call (web/media.js, SBMedia) in headless Chromium with
// a fake microphone: two calls in one page connected to each other carry audio both ways, with
// stats and an estimated MOS; hold and resume renegotiate the direction; mute is local; DTMF
// goes through RTCDTMFSender; the offer is not held up by a STUN server that never answers;
// a click unlocks audio so the first call can ring; device choices survive a reload; and only
// one tab of an agent holds the phone, another can take over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { startStack, openDesk } from './browser.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

// Connects calls `a` and `b` in the page: a offers, b answers, a accepts the answer.
async function connectPair(page, direction = 'sendrecv', answerDirection = 'sendrecv') {
  return page.evaluate(async ([dir, ansDir]) => {
    const offer = await SBMedia.offer('a', dir);
    const answer = await SBMedia.answer('b', offer.sdp, ansDir);
    await SBMedia.accept('a', answer.sdp);
    return { offer, answer };
  }, [direction, answerDirection]);
}

async function waitFor(page, fn, arg, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await page.evaluate(fn, arg);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function directions(page) {
  return page.evaluate(() => SBMedia._directions());
}

test('two calls in one page: audio both ways, stats and MOS, hold and resume, mute, DTMF, close', async () => {
  const page = await openDesk(stack.browser, stack.server);
  await page.evaluate(() => Promise.all([SBMedia.create('a'), SBMedia.create('b')]));
  const { offer, answer } = await connectPair(page);
  assert.match(offer.sdp, /^a=candidate:/m, 'the offer carries candidates');
  assert.match(answer.sdp, /a=sendrecv/);
  assert.ok(['complete', 'capped'].includes(offer.gathering));

  const flowing = await waitFor(page, async () => {
    const [a, b] = await Promise.all([SBMedia.stats('a'), SBMedia.stats('b')]);
    return a.bytes_in > 0 && b.bytes_in > 0 && a.packets_out > 0 ? { a, b } : null;
  }, null, 'audio both ways');
  assert.equal(flowing.a.codec, 'opus');
  assert.ok(flowing.a.mos >= 1 && flowing.a.mos <= 4.5, `mos ${flowing.a.mos}`);
  assert.ok(flowing.a.mos >= 4.0, `a clean loopback call estimates well: ${flowing.a.mos}`);

  // Hold: a re-offers sendonly, b answers recvonly; then back to sendrecv.
  await connectPair(page, 'sendonly', 'recvonly');
  assert.deepEqual(await directions(page), { a: 'sendonly', b: 'recvonly' });
  await connectPair(page);
  assert.deepEqual(await directions(page), { a: 'sendrecv', b: 'sendrecv' });

  // Mute is local: the track is disabled, nothing renegotiated.
  assert.equal(await page.evaluate(() => SBMedia.mute('a', true)), true);
  assert.equal(await page.evaluate(() => SBMedia._trackEnabled('a')), false);
  await page.evaluate(() => SBMedia.mute('a', false));
  assert.equal(await page.evaluate(() => SBMedia._trackEnabled('a')), true);

  // DTMF in-band (RFC 4733): the sender plays the digits; a bad digit string is refused.
  const tones = await page.evaluate(() => new Promise((resolve) => {
    const heard = [];
    SBMedia._dtmfSender('a').ontonechange = (e) => { if (e.tone) heard.push(e.tone); else resolve(heard); };
    if (!SBMedia.dtmf('a', '12#', 80)) resolve(['refused']);
  }));
  assert.deepEqual(tones, ['1', '2', '#']);
  assert.equal(await page.evaluate(() => SBMedia.dtmf('a', '9x')), false);

  assert.equal(await page.evaluate(() => [SBMedia.close('a'), SBMedia.close('b'), SBMedia.count()].join()), 'true,true,0');
  await assert.rejects(page.evaluate(() => SBMedia.offer('a')), /no call a/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the offer goes out at the ICE cap when a STUN server never answers', async () => {
  // A silent "STUN server" on loopback: it reads the binding requests and never replies.
  const sock = dgram.createSocket('udp4');
  let requests = 0;
  sock.on('message', () => { requests++; });
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  const port = sock.address().port;
  const page = await openDesk(stack.browser, stack.server);
  try {
    const offer = await page.evaluate(async (p) => {
      await SBMedia.create('slow', { iceServers: [{ urls: `stun:127.0.0.1:${p}` }] });
      const o = await SBMedia.offer('slow');
      SBMedia.close('slow');
      return o;
    }, port);
    assert.equal(offer.gathering, 'capped', 'gathering was still waiting for the STUN server');
    assert.ok(offer.candidates >= 1);
    assert.match(offer.sdp, /typ host/);
    assert.ok(requests > 0, 'the browser did ask the STUN server');
  } finally {
    sock.close();
    await page.context().close();
  }
});

test('a click unlocks audio; the ringtone plays and stops', async () => {
  const page = await openDesk(stack.browser, stack.server);
  assert.notEqual(await page.evaluate(() => SBMedia.audioState()), 'running');
  await page.mouse.click(640, 400);
  await waitFor(page, () => SBMedia.audioState() === 'running', null, 'audio running after a click');
  assert.equal(await page.evaluate(() => SBMedia.startTone('ring')), true);
  assert.equal(await page.evaluate(() => SBMedia.tone()), 'ring');
  assert.equal(await page.evaluate(() => SBMedia.stopTone()), 'ring');
  assert.equal(await page.evaluate(() => SBMedia.tone()), null);
  await page.context().close();
});

test('device choices are remembered by the browser', async () => {
  const page = await openDesk(stack.browser, stack.server);
  // Labels and ids appear once the page has had the microphone.
  await page.evaluate(() => SBMedia.create('p').then(() => SBMedia.close('p')));
  const { devices } = await page.evaluate(() => SBMedia.devices());
  const input = devices.find((d) => d.kind === 'input' && d.id && d.id !== 'default');
  assert.ok(input, JSON.stringify(devices));
  await page.evaluate((id) => SBMedia.setDevice('input', id), input.id);
  await page.evaluate(() => SBMedia.setDevice('ringer', 'default'));
  await page.reload();
  await page.evaluate(() => window.switchboard.ready.then(() => true));
  const after = await page.evaluate(() => SBMedia.devices());
  assert.equal(after.input, input.id);
  assert.equal(after.ringer, 'default');
  // A call uses the chosen microphone.
  const used = await page.evaluate(async () => {
    await SBMedia.create('q');
    const id = SBMedia._trackSettings('q').deviceId;
    SBMedia.close('q');
    return id;
  });
  assert.equal(used, input.id);
  // A microphone that is gone falls back to the default, and says so.
  const fallback = await page.evaluate(async () => {
    const events = [];
    SBMedia.onevent = (name, data) => events.push([name, data.kind]);
    await SBMedia.setDevice('input', 'unplugged-headset');
    await SBMedia.create('r');
    SBMedia.close('r');
    return events;
  });
  assert.deepEqual(fallback, [['device_error', 'input']]);
  await page.context().close();
});

test('one tab per agent holds the phone; another tab can take over', async () => {
  const first = await openDesk(stack.browser, stack.server);
  const second = await first.context().newPage();
  await second.goto(stack.server.url + '/');
  await second.evaluate(() => window.switchboard.ready.then(() => true));
  const collect = () => { window.voiceEvents = []; SBMedia.onevent = (n, d) => window.voiceEvents.push([n, d.agent]); };
  await first.evaluate(collect);
  await second.evaluate(collect);

  assert.deepEqual(await first.evaluate(() => SBMedia.claim('alice')), { owner: true });
  assert.deepEqual(await second.evaluate(() => SBMedia.claim('alice')), { owner: false });
  assert.deepEqual(await second.evaluate(() => SBMedia.takeOver('alice')), { owner: true });
  await waitFor(first, () => window.voiceEvents.some((e) => e[0] === 'voice_lost'), null, 'voice_lost in the first tab');
  assert.equal(await first.evaluate(() => SBMedia.owner()), null);
  assert.equal(await second.evaluate(() => SBMedia.owner()), 'alice');
  // The second tab lets go: the first hears the phone is free and can claim it again.
  assert.equal(await second.evaluate(() => SBMedia.release()), true);
  await waitFor(first, () => window.voiceEvents.some((e) => e[0] === 'voice_free'), null, 'voice_free in the first tab');
  assert.deepEqual(await first.evaluate(() => SBMedia.claim('alice')), { owner: true });
  await first.context().close();
});
