// recording.test.mjs: a real call recorded by rtpengine, paused while the agent takes a card
// payment and resumed after (docs/telephony.md, "Recording"; docs/payments.md). A SIPp caller
// phones the queue 7001, the agent's SIPp phone (registered with the desk session's credentials)
// answers; the media are the test's own RTP sockets, one behind each phone's SDP, sending
// numbered packets both ways through rtpengine. Over the desk protocol the agent verifies the
// caller, payment_start (the recording pauses: contact.recording "paused"), payment_cancel (it
// resumes: "on"). Then the pcap files rtpengine wrote for the call's Call-ID are read: RTP before
// the pause, none inside the paused interval (while the sockets still got media from rtpengine),
// RTP after the resume.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, agentSession, sipp, phoneOf, waitFor, udpListening } from './harness.mjs';
import { sql } from '../server/harness.mjs';

const alicePort = 5083, callerPort = 5091;
const agentRtp = 16320, callerRtp = 18320;      // the test's sockets (the phones' SDP)
const agentSippMedia = 16400, callerSippMedia = 18400;  // SIPp's own (unused) media ports
const margin = 0.05;  // s, at each end of the paused interval
let stack, alice;

before(async () => {
  stack = await startStack({ serverArgs: ['--fake-payment-gateway'] });
  alice = { name: 'alice', ...(await agentSession(stack, 'alice')) };
  const r = await sipp(stack, 'register.xml', { as: phoneOf('alice', alice.sip), keys: { expires: 300 }, port: alicePort }).done;
  assert.equal(r.code, 0, `registration failed:\n${r.errors}\n${r.output}`);
});
after(async () => {
  await alice?.client.close();
  await stack?.stop();
});

// ---- pcap ------------------------------------------------------------------------------------
// Every packet of a pcap file: {ts (s), src port, dst port, rtp seq}. rtpengine's
// --recording-format=raw writes link type 101 (raw IPv4, no Ethernet header); eth writes 1.
export function readPcap(file) {
  const b = readFileSync(file);
  assert.ok(b.length >= 24, `${file}: no pcap global header`);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  assert.ok(le || b.readUInt32BE(0) === 0xa1b2c3d4 || b.readUInt32BE(0) === 0xa1b23c4d, `${file}: not a pcap file`);
  const nano = (le ? magic : b.readUInt32BE(0)) === 0xa1b23c4d;
  const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const link = u32(20);
  assert.ok(link === 101 || link === 1 || link === 228, `${file}: link type ${link}`);
  const packets = [];
  for (let o = 24; o + 16 <= b.length;) {
    const ts = u32(o) + u32(o + 4) / (nano ? 1e9 : 1e6);
    const incl = u32(o + 8);
    const p = b.subarray(o + 16, o + 16 + incl);
    o += 16 + incl;
    let ip = link === 1 ? 14 : 0;
    if (link === 1 && p.readUInt16BE(12) !== 0x0800) continue;  // not IPv4
    if ((p[ip] >> 4) !== 4 || p[ip + 9] !== 17) continue;        // IPv4 UDP only
    const udp = ip + (p[ip] & 15) * 4;
    const rtp = udp + 8;
    packets.push({ ts, src: p.readUInt16BE(udp), dst: p.readUInt16BE(udp + 2),
      seq: p.length >= rtp + 12 && (p[rtp] >> 6) === 2 ? p.readUInt16BE(rtp + 2) : null });
  }
  return packets;
}

