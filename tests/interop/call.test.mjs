// call.test.mjs: a call between two registered SIP phones (SIPp) through the project's Kamailio,
// with the media anchored in rtpengine: Alice's phone plays a G.711 recording, Bob's echoes
// every packet back, tcpdump on lo counts both legs both ways; inside the call Alice holds
// (re-INVITE, a=sendonly) and resumes, both re-INVITEs through Kamailio and rtpengine and
// answered 200; BYE ends the call and rtpengine forgets it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, agentSession, sipp, phoneOf, sipMessages, registrations, captureRtp, waitFor, udpListening, ports,
} from './harness.mjs';

const alicePort = 5071, bobPort = 5072, aliceMedia = 16000, bobMedia = 17000;
let stack;
let call;  // what the call of test (b) left for test (c)

before(async () => {
  stack = await startStack();
  const alice = await agentSession(stack, 'alice');
  const bob = await agentSession(stack, 'bob');
  stack.alice = phoneOf('alice', alice.sip);
  stack.bob = phoneOf('bob', bob.sip);
  await Promise.all([alice.client.close(), bob.client.close()]);
  const regs = await Promise.all([
    sipp(stack, 'register.xml', { as: stack.alice, keys: { expires: 300 }, port: alicePort }).done,
    sipp(stack, 'register.xml', { as: stack.bob, keys: { expires: 300 }, port: bobPort }).done,
  ]);
  for (const r of regs) assert.equal(r.code, 0, `registration failed:\n${r.errors}\n${r.output}`);
  const registered = await registrations(stack);
  assert.ok(registered.alice && registered.bob, 'both phones are registered');
});
after(async () => { await stack?.stop(); });

test('a call between two registered phones: media both ways through rtpengine, BYE ends it', async () => {
  const rtp = await captureRtp();
  const callee = sipp(stack, 'uas_call.xml', { server: true, port: bobPort, mediaPort: bobMedia, extra: ['-rtp_echo'] });
  await waitFor('the callee to listen', () => udpListening(bobPort));
  const caller = sipp(stack, 'uac_call.xml', {
    as: stack.alice, keys: { callee: 'bob' }, port: alicePort, mediaPort: aliceMedia,
  });
  const [a, b] = await Promise.all([caller.done, callee.done]);
  const flows = await rtp.stop();
  assert.equal(a.code, 0, `caller:\n${a.errors}\n${a.output}`);
  assert.equal(b.code, 0, `callee:\n${b.errors}\n${b.output}`);
  call = { caller: sipMessages(a.messages), callee: sipMessages(b.messages) };
  call.id = a.messages.match(/^Call-ID: (\S+)/m)[1];

  // The INVITE was challenged (407), answered with credentials, and answered 200.
  const received = (msgs) => msgs.filter((m) => m.direction === 'received').map((m) => m.startLine);
  assert.ok(received(call.caller).some((l) => l.startsWith('SIP/2.0 407 ')), 'the INVITE was challenged');

  // Media: Alice <-> rtpengine <-> Bob, each of the four legs carried packets. rtpengine's
  // ports are the only ones the phones saw (the scenarios check every SDP for them).
  const port = (address) => Number(address.split('.').pop());
  const isRtpengine = (address) => port(address) >= ports.rtp[0] && port(address) <= ports.rtp[1];
  const packets = (from, to) => Object.entries(flows)
    .filter(([pair]) => { const [src, dst] = pair.split(' > '); return from(src) && to(dst); })
    .reduce((n, [, count]) => n + count, 0);
  const at = (p) => (address) => port(address) === p;
  const legs = {
    aliceToRtpengine: packets(at(aliceMedia), isRtpengine),
    rtpengineToBob: packets(isRtpengine, at(bobMedia)),
    bobToRtpengine: packets(at(bobMedia), isRtpengine),
    rtpengineToAlice: packets(isRtpengine, at(aliceMedia)),
  };
  for (const [name, n] of Object.entries(legs)) assert.ok(n >= 30, `${name}: ${n} packets (${JSON.stringify(flows)})`);
  assert.equal(packets(at(aliceMedia), at(bobMedia)) + packets(at(bobMedia), at(aliceMedia)), 0,
    'no media went around rtpengine');

  // BYE went through and was answered; Kamailio told rtpengine to forget the call.
  const bye = call.callee.find((m) => m.direction === 'received' && m.startLine.startsWith('BYE '));
  assert.ok(bye, 'the BYE reached the callee');
  assert.ok(call.caller.some((m) => m.direction === 'received' && /^SIP\/2\.0 200/.test(m.startLine) && /CSeq: 5 BYE/.test(m.text)));
  await waitFor('rtpengine to delete the call', () =>
    stack.rtpengineLog().includes(`[${call.id}]: [control] Received command 'delete'`));
});

test('hold and resume inside that call: re-INVITEs through Kamailio and rtpengine, answered 200', () => {
  assert.ok(call, 'the call of the previous test ran');
  const reinvites = call.callee.filter((m) => m.direction === 'received' && m.startLine.startsWith('INVITE ') &&
    /\ba=(sendonly|sendrecv)\b/.test(m.text));
  // The first INVITE plus the two re-INVITEs arrived, in the dialog (To tag) for the last two.
  const inDialog = reinvites.filter((m) => /^To: .*;tag=/m.test(m.text));
  assert.equal(inDialog.length, 2, 'hold and resume reached the callee');
  const [hold, resume] = inDialog;
  assert.match(hold.text, /^a=sendonly$/m);
  assert.match(resume.text, /^a=sendrecv$/m);
  for (const m of inDialog) {
    // rtpengine rewrote the offer: its address and port, not the caller's.
    assert.match(m.text, /^m=audio 350\d\d RTP\/AVP/m);
    assert.doesNotMatch(m.text, /^m=audio 16000 /m);
  }
  // Both answered 200 (CSeq 3 and 4), the hold answer saying recvonly, as rtpengine passed it on.
  const ok = (cseq) => call.caller.find((m) => m.direction === 'received' && /^SIP\/2\.0 200/.test(m.startLine) &&
    new RegExp(`^CSeq: ${cseq} INVITE`, 'm').test(m.text));
  assert.match(ok(3)?.text ?? '', /^a=recvonly$/m, 'hold answered 200 with a=recvonly');
  assert.match(ok(4)?.text ?? '', /^a=sendrecv$/m, 'resume answered 200 with a=sendrecv');
  // rtpengine saw an offer and an answer for the call and for each re-INVITE.
  const commands = (name) => stack.rtpengineLog().split('\n')
    .filter((l) => l.includes(`[${call.id}]: [control] Received command '${name}'`)).length;
  assert.equal(commands('offer'), 3);
  assert.ok(commands('answer') >= 3);
  assert.equal((stack.kamailioLog().match(new RegExp(`re-INVITE ${call.id.replace(/[.]/g, '\\.')}`, 'g')) ?? []).length, 2);
});
