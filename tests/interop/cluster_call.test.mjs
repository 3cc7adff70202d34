// cluster_call.test.mjs: queue calls with two switchboardd nodes on one PostgreSQL
// (docs/telephony.md, "Several nodes"). Kamailio reads the agents' credentials from that
// PostgreSQL (db_postgres) and asks the nodes who takes a call through its dispatcher: the node
// is chosen by a hash of the Call-ID, and one that fails is passed over. Every call here has the
// same Call-ID, so every question goes to the same node while it lives: the first call shows
// which one; that node is killed (kill -9) and the second call, asked of it first, is routed by
// the other node; the node is started again on its address, Kamailio marks it up once its
// /healthz answers, and the third call is routed by it again. The agent has a desk on each
// node, so one stays connected. Needs PostgreSQL (a cluster of its own from scripts/postgres,
// stopped at the end).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  startTelephony, telephonySecret, telephonyArgs, sipp, phoneOf, sipMessages, waitFor, udpListening,
  DeskClient, repoRoot,
} from './harness.mjs';
import { startServer, tempDir } from '../server/harness.mjs';

const alicePort = 5181, callerPort = 5190, aliceMedia = 16300, callerMedia = 18300;
const offerTimeout = 8;
// PostgreSQL refuses to run as root, and scripts/postgres runs it as the `postgres` user when
// root: impossible as the mapped root of a user namespace (scripts/test's interop suite when
// not run by root).
const uidMap = readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/);
const skip = process.getuid() === 0 && uidMap.join(' ') !== '0 0 4294967295'
  && 'PostgreSQL cannot run as the root of a user namespace (run the interop suite as root)';

const postgres = join(repoRoot, 'scripts/postgres');
let pgDir, db, secretFile, mfaKey, telephony, phones;
const nodes = [];   // {server, dir, desk}
const callId = `cluster-${randomBytes(6).toString('hex')}@127.0.0.1`;

