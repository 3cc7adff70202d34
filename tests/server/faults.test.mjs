// faults.test.mjs: the desk's link to switchboardd through tests/faultproxy.mjs (delays, a black
// hole, cuts) in the middle of chats, and a kill -9 of the server while switchboard-bot desks
// are signed in and chats flow. Customers talk to the server directly. After each fault heals,
// every message that either side had acknowledged arrives exactly once and in order: nothing
// lost, nothing twice.
//
// Two kinds of desk:
// - switchboard-bot: the C++ core's Desk (heartbeat 20 s, request deadline 10 s, backoff from
//   0.5 s, resume with last_seq, seq dedup) on the native platform: the real reconnect logic.
//   The bot only listens, so a second connection of the same agent (below) accepts and replies.
// - ResumingDesk (resuming_clients.mjs): a desk-protocol client that does what docs/protocol.md
//   asks of a client (ping, a dead-link timeout, resume with last_seq, resend unacknowledged
//   send_message with the same client_id), with short timers so that faults stay quick.
//   FAULTS_NO_RESUME=replay makes it sign in afresh after a loss (no replay of missed events),
//   FAULTS_NO_RESUME=outbox makes it forget what it had not had acknowledged: the ResumingDesk
//   tests must then fail (a check that they can).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { repoRoot, startServer, tempDir, sql, sleep } from './harness.mjs';
import { ResumingDesk, Customer, transcript, assertNoDuplicates, until } from './resuming_clients.mjs';
import { FaultProxy } from '../faultproxy.mjs';

const botBinary = process.env.SWITCHBOARD_BOT ?? join(repoRoot, 'build/native/tools/switchboard-bot');
// FAULTS_SABOTAGE=refuse: the bot's link never comes back after the cut (its desk cannot catch
// up): the bot test must then fail on the content of its view, not on a wait.
const sabotage = process.env.FAULTS_SABOTAGE ?? '';

// Every acknowledged message of one side arrived on the other exactly once and in order.
function assertExactlyOnceInOrder(acked, arrived, what) {
  const ids = arrived.map((m) => m.id);
  for (const m of acked) {
    const n = ids.filter((id) => id === m.id).length;
    assert.equal(n, 1, `${what}: acked ${m.id} "${m.text}" arrived ${n} times`);
  }
  const order = acked.map((m) => ids.indexOf(m.id));
  assert.deepEqual(order, [...order].sort((a, b) => a - b), `${what}: out of order`);
}

// ---- switchboard-bot -------------------------------------------------------------------------
function startBot(url, username) {
  const proc = spawn(botBinary, ['--url', url, '--username', username,
    '--state', 'available', '--stay', '600', '--timeout', '60'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWITCHBOARD_PASSWORD: 'switchboard' } });
  const bot = { proc, username, contacts: new Map(), connection: [], lines: 0, err: '' };
  proc.stderr.on('data', (d) => { bot.err += d; });
  bot.exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  proc.on('exit', (code, signal) => { if (!bot.stopping) bot.died = { code, signal, stderr: bot.err.slice(-2000) }; });
  createInterface({ input: proc.stdout }).on('line', (line) => {
    let parsed;
    try { parsed = JSON.parse(line); } catch { bot.partial = line.slice(0, 200); return; }  // cut off by its exit
    const { event, data } = parsed;
    bot.lines++;
    if (event === 'contact.updated' || event === 'contact.offered') bot.contacts.set(data.id, data);
    if (event === 'connection') bot.connection.push({ at: Date.now(), ...data });
    if (event === 'session') bot.session = data.state;
    if (event === 'error') bot.error = data;
  });
  bot.stop = async () => {
    bot.stopping = true;
    if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid, 'SIGTERM');
    return bot.exited;
  };
  bot.connected = () => bot.connection.at(-1)?.state === 'connected' && bot.session === 'logged_in';
  return bot;
}

// The bot's view of a contact equals the server's transcript (same ids, same order, once each).
async function botAgrees(bot, db, contacts, timeoutMs = 15000) {
  assert.equal(bot.died, undefined, `${bot.username}'s bot exited: ${JSON.stringify(bot.died)}`);
  try {
    await until(`${bot.username}'s desk to match the transcripts`, () => contacts.every((c) => {
      const view = bot.contacts.get(c)?.messages.map((m) => m.id) ?? [];
      const stored = transcript(db, c).map((m) => m.id);
      return JSON.stringify(view) === JSON.stringify(stored);
    }), timeoutMs, 100);
  } catch (e) {
    for (const c of contacts) {
      assert.deepEqual(bot.contacts.get(c)?.messages.map((m) => `${m.id} ${m.text}`),
        transcript(db, c).map((m) => `${m.id} ${m.text}`), `${bot.username}'s view of ${c}`);
    }
    throw e;
  }
  for (const c of contacts) assertNoDuplicates(bot.contacts.get(c).messages, `${bot.username}'s view of ${c}`);
}

