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
// - ResumingDesk (here): a desk-protocol client that does what docs/protocol.md asks of a
//   client (ping, a dead-link timeout, resume with last_seq, resend unacknowledged
//   send_message with the same client_id), with short timers so that faults stay quick.
//   FAULTS_NO_RESUME=replay makes it sign in afresh after a loss (no replay of missed events),
//   FAULTS_NO_RESUME=outbox makes it forget what it had not had acknowledged: the ResumingDesk
//   tests must then fail (a check that they can).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import WebSocket from 'ws';
import { repoRoot, startServer, tempDir, sql, sleep, schemaProblem } from './harness.mjs';
import { ChatCustomer } from './contacts_harness.mjs';
import { FaultProxy } from '../faultproxy.mjs';

const botBinary = process.env.SWITCHBOARD_BOT ?? join(repoRoot, 'build/native/tools/switchboard-bot');
const noResume = process.env.FAULTS_NO_RESUME ?? '';
// FAULTS_SABOTAGE=refuse: the bot's link never comes back after the cut (its desk cannot catch
// up): the bot test must then fail on the content of its view, not on a wait.
const sabotage = process.env.FAULTS_SABOTAGE ?? '';

async function until(what, pred, timeoutMs = 10000, stepMs = 25) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
}

// ---- a desk that resumes ---------------------------------------------------------------------
class ResumingDesk {
  constructor(url, username, { pingMs = 400, deadMs = 800, autoAccept = true } = {}) {
    Object.assign(this, { url, username, pingMs, deadMs, autoAccept });
    this.token = null;
    this.lastSeq = 0;
    this.applied = [];       // events applied (seq > last_seq), in order
    this.stale = 0;          // events seen again (seq <= last_seq) and ignored
    this.problems = [];
    this.outbox = [];        // {contact, text, client_id, inFlight, resolve}
    this.acked = [];         // send_message results (message objects), in the order acknowledged
    this.connects = 0;
    this.deadLinks = 0;      // connections given up because nothing came back in time
    this.ready = false;
    this.stopped = false;
    this.nextId = 1;
    this.accepted = new Set();
  }

  async start() {
    this.loop = this.#run();
    await until(`${this.username} signed in`, () => this.ready, 10000);
  }

  async stop() {
    this.stopped = true;
    this.ws?.terminate();
    await this.loop;
  }

  say(contact, text) {
    const client_id = `${this.username}-${text}`;
    return new Promise((resolve) => {
      this.outbox.push({ contact, text, client_id, inFlight: false, resolve });
      this.#flush();
    });
  }

  // The transcript the contact.message events applied for `contact` built, in order: a message
  // that comes again (its status changed: delivered) updates the one held, by its id.
  messages(contact) {
    const byId = new Map();
    for (const e of this.applied)
      if (e.event === 'contact.message' && e.data.contact === contact)
        byId.set(e.data.message.id, { ...byId.get(e.data.message.id), ...e.data.message });
    return [...byId.values()];
  }

  async #run() {
    while (!this.stopped) {
      try { await this.#connectOnce(); } catch (e) { if (!/closed/.test(e.message)) this.problems.push(e.message); }
      if (this.stopped) break;
      await sleep(100 + Math.random() * 100);
    }
  }

