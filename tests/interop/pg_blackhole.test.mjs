// pg_blackhole.test.mjs: a node whose PostgreSQL goes silent, a network black hole (packets
// dropped both ways: no reset, no answer), notices within seconds rather than when TCP gives up
// after many minutes (libpq's keepalives and TCP user timeout, server/store/postgres_db.h): it
// refuses work (503, its desks closed with 1013) and serves again once the database answers.
// The black hole is an iptables rule on the loopback of the interop suite's own network
// namespace (scripts/test), never the machine's; the test is skipped anywhere else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeskClient, repoRoot } from './harness.mjs';
import { startServer, tempDir, sleep } from '../server/harness.mjs';

// Only inside a network namespace with nothing but a loopback: a rule here touches nobody else.
const links = (() => {
  try { return execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).trim().split('\n'); } catch { return []; }
})();
const uidMap = readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/);
const skip = (links.length !== 1 || !links[0].includes(': lo:')) ? 'needs a network namespace of its own (the interop suite)'
  : (process.getuid() !== 0 || uidMap.join(' ') !== '0 0 4294967295') ? 'needs root (PostgreSQL and iptables)' : false;

const postgres = join(repoRoot, 'scripts/postgres');
let pgDir, db, port;
const rules = () => [['INPUT', '-p', 'tcp', '--dport', String(port), '-j', 'DROP'],
                     ['INPUT', '-p', 'tcp', '--sport', String(port), '-j', 'DROP']];
const blackHole = (on) => { for (const r of rules()) execFileSync('iptables', [on ? '-I' : '-D', ...r]); };
const holeOpen = () => execFileSync('iptables', ['-S', 'INPUT'], { encoding: 'utf8' }).includes(`--dport ${port}`);

async function health(url) {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1500) })).status;
  } catch { return 0; }  // (no answer in time: the node is waiting on the database)
}

async function until(what, pred, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

before(() => {
  if (skip) return;
  pgDir = tempDir();
  db = execFileSync(postgres, ['start', '--dir', pgDir, '--port', '0'], { encoding: 'utf8' }).trim();
  port = Number(new URL(db).port);
  process.env.PGPASSFILE = join(pgDir, 'pgpass');
});
after(() => {
  if (skip) return;
  if (holeOpen()) blackHole(false);
  execFileSync(postgres, ['stop', '--dir', pgDir]);
});

test('a database gone silent is noticed in seconds: the node refuses work, then serves again once it answers', { skip }, async () => {
  const server = await startServer({ db });
  try {
    assert.equal(await health(server.url), 200);
    const desk = await DeskClient.connect(server.wsUrl);
    await desk.login('alice');
    const closed = new Promise((res) => desk.ws.once('close', (code) => res(code)));

    blackHole(true);
    const since = Date.now();
    await until('the node to notice', () => server.stderr.includes('lost the database'), 30000);
    const noticedMs = Date.now() - since;
    // TCP alone would wait for its retransmissions to give up (about 15 minutes) on the busy
    // connection and forever on the idle change feed.
    assert.ok(noticedMs < 20000, `noticed after ${noticedMs} ms`);
    assert.equal(await closed, 1013);
    await until('503 from the node', async () => (await health(server.url)) === 503, 10000);

    blackHole(false);
    await until('the node to serve again', async () => (await health(server.url)) === 200, 30000);
    assert.ok(server.stderr.includes('the database is back'));
    const again = await DeskClient.connect(server.wsUrl);
    await again.login('alice');
    await again.ok('set_state', { state: 'available' });
    again.ws.terminate();
  } finally {
    if (holeOpen()) blackHole(false);
    await server.stop();
  }
});