// ---- the tests -------------------------------------------------------------------------------

test('desk through delays, a short and a long black hole, and cuts: every acked message once, in order', async () => {
  const server = await startServer();
  const proxy = await FaultProxy.start(Number(new URL(server.url).port));
  const desk = new ResumingDesk(`ws://127.0.0.1:${proxy.port}/desk`, 'alice');
  const customers = [new Customer('Fault One'), new Customer('Fault Two')];
  try {
    await desk.start();
    for (const c of customers) await c.start(server.url);
    await until('both chats accepted', () => customers.every((c) => desk.accepted.has(c.contact)));

    // Each phase: both sides write, the fault strikes in the middle, both write again, it heals.
    let n = 0;
    const talk = (k) => {
      for (let i = 0; i < k; i++) {
        n++;
        for (const c of customers) { c.say(`c${n}`); desk.say(c.contact, `a${n}`); }
      }
    };
    const phases = [
      ['delay 250 ms each way', () => proxy.delay(250), () => proxy.delay(0), 600],
      ['black hole shorter than the keepalive', () => proxy.drop(), () => proxy.resume(), 500],
      ['black hole longer than the keepalive', () => proxy.drop(), () => proxy.resume(), 3000],
      ['cut', () => proxy.cut(), () => {}, 300],
      ['cut under a 150 ms delay', () => { proxy.delay(150); proxy.cut(); }, () => proxy.delay(0), 500],
      ['refused reconnects after a cut', () => { proxy.refuse(true); proxy.cut(); }, () => proxy.refuse(false), 1000],
    ];
    const connectsBefore = [];
    for (const [, strike, heal, holdMs] of phases) {
      talk(3);
      await sleep(20);
      connectsBefore.push(desk.connects);
      strike();
      talk(3);
      await sleep(holdMs);
      heal();
      talk(2);
      await until('the phase to settle', () => desk.ready && desk.outbox.length === 0 &&
        customers.every((c) => c.unacked.length === 0), 15000);
    }
    // The short hole did not cost a connection; the long one and the cuts did.
    assert.equal(connectsBefore[2], connectsBefore[1], 'a hole shorter than the keepalive needs no reconnect');
    assert.ok(desk.deadLinks >= 1, 'the long hole was noticed as a dead link');
    assert.ok(desk.connects >= 1 + 4, `reconnects: ${desk.connects - 1}`);

    await until('every agent message at its customer', () => customers.every((c) => c.received.length >= n), 5000);
    await sleep(300);  // anything late (a duplicate) would show now
    for (const c of customers) {
      const stored = transcript(server.db, c.contact);
      assertNoDuplicates(stored, `transcript of ${c.contact}`);
      // The customer's acked messages reached the desk once each, in order...
      assertExactlyOnceInOrder(c.acked, desk.messages(c.contact).filter((m) => m.from === 'customer'), `customer→desk ${c.contact}`);
      // ...and the desk's acked messages the customer.
      const mine = desk.acked.filter((m) => stored.some((t) => t.id === m.id));
      assert.equal(mine.length, n, 'every agent message acknowledged');
      assertExactlyOnceInOrder(mine, c.received, `desk→customer ${c.contact}`);
      assertExactlyOnceInOrder(mine, desk.messages(c.contact).filter((m) => m.from === 'agent'), `desk's own echo ${c.contact}`);
      // Nothing missing: every message either side wrote was acknowledged and stored, once.
      assert.equal(stored.filter((m) => m.sender === 'customer').length, n, 'customer messages stored');
      assert.equal(stored.filter((m) => m.sender === 'agent').length, n, 'agent messages stored');
      assert.deepEqual(stored.map((m) => m.id), desk.messages(c.contact).map((m) => m.id), 'the desk saw the transcript');
    }
    assert.deepEqual(desk.problems, []);
  } finally {
    await desk.stop();
    for (const c of customers) c.chat?.ws.terminate();
    await proxy.close();
    await server.stop();
  }
});

