// telephony/demo/phones.mjs: the demo phones' supervisor, started (in the background) by
// scripts/demo-phones; see docs/demo-phones.md. It
//   1. speaks the greeting and every caller's request with espeak-ng into RUN_DIR/audio/,
//   2. writes baresip's config and accounts into RUN_DIR/baresip/,
//   3. runs one baresip, its child, which answers every call on the trunk address (the "PSTN":
//      the greeting, then a quiet line; it hangs up after five minutes) and, every
//      --caller-every seconds, dials the queue number through Kamailio as one of the callers
//      (its request, then it hangs up when the request's WAV file ends, or earlier if the agent
//      does; unanswered after --ring-timeout seconds it gives up),
//   4. logs what happens to standard output (RUN_DIR/demo-phones.log), and on SIGTERM or
//      SIGINT stops baresip (which hangs up its calls) and exits.
//
//   node telephony/demo/phones.mjs --run-dir DIR --trunk-port N --kamailio HOST:PORT
//        --queue-number N [--caller-every S] [--ip A] [--rtp-ports MIN-MAX] [--ring-timeout S]
//
// The calls of the simulated callers leave from the trunk's own address and port, as calls from
// the telephone network do: Kamailio trusts the trunk by its address (docs/telephony.md), so
// their From (sip:+1555...@ip) needs no credentials.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { speak } from './audio.mjs';

const here = dirname(fileURLToPath(import.meta.url));

// ---- options ---------------------------------------------------------------------------------
const opts = { callerEvery: 180, ip: '127.0.0.1', rtpPorts: '40000-40199', ringTimeout: 60 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const value = () => { if (i + 1 >= argv.length) die(`${argv[i]} wants a value`); return argv[++i]; };
  switch (argv[i]) {
    case '--run-dir': opts.runDir = value(); break;
    case '--trunk-port': opts.trunkPort = Number(value()); break;
    case '--kamailio': opts.kamailio = value(); break;
    case '--queue-number': opts.queue = value(); break;
    case '--caller-every': opts.callerEvery = Number(value()); break;
    case '--ip': opts.ip = value(); break;
    case '--rtp-ports': opts.rtpPorts = value(); break;
    case '--ring-timeout': opts.ringTimeout = Number(value()); break;
    default: die(`unknown option ${argv[i]}`);
  }
}
function die(message) { console.error(`demo-phones: ${message}`); process.exit(2); }
if (!opts.runDir || !opts.trunkPort || !opts.kamailio || !opts.queue) die('--run-dir, --trunk-port, --kamailio and --queue-number are needed');
const [rtpMin, rtpMax] = opts.rtpPorts.split('-').map(Number);
if (!(rtpMin > 0 && rtpMax > rtpMin)) die('--rtp-ports wants MIN-MAX');
if (!(opts.callerEvery >= 0)) die('--caller-every wants seconds (0: no calls)');

const log = (line) => console.log(`${new Date().toISOString()} ${line}`);

// ---- audio and configuration -----------------------------------------------------------------
const script = JSON.parse(readFileSync(join(here, 'callers.json'), 'utf8'));
const audioDir = join(opts.runDir, 'audio');
const baresipDir = join(opts.runDir, 'baresip');
mkdirSync(audioDir, { recursive: true });
mkdirSync(baresipDir, { recursive: true });

// The answerer picks up, says hello after a moment, then stays on a quiet line; when the file
// ends baresip hangs up (5 minutes, the longest a demo call needs).
const greeting = join(audioDir, 'greeting.wav');
speak(greeting, script.greeting.text, { voice: script.greeting.voice, lead: 0.8, tail: 300 });
// Each caller: the request, a few seconds for the agent to start answering, then the hang-up.
const callers = script.callers.map((c, i) => {
  const file = join(audioDir, `caller-${i + 1}.wav`);
  const seconds = speak(file, c.text, { voice: c.voice, lead: 0.5, tail: 3 });
  return { ...c, file, seconds, aor: `sip:${c.number}@${opts.ip}` };
});
log(`audio: greeting and ${callers.length} callers' requests in ${audioDir}`);

const fill = (text) => text
  .replaceAll('@IP@', opts.ip).replaceAll('@TRUNK_PORT@', String(opts.trunkPort))
  .replaceAll('@RTP_MIN@', String(rtpMin)).replaceAll('@RTP_MAX@', String(rtpMax))
  .replaceAll('@GREETING@', greeting);
writeFileSync(join(baresipDir, 'config'), fill(readFileSync(join(here, 'baresip.config'), 'utf8')));
// Accounts: the catch-all answerer, and the (unused) other half of the b2bua module's pair.
// regint=0: no registration anywhere.
const codecs = 'audio_codecs=PCMU,PCMA';
const accounts = [
  `<sip:pstn@${opts.ip}>;regint=0;answermode=auto;${codecs};b2bua=inbound`,
  `<sip:pstn-out@${opts.ip}>;regint=0;answermode=manual;${codecs};b2bua=outbound`,
];
// Each request's account (its From: the caller's number, and name for the caller ID; its own
// audio file) exists only for its call: created before the dial (/uanew), deleted after it
// (/uadel). Were they there all the time, an agent's call to a customer's number would find that
// customer's account (baresip matches the number before it tries the catch-all) instead of the
// answerer.
for (const c of callers) {
  c.account = `"${c.name}" <${c.aor}>;regint=0;answermode=manual;${codecs};audio_source=aufile,${c.file}`;
}
writeFileSync(join(baresipDir, 'accounts'), accounts.join('\n') + '\n');

