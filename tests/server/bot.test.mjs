// switchboard-bot against switchboardd: the native platform (Beast client, Asio timers) and
// the Runtime driving the same core as the browser, end to end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startServer, DeskClient, sql, sqlScript } from './harness.mjs';

const bot = process.env.SWITCHBOARD_BOT ?? join(repoRoot, 'build/native/tools/switchboard-bot');
const replay = process.env.SWITCHBOARD_REPLAY ?? join(repoRoot, 'build/native/tools/switchboard-replay');
let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

// The password goes in the environment: the bot refuses one on the command line.
function runBot(args, password = 'switchboard') {
  return new Promise((resolve) => {
    const p = spawn(bot, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWITCHBOARD_PASSWORD: password } });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => resolve({
      code, err,
      lines: out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)),
    }));
  });
}

async function agentOnBackend(username) {
  const c = await DeskClient.connect(server.wsUrl);
  await c.hello();
  const s = await c.ok('login', { username, password: 'switchboard' });
  c.ws.close();
  return s.agent;
}

test('the bot logs in, sets not ready with a reason, and the backend has it', async () => {
  const r = await runBot(['--url', server.wsUrl, '--username', 'bob',
    '--state', 'not_ready', '--reason', 'training']);
  assert.equal(r.code, 0, r.err);
  const completed = r.lines.filter((l) => l.event === 'completed');
  assert.equal(completed.length, 2);
  assert.equal(completed[1].data.agent.reason, 'training');
  const state = r.lines.find((l) => l.event === 'state').data;
  assert.equal(state.session.state, 'logged_in');
  assert.equal(state.agent.state, 'not_ready');
  const agent = await agentOnBackend('bob');
  assert.equal(agent.state, 'not_ready');
  assert.equal(agent.reason, 'training');
});

test('the bot records its session with --support-log, and switchboard-replay replays it to the same state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bot-log-'));
  try {
    const file = join(dir, 'bot.log');
    const r = await runBot(['--url', server.wsUrl, '--username', 'alice',
      '--state', 'not_ready', '--reason', 'break', '--support-log', file]);
    assert.equal(r.code, 0, r.err);
    const log = readFileSync(file, 'utf8');
    assert.ok(!log.includes('"password":"switchboard"'), 'the password is left out');
    const check = execFileSync(replay, ['--check', file], { encoding: 'utf8' });
    assert.match(check, /^replayed \d+ events to the recorded state/);
    const end = JSON.parse(execFileSync(replay, [file], { encoding: 'utf8' })).state;
    const live = r.lines.find((l) => l.event === 'state').data;
    assert.equal(end.agent.state, 'not_ready');
    assert.equal(end.agent.reason, live.agent.reason);
    assert.equal(end.session.state, live.session.state);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bot refuses a password on its command line, and runs without one only with SWITCHBOARD_PASSWORD', async () => {
  for (const flag of [['--password', 'switchboard'], ['--password=switchboard']]) {
    const r = await runBot(['--url', server.wsUrl, '--username', 'bob', ...flag]);
    assert.equal(r.code, 2);
    assert.match(r.err, /never taken on the command line/);
  }
  const none = await runBot(['--url', server.wsUrl, '--username', 'bob'], '');
  assert.equal(none.code, 2);
  assert.match(none.err, /SWITCHBOARD_PASSWORD/);
});

test('the bot reports a wrong password with its code and exits 1', async () => {
  const r = await runBot(['--url', server.wsUrl, '--username', 'carol'], 'wrong');
  assert.equal(r.code, 1);
  const error = r.lines.find((l) => l.event === 'error');
  assert.equal(error.data.error.code, 'invalid_credentials');
});

test('the bot refuses an invalid reason before sending it, and signs out with --logout', async () => {
  const bad = await runBot(['--url', server.wsUrl, '--username', 'carol',
    '--state', 'not_ready', '--reason', 'nap']);
  assert.equal(bad.code, 1);
  assert.equal(bad.lines.find((l) => l.event === 'error').data.error.code, 'invalid_reason');

  const r = await runBot(['--url', server.wsUrl, '--username', 'carol',
    '--state', 'available', '--logout']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.lines.at(-1).data.revoked, true);
  assert.equal((await agentOnBackend('carol')).state, 'offline');
});

test('the bot cannot reach a backend that is not there and says so', async () => {
  const r = await runBot(['--url', 'ws://127.0.0.1:9/desk', '--username', 'a', '--timeout', '30'], 'b');
  assert.equal(r.code, 1);
  const error = r.lines.find((l) => l.event === 'error');
  assert.equal(error.data.error.code, 'not_connected');
});

test('the bot explains its usage', async () => {
  const r = await runBot(['--state', 'available']);  // no --username
  assert.equal(r.code, 2);
  assert.match(r.err, /usage: switchboard-bot/);
});

// Many agents signing in from one address at once (an office at the start of a shift) meet the
// server's limit of password checks per address; the bot's load mode, like an agent, tries again
// after the retry_after_ms the server names, and every agent gets in.
test('load mode: logins refused as rate_limited are tried again after retry_after_ms, and all get in', async () => {
  const s = await startServer();
  try {
    const n = 24;  // three times the server's password checks per address at once
    // The demo agents' hash: a real Argon2id check takes long enough for the checks to pile up.
    const hash = JSON.parse(sql(s.db, "SELECT password_hash AS h FROM agents WHERE username = 'bob'"))[0].h;
    sqlScript(s.db, `
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})
INSERT INTO agents (username, display_name, password_hash, state, state_since)
  SELECT 'crowd' || i, 'Crowd ' || i, '${hash}', 'offline', 0 FROM n;
INSERT INTO agent_mfa (agent, policy) SELECT username, 'off' FROM agents WHERE username LIKE 'crowd%';`);
    const r = await runBot(['--url', s.wsUrl, '--username', 'crowd', '--agents', String(n),
      '--login-rate', '1000', '--login-window', String(n), '--handle', '0', '--report', '1',
      // Done when every agent is in; how long that takes is the machine's business (a loaded
      // 2-core machine checks 24 Argon2id hashes slowly), so the bound is generous.
      '--exit-when-ready', '--stay', '120']);
    const loads = r.lines.filter((l) => l.event === 'load').map((l) => l.data);
    const done = loads.find((l) => l.logged_in === n) ?? loads.at(-1);
    assert.equal(done?.logged_in, n, JSON.stringify(loads.at(-1)));
    assert.equal(done.failed, 0, JSON.stringify(done.error_samples));
    assert.ok(loads.at(-1).login_retries > 0, 'the burst met the per-address limit');
  } finally { await s.stop(); }
});
