// load_parts.mjs: what the load benches share (capacity_bench.mjs, cluster_bench.mjs): agents
// provisioned straight into the database, switchboard-bot --agents processes and their load
// lines, customers arriving at a rate through the real interfaces, and a few measures.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, sleep, sql, sqlScript } from '../server/harness.mjs';
import { ChatCustomer, smsIn } from '../server/contacts_harness.mjs';

const bot = process.env.SWITCHBOARD_BOT ?? join(repoRoot, 'build/native/tools/switchboard-bot');
export const offerTimeoutS = 20;  // the servers' --offer-timeout, which the bots are told
export const handleS = 1;         // how long a bot keeps a contact before ending it
export const log = (...a) => console.error(new Date().toISOString().slice(11, 23), ...a);

// argon2id at libsodium's minimum cost (capacity_bench.mjs says why), made by libsodium itself.
export function cheapHash(password) {
  const py = `
import ctypes, sys
l = ctypes.CDLL('libsodium.so.23'); assert l.sodium_init() >= 0
out = ctypes.create_string_buffer(128); pw = sys.argv[1].encode()
assert l.crypto_pwhash_str_alg(out, pw, ctypes.c_ulonglong(len(pw)), ctypes.c_ulonglong(1), ctypes.c_size_t(8192), 2) == 0
print(out.value.decode())`;
  return execFileSync('python3', ['-c', py, password], { encoding: 'utf8' }).trim();
}

export function provision(db, n, hash) {
  const now = Date.now();
  const nums = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})`;
  const script = `
BEGIN;
${nums} INSERT INTO agents (username, display_name, password_hash, state, state_since)
  SELECT 'bench' || i, 'Bench Agent ' || i, '${hash}', 'offline', ${now} FROM n;
INSERT INTO agent_mfa (agent, policy) SELECT username, 'off' FROM agents WHERE username LIKE 'bench%';
INSERT INTO agent_skills (agent, skill) SELECT username, 'support' FROM agents WHERE username LIKE 'bench%';
INSERT INTO agent_skills (agent, skill) SELECT username, 'sales' FROM agents WHERE username LIKE 'bench%';
INSERT INTO agent_capacity (agent, channel, capacity) SELECT username, 'chat', 3 FROM agents WHERE username LIKE 'bench%';
INSERT INTO agent_capacity (agent, channel, capacity) SELECT username, 'sms', 3 FROM agents WHERE username LIKE 'bench%';
COMMIT;
SELECT COUNT(*) FROM agents WHERE username LIKE 'bench%';`;
  sqlScript(db, script.slice(0, script.lastIndexOf('SELECT')));
  const count = JSON.parse(sql(db, "SELECT COUNT(*) AS n FROM agents WHERE username LIKE 'bench%'"))[0].n;
  if (count !== n) throw new Error(`provisioned ${count} agents, wanted ${n}`);
}

export const rssKb = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)[1]);
export const cpuTicks = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
export const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : null);

// One switchboard-bot --agents process; `last` is its latest load line, `latencies` every
// latency it reported since `mark()`.
export function startBot(url, first, count, rate, { reportS = 1 } = {}) {
  const p = spawn(bot, ['--url', url, '--username', 'bench', '--agents', String(count),
    '--first', String(first), '--login-rate', String(rate), '--handle', String(handleS),
    '--offer-timeout', String(offerTimeoutS), '--report', String(reportS)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWITCHBOARD_PASSWORD: 'switchboard' } });
  const b = { proc: p, last: null, latencies: [], err: '', exited: new Promise((res) => p.on('exit', (code, signal) => res({ code, signal }))) };
  let buf = '';
  p.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i); buf = buf.slice(i + 1);
      let m; try { m = JSON.parse(line); } catch { continue; }
      if (m.event !== 'load') continue;
      b.last = m.data;
      b.latencies.push(...m.data.latencies_ms);
      if (m.data.error_samples) log(`bot ${first}+${count}:`, m.data.error_samples.join(' | '));
    }
  });
  p.stderr.on('data', (d) => { if (b.err.length < 4000) b.err += d; });
  return b;
}

export async function stopBot(b) {
  if (b.proc.exitCode === null && b.proc.signalCode === null) process.kill(b.proc.pid, 'SIGTERM');
  await Promise.race([b.exited, sleep(5000)]);
  if (b.proc.exitCode === null && b.proc.signalCode === null) process.kill(b.proc.pid, 'SIGKILL');
}

// Customers at `rate` a second, alternately chat and SMS, until stop(). Chat customers leave
// (close their socket) when the agent ends the chat, or after 30 s. Numbered across calls, so
// that every SMS is a new number and a new message id however often customers start on one
// database (cluster_bench.mjs raises the rate on one).
let serial = 0;
export function startCustomers(url, rate) {
  const arrivals = [];
  const open = new Set();
  let errors = 0, k = 0, stopped = false;
  const samples = [];  // the first few errors' words, for the log: what failed, not only how often
  const failed = (what) => { errors++; if (samples.length < 5) samples.push(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`); };
  const t0 = Date.now();
  const chat = async (i) => {
    let c;
    try {
      c = await ChatCustomer.connect(url);
      open.add(c);
      await c.start(`Bench Customer ${i}`);
      await c.say('Hi, my order has not arrived yet. Can you check it?');
      await c.waitFor((f) => f.type === 'ended', { timeoutMs: 30000 }).catch(() => {});
    } catch (e) { failed(`chat ${i}: ${String(e.message).slice(0, 160)}`); }
    if (c) { c.ws.close(); open.delete(c); }
  };
  const sms = async (i) => {
    const r = await smsIn(url, { From: `+1555${String(1000000 + i).slice(-7)}`, To: i % 4 === 1 ? '7001' : '7002',
      Body: 'Hello, I would like to change my plan.', MessageSid: `SMbench${i}` }).catch(() => null);
    if (!r || r.status >= 300) failed(`sms ${i}: ${r ? `${r.status} ${r.text.slice(0, 120)}` : 'no answer'}`);
  };
  const timer = setInterval(() => {
    if (stopped) return;
    const due = Math.floor(((Date.now() - t0) / 1000) * rate);
    while (k < due) {
      k++;
      const i = serial++;
      arrivals.push(Date.now());
      (i % 2 ? sms : chat)(i);
    }
  }, 10);
  return {
    get errors() { return errors; },
    get samples() { return samples; },
    arrivedIn: (a, b) => arrivals.filter((t) => t >= a && t < b).length,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await sleep(handleS * 1000 + 1000);
      for (const c of open) c.ws.close();
    },
  };
}

export const sum = (bots, key) => bots.reduce((s, b) => s + (b.last?.[key] ?? 0), 0);
