// contacts_harness.mjs: helpers for the chat and SMS tests: a customer on the chat WebSocket
// (/chat/ws, docs/chat-protocol.md), the SMS webhook, the fake provider's outbox, and waiting
// for a desk event.
import assert from 'node:assert/strict';
import http from 'node:http';
import WebSocket from 'ws';
import { DeskClient, sleep, signSms } from './harness.mjs';

// Customers write from their own addresses: each connects from a random loopback address
// (127.0.0.0/8 is all loopback on Linux) unless `localAddress` names one, so that the server's
// per-address limits (new chats, anonymous connections) see many customers, as in life.
export function randomLoopback() {
  const b = () => 1 + Math.floor(Math.random() * 254);
  return `127.${b()}.${b()}.${b()}`;
}

export class ChatCustomer {
  // `wsOptions`: more options for `ws` (e.g. {ca} for wss://, {headers}).
  static async connect(serverUrl, { localAddress = randomLoopback(), wsOptions = {} } = {}) {
    const ws = new WebSocket(serverUrl.replace(/^http/, 'ws') + '/chat/ws', { localAddress, ...wsOptions });
    const c = new ChatCustomer(ws);
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    return c;
  }

  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.waiters = [];
    this.closed = new Promise((res) => ws.on('close', (code) => res(code)));
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString('utf8'));
      this.frames.push(f);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  send(frame) { this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame)); }

  // Resolves with the first frame (from index `from`) matching `pred`.
  async waitFor(pred, { from = 0, timeoutMs = 4000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.slice(from).find(pred);
      if (f) return f;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`chat: no matching frame; got ${JSON.stringify(this.frames)}`);
      await new Promise((res) => { const t = setTimeout(res, left); this.waiters.push(() => { clearTimeout(t); res(); }); });
    }
  }

  // Sends a frame and resolves with the next frame of one of `types`.
  async call(frame, types) {
    const from = this.frames.length;
    this.send(frame);
    return this.waitFor((f) => types.includes(f.type), { from });
  }

  async start(name, email) {
    const frame = { type: 'start', name };
    if (email) frame.email = email;
    const f = await this.call(frame, ['started', 'error']);
    assert.equal(f.type, 'started', JSON.stringify(f));
    this.contact = f.contact;
    this.token = f.token;
    return f;
  }

  async say(text, clientId = `k${Math.random().toString(36).slice(2)}`) {
    const f = await this.call({ type: 'message', text, client_id: clientId }, ['ack', 'error']);
    return f;
  }

  async close() { this.ws.close(); await this.closed; }
}

// An HTTP request to the server; resolves with {status, headers, text, json} (json null when
// the body is not JSON).
export function request(url, path, { method = 'GET', headers = {}, body } = {}) {
  const { hostname, port } = new URL(url);
  const allHeaders = body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path, method, agent: false, headers: allHeaders }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

// POST to the server with a raw body.
// A POST to /sms/inbound is signed as the SMS gateway signs it (harness.mjs, signSms).
export function post(url, path, body, contentType) {
  const headers = { 'content-type': contentType, ...(path === '/sms/inbound' ? signSms(url, body) : {}) };
  return request(url, path, { method: 'POST', headers, body });
}

export function get(url, path, headers = {}) {
  return request(url, path, { headers });
}

export function smsIn(url, fields) {
  return post(url, '/sms/inbound', new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
}

// Waits for a desk event matching `pred` among events after index `from`.
export async function waitEvent(client, pred, { from = 0, timeoutMs = 4000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = client.events.slice(from).find(pred);
    if (e) { client.assertValid(); return e; }
    if (Date.now() > deadline) {
      throw new Error(`no matching event; got ${JSON.stringify(client.events.slice(from).map((x) => [x.event, x.data.id ?? x.data.contact ?? x.data.state, x.data.state ?? x.data.reason]))}`);
    }
    await sleep(20);
  }
}

export const offered = (id) => (e) => e.event === 'contact.offered' && (!id || e.data.id === id);
export const ended = (id, reason) => (e) => e.event === 'contact.ended' && e.data.contact === id && (!reason || e.data.reason === reason);

// Logs an agent in and makes them available.
export async function availableAgent(server, name) {
  const c = await DeskClient.connect(server.wsUrl);
  const session = await c.login(name);
  await c.ok('set_state', { state: 'available' });
  return { c, session };
}