// A node on the shared database (all of them with the same MFA key and telephony flags); `port`
// to start it again on the address Kamailio knows.
async function startNode(dir, port) {
  const args = [...telephonyArgs(secretFile, offerTimeout), '--mfa-key-file', mfaKey];
  if (port) args.push('--listen', `127.0.0.1:${port}`);
  return startServer({ dir, db, args });
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// How many calls with this test's Call-ID a node's log says arrived.
const arrivals = (server) => server.stderr.split('\n')
  .filter((l) => l.includes('"msg":"call arrived"') && l.includes(`"call_id":"${callId}"`)).length;

before(async () => {
  if (skip) return;
  pgDir = tempDir();
  db = execFileSync(postgres, ['start', '--dir', pgDir, '--port', '0'], { encoding: 'utf8' }).trim();
  process.env.PGPASSFILE = join(pgDir, 'pgpass');   // for switchboardd, scripts/telephony and Kamailio
  const dir = tempDir();
  ({ secretFile } = telephonySecret(dir));
  mfaKey = join(dir, 'mfa.key');
  for (let i = 0; i < 2; i++) {
    const nodeDir = tempDir();
    nodes.push({ dir: nodeDir, server: await startNode(nodeDir) });
  }
  telephony = await startTelephony({ dir, db, urls: nodes.map((n) => n.server.url), secretFile, offerTimeout });
  phones = { dir };
  // Alice's desk on each node; her phone registers with the credentials of the last login.
  let sip;
  for (const n of nodes) {
    n.desk = await DeskClient.connect(n.server.wsUrl);
    ({ sip } = await n.desk.login('alice'));
  }
  const r = await sipp(phones, 'register.xml', { as: phoneOf('alice', sip), keys: { expires: 300 }, port: alicePort }).done;
  assert.equal(r.code, 0, `registration failed:\n${r.errors}\n${r.output}\n${telephony.kamailioLog().slice(-3000)}`);
  await nodes[0].desk.ok('set_state', { state: 'available' });
});

after(async () => {
  if (skip) return;
  for (const n of nodes) await n.desk?.close();
  await telephony?.stop();
  for (const n of nodes) if (!n.killed) await n.server.stop();
  if (pgDir) execFileSync(postgres, ['stop', '--dir', pgDir]);
});

// A call to 7001 with this test's Call-ID that alice's phone answers and `desk` accepts, ends and
// wraps up; resolves with the contact.
async function queueCall(desk, caller) {
  const phone = sipp(phones, 'queue_agent_answer.xml', { server: true, port: alicePort, mediaPort: aliceMedia, extra: ['-rtp_echo'] });
  await waitFor('the agent phone to listen', () => udpListening(alicePort));
  const from = desk.events.length;
  const accepted = waitFor('the call offered on the desk', () => desk.events.slice(from)
    .find((e) => e.event === 'contact.offered' && e.data.channel === 'voice')?.data, 15000)
    .then((c) => desk.ok('accept', { contact: c.id }).then(() => c));
  const call = sipp(phones, 'queue_caller.xml', {
    keys: { queue: '7001', caller }, port: callerPort, mediaPort: callerMedia, extra: ['-cid_str', callId],
  });
  const [c, p] = await Promise.all([call.done, phone.done]);
  assert.equal(c.code, 0, `caller:\n${c.errors}\n${c.output}\n${telephony.kamailioLog().slice(-3000)}`);
  assert.equal(p.code, 0, `agent phone:\n${p.errors}\n${p.output}`);
  const contact = await accepted;
  assert.equal(contact.call.number, caller);
  const invite = sipMessages(p.messages).find((m) => m.direction === 'received' && m.startLine.startsWith('INVITE '));
  assert.match(invite.text, new RegExp(`^Call-ID: ${callId}\\s*$`, 'm'));
  assert.match(invite.text, new RegExp(`^X-Switchboard-Contact: ${contact.id}\\s*$`, 'm'), 'the INVITE names the contact');
  await desk.ok('end', { contact: contact.id, by: 'customer' });
  await desk.ok('wrap_up', { contact: contact.id, disposition: 'resolved', notes: '', tags: [] });
  return contact;
}

test('a node dies: the calls it would have routed are routed by the other node, and by it again once it is back',
  { skip }, async () => {
    // Both nodes up: the Call-ID's node routes the call.
    await queueCall(nodes[0].desk, '+15550170001');
    assert.deepEqual(nodes.map((n) => arrivals(n.server)).sort(), [0, 1], 'one node routed the call');
    const chosen = nodes.find((n) => arrivals(n.server) === 1);
    const other = nodes.find((n) => n !== chosen);
    const chosenUrl = chosen.server.url;

    // kill -9 that node: the same Call-ID is asked of it first, then of the other node.
    chosen.server.proc.kill('SIGKILL');
    chosen.killed = true;
    await chosen.server.exited;
    const second = await queueCall(other.desk, '+15550170002');
    assert.equal(arrivals(other.server), 1, 'the other node routed the second call');
    assert.match(telephony.kamailioLog(), new RegExp(`switchboardd at ${escape(chosenUrl)} failed /telephony/route for ${escape(callId)} \\(-?\\d+\\): marked down`));

    // The node comes back on its address: Kamailio marks it up (its /healthz) and the Call-ID's
    // calls are its own again. Alice's desk on the other node is offered the call it routes.
    chosen.server = await startNode(chosen.dir, new URL(chosenUrl).port);
    chosen.killed = false;
    await waitFor('Kamailio to mark the node up', () => telephony.kamailioLog()
      .includes(`switchboardd at ${chosenUrl} answers again: marked up`), 10000);
    const third = await queueCall(other.desk, '+15550170003');
    assert.equal(arrivals(chosen.server), 1, 'the node routes the calls of its Call-ID again');
    assert.equal(arrivals(other.server), 1);
    assert.notEqual(second.id, third.id);
  });