// ---- RTP -------------------------------------------------------------------------------------
// A socket that sends numbered PCMA packets every 20 ms to `port` and notes when it sent each
// and when it received anything.
async function rtpPeer(localPort) {
  const socket = dgram.createSocket('udp4');
  await new Promise((res) => socket.bind(localPort, '127.0.0.1', res));
  const sent = new Map();  // seq -> time (s)
  const received = [];     // time (s)
  socket.on('message', () => received.push(Date.now() / 1000));
  let seq = 0, timer = null;
  const ssrc = (Math.random() * 2 ** 32) >>> 0;
  return {
    sent, received,
    start(port) {
      timer = setInterval(() => {
        seq += 1;
        const p = Buffer.alloc(12 + 160, 0xd5);
        p[0] = 0x80; p[1] = 8;
        p.writeUInt16BE(seq & 0xffff, 2);
        p.writeUInt32BE((seq * 160) >>> 0, 4);
        p.writeUInt32BE(ssrc, 8);
        sent.set(seq, Date.now() / 1000);
        socket.send(p, port, '127.0.0.1');
      }, 20);
    },
    stop() { clearInterval(timer); },
    close() { clearInterval(timer); socket.close(); },
  };
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

// The port rtpengine gave a SIPp phone, from the file its scenario wrote in its work directory.
function rtpenginePort(scenario, port) {
  for (const d of readdirSync(stack.dir)) {
    if (!d.startsWith(`sipp-${scenario}-${port}-`)) continue;
    const f = join(stack.dir, d, 'rtpengine_port.txt');
    if (existsSync(f)) {
      const n = Number(readFileSync(f, 'utf8').trim());
      if (n > 0) return n;
    }
  }
  return 0;
}

test('the recording of a queue call has no audio while the agent takes a card payment', async () => {
  const events = alice.client.events;
  await alice.client.ok('set_state', { state: 'available' });
  const agentPeer = await rtpPeer(agentRtp);
  const callerPeer = await rtpPeer(callerRtp);
  try {
    const phone = sipp(stack, 'recording_agent.xml', { server: true, port: alicePort, mediaPort: agentSippMedia,
      keys: { rtp: agentRtp } });
    await waitFor('the agent phone to listen', () => udpListening(alicePort));
    const accepted = waitFor('the call offered on the desk', () =>
      events.find((e) => e.event === 'contact.offered' && e.data.channel === 'voice')?.data, 15000)
      .then((c) => alice.client.ok('accept', { contact: c.id }).then((r) => ({ offered: c, accepted: r })));
    // Marcus Lee's number (demo seed): the customer whose answers the test knows.
    const caller = sipp(stack, 'recording_caller.xml', { port: callerPort, mediaPort: callerSippMedia,
      keys: { queue: '7001', caller: '+15550100001', rtp: callerRtp }, timeoutS: 40 });
    const { offered, accepted: acc } = await accepted;
    const contact = offered.id;
    assert.equal(offered.recording, 'on', 'the offered call is recorded');
    const toCaller = await waitFor("rtpengine's port for the caller", () => rtpenginePort('recording_caller', callerPort), 10000);
    const toAgent = await waitFor("rtpengine's port for the agent", () => rtpenginePort('recording_agent', alicePort), 10000);
    // The recorder's own knowledge: which Call-ID carries the contact (call_recordings, migration 12).
    const rows = JSON.parse(sql(stack.server.db, `SELECT call_id, state FROM call_recordings WHERE contact = '${contact}'`));
    assert.equal(rows.length, 1, 'switchboardd stored the call recording');
    assert.equal(rows[0].state, 'on');
    const callId = rows[0].call_id;
    assert.equal(acc.contact.recording, 'on', 'the accepted contact says it is recorded');

    // 1. Recorded: media both ways.
    callerPeer.start(toCaller);
    agentPeer.start(toAgent);
    await sleep(2000);

    // 2. The agent verifies the caller and starts a payment: the recording pauses.
    await alice.client.ok('verify_answer', { contact, step: 'dob', answer: '1984-03-07' });
    await alice.client.ok('verify_answer', { contact, step: 'postcode', answer: 'BS1 5TY' });
    const recordingEvent = (state, from) => waitFor(`contact.recording "${state}"`, () =>
      events.slice(from).find((e) => e.event === 'contact.recording' && e.data.contact === contact && e.data.recording === state), 8000);
    let from = events.length;
    const started = await alice.client.ok('payment_start', { contact, amount: 1999, currency: 'USD' });
    await recordingEvent('paused', from);
    const pausedAt = Date.now() / 1000;
    assert.equal(JSON.parse(sql(stack.server.db, `SELECT state FROM call_recordings WHERE contact = '${contact}'`))[0].state, 'paused');
    await sleep(2000);

    // 3. The payment is cancelled: the recording resumes.
    from = events.length;
    const resumeAt = Date.now() / 1000;
    await alice.client.ok('payment_cancel', { contact, payment: started.payment.id });
    await recordingEvent('on', from);
    await sleep(2000);
    callerPeer.stop();
    agentPeer.stop();
    const stoppedAt = Date.now() / 1000;

    const [c, p] = await Promise.all([caller.done, phone.done]);
    assert.equal(c.code, 0, `caller:\n${c.errors}\n${c.output}\n${stack.kamailioLog().slice(-3000)}`);
    assert.equal(p.code, 0, `agent phone:\n${p.errors}\n${p.output}`);
    await alice.client.ok('end', { contact, by: 'customer' });
    await waitFor('the recording "off" once the call ended', () =>
      events.find((e) => e.event === 'contact.recording' && e.data.contact === contact && e.data.recording === 'off'), 5000);
    await alice.client.ok('wrap_up', { contact, disposition: 'resolved', notes: '', tags: [] });

    // The pcap files rtpengine wrote for this Call-ID: each closed (its metadata moved from tmp/
    // to metadata/) once the call was deleted at its BYE.
    // (rtpengine names them after the Call-ID with characters such as @ percent-escaped.)
    const pcapDir = join(stack.recordingDir, 'pcaps'), metaDir = join(stack.recordingDir, 'metadata');
    const escaped = [...Buffer.from(callId)].map((c) => (/[A-Za-z0-9._-]/.test(String.fromCharCode(c))
      ? String.fromCharCode(c) : `%${c.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
    const ofCall = (name, prefix = '') => [callId, escaped].some((id) => name.startsWith(`${prefix}${id}-`));
    const files = await waitFor('the call\'s recordings closed', () => {
      const pcaps = existsSync(pcapDir) ? readdirSync(pcapDir).filter((f) => ofCall(f) && f.endsWith('.pcap')) : [];
      const metas = existsSync(metaDir) ? readdirSync(metaDir).filter((f) => ofCall(f, 'rtpengine-meta-')) : [];
      return pcaps.length > 0 && metas.length === pcaps.length && pcaps;
    }, 8000).catch((e) => {
      const list = (d) => (existsSync(d) ? readdirSync(d).join(' ') : '(none)');
      const log = stack.rtpengineLog().split('\n').filter((l) => /recording|record/i.test(l)).slice(-20).join('\n');
      throw new Error(`${e.message}: Call-ID ${callId}; pcaps: ${list(pcapDir)}; metadata: ${list(metaDir)}; ` +
        `tmp: ${list(join(stack.recordingDir, 'tmp'))}\n${log}`);
    });
    const packets = files.flatMap((f) => readPcap(join(pcapDir, f)));
    const window = [pausedAt + margin, resumeAt - margin];
    const summary = JSON.stringify({ files, pausedAt, resumeAt, stoppedAt, packets: packets.length });
    for (const [name, src, peer] of [['caller', callerRtp, callerPeer], ['agent', agentRtp, agentPeer]]) {
      const mine = packets.filter((x) => x.src === src);
      const before = mine.filter((x) => x.ts < pausedAt).length;
      const during = mine.filter((x) => x.ts >= window[0] && x.ts <= window[1]);
      const after = mine.filter((x) => x.ts > resumeAt).length;
      assert.ok(before >= 50, `${name}: ${before} packets recorded before the pause (${summary})`);
      assert.equal(during.length, 0, `${name}: packets recorded while paused: ${JSON.stringify(during.slice(0, 5))} (${summary})`);
      assert.ok(after >= 50, `${name}: ${after} packets recorded after the resume (${summary})`);
      // By sequence number too: nothing the peer sent inside the paused interval is in the file.
      const sentWhilePaused = new Set([...peer.sent].filter(([, t]) => t >= window[0] && t <= window[1]).map(([s]) => s));
      assert.ok(sentWhilePaused.size >= 50, `${name} sent ${sentWhilePaused.size} packets while paused`);
      assert.deepEqual(mine.filter((x) => sentWhilePaused.has(x.seq)).map((x) => x.seq), [], `${name}: paused packets recorded`);
    }
    // The media went on meanwhile: each side got rtpengine's relay of the other while paused.
    for (const [name, peer] of [['caller', callerPeer], ['agent', agentPeer]]) {
      const got = peer.received.filter((t) => t >= window[0] && t <= window[1]).length;
      assert.ok(got >= 50, `${name} received ${got} packets from rtpengine while the recording was paused`);
    }
    // rtpengine 10.5: the recording was stopped and started again on the live call.
    const log = stack.rtpengineLog();
    assert.match(log, new RegExp(`\\[${callId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\][^\\n]*Turning off call recording`));
  } finally {
    callerPeer.close();
    agentPeer.close();
  }
});
