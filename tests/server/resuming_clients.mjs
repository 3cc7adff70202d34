// resuming_clients.mjs: a chat customer that resumes (Customer), and a desk-protocol client that does what docs/protocol.md asks of a client
// (ping, a dead-link timeout, resume with last_seq, resend unacknowledged send_message with the
// same client_id), with short timers so that faults stay quick (faults.test.mjs: a proxy's cuts
// and black holes; cluster.test.mjs: a node killed behind the balancer). It accepts what it is
// offered unless told not to.
// FAULTS_NO_RESUME=replay makes it sign in afresh after a loss (no replay of missed events),
// FAULTS_NO_RESUME=outbox makes it forget what it had not had acknowledged: the tests that use it
// must then fail (a check that they can).
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { sleep, schemaProblem, sql } from './harness.mjs';
import { ChatCustomer } from './contacts_harness.mjs';

const noResume = process.env.FAULTS_NO_RESUME ?? '';

export async function until(what, pred, timeoutMs = 10000, stepMs = 25) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
}

export class ResumingDesk {
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
    this.closeCodes = [];    // of each connection that closed, as the server (or this client) closed it
    this.retried = 0;        // send_message answered "internal" and sent again
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
    ws.on('close', (code) => this.closeCodes.push(code));
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
        // "The server failed; try again" (its database went away mid-request): again, with the
        // same client_id, once connected again (the server stores it once whatever it did).
        if (!r.ok && r.error.code === 'internal') { m.inFlight = false; this.retried++; return; }
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
export class Customer {
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
export function transcript(db, contact) {
  return JSON.parse(sql(db, `SELECT id, sender, text, client_id FROM messages WHERE contact = '${contact}' ORDER BY seq`) || '[]');
}

export function assertNoDuplicates(list, what) {
  const texts = list.map((m) => `${m.from ?? m.sender}:${m.text}`);
  assert.equal(new Set(list.map((m) => m.id)).size, list.length, `${what}: an id twice`);
  assert.equal(new Set(texts).size, texts.length, `${what}: a message stored twice: ${texts.join(' | ')}`);
}