  #send(frame) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  #req(type, fields = {}) {
    const id = `q${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { type, resolve, reject });
      this.#send({ type, id, ...fields });
    });
  }

  async #connectOnce() {
    const ws = new WebSocket(this.url, { handshakeTimeout: this.pingMs + this.deadMs });
    this.ws = ws;
    this.pending = new Map();
    const pending = this.pending;
    const closed = new Promise((res) => ws.on('close', res));
    ws.on('error', () => {});
    ws.on('message', (d) => this.#onFrame(JSON.parse(d.toString('utf8')), pending));
    await Promise.race([new Promise((res) => ws.once('open', res)), closed]);
    if (ws.readyState !== WebSocket.OPEN) return;
    this.connects++;
    this.lastHeard = Date.now();
    const dog = setInterval(() => {
      if (Date.now() - this.lastHeard > this.pingMs + this.deadMs) {
        this.deadLinks++;
        ws.terminate();
      } else {
        this.#req('ping').catch(() => {});
      }
    }, this.pingMs);
    closed.then(() => {
      clearInterval(dog);
      this.ready = false;
      for (const p of pending.values()) p.reject(new Error('closed'));
      pending.clear();
    });
    const reply = async (type, fields) => {
      const r = await this.#req(type, fields);
      if (!r.ok) throw new Error(`${type}: ${JSON.stringify(r.error)}`);
      return r.result;
    };
    await reply('hello', { versions: [2], client: 'switchboard-tests/faults' });
    let session;
    if (this.token && noResume !== 'replay') {
      session = await reply('resume', { token: this.token, last_seq: this.lastSeq });
    } else {
      session = await reply('login', { username: this.username, password: 'switchboard' });
      this.token = session.token;
      this.lastSeq = session.seq;
    }
    if (noResume === 'outbox' && this.connects > 1) for (const m of this.outbox) m.forgotten = true;
    this.ready = true;
    if (this.connects === 1) await reply('set_state', { state: 'available' });
    for (const c of session.contacts) if (c.state === 'offered') this.#accept(c.id);
    this.#flush();
    await closed;
  }

  #onFrame(frame, pending) {
    this.lastHeard = Date.now();
    if (frame.type === 'reply') {
      const p = pending.get(frame.id);
      if (!p) return;
      pending.delete(frame.id);
      const problem = schemaProblem(frame, p.type);
      if (problem) this.problems.push(problem);
      p.resolve(frame);
      return;
    }
    const problem = schemaProblem(frame);
    if (problem) this.problems.push(problem);
    if (frame.type !== 'event') return;
    if (frame.seq <= this.lastSeq) { this.stale++; return; }
    this.lastSeq = frame.seq;
    this.applied.push(frame);
    if (frame.event === 'contact.offered') this.#accept(frame.data.id);
  }

  #accept(id) {
    if (!this.autoAccept || this.accepted.has(id)) return;
    this.#req('accept', { contact: id }).then((r) => {
      if (r.ok || r.error.code === 'wrong_state') this.accepted.add(id);
    }, () => {});
  }

  #flush() {
    if (!this.ready) return;
    for (const m of this.outbox) {
      if (m.inFlight || m.forgotten) continue;
      m.inFlight = true;
      this.#req('send_message', { contact: m.contact, text: m.text, client_id: m.client_id }).then((r) => {
        if (!r.ok) { this.problems.push(`send_message: ${JSON.stringify(r.error)}`); return; }
        this.outbox.splice(this.outbox.indexOf(m), 1);
        this.acked.push(r.result.message);
        m.resolve(r.result.message);
      }, () => { m.inFlight = false; });
    }
  }
}

// ---- a customer that resumes -----------------------------------------------------------------
// Keeps what the server acknowledged and the agent messages it received, across reconnects.
class Customer {
  constructor(name) {
    this.name = name;
    this.acked = [];         // ack.message, in order
    this.received = [];      // agent messages pushed to this customer, in order of arrival
    this.unacked = [];       // {text, client_id}
  }

  async start(url) {
    this.chat = await ChatCustomer.connect(url);
    const s = await this.chat.start(this.name);
    this.contact = s.contact;
    this.token = s.token;
    this.#listen();
  }

  #listen() {
    const chat = this.chat;
    chat.ws.on('message', (d) => {
      const f = JSON.parse(d.toString('utf8'));
      if (f.type === 'ack') {
        const i = this.unacked.findIndex((u) => u.client_id === f.client_id);
        if (i >= 0) this.unacked.splice(i, 1);
        this.acked.push(f.message);
      } else if (f.type === 'message' && f.message.from === 'agent') {
        this.received.push(f.message);
        chat.send({ type: 'received', message: f.message.id });
      } else if (f.type === 'error' && f.code === 'rate_limited' && f.client_id) {
        // Faster than a chat may send (docs/chat-protocol.md, "Limits"): as the chat page does,
        // the same message again once it may be.
        const u = this.unacked.find((x) => x.client_id === f.client_id);
        if (u) setTimeout(() => { if (chat.ws.readyState === WebSocket.OPEN) chat.send({ type: 'message', text: u.text, client_id: u.client_id }); }, f.retry_after_ms);
      }
    });
    chat.ws.on('error', () => {});
  }

  say(text) {
    const client_id = `${this.name}-${text}`;
    this.unacked.push({ text, client_id });
    if (this.chat.ws.readyState === WebSocket.OPEN) this.chat.send({ type: 'message', text, client_id });
  }

  // After a server restart: resume with the token, take the transcript, resend what was not acked.
  async resume(url) {
    this.chat = await ChatCustomer.connect(url);
    const r = await this.chat.call({ type: 'resume', token: this.token }, ['resumed', 'error']);
    assert.equal(r.type, 'resumed', JSON.stringify(r));
    this.resumedMessages = r.messages;
    this.#listen();
    for (const u of this.unacked) this.chat.send({ type: 'message', text: u.text, client_id: u.client_id });
    return r;
  }
}

// The transcript as the server stored it, oldest first.
function transcript(db, contact) {
  return JSON.parse(sql(db, `SELECT id, sender, text, client_id FROM messages WHERE contact = '${contact}' ORDER BY seq`) || '[]');
}

function assertNoDuplicates(list, what) {
  const texts = list.map((m) => `${m.from ?? m.sender}:${m.text}`);
  assert.equal(new Set(list.map((m) => m.id)).size, list.length, `${what}: an id twice`);
  assert.equal(new Set(texts).size, texts.length, `${what}: a message stored twice: ${texts.join(' | ')}`);
}

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
