// harness.mjs: the interop tests' stack and peers. The stack is what ./scripts/run starts:
// switchboardd with telephony (--sip-domain), then rtpengine and Kamailio through
// scripts/telephony, all on 127.0.0.1 with the tests' own ports; stop() stops exactly those.
// The peers are real SIP user agents (SIPp) and tcpdump, each a child process of the test,
// waited on by conditions (a reply, a listening port, a registration), never by fixed sleeps.
//
// These tests expect a network namespace of their own with only `lo` (scripts/test runs them
// under `unshare --net`; see docs/telephony.md), so fixed ports cannot clash with anything.
//
// Sections: ports · stack · agents · SIPp · RTP capture · Kamailio state · waiting

import { spawn, execFile } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { startServer, DeskClient, tempDir, repoRoot } from '../server/harness.mjs';

export { DeskClient, repoRoot };
const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
export const scenarios = join(here, 'scenarios');

// ---- ports -----------------------------------------------------------------------------------
// Not the defaults, so that a demo running on the same machine (outside the namespace) is not
// disturbed either. The SIPp scenarios check that media ports are rtpengine's: 350xx.
export const ports = { sip: 25060, ws: 25066, ng: 22223, rtp: [35000, 35099] };
export const domain = '127.0.0.1';

// ---- stack -----------------------------------------------------------------------------------
// `serverArgs`: more switchboardd flags (e.g. --web-root for the browser tests). As scripts/run
// does, a fresh telephony secret (a file only we can read) goes to both switchboardd and
// scripts/telephony, and Kamailio asks switchboardd who takes queue calls; `offerTimeout` (s) is
// both sides' offer timeout.
export async function startStack({ trunk, serverArgs = [], offerTimeout = 20 } = {}) {
  const dir = tempDir();
  const { secretFile, secret } = telephonySecret(dir);
  const server = await startServer({ dir, args: [...telephonyArgs(secretFile, offerTimeout), ...serverArgs] });
  let telephony;
  try {
    telephony = await startTelephony({ dir, db: server.db, urls: [server.url], secretFile, offerTimeout, trunk });
  } catch (e) {
    await server.stop();
    throw e;
  }
  return {
    ...telephony, server, secret,
    async stop() {
      try {
        await telephony.stop();
      } finally {
        await server.stop();
      }
    },
  };
}

// A fresh telephony secret in `dir`, readable by us only, for switchboardd and scripts/telephony.
export function telephonySecret(dir) {
  const secretFile = join(dir, 'telephony.secret');
  const secret = randomBytes(24).toString('base64url');
  writeFileSync(secretFile, secret, { mode: 0o600 });
  return { secretFile, secret };
}

// switchboardd's flags for telephony on the tests' ports (every node gets the same).
export const telephonyArgs = (secretFile, offerTimeout = 20) => ['--sip-domain', domain,
  '--sip-ws-url', `ws://127.0.0.1:${ports.ws}`, '--telephony-secret-file', secretFile,
  '--offer-timeout', String(offerTimeout), '--rtpengine-ng', `udp:127.0.0.1:${ports.ng}`];

// rtpengine and Kamailio through scripts/telephony, in `dir`/telephony, reading the credentials
// from `db` (a SQLite file, or a PostgreSQL URI with PGPASSFILE in the environment) and asking
// the switchboardd nodes at `urls`. stop() stops exactly those.
export async function startTelephony({ dir, db, urls, secretFile, offerTimeout = 20, trunk }) {
  const runDir = join(dir, 'telephony');
  const args = ['start', '--db', db, '--run-dir', runDir, '--ip', '127.0.0.1', '--domain', domain,
    '--sip-port', String(ports.sip), '--ws-port', String(ports.ws), '--rtpengine-port', String(ports.ng),
    '--rtp-ports', `${ports.rtp[0]}-${ports.rtp[1]}`, ...urls.flatMap((u) => ['--switchboard-url', u]),
    '--telephony-secret-file', secretFile, '--offer-timeout', String(offerTimeout)];
  if (trunk) args.push('--trunk', trunk);
  let started;
  try {
    started = await run(join(repoRoot, 'scripts/telephony'), args, { timeout: 60000 });
  } catch (e) {
    throw new Error(`scripts/telephony start failed:\n${e.stdout}\n${e.stderr}`);
  }
  let stopped = false;
  return {
    dir, runDir, startOutput: started.stdout,
    recordingDir: join(runDir, 'recordings'),  // rtpengine's pcaps/ and metadata/ (scripts/telephony)
    kamailioLog: () => readFileSync(join(runDir, 'kamailio.log'), 'utf8'),
    rtpengineLog: () => readFileSync(join(runDir, 'rtpengine.log'), 'utf8'),
    // Stops and starts Kamailio alone (scripts/telephony restart-kamailio); rtpengine carries on.
    async restartKamailio() {
      const r = await run(join(repoRoot, 'scripts/telephony'), ['restart-kamailio', '--run-dir', runDir], { timeout: 60000 });
      return r.stdout;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(join(repoRoot, 'scripts/telephony'), ['stop', '--run-dir', runDir], { timeout: 60000 });
    },
  };
}

// ---- agents ----------------------------------------------------------------------------------
// Logs in over the desk protocol and returns the session (with its SIP credentials) and the client.
export async function agentSession(stack, username) {
  const client = await DeskClient.connect(stack.server.wsUrl);
  const session = await client.login(username);
  assert.ok(session.sip, `the session of ${username} carries SIP credentials`);
  return { client, session, sip: session.sip };
}

