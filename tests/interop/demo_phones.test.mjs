// demo_phones.test.mjs: scripts/demo-phones (docs/demo-phones.md), the demo's PSTN and simulated
// callers, without switchboardd or Kamailio: SIPp stands in for what is on the other side.
//   - the PSTN: a SIPp UAC calls a phone number on the trunk port, over UDP and over TCP; the
//     answer is a 200 with SDP, and the RTP that arrives (at a UDP socket of this test, the
//     port SIPp offered) is G.711 speech, not silence;
//   - the callers: SIPp stands in for Kamailio on the address given as --kamailio; the first
//     call it answers 486 (the caller logs it and is gone), the next 200: the INVITE is for the
//     queue number, from a phone number, sent from the trunk's address and port (what Kamailio
//     trusts), and the RTP that arrives is speech; the caller hangs up (BYE) when it is done;
//     the third call the stand-in hangs up early, and the caller takes the BYE;
//   - start is idempotent, stop leaves no process of its own behind, and a missing baresip or
//     espeak-ng is said clearly.
// Ports 251xx: clear of the other interop tests' (harness.mjs). Run inside the interop suite's
// network namespace (scripts/test), or on any machine where those ports are free.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, mkdirSync, readFileSync, existsSync, readdirSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../..');
const script = join(repoRoot, 'scripts/demo-phones');
const scenarios = join(here, 'scenarios');
const callers = JSON.parse(readFileSync(join(repoRoot, 'telephony/demo/callers.json'), 'utf8')).callers;

const ports = {
  pstnTrunk: 25180, callerTrunk: 25182,   // the demo phones' SIP (UDP and TCP), one run each
  kamailio: 25110,                        // SIPp standing in for Kamailio
  uac: 25101,                             // SIPp calling the PSTN
  rtpIn: 25150,                           // this test's RTP socket (what SIPp offers)
  baresipRtp: '25160-25179',
};
const work = mkdtempSync(join(tmpdir(), 'demo-phones-test-'));
const started = new Set();  // run directories to stop whatever happens

after(async () => {
  for (const dir of started) await run(script, ['stop', '--run-dir', dir]).catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

// ---- helpers ---------------------------------------------------------------------------------
async function startPhones(name, { trunk, every }) {
  const dir = join(work, name);
  started.add(dir);
  const { stdout } = await run(script, ['start', '--run-dir', dir, '--trunk-port', String(trunk),
    '--kamailio', `127.0.0.1:${ports.kamailio}`, '--queue-number', '7001', '--caller-every', String(every),
    '--rtp-ports', ports.baresipRtp], { timeout: 60000 });
  return { dir, stdout, log: () => readFileSync(join(dir, 'demo-phones.log'), 'utf8') };
}

// Every process whose command line names `dir` (what scripts/demo-phones started there).
function processesIn(dir) {
  const found = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline = '', state = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    } catch { continue; }
    if (state !== 'Z' && cmdline.includes(dir)) found.push(`${pid}: ${cmdline.trim()}`);
  }
  return found;
}