// ---- baresip ---------------------------------------------------------------------------------
const baresip = spawn('baresip', ['-f', baresipDir], { stdio: ['pipe', 'pipe', 'pipe'] });
writeFileSync(join(opts.runDir, 'baresip.pid'), `${baresip.pid}\n`);
let ready = false;
let stopping = false;
const baresipExited = new Promise((resolve) => baresip.on('exit', (code, signal) => {
  rmSync(join(opts.runDir, 'baresip.pid'), { force: true });
  resolve({ code, signal });
}));
baresipExited.then(({ code, signal }) => {
  if (!stopping) { log(`baresip exited (${signal ?? code}); stopping`); process.exit(1); }
});

// baresip's output, without the once-a-tick call status line, line by line into our log and
// through the caller's state machine.
let pending = '';
const onOutput = (chunk) => {
  pending += chunk.toString('utf8').replace(/\x1b\[[0-9;]*m/g, '');
  const lines = pending.split(/\r?\n|\r/);
  pending = lines.pop();
  for (const line of lines) {
    // Not the status line of a call (several a second) nor the echo of our commands.
    if (!line.trim() || /^\[\d+:\d\d:\d\d\] audio=/.test(line.trim()) || line.startsWith('/')) continue;
    console.log(`  baresip: ${line}`);
    watch(line);
  }
};
baresip.stdout.on('data', onOutput);
baresip.stderr.on('data', onOutput);
const command = (text) => { if (!stopping) baresip.stdin.write(`${text}\n`); };

// ---- the simulated caller --------------------------------------------------------------------
// One call at a time: a tick that finds the previous call still ringing or talking lets it be.
let next = 0;
let current = null;  // {caller, target, state: 'dialing'|'talking', timer, saidAll}
function placeCall() {
  if (current) { log(`caller: ${current.caller.name} is still on the line; no new call this time`); return; }
  const caller = callers[next++ % callers.length];
  const target = `sip:${opts.queue}@${opts.kamailio}`;
  current = { caller, target, state: 'dialing' };
  log(`caller: ${caller.name} (${caller.number}) calls ${target}: "${caller.text}"`);
  command(`/uanew ${caller.account}`);
  command(`/uafind ${caller.aor}`);
  command(`/dial ${target}`);
  current.timer = setTimeout(() => {
    if (current?.caller === caller && current.state === 'dialing') {
      log(`caller: nobody answered in ${opts.ringTimeout} s; ${caller.name} hangs up`);
      command(`/uafind ${caller.aor}`);
      command('/hangup');
    }
  }, opts.ringTimeout * 1000);
}
function endCall(how) {
  if (!current) return;
  clearTimeout(current.timer);
  log(`caller: ${current.caller.name}: ${how}`);
  const { aor } = current.caller;
  current = null;
  // After the call's last transaction, away with its account (see "accounts" above).
  setTimeout(() => { if (current?.caller.aor !== aor) command(`/uadel ${aor}`); }, 1000);
}
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
function watch(line) {
  if (!ready && line.includes('baresip is ready')) {
    ready = true;
    log(`ready: answering on ${opts.ip}:${opts.trunkPort} (UDP, TCP)` +
      (opts.callerEvery > 0 ? `; a caller every ${opts.callerEvery} s to ${opts.queue} via ${opts.kamailio}` : '; no simulated callers'));
    // The first caller soon (5 s at most), then one every --caller-every seconds.
    if (opts.callerEvery > 0) {
      setTimeout(() => { placeCall(); setInterval(placeCall, opts.callerEvery * 1000); },
        Math.min(opts.callerEvery, 5) * 1000);
    }
    return;
  }
  if (!current) return;
  // baresip names the caller's account with or without the scheme, depending on the line.
  const me = `(sip:)?${escape(current.caller.aor.replace(/^sip:/, ''))}`;
  if (/audio error \(0,end of file\)/.test(line) && current.state === 'talking') {
    current.saidAll = true;  // menu hangs up now: the request and its pause are over
  } else if (new RegExp(`${me}: Call established`).test(line)) {
    current.state = 'talking';
    clearTimeout(current.timer);
    log(`caller: ${current.caller.name}: answered; speaking (${current.caller.seconds.toFixed(1)} s)`);
  } else if (line.startsWith(`${current.target}: session closed: `) || new RegExp(`${me}: Call with .* terminated`).test(line)) {
    // "sip:7001@...: session closed: 486 Busy Here" (before or after the answer), or
    // "<caller>: Call with sip:7001@... terminated (duration: 12 secs)".
    let reason = line.replace(/^.*(session closed: |terminated )/, '').trim();
    if (!reason.startsWith('(')) reason = `(${reason})`;
    if (current.state === 'talking') endCall(current.saidAll ? `said it all and hung up ${reason}` : `the other side hung up ${reason}`);
    else if (/^\(486\b/.test(reason)) endCall(`busy ${reason}: no call this time`);
    else endCall(`the call failed ${reason}`);
  }
}

// ---- stopping --------------------------------------------------------------------------------
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping baresip (pid ${baresip.pid}), which hangs up its calls`);
  // baresip's first SIGTERM hangs up and waits for the transactions to end; a second one, 2 s
  // later, makes it exit at once; SIGKILL 3 s after that.
  baresip.kill('SIGTERM');
  const again = setTimeout(() => baresip.kill('SIGTERM'), 2000);
  const killer = setTimeout(() => baresip.kill('SIGKILL'), 5000);
  await baresipExited;
  clearTimeout(again);
  clearTimeout(killer);
  log('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGHUP', () => stop('SIGHUP'));