// ---- SIPp ------------------------------------------------------------------------------------
// Runs one SIPp scenario to its end (-m 1). `as`: {aor, username, password} for the agent whose
// phone this is; `keys`: more -key values; `port`: its SIP port; `server`: true for a scenario
// that waits for a call rather than starting one. Resolves with its exit code and its message
// trace (every SIP message it sent and received).
export function sipp(stack, scenario, { as, keys = {}, port, mediaPort, server = false, extra = [], timeoutS = 30 } = {}) {
  const work = join(stack.dir, `sipp-${scenario.replace(/\.xml$/, '')}-${port}-${Date.now()}`);
  mkdirSync(work, { recursive: true });
  const trace = join(work, 'messages.log');
  const args = ['-sf', join(scenarios, scenario), '-m', '1', '-i', '127.0.0.1', '-p', String(port),
    '-timeout', `${timeoutS}s`, '-timeout_error', '-recv_timeout', '15000',
    '-trace_msg', '-message_file', trace, '-trace_err', '-error_file', join(work, 'errors.log'),
    '-key', 'domain', domain];
  if (!server) args.unshift(`127.0.0.1:${ports.sip}`);
  if (as) args.push('-key', 'aor', as.aor, '-au', as.username, '-ap', as.password);
  for (const [k, v] of Object.entries(keys)) args.push('-key', k, String(v));
  if (mediaPort) args.push('-mp', String(mediaPort));
  args.push(...extra);
  const proc = spawn('sipp', args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const done = new Promise((resolve) => {
    const killer = setTimeout(() => proc.kill('SIGKILL'), (timeoutS + 15) * 1000);
    proc.on('exit', (code, signal) => {
      clearTimeout(killer);
      const read = (f) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
      resolve({ code, signal, output, messages: read(trace), errors: read(join(work, 'errors.log')) });
    });
  });
  return { proc, done };
}

// The agent's phone: its AOR user and the credentials of the session.
// switchboard-bot as a desk of `stack`'s server: its JSON lines as they come, each stamped with
// when it arrived (`at`).
export function botDesk(stack, args) {
  const proc = spawn(process.env.SWITCHBOARD_BOT ?? join(repoRoot, 'build/native/tools/switchboard-bot'),
    ['--url', stack.server.wsUrl, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWITCHBOARD_PASSWORD: 'switchboard' } });
  const lines = [];
  let buf = '', stderr = '';
  proc.stdout.on('data', (d) => {
    buf += d.toString();
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) {
      try { lines.push({ at: Date.now(), ...JSON.parse(buf.slice(0, i)) }); } catch { /* not JSON */ }
    }
  });
  proc.stderr.on('data', (d) => { stderr += d.toString(); });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  return { proc, lines, exited, get stderr() { return stderr; } };
}

export const phoneOf = (username, sip) => ({ aor: username, username: sip.username, password: sip.password });

// Every SIP message of a SIPp trace: {direction: 'sent'|'received', text, startLine}.
export function sipMessages(trace) {
  const out = [];
  const re = /^(UDP|TCP) message (sent|received)[^\n]*:\n\n([\s\S]*?)(?=\n-{20,}|(?![\s\S]))/gm;
  for (const m of trace.matchAll(re)) {
    const text = m[3].trim();
    out.push({ direction: m[2], text, startLine: text.split('\n')[0] });
  }
  return out;
}

// ---- RTP capture -----------------------------------------------------------------------------
// tcpdump on lo for UDP to or from rtpengine's media ports; resolves once it listens.
export async function captureRtp() {
  const filter = `udp and portrange ${ports.rtp[0]}-${ports.rtp[1]}`;
  const proc = spawn('tcpdump', ['-i', 'lo', '-n', '-l', '-q', '-U', filter], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  const exited = new Promise((res) => proc.on('exit', res));
  await new Promise((resolve, reject) => {
    proc.stderr.on('data', (d) => { err += d; if (/listening on/.test(err)) resolve(); });
    exited.then(() => reject(new Error(`tcpdump exited: ${err}`)));
  });
  return {
    // Stops the capture; resolves with the packet count per "src > dst" address pair.
    async stop() {
      proc.kill('SIGINT');
      await exited;
      const flows = {};
      for (const line of out.split('\n')) {
        const m = line.match(/ IP (\S+) > (\S+?): UDP/);
        if (m) flows[`${m[1]} > ${m[2]}`] = (flows[`${m[1]} > ${m[2]}`] ?? 0) + 1;
      }
      return flows;
    },
  };
}

// ---- Kamailio state --------------------------------------------------------------------------
// The AORs registered in Kamailio with their contacts, from `kamcmd ul.dump`.
export async function registrations(stack) {
  const { stdout } = await run('kamcmd', ['-s', `unix:${join(stack.runDir, 'kamailio_ctl')}`, 'ul.dump'], { timeout: 10000 });
  const aors = {};
  let current = null;
  for (const line of stdout.split('\n')) {
    const aor = line.match(/^\s*AoR: (\S+)/);
    if (aor) { current = aor[1]; aors[current] = []; continue; }
    const contact = line.match(/^\s*Address: (\S+)/);
    if (contact && current) aors[current].push(contact[1]);
  }
  return aors;
}

// ---- waiting ---------------------------------------------------------------------------------
// Polls `check` (sync or async) until it returns something truthy; fails after `timeoutMs`.
export async function waitFor(what, check, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

// Whether something listens on 127.0.0.1:`port` over UDP.
export async function udpListening(port) {
  const { stdout } = await run('ss', ['-Hlun', `sport = :${port}`]);
  return stdout.trim().length > 0;
}
