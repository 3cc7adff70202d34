// harness.mjs: starts and stops switchboardd for the server tests, and a desk-protocol client
// that validates every frame it receives against docs/protocol.schema.json.
//
// startServer(): spawns build/native/server/switchboardd (or $SWITCHBOARDD) on an ephemeral port
// with a database in a temp dir, waits for its "listening" line, and stops exactly that process
// (SIGTERM to its pid; the exit code must be 0). With --demo (the demo agents alice, bob, carol,
// erin, sam and customers, which nearly every test uses) unless `demo: false`.
// DeskClient: request() sends a request and resolves with its reply (matched by id); raw()
// sends any frame and resolves with the next reply; events are collected in order.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import Ajv2020 from 'ajv/dist/2020.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const serverBinary = process.env.SWITCHBOARDD ?? join(repoRoot, 'build/native/server/switchboardd');

// ---- schema ----------------------------------------------------------------------------------
const schema = JSON.parse(readFileSync(join(repoRoot, 'docs/protocol.schema.json'), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(schema);
const validateServerMessage = ajv.getSchema(`${schema.$id}#/$defs/server_message`);
const validateResult = Object.fromEntries(
  Object.entries(schema.results).map(([type, ptr]) => [type, ajv.getSchema(`${schema.$id}${ptr}`)]));

// The contact objects of a frame: contact.offered/updated's data, a reply's contact or contacts.
export function contactObjects(frame) {
  if (frame.type === 'event') return ['contact.offered', 'contact.updated'].includes(frame.event) ? [frame.data] : [];
  if (frame.type !== 'reply' || !frame.ok) return [];
  return [frame.result?.contact, ...(frame.result?.contacts ?? [])].filter((c) => c && typeof c === 'object');
}

// Returns null when `frame` (parsed) is a valid server message (and, for an ok reply to a
// request of `requestType`, a valid result), else a description of what is wrong. `version`:
// the one hello chose; the schema covers both, and in version 2 no contact object carries its
// transcript, while in version 1 every one does.
export function schemaProblem(frame, requestType, version = 2) {
  if (!validateServerMessage(frame)) return `server_message: ${ajv.errorsText(validateServerMessage.errors)}`;
  if (frame.type === 'reply' && frame.ok && requestType) {
    const v = validateResult[requestType];
    if (!v) return `no result schema for ${requestType}`;
    if (!v(frame.result)) return `${requestType} result: ${ajv.errorsText(v.errors)}`;
  }
  for (const c of contactObjects(frame))
    if (('messages' in c) !== (version === 1)) return `a version ${version} contact ${version === 1 ? 'without' : 'with'} messages`;
  return null;
}

// ---- server ----------------------------------------------------------------------------------
// Each removed when the test file's process ends (KEEP_TEST_DIRS=1 keeps them, to look into a
// failure): a full run makes hundreds, each with a database.
const tempDirs = [];
process.on('exit', () => {
  if (process.env.KEEP_TEST_DIRS) return;
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'sbtest-'));
  tempDirs.push(dir);
  return dir;
}

// ---- PostgreSQL ------------------------------------------------------------------------------
// With SWITCHBOARD_TEST_PG=DIR (a cluster scripts/postgres started; scripts/test does for the
// suites it runs on PostgreSQL), every server gets a database of its own in that cluster instead
// of a SQLite file: one per test directory, so that a server restarted on the same directory
// finds its data again. Children (switchboardd, switchboardd admin, psql) find the password in
// the cluster's password file.
export const pgDir = process.env.SWITCHBOARD_TEST_PG || null;
export const onPostgres = pgDir !== null;
if (onPostgres) process.env.PGPASSFILE = join(pgDir, 'pgpass');

const pgDatabases = new Set();
process.on('exit', () => {
  if (process.env.KEEP_TEST_DIRS) return;
  for (const name of pgDatabases) {
    try {
      execFileSync('psql', ['-X', '-q', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`,
        `postgresql://switchboard@127.0.0.1:${readFileSync(join(pgDir, 'data/postmaster.pid'), 'utf8').split('\n')[3]}/postgres`],
      { stdio: 'ignore', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } });
    } catch { /* the cluster is gone: nothing to drop */ }
  }
});

function pgDatabaseFor(dir) {
  const name = `sb_${createHash('sha1').update(dir).digest('hex').slice(0, 20)}`;
  pgDatabases.add(name);
  return execFileSync(join(repoRoot, 'scripts/postgres'), ['createdb', name, '--dir', pgDir, '--keep'],
    { encoding: 'utf8' }).trim();
}

// The database a server started on `dir` uses: a SQLite file in it, or its PostgreSQL database.
export function databaseFor(dir) {
  return onPostgres ? pgDatabaseFor(dir) : join(dir, 'x.db');
}

// The SMS webhook's secret of each server started here, by its URL (signSms).
const smsSecrets = new Map();

// X-Switchboard-Signature for a webhook body (docs/sms.md, "Authentication").
export function smsSignature(secret, body, unixSeconds = Math.floor(Date.now() / 1000)) {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.`).update(body).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

// The signature header for a body posted to the server at `url` (one this harness started).
export function signSms(url, body) {
  const secret = smsSecrets.get(new URL(url).origin);
  return secret ? { 'X-Switchboard-Signature': smsSignature(secret, body) } : {};
}

// Texts posted to `url` (a balancer in front of servers sharing one secret) are signed with it.
export function useSmsSecret(url, secret) { smsSecrets.set(new URL(url).origin, secret); }

// `args`: more switchboardd flags. Unless they name one, every server gets an SMS webhook secret
// (a file in `dir`), so that tests post texts the way a gateway does: signed (signSms).
// `binary`: another switchboardd than the suite's (e.g. the native one for a load test).
// `db`: the database (a SQLite path or a PostgreSQL URI) instead of the directory's own.
export async function startServer({ dir = tempDir(), db = databaseFor(dir), args = [], smsWebhook = true, demo = true,
  binary = serverBinary } = {}) {
  if (db.startsWith('postgresql://') && !args.includes('--mfa-key-file')) args = [...args, '--mfa-key-file', join(dir, 'mfa.key')];
  let smsSecret = null;
  if (smsWebhook && !args.includes('--sms-webhook-secret-file')) {
    smsSecret = randomBytes(24).toString('hex');
    const file = join(dir, 'sms-webhook.secret');
    writeFileSync(file, `${smsSecret}\n`, { mode: 0o600 });
    args = [...args, '--sms-webhook-secret-file', file];
  }
  const proc = spawn(binary, ['--listen', '127.0.0.1:0', '--db', db, ...(demo ? ['--demo'] : []), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d.toString(); });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  const url = await new Promise((res, rej) => {
    // A server that does not come up is stopped, so that it cannot outlive the test (its pipes
    // would keep the test's process from ending).
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      rej(new Error(`no listening line; stderr:\n${stderr}`));
    }, 30000);
    proc.stdout.on('data', (d) => {
      stdout += d.toString();
      const m = stdout.match(/^listening (https?:\/\/\S+)\n/m);
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    exited.then(({ code }) => { clearTimeout(timer); rej(new Error(`server exited (${code}):\n${stderr}`)); });
  });
  if (smsSecret) smsSecrets.set(new URL(url).origin, smsSecret);
  let stopped = null;
  return {
    url,
    smsSecret,
    wsUrl: url.replace(/^http/, 'ws') + '/desk',
    db,
    dir,
    proc,
    get stderr() { return stderr; },
    get stdout() { return stdout; },
    exited,
    // SIGTERM to this process only; resolves with its exit ({code, signal, stopMs}: how long it
    // took), asserting a clean 0. A server still running 20 s later (a shutdown that hangs) is
    // killed and the test fails, rather than the whole suite waiting on it for ever.
    async stop() {
      if (!stopped) {
        if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid, 'SIGTERM');
        let timer;
        const hung = new Promise((res) => {
          timer = setTimeout(() => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
            res({ code: null, signal: 'SIGKILL', hung: 'no exit within 20 s of SIGTERM' });
          }, 20000);
        });
        const asked = Date.now();
        stopped = Promise.race([exited, hung]).then((r) => ({ ...r, stopMs: Date.now() - asked }))
          .finally(() => clearTimeout(timer));
      }
      const result = await stopped;
      assert.equal(result.code, 0, `switchboardd exit: ${JSON.stringify(result)}\n${stderr}`);
      return result;
    },
  };
}

// Runs a query on the server's database and returns what `sqlite3 -json` prints: a JSON array
// of the rows, or '' when there are none (or for a statement that returns none). On PostgreSQL
// through psql, with the rows as json_agg writes them.
// A script of statements that return no rows (sqlite3 or psql reading it on standard input).
export function sqlScript(db, script) {
  if (!db.startsWith('postgresql://')) return execFileSync('sqlite3', [db], { input: script, encoding: 'utf8' });
  return execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-', db], { input: script, encoding: 'utf8' });
}

export function sql(db, query) {
  if (!db.startsWith('postgresql://')) return execFileSync('sqlite3', ['-json', db, query], { encoding: 'utf8' });
  const q = query.trim().replace(/;$/, '');
  const select = /^(SELECT|WITH)\b/i.test(q);
  const text = select ? `SELECT json_agg(t) FROM (${q}) t` : q;
  const out = execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', text, db], { encoding: 'utf8' });
  return select && out.trim() !== '' ? `${out.trim()}\n` : '';
}

// ---- client ----------------------------------------------------------------------------------
export class DeskClient {
  // `options`: for `ws` (e.g. {ca} for wss:// with a test's CA, {localAddress}, {headers}).
  static async connect(wsUrl, options = undefined) {
    const ws = new WebSocket(wsUrl, options);
    const client = new DeskClient(ws);
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    return client;
  }

  constructor(ws) {
    this.ws = ws;
    this.frames = [];        // every frame received, parsed, in order
    this.events = [];
    this.problems = [];      // schema violations: any one fails the test
    this.typesById = new Map();
    this.buffered = [];      // replies nobody waits for yet
    this.waiters = [];       // {id|undefined, resolve}
    this.eventWaiters = [];
    this.nextId = 1;
    this.version = 2;        // the protocol version hello chose (what frames are checked against)
    this.closed = new Promise((res) => ws.on('close', (code, reason) => res({ code, reason: reason.toString() })));
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
  }

  #onMessage(data, isBinary) {
    let frame;
    try {
      assert.equal(isBinary, false, 'server sent a binary frame');
      frame = JSON.parse(data.toString('utf8'));
    } catch (e) {
      this.problems.push(`unparseable frame: ${e.message}`);
      return;
    }
    this.frames.push(frame);
    const type = frame.type === 'reply' ? this.typesById.get(frame.id) : undefined;
    if (type === 'hello' && frame.ok) this.version = frame.result.version;
    const problem = schemaProblem(frame, type, this.version);
    if (problem) this.problems.push(`${problem}\n  frame: ${JSON.stringify(frame)}`);
    if (frame.type === 'event') {
      this.events.push(frame);
      for (const w of this.eventWaiters.splice(0)) w();
      return;
    }
    const i = this.waiters.findIndex((w) => w.id === frame.id || w.id === undefined);
    if (i >= 0) this.waiters.splice(i, 1)[0].resolve(frame);
    else this.buffered.push(frame);
  }

  assertValid() {
    assert.deepEqual(this.problems, [], 'every frame must validate against protocol.schema.json');
  }

  #awaitReply(id) {
    const i = this.buffered.findIndex((f) => id === undefined || f.id === id);
    if (i >= 0) return Promise.resolve(this.buffered.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply for id ${id}`)), 5000);
      this.waiters.push({ id, resolve: (f) => { clearTimeout(timer); resolve(f); } });
    });
  }

  // Sends {type, id, ...fields}; resolves with the reply (after checking every frame so far).
  async request(type, fields = {}) {
    const id = `r${this.nextId++}`;
    this.typesById.set(id, type);
    this.ws.send(JSON.stringify({ type, id, ...fields }));
    const reply = await this.#awaitReply(id);
    this.assertValid();
    return reply;
  }

  // Like request() but the reply must be ok; resolves with its result.
  async ok(type, fields = {}) {
    const reply = await this.request(type, fields);
    assert.equal(reply.ok, true, `${type} failed: ${JSON.stringify(reply.error)}`);
    return reply.result;
  }

  // Like request() but the reply must be an error; resolves with the error object.
  async fails(type, fields, code) {
    const reply = await this.request(type, fields);
    assert.equal(reply.ok, false, `${type} should fail with ${code}`);
    assert.equal(reply.error.code, code, reply.error.message);
    return reply.error;
  }

  // Sends any frame (string, or Buffer with {binary}); resolves with the next reply.
  async raw(data, { binary = false } = {}) {
    this.ws.send(data, { binary });
    const reply = await this.#awaitReply(undefined);
    this.assertValid();
    return reply;
  }

  async waitForEvents(count, timeoutMs = 3000) {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} events, got ${this.events.length}`);
      await new Promise((res) => {
        const t = setTimeout(res, left);
        this.eventWaiters.push(() => { clearTimeout(t); res(); });
      });
    }
    this.assertValid();
    return this.events;
  }

  // `versions`: what the client speaks; login() says hello again with the same.
  async hello(versions = this.asked ?? [2]) {
    this.asked = versions;
    return this.ok('hello', { versions, client: 'switchboard-tests/0.1' });
  }

  // A contact's whole transcript, page by page (get_messages).
  async transcript(contact, { limit } = {}) {
    const messages = [];
    for (;;) {
      const page = await this.ok('get_messages', { contact, after: messages.at(-1)?.seq ?? 0, ...(limit ? { limit } : {}) });
      messages.push(...page.messages);
      if (!page.more) return messages;
    }
  }

  async login(username, password = 'switchboard') {
    await this.hello();
    return this.ok('login', { username, password });
  }

  async close() {
    this.ws.close();
    await this.closed;
    this.assertValid();
  }
}

export const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