test('switchboard-bot through a 300 ms delay, a cut and a black hole longer than its keepalive', async () => {
  const server = await startServer();
  const proxy = await FaultProxy.start(Number(new URL(server.url).port));
  // bob's bot listens through the proxy; bob's second desk (direct) accepts and replies.
  const bot = startBot(`ws://127.0.0.1:${proxy.port}/desk`, 'bob');
  const helper = new ResumingDesk(server.wsUrl, 'bob');
  const customers = [new Customer('Bot Fault One'), new Customer('Bot Fault Two')];
  let n = 0;
  const talk = (k) => {
    for (let i = 0; i < k; i++) {
      n++;
      for (const c of customers) { c.say(`c${n}`); helper.say(c.contact, `a${n}`); }
    }
  };
  const contacts = () => customers.map((c) => c.contact);
  try {
    await until('the bot signed in', () => bot.connected(), 10000);
    await helper.start();
    for (const c of customers) await c.start(server.url);
    await until('both chats accepted', () => customers.every((c) => helper.accepted.has(c.contact)));
    talk(3);

    proxy.delay(300);
    talk(3);
    await sleep(400);
    talk(3);
    await botAgrees(bot, server.db, contacts());
    proxy.delay(0);
    assert.equal(bot.connection.filter((x) => x.state === 'waiting_to_reconnect').length, 0, 'a delay is no loss');

    talk(3);
    await sleep(50);
    if (sabotage === 'refuse') proxy.refuse(true);
    proxy.cut();
    talk(3);
    if (sabotage === 'refuse') await sleep(3000);
    else await until('the bot back after the cut', () => bot.connection.some((x) => x.state === 'waiting_to_reconnect') && bot.connected(), 10000);
    talk(3);
    await botAgrees(bot, server.db, contacts());

    // A dead network: nothing passes, nothing closes. The desk pings every 20 s and gives up on
    // a ping unanswered for 10 s, so it notices within 30 s.
    const lostBefore = bot.connection.filter((x) => x.state === 'waiting_to_reconnect').length;
    const t0 = Date.now();
    proxy.drop();
    for (let i = 0; i < 5; i++) { talk(2); await sleep(200); }
    await until('the bot to notice the dead link', () =>
      bot.connection.filter((x) => x.state === 'waiting_to_reconnect').length > lostBefore, 32000, 100);
    const noticed = Date.now() - t0;
    assert.ok(noticed <= 31000, `noticed after ${noticed} ms`);
    talk(2);
    proxy.resume();
    await until('the bot back after the black hole', () => bot.connected(), 15000);
    talk(2);
    await until('everything acknowledged', () => helper.outbox.length === 0 && customers.every((c) => c.unacked.length === 0));
    await botAgrees(bot, server.db, contacts());
    for (const c of customers) {
      const stored = transcript(server.db, c.contact);
      assertNoDuplicates(stored, `transcript of ${c.contact}`);
      assert.equal(stored.length, 2 * n);
      for (const m of [...c.acked, ...helper.acked.filter((x) => stored.some((t) => t.id === x.id))]) {
        assert.equal(bot.contacts.get(c.contact).messages.filter((x) => x.id === m.id).length, 1, `acked ${m.text} at the bot`);
      }
    }
    assert.equal(bot.error, undefined);
    assert.deepEqual(helper.problems, []);
    console.log(`# bot noticed the black hole after ${noticed} ms; ${n} messages each way per chat`);
  } finally {
    await bot.stop();
    await helper.stop();
    for (const c of customers) c.chat?.ws.terminate();
    await proxy.close();
    await server.stop();
  }
});

