// faults.test.mjs: the desk's phone link to Kamailio through tests/faultproxy.mjs. The desk is
// switchboard-bot (the core's SIP user agent and its transport reconnect, on the native
// platform); switchboardd hands it a SIP WebSocket URL that is the proxy's, in front of
// Kamailio's WebSocket port. A cut of that link makes the phone reconnect and REGISTER again by
// itself (Kamailio's location table shows the binding on the new connection, and a queue call
// reaches it); with 300 ms more each way a queue call is still set up and answered. Then a
// Kamailio restart (which forgets every registration): the phone registers again by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { startStack, registrations, waitFor, sipp, ports, botDesk } from './harness.mjs';
import { FaultProxy } from '../faultproxy.mjs';

const run = promisify(execFile);
let stack, proxy;
before(async () => {
  proxy = await FaultProxy.start(ports.ws);
  // The later --sip-ws-url wins: the desks are told to reach Kamailio through the proxy.
  stack = await startStack({ serverArgs: ['--sip-ws-url', `ws://127.0.0.1:${proxy.port}`] });
});
after(async () => {
  await proxy?.close();
  await stack?.stop();
});

const bot = (args) => botDesk(stack, args);

const registrationStates = (b, from = 0) => b.lines.slice(from).filter((l) => l.event === 'voice').map((l) => l.data.registration);

// The bindings of `aor` in Kamailio's location table, each with the address its REGISTER came
// from (`Received`: the proxy's side of the connection, new for every connection).
async function bindings(aor) {
  const { stdout } = await run('kamcmd', ['-s', `unix:${join(stack.runDir, 'kamailio_ctl')}`, 'ul.dump'], { timeout: 10000 });
  const out = [];
  let inAor = false, cur = null;
  for (const line of stdout.split('\n')) {
    const a = line.match(/^\s*AoR: (\S+)/);
    if (a) { inAor = a[1] === aor; continue; }
    if (!inAor) continue;
    const addr = line.match(/^\s*Address: (\S+)/);
    if (addr) { cur = { address: addr[1] }; out.push(cur); continue; }
    const m = line.match(/^\s*(Received|Socket|CallID|CSeq|Expires): (.*)$/);
    if (m && cur) cur[m[1].toLowerCase()] = m[2].trim();
  }
  return out;
}

// A queue call (7001 support: alice, bob; 7002 sales: alice, carol) that `b` must ring and
// answer. The contact stays in wrap-up afterwards: each test takes its call with another agent.
async function queueCallAnswered(b, { queue, port, mediaPort, caller }) {
  const from = b.lines.length;
  const call = sipp(stack, 'queue_caller.xml', { keys: { queue, caller }, port, mediaPort });
  const incoming = await waitFor('the call ringing on the desk',
    () => b.lines.slice(from).find((l) => l.event === 'call.incoming')?.data, 20000);
  assert.equal(incoming.number, caller);
  await waitFor('the call answered', () => b.lines.slice(from).find((l) => l.event === 'call' && l.data.phase === 'active'), 15000);
  const r = await call.done;
  assert.equal(r.code, 0, `caller:\n${r.errors}\n${r.output}\n${stack.kamailioLog().slice(-3000)}`);
  await waitFor('the call ended on the desk', () => b.lines.slice(from).find((l) => l.event === 'call.ended'), 10000);
  return incoming;
}

test('a cut SIP WebSocket: the phone reconnects and registers again by itself, and a call reaches it', async () => {
  const b = bot(['--username', 'carol', '--state', 'available', '--answer-calls', '--stay', '80']);
  try {
    await waitFor('carol\'s phone registered', () => registrationStates(b).includes('registered'), 15000);
    const [first] = await waitFor('carol bound in Kamailio', async () => (await bindings('carol')).length && bindings('carol'));
    assert.match(first.address, /transport=ws/);
    const connectionsBefore = proxy.connections;

    const from = b.lines.length;
    // FAULTS_SABOTAGE=refuse: the link never comes back, so nothing can register again (this
    // test must then fail).
    if (process.env.FAULTS_SABOTAGE === 'refuse') proxy.refuse(true);
    proxy.cut();
    // The desk's phone reports the loss and then the new registration, by itself.
    await waitFor('registered again', () => registrationStates(b, from).includes('registered'), 15000);
    const states = registrationStates(b, from);
    assert.ok(states.length >= 2 && states[0] !== 'registered', `registration after the cut: ${states}`);
    console.log(`# after the cut: ${states.join(' -> ')}`);
    assert.ok(proxy.connections > connectionsBefore, 'a new connection to Kamailio');
    // Kamailio has exactly one binding for carol, from the new connection's REGISTER.
    const now = await waitFor('the new binding', async () => {
      const list = await bindings('carol');
      return list.length === 1 && list[0].received !== first.received && list;
    }, 10000).catch(async () => assert.fail(`bindings: ${JSON.stringify(await bindings('carol'))} (before: ${JSON.stringify(first)})`));
    assert.notEqual(now[0].cseq, first.cseq);

    await queueCallAnswered(b, { queue: '7002', port: 5093, mediaPort: 18500, caller: '+15550100011' });
  } finally {
    proxy.refuse(false);
    b.proc.kill('SIGTERM');
    await b.exited;
  }
  await waitFor('Kamailio to forget carol', async () => !(await registrations(stack)).carol, 15000);
});

test('300 ms more each way on the SIP WebSocket: a queue call is still set up and answered', async () => {
  const b = bot(['--username', 'alice', '--state', 'available', '--answer-calls', '--stay', '60']);
  try {
    await waitFor('alice\'s phone registered', () => registrationStates(b).includes('registered'), 15000);
    proxy.delay(300);
    const t0 = Date.now();
    await queueCallAnswered(b, { queue: '7002', port: 5094, mediaPort: 18600, caller: '+15550100012' });
    const ring = b.lines.find((l) => l.event === 'call.incoming');
    assert.ok(ring.at - t0 >= 300, 'the INVITE came through the delay');
    assert.deepEqual(registrationStates(b).filter((s) => s !== 'registered' && s !== 'registering'), [], 'no registration lost');
  } finally {
    proxy.delay(0);
    b.proc.kill('SIGTERM');
    await b.exited;
  }
});

test('Kamailio restarts: the phone registers again by itself', async () => {
  const b = bot(['--username', 'bob', '--state', 'available', '--answer-calls', '--stay', '60']);
  try {
    await waitFor('bob\'s phone registered', () => registrationStates(b).includes('registered'), 15000);
    await waitFor('bob bound', async () => (await bindings('bob')).length === 1);
    const from = b.lines.length;
    assert.match(await stack.restartKamailio(), /Kamailio restarted/);
    await waitFor('registered again', () => b.lines.slice(from).some((l) => l.event === 'voice' && l.data.registration === 'registered'), 30000);
    await waitFor('bob bound in the new Kamailio', async () => (await bindings('bob')).length === 1, 10000);
    await queueCallAnswered(b, { queue: '7001', port: 5095, mediaPort: 18700, caller: '+15550100013' });
  } finally {
    b.proc.kill('SIGTERM');
    await b.exited;
  }
});