// One SIPp scenario to its end (-m 1); resolves with exit code, output and message trace.
function sipp(scenario, { port, remote, keys = {}, extra = [], timeoutS = 30 }) {
  const dir = join(work, `sipp-${scenario.replace(/\.xml$/, '')}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const trace = join(dir, 'messages.log'), errors = join(dir, 'errors.log');
  const args = ['-sf', join(scenarios, scenario), '-m', '1', '-i', '127.0.0.1', '-p', String(port),
    '-timeout', `${timeoutS}s`, '-timeout_error', '-recv_timeout', `${timeoutS * 1000}`,
    '-trace_msg', '-message_file', trace, '-trace_err', '-error_file', errors, ...extra];
  if (remote) args.unshift(remote);
  for (const [k, v] of Object.entries(keys)) args.push('-key', k, String(v));
  const proc = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const listening = () => waitFor(`SIPp on ${port}`, () => udpListening(port), 10000);
  const done = new Promise((resolve) => {
    const killer = setTimeout(() => proc.kill('SIGKILL'), (timeoutS + 15) * 1000);
    proc.on('exit', (code, signal) => {
      clearTimeout(killer);
      const read = (f) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
      resolve({ code, signal, output, messages: read(trace), errors: read(errors) });
    });
  });
  return { proc, done, listening };
}

// A UDP socket that takes RTP and tells how much of it is speech: G.711 (PCMU 0, PCMA 8)
// samples decoded, "loud" = louder than about -30 dBFS (the demo's quiet line is about -70).
function rtpReceiver(port) {
  const socket = createSocket('udp4');
  const stats = { packets: 0, samples: 0, loud: 0, payloadTypes: new Set(), peak: 0 };
  socket.on('message', (m) => {
    if (m.length < 12 || (m[0] >> 6) !== 2) return;
    const pt = m[1] & 0x7f, cc = m[0] & 0x0f;
    stats.packets++;
    stats.payloadTypes.add(pt);
    if (pt !== 0 && pt !== 8) return;
    for (const byte of m.subarray(12 + 4 * cc)) {
      const v = Math.abs(pt === 0 ? ulaw(byte) : alaw(byte));
      stats.samples++;
      stats.peak = Math.max(stats.peak, v);
      if (v > 1000) stats.loud++;
    }
  });
  const bound = new Promise((res, rej) => { socket.once('error', rej); socket.bind(port, '127.0.0.1', res); });
  return { stats, bound, close: () => new Promise((res) => socket.close(res)) };
}
function ulaw(b) {
  const u = ~b & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}
function alaw(b) {
  const a = b ^ 0x55, seg = (a >> 4) & 7;
  let t = (a & 0x0f) << 4;
  t = seg === 0 ? t + 8 : ((t + 0x108) << (seg - 1));
  return a & 0x80 ? t : -t;
}

async function udpListening(port) {
  const { stdout } = await run('ss', ['-Hlun', `sport = :${port}`]);
  return stdout.trim().length > 0;
}
async function tcpListening(port) {
  const { stdout } = await run('ss', ['-Hltn', `sport = :${port}`]);
  return stdout.trim().length > 0;
}
async function waitFor(what, check, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

// The SIP messages of a SIPp trace: {direction, text, startLine}.
function sipMessages(trace) {
  const out = [];
  const re = /^(UDP|TCP) message (sent|received)[^\n]*:\n\n([\s\S]*?)(?=\n-{20,}|(?![\s\S]))/gm;
  for (const m of trace.matchAll(re)) {
    const text = m[3].trim();
    out.push({ direction: m[2], text, startLine: text.split('\n')[0], transport: m[1] });
  }
  return out;
}

// ---- the PSTN --------------------------------------------------------------------------------
test('the PSTN answers any number over UDP and TCP with a spoken greeting', { timeout: 120000 }, async () => {
  const phones = await startPhones('pstn', { trunk: ports.pstnTrunk, every: 0 });
  assert.match(phones.stdout, /PSTN\s+sip:127\.0\.0\.1:25180 \(UDP, TCP\)/);
  assert.ok(await tcpListening(ports.pstnTrunk), 'the trunk port listens over TCP too');
  const wavs = readdirSync(join(phones.dir, 'audio'));
  assert.ok(wavs.includes('greeting.wav'), `the greeting is generated into the run directory: ${wavs}`);

  for (const [transport, extra] of [['UDP', []], ['TCP', ['-t', 't1']]]) {
    const rtp = rtpReceiver(ports.rtpIn);
    await rtp.bound;
    try {
      // A number nobody configured, as an agent would dial it (Kamailio keeps the user part).
      const call = sipp('demo_uac_pstn.xml', {
        port: ports.uac, remote: `127.0.0.1:${ports.pstnTrunk}`, keys: { rtp_port: ports.rtpIn },
        extra: ['-s', transport === 'UDP' ? '+15559876543' : '5550142', '-d', '5000', ...extra],
      });
      const r = await call.done;
      assert.equal(r.code, 0, `${transport} call:\n${r.errors}\n${r.output}\n${r.messages}`);
      const msgs = sipMessages(r.messages);
      const answer = msgs.find((m) => m.direction === 'received' && m.startLine.startsWith('SIP/2.0 200') && /CSeq: 1 INVITE/.test(m.text));
      assert.ok(answer, `${transport}: the INVITE was answered 200`);
      assert.match(answer.text, /Content-Type: application\/sdp/i);
      assert.match(answer.text, /m=audio \d+ RTP\/AVP 0/, `${transport}: the answer takes PCMU`);
      assert.ok(msgs.every((m) => m.transport === transport), `every message went over ${transport}`);
      // The greeting: ~4 s of speech from 0.8 s on; the call lasted 5 s.
      const s = rtp.stats;
      assert.ok(s.packets >= 150, `${transport}: RTP packets from the PSTN: ${s.packets}`);
      assert.deepEqual([...s.payloadTypes], [0], `${transport}: PCMU only`);
      assert.ok(s.loud >= 8000, `${transport}: speech, not silence: ${s.loud} loud samples of ${s.samples} (peak ${s.peak})`);
    } finally {
      await rtp.close();
    }
  }
  assert.match(phones.log(), /answering call/, 'the log tells about the calls');
  await run(script, ['stop', '--run-dir', phones.dir]);
  assert.deepEqual(processesIn(phones.dir), []);
});

// ---- the simulated callers -------------------------------------------------------------------
test('a simulated caller calls the queue through "Kamailio" from the trunk, says its request, hangs up; busy is logged', { timeout: 120000 }, async () => {
  // The stand-in for Kamailio is busy for the first call, and answers the second.
  const busy = sipp('demo_uas_busy.xml', { port: ports.kamailio, timeoutS: 30 });
  await busy.listening();
  const phones = await startPhones('callers', { trunk: ports.callerTrunk, every: 2 });
  assert.match(phones.stdout, /callers\s+every 2 s, to sip:7001@127\.0\.0\.1:25110/);
  const b = await busy.done;
  assert.equal(b.code, 0, `busy stand-in:\n${b.errors}\n${b.output}`);

  const rtp = rtpReceiver(ports.rtpIn);
  await rtp.bound;
  let q;
  try {
    const queue = sipp('demo_uas_queue.xml', { port: ports.kamailio, keys: { rtp_port: ports.rtpIn }, timeoutS: 45 });
    q = await queue.done;
  } finally {
    await rtp.close();
  }
  // The scenario checked the INVITE (for 7001, from a phone number, PCMU offered) and waited
  // for the caller's BYE.
  assert.equal(q.code, 0, `queue stand-in:\n${q.errors}\n${q.output}\n${phones.log()}`);
  const msgs = sipMessages(q.messages);
  const invite = msgs.find((m) => m.direction === 'received' && m.startLine.startsWith('INVITE '));
  assert.match(invite.startLine, /^INVITE sip:7001@127\.0\.0\.1:25110 SIP\/2\.0/);
  // Sent from the trunk's own address and port: what Kamailio trusts without credentials.
  assert.match(invite.text, /^Via: SIP\/2\.0\/UDP 127\.0\.0\.1:25182\b/m, 'the call leaves from the trunk port');
  const from = invite.text.match(/^From: (?:"([^"]*)" )?<sip:(\+?\d+)@127\.0\.0\.1>/m);
  assert.ok(from, `From is a phone number: ${invite.text}`);
  const who = callers.find((c) => c.number === from[2] && c.name === from[1]);
  assert.ok(who, `the caller is one of telephony/demo/callers.json: ${from[0]}`);
  assert.notEqual(who, callers[0], 'the second call is the second caller (the first got busy)');
  assert.ok(msgs.some((m) => m.direction === 'received' && m.startLine.startsWith('BYE ')), 'the caller hung up');

  // The request is speech (several seconds of it), PCMU as answered.
  const s = rtp.stats;
  assert.ok(s.packets >= 200, `RTP packets from the caller: ${s.packets}`);
  assert.deepEqual([...s.payloadTypes], [0]);
  assert.ok(s.loud >= 16000, `speech, not silence: ${s.loud} loud samples of ${s.samples} (peak ${s.peak})`);

  // The log tells the story: busy, then the answered call, ended by the caller when done.
  await waitFor('the log to tell the hang-up', () => /caller: .*: said it all and hung up/.test(phones.log()), 5000);
  const log = phones.log();
  assert.match(log, new RegExp(`caller: ${callers[0].name}: busy \\(486`), log);
  assert.match(log, new RegExp(`caller: ${who.name}: answered`));
  assert.match(log, new RegExp(`caller: ${who.name}: said it all and hung up`));

  // The next caller: the agent hangs up after 2 s, long before the request ends; the caller
  // answers the BYE and is gone.
  const early = sipp('demo_uas_queue_hangup.xml', { port: ports.kamailio, keys: { rtp_port: ports.rtpIn }, timeoutS: 30 });
  const e = await early.done;
  assert.equal(e.code, 0, `hanging-up stand-in:\n${e.errors}\n${e.output}\n${phones.log()}`);
  const third = callers[(callers.indexOf(who) + 1) % callers.length];
  await waitFor('the log to tell the early hang-up', () => phones.log().includes(`caller: ${third.name}: the other side hung up`), 5000);

  // Stopping: exactly what it started goes, nothing is left.
  const pids = ['demo-phones.pid', 'baresip.pid'].map((f) => Number(readFileSync(join(phones.dir, f), 'utf8')));
  const { stdout } = await run(script, ['stop', '--run-dir', phones.dir]);
  assert.match(stdout, /demo phones stopped/);
  for (const pid of pids) assert.ok(!existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '), `pid ${pid} is gone`);
  assert.deepEqual(processesIn(phones.dir), []);
  assert.equal(await udpListening(ports.callerTrunk), false, 'the trunk port is free again');
});

// ---- start, status, stop ---------------------------------------------------------------------
test('start is idempotent, refuses other settings, status and stop tell the truth', { timeout: 60000 }, async () => {
  const phones = await startPhones('again', { trunk: ports.pstnTrunk, every: 0 });
  const pid = readFileSync(join(phones.dir, 'demo-phones.pid'), 'utf8').trim();
  const again = await startPhones('again', { trunk: ports.pstnTrunk, every: 0 });
  assert.match(again.stdout, new RegExp(`already running .*\\(pid ${pid}\\)`));
  assert.equal(readFileSync(join(phones.dir, 'demo-phones.pid'), 'utf8').trim(), pid, 'the same process');
  await assert.rejects(startPhones('again', { trunk: ports.pstnTrunk, every: 30 }), /other settings/);
  const status = await run(script, ['status', '--run-dir', phones.dir]);
  assert.match(status.stdout, new RegExp(`running, pid ${pid}`));
  await run(script, ['stop', '--run-dir', phones.dir]);
  await assert.rejects(run(script, ['status', '--run-dir', phones.dir]), (e) => e.code === 3 && /stopped/.test(e.stdout));
  const second = await run(script, ['stop', '--run-dir', phones.dir]);
  assert.match(second.stdout, /nothing running/);
  assert.deepEqual(processesIn(phones.dir), []);
});

test('a missing baresip or espeak-ng is said clearly', async () => {
  // A PATH with the basic tools only.
  const bin = join(work, 'bin-without-phones');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['dirname', 'mkdir', 'cat', 'awk', 'tr', 'ss', 'node', 'sleep', 'seq', 'grep', 'sed']) {
    const { stdout } = await run('bash', ['-c', `command -v ${tool}`]);
    symlinkSync(stdout.trim(), join(bin, tool));
  }
  await assert.rejects(
    run('/bin/bash', [script, 'start', '--run-dir', join(work, 'missing'), '--trunk-port', String(ports.pstnTrunk)],
      { env: { PATH: bin } }),
    (e) => e.code === 1 && /missing: baresip \(Debian package baresip\) espeak-ng \(Debian package espeak-ng\)/.test(e.stderr),
  );
  assert.deepEqual(processesIn(join(work, 'missing')), []);
});