test('kill -9 while switchboard-bot desks work chats: no acknowledged message lost or doubled', async () => {
  const dir = tempDir();
  let server = await startServer({ dir });
  const proxy = await FaultProxy.start(Number(new URL(server.url).port));
  const deskUrl = `ws://127.0.0.1:${proxy.port}/desk`;
  const agents = ['alice', 'bob'];
  const bots = agents.map((a) => startBot(deskUrl, a));
  const helpers = agents.map((a) => new ResumingDesk(deskUrl, a));
  const customers = [1, 2, 3, 4].map((i) => new Customer(`Crash Fault ${i}`));
  const contacts = () => customers.map((c) => c.contact);
  const owner = (c) => helpers.find((h) => h.accepted.has(c.contact));
  let again;
  try {
    await until('the bots signed in', () => bots.every((b) => b.connected()), 10000);
    for (const h of helpers) await h.start();
    for (const c of customers) await c.start(server.url);
    await until('every chat accepted', () => customers.every((c) => owner(c)), 10000);

    // Load: every 30 ms each chat's agent writes, and every 150 ms each customer (about as fast as
    // a chat may send for the two seconds of the test: docs/chat-protocol.md, "Limits").
    let n = 0, nc = 0, flowing = true;
    const flow = (async () => {
      while (flowing) {
        n++;
        const customerTurn = n % 5 === 1;
        if (customerTurn) nc++;
        for (const c of customers) { if (customerTurn) c.say(`c${n}`); owner(c).say(c.contact, `a${n}`); }
        await sleep(30);
      }
    })();
    await sleep(1200);
    process.kill(server.proc.pid, 'SIGKILL');
    const killedAt = n;
    const ackedBeforeKill = {
      customers: customers.map((c) => [c.contact, c.acked.slice()]),
      agents: helpers.flatMap((h) => h.acked.slice()),
    };
    assert.equal((await server.exited).signal, 'SIGKILL');
    await sleep(300);          // writing on while the server is down
    again = await startServer({ dir });
    proxy.setTarget(Number(new URL(again.url).port));
    for (const c of customers) await c.resume(again.url);
    await sleep(600);          // and after it is back
    flowing = false;
    await flow;

    await until('everything acknowledged', () => helpers.every((h) => h.outbox.length === 0) &&
      customers.every((c) => c.unacked.length === 0), 20000);
    for (const c of customers) {
      const stored = transcript(again.db, c.contact);
      assertNoDuplicates(stored, `transcript of ${c.contact}`);
      // Nothing written was lost: nc from the customer, n from the agent (each written once,
      // resent until acked).
      assert.equal(stored.filter((m) => m.sender === 'customer').length, nc, `${c.contact}: customer messages`);
      assert.equal(stored.filter((m) => m.sender === 'agent').length, n, `${c.contact}: agent messages`);
      const ids = stored.map((m) => m.id);
      const before = ackedBeforeKill.customers.find(([id]) => id === c.contact)[1];
      for (const m of before) assert.equal(ids.filter((id) => id === m.id).length, 1, `acked ${m.text} (${m.id}) lost`);
      // What the customer's resume returned is what was stored then: every acked message once.
      assertNoDuplicates(c.resumedMessages, `${c.contact} resumed`);
      for (const m of before) assert.ok(c.resumedMessages.some((x) => x.id === m.id), `${m.text} not in the resumed chat`);
      // Acknowledged agent messages reach the customer once each (before the kill or in the resume).
      const agentAcked = ackedBeforeKill.agents.filter((m) => ids.includes(m.id));
      const seen = [...c.received.filter((m) => m.at <= Math.max(0, ...before.map((x) => x.at))), ...c.resumedMessages];
      for (const m of agentAcked) assert.ok(seen.some((x) => x.id === m.id), `agent's ${m.text} never reached ${c.contact}`);
    }
    for (const m of ackedBeforeKill.agents) {
      const rows = JSON.parse(sql(again.db, `SELECT id FROM messages WHERE id = '${m.id}'`) || '[]');
      assert.equal(rows.length, 1, `agent's acked ${m.text} (${m.id}) lost`);
    }
    // The desks: each bot resumed by itself and its view is the transcript, once each, in order;
    // the second desks' event streams too.
    for (const [i, bot] of bots.entries()) {
      assert.ok(bot.connection.some((x) => x.state === 'waiting_to_reconnect'), `${bot.username} lost the link`);
      await until(`${bot.username} back`, () => bot.connected(), 15000);
      const mine = customers.filter((c) => owner(c) === helpers[i]).map((c) => c.contact);
      await botAgrees(bot, again.db, mine);
      for (const c of mine) {
        // A message is stored (and acknowledged to its sender) before its event reaches the
        // agent's other desk: the last one's event may still be on its way.
        const stored = () => transcript(again.db, c).map((m) => m.id);
        await until(`${helpers[i].username}'s events for ${c} caught up`,
          () => helpers[i].messages(c).length >= stored().length, 5000).catch(() => {});
        assert.deepEqual(helpers[i].messages(c).map((m) => m.id), stored(), `${helpers[i].username}'s events for ${c}`);
      }
      assert.equal(bot.error, undefined);
    }
    for (const h of helpers) assert.deepEqual(h.problems, []);
    console.log(`# killed after ${killedAt} rounds, ${n} in all; acked before the kill: ` +
      `${ackedBeforeKill.customers.reduce((s, [, l]) => s + l.length, 0)} customer, ${ackedBeforeKill.agents.length} agent messages`);
  } finally {
    for (const b of bots) await b.stop();
    for (const h of helpers) await h.stop();
    for (const c of customers) c.chat?.ws.terminate();
    await proxy.close();
    await again?.stop();
  }
});
