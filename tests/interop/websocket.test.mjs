// websocket.test.mjs: the desk's way into the telephony. A SIP-over-WebSocket UA (ws_phone.mjs:
// the `sip` subprotocol, a .invalid Contact, WebRTC SDP) registers with its session's
// credentials, calls a plain SIP phone and holds and resumes, then takes a call from it.
// Kamailio keeps reaching it through its connection (NAT handling), and rtpengine translates
// every offer and answer, re-INVITEs included: WebRTC (ICE, DTLS-SRTP, rtcp-mux) on the
// WebSocket side, plain RTP/AVP on the phone's. A number goes out through the trunk; a queue
// number is answered 480 while queue routing is not connected to the proxy (telephony.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, agentSession, sipp, phoneOf, sipMessages, registrations, waitFor, udpListening } from './harness.mjs';
import { WsPhone, webrtcSdp } from './ws_phone.mjs';

const bobPort = 5072, trunkPort = 5070;
let stack, phone, bob;

before(async () => {
  stack = await startStack({ trunk: `127.0.0.1:${trunkPort}` });
  const b = await agentSession(stack, 'bob');
  bob = phoneOf('bob', b.sip);
  await b.client.close();
  const reg = await sipp(stack, 'register.xml', { as: bob, keys: { expires: 300 }, port: bobPort }).done;
  assert.equal(reg.code, 0, `bob's phone did not register:\n${reg.errors}`);
});
after(async () => {
  await phone?.close();
  await stack?.stop();
});

// What a WebRTC endpoint must see, and what a plain phone must not.
const assertWebrtc = (sdp, what) => {
  assert.match(sdp, /^m=audio \d+ UDP\/TLS\/RTP\/SAVPF /m, `${what}: RTP/SAVPF`);
  assert.match(sdp, /^a=ice-ufrag:/m, `${what}: ICE`);
  assert.match(sdp, /^a=candidate:.* 127\.0\.0\.1 350\d\d typ host/m, `${what}: rtpengine's candidate`);
  assert.match(sdp, /^a=fingerprint:sha-256 /m, `${what}: DTLS`);
  assert.match(sdp, /^a=rtcp-mux/m, `${what}: rtcp-mux`);
};
const assertPlain = (sdp, what) => {
  assert.match(sdp, /^m=audio 350\d\d RTP\/AVP /m, `${what}: RTP/AVP from rtpengine`);
  assert.doesNotMatch(sdp, /^a=(ice-ufrag|fingerprint|candidate)/m, `${what}: no ICE or DTLS`);
};

test('a desk-like UA registers over SIP over WebSocket with its session\'s credentials', async () => {
  const { client, sip } = await agentSession(stack, 'alice');
  await client.close();
  phone = await WsPhone.connect(sip);
  const r = await phone.register();
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(phone.registerAttempts, [401, 200]);
  const registered = await registrations(stack);
  assert.equal(registered.alice?.length, 1);
  assert.match(registered.alice[0], /transport=ws/);
});

test('a MESSAGE from it is challenged (407) and delivered through a WebSocket connection', async () => {
  const before = phone.received.length;
  const r = await phone.request('MESSAGE', 'sip:alice@127.0.0.1', { body: 'note to self', contentType: 'text/plain' });
  assert.equal(r.status, 200, r.text);
  const seen = phone.received.slice(before);
  assert.ok(seen.some((m) => m.status === 407), 'challenged first');
  const delivered = seen.find((m) => m.method === 'MESSAGE');
  assert.equal(delivered?.body, 'note to self', 'delivered to the registered WebSocket contact');
  assert.equal(delivered.header('proxy-authorization'), undefined, 'credentials are not passed on');
});

// Calls `target` from the WebSocket UA to a SIPp callee on `port`, holds, resumes, hangs up.
async function callHoldResume(target, port) {
  const callee = sipp(stack, 'uas_call.xml', { server: true, port, mediaPort: 17000, extra: ['-rtp_echo'] });
  await waitFor('the callee to listen', () => udpListening(port));

  const answered = await phone.invite(target, webrtcSdp());
  assert.equal(answered.status, 200, answered.text);
  assertWebrtc(answered.body, 'answer to the INVITE');

  const held = await phone.reinvite(webrtcSdp({ direction: 'sendonly', version: 2 }));
  assert.equal(held.status, 200, held.text);
  assertWebrtc(held.body, 'answer to the hold');
  assert.match(held.body, /^a=recvonly/m);

  const resumed = await phone.reinvite(webrtcSdp({ direction: 'sendrecv', version: 3 }));
  assert.equal(resumed.status, 200, resumed.text);
  assertWebrtc(resumed.body, 'answer to the resume');
  assert.match(resumed.body, /^a=sendrecv/m);

  const bye = await phone.bye();
  assert.equal(bye.status, 200);

  const b = await callee.done;
  assert.equal(b.code, 0, `callee:\n${b.errors}\n${b.output}`);
  const invites = sipMessages(b.messages).filter((m) => m.direction === 'received' && m.startLine.startsWith('INVITE '));
  assert.equal(invites.length, 3, 'the call and two re-INVITEs reached the phone');
  for (const m of invites) assertPlain(m.text, 'offer at the phone');
  return invites;
}

test('it calls a plain phone, holds and resumes: WebRTC on its side, RTP/AVP on the phone\'s', async () => {
  await callHoldResume('sip:bob@127.0.0.1', bobPort);
});

test('it dials a phone number: the call goes out through the trunk', async () => {
  const invites = await callHoldResume('sip:+15550100001@127.0.0.1', trunkPort);
  assert.match(invites[0].startLine, /^INVITE sip:\+15550100001@127\.0\.0\.1:5070 /, 'the trunk is the Request-URI');
});

test('a call to a queue number with nobody available is answered busy (and becomes a callback)', async () => {
  const r = await phone.invite('sip:7001@127.0.0.1', webrtcSdp());
  assert.match(r.startLine, /^SIP\/2\.0 486 Busy Here/, r.text);
});

test('a plain phone calls it: offers arrive as WebRTC through its WebSocket, re-INVITEs too', async () => {
  const offers = [];
  phone.answerSdp = (invite) => {
    offers.push(invite.body);
    const direction = /^a=sendonly/m.test(invite.body) ? 'recvonly' : 'sendrecv';
    return webrtcSdp({ direction, setup: 'active', version: offers.length });
  };
  const caller = await sipp(stack, 'uac_call.xml', { as: bob, keys: { callee: 'alice' }, port: bobPort, mediaPort: 17000 }).done;
  assert.equal(caller.code, 0, `caller:\n${caller.errors}\n${caller.output}`);
  assert.equal(offers.length, 3, 'the call and two re-INVITEs reached the WebSocket UA');
  offers.forEach((sdp, i) => assertWebrtc(sdp, `offer ${i + 1}`));
  assert.match(offers[1], /^a=sendonly/m);
  // The phone's side saw plain SDP in every answer (uac_call.xml checks rtpengine's port).
  const answers = sipMessages(caller.messages).filter((m) => m.direction === 'received' && /^SIP\/2\.0 200/.test(m.startLine) && /INVITE/.test(m.text.match(/^CSeq:.*$/m)[0]));
  assert.ok(answers.length >= 3);
  for (const m of answers) assertPlain(m.text, 'answer at the phone');
  await waitFor('the BYE at the WebSocket UA', () => phone.received.some((m) => m.method === 'BYE'));
});
