// shift_bench.mjs: an 8-hour busy shift replayed at speed into the browser desk, and what it
// costs the desk's memory (docs/PERFORMANCE.md, "a shift"). switchboardd serves the web build;
// alice's desk runs in headless Chromium; every contact goes through the real server:
//   - customers in this process: chat customers on /chat/ws (docs/chat-protocol.md) and SMS
//     customers through the SMS webhook (/sms/inbound; replies go to the fake provider);
//   - the agent is the page itself, driven through its JS API (docs/js-api.md): an in-page
//     script accepts each offer, marks the customer's message read, types, saves a draft and
//     replies, and when the customer says goodbye ends the contact and wraps it up with a
//     disposition and notes;
//   - presence: every simulated hour the agent takes a break (not_ready, reasons in turn) while
//     the contacts of the hour finish, then goes available again.
// The shift has the shape of tests/bench/desk_shift_bench.cpp's: up to three chats at once and
// ~216 contacts in 8 hours, each an offer, an accept, exchanges, an end and a wrap-up; every
// fourth contact is an SMS, and every fifth customer a returning one (their history comes with
// the offer). Customers answer as soon as the agent's reply reaches them, so the shift runs as
// fast as the stack goes. What the stack does not allow is desk_shift_bench's 30-49 exchanges
// per contact (~17,000 messages): through the real server and a software-rendered browser on a
// shared 2-core machine a reply takes a few hundred ms, so each contact has 2-6 exchanges
// (TURNS_MIN 2, TURNS_SPREAD 5); all 216 contact lifecycles are kept. The counts replayed are in
// the result.
//
// Measured at the end of each simulated hour, with no contact on the desk, after a forced
// garbage collection (CDP HeapProfiler.collectGarbage): the wasm memory (the module's
// WebAssembly.Memory buffer byteLength: it grows, never shrinks), the JS heap in use (CDP
// Runtime.getHeapUsage), where the wasm allocator places a fresh 64 KB block (a finer view of
// the wasm heap in use), and the size of the desk's state (JSON of switchboard.state()). Start
// = after the first hour (login and warm-up done), end = after the eighth; growth in %.
// Prints one JSON object last on stdout. Env: CONTACTS (216), TURNS_MIN (2), TURNS_SPREAD (5).
import { readFileSync } from 'node:fs';
import { startServer } from '../server/harness.mjs';
import { ChatCustomer, smsIn, get } from '../server/contacts_harness.mjs';
import { launchBrowser, openDesk, dispatch, waitForState, webRoot } from '../e2e/browser.mjs';

const totalContacts = Number(process.env.CONTACTS || 216);
const turnsMin = Number(process.env.TURNS_MIN || 2);
const turnsSpread = Number(process.env.TURNS_SPREAD || 5);
const hours = 8;
const concurrent = 3;
const log = (...a) => console.error(...a);
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
const turnsOf = (n) => turnsMin + (n % turnsSpread);

const customerLines = [
  'I was charged twice for last month, can you check order 12345?',
  'It says the payment went through on the 3rd and again on the 5th.',
  'The card ends in 4242, if that helps.',
  'Yes, the address on the account is still the same.',
  'Could you also tell me when my plan renews?',
];
const agentLines = [
  'Let me look at that for you, one moment please.',
  'Thanks, I can see both charges on the account now.',
  'I have started a refund for the duplicate; it takes 3-5 working days.',
  'Your plan renews on the 1st of next month.',
];

// ---- the agent: a script in the page, on the JS API only ---------------------------------------
const installAgent = () => {
  const sb = window.switchboard;
  const bot = window.__bot = { accepted: 0, replies: 0, wrapped: 0, errors: [], handled: {}, closing: {} };
  const fail = (what, r) => { if (bot.errors.length < 20) bot.errors.push(`${what}: ${JSON.stringify(r.error || r)}`); };
  const ok = async (intent) => { const r = await sb.dispatch(intent); if (!r.ok) fail(intent.type, r); return r; };
  const busy = new Set();
  const agentLines = window.__agentLines;
  async function work(id) {
    if (busy.has(id)) return;
    busy.add(id);
    try {
      for (;;) {
        const c = sb.state().contacts.find((x) => x.id === id);
        if (!c || c.state !== 'active') return;
        const fromCustomer = c.messages.filter((m) => m.from === 'customer');
        const done = bot.handled[id] || 0;
        if (fromCustomer.length <= done) return;
        bot.handled[id] = fromCustomer.length;
        const last = fromCustomer[fromCustomer.length - 1];
        await ok({ type: 'mark_read', contact: id });
        if (/goodbye/i.test(last.text)) {
          await ok({ type: 'send_message', contact: id, text: 'You are welcome, have a good day!' });
          await ok({ type: 'end', contact: id });
          const queue = sb.state().queues.find((q) => q.code === c.queue) || sb.state().queues[0];
          const r = await ok({ type: 'wrap_up', contact: id, disposition: queue.dispositions[0].code,
            notes: `Customer asked about a double charge; refund started. Contact ${id}.`, tags: ['billing'] });
          if (r.ok) bot.wrapped++;
          delete bot.handled[id];
          if (c.channel === 'sms') window.__replied(c.customer.phone);  // closed: the number may text again
          return;
        }
        const text = agentLines[fromCustomer.length % agentLines.length];
        // Typing is shown while the reply goes out (not waited for: the desk keeps the order).
        const typing = ok({ type: 'typing', contact: id, typing: true });
        await ok({ type: 'save_draft', contact: id, text: text.slice(0, 20) });
        const r = await ok({ type: 'send_message', contact: id, text });
        await typing;
        if (r.ok) { bot.replies++; if (c.channel === 'sms') window.__replied(c.customer.phone); }
      }
    } finally { busy.delete(id); }
  }
  sb.on('contact.offered', async (c) => {
    const r = await ok({ type: 'accept', contact: c.id });
    if (r.ok) { bot.accepted++; work(c.id); }
  });
  sb.on('contact.updated', (c) => { if (c.state === 'active') work(c.id); });
};

// ---- customers ---------------------------------------------------------------------------------
const sms = new Map();  // phone -> {replies, waiters}
function smsReplied(phone) {
  const s = sms.get(phone);
  if (!s) return;
  s.replies++;
  for (const w of s.waiters.splice(0)) w();
}
async function smsReplies(phone, count, timeoutMs = 30000) {
  const s = sms.get(phone);
  const deadline = Date.now() + timeoutMs;
  while (s.replies < count) {
    if (Date.now() > deadline) throw new Error(`SMS ${phone}: ${s.replies} of ${count} replies`);
    await new Promise((res) => { const t = setTimeout(res, 200); s.waiters.push(() => { clearTimeout(t); res(); }); });
  }
}

const stats = { chats: 0, sms: 0, customerMessages: 0, agentMessagesSeen: 0 };
// Every fifth customer is one who came before (unless that one is still talking to us: the same
// number or email twice at once would be one conversation).
const talking = new Set();
const customerFor = (n) => {
  const who = n % 5 === 4 && !talking.has(n - 4) ? n - 4 : n;
  talking.add(who);
  return who;
};

async function chatCustomer(server, n) {
  const who = customerFor(n);
  const c = await ChatCustomer.connect(server.url);
  try {
    await c.start(`Dana Whitfield ${who}`, `dana.${who}@example.com`);
    const turns = turnsOf(n);
    for (let t = 0; t <= turns; t++) {
      const text = t === turns ? 'Thanks, that is all. Goodbye!' : customerLines[t % customerLines.length];
      if (t > 0) c.send({ type: 'typing', typing: true });
      const ack = await c.say(text);
      if (ack.type !== 'ack') throw new Error(`chat ${n}: ${JSON.stringify(ack)}`);
      stats.customerMessages++;
      if (t === turns) break;
      // The agent's answer to this message.
      const fromAgent = () => c.frames.filter((f) => f.type === 'message' && f.message.from === 'agent');
      await c.waitFor(() => fromAgent().length > t, { timeoutMs: 30000 });
      c.send({ type: 'received', message: fromAgent()[t].message.id });
      stats.agentMessagesSeen++;
    }
    await c.waitFor((f) => f.type === 'ended', { timeoutMs: 30000 });
    stats.chats++;
  } finally { await c.close(); talking.delete(who); }
}

async function smsCustomer(server, n) {
  const who = customerFor(n);
  const phone = `+1555030${String(who).padStart(4, '0')}`;
  sms.set(phone, { replies: 0, waiters: [] });
  const turns = turnsOf(n);
  for (let t = 0; t <= turns; t++) {
    const text = t === turns ? 'Thanks, that is all. Goodbye!' : customerLines[t % customerLines.length];
    const r = await smsIn(server.url, { From: phone, To: '7002', Body: text, MessageSid: `SM${n}x${t}` });
    if (r.status !== 200) throw new Error(`SMS ${n}: ${r.status} ${r.text}`);
    stats.customerMessages++;
    await smsReplies(phone, t + 1);
    if (t === turns) break;
    stats.agentMessagesSeen++;
  }
  stats.sms++;
  talking.delete(who);
}

// ---- measuring ---------------------------------------------------------------------------------
async function measure(page, cdp, server) {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const page_ = await page.evaluate(() => ({
    wasm: wasmMemory.buffer.byteLength,  // eslint-disable-line no-undef
    // Where the module's allocator puts a fresh 64 KB block (freed at once): near the top of
    // the heap in use unless a free hole that size sits lower; finer than byteLength, which
    // stays at the initial 32 MB until the heap outgrows it.
    heapTop: (() => { const p = Module._malloc(65536); Module._free(p); return p; })(),  // eslint-disable-line no-undef
    state: JSON.stringify(window.switchboard.state()).length,
    frames: window.switchboard.framesDrawn,
    contacts: window.switchboard.state().contacts.length,
  }));
  const rss = Number(readFileSync(`/proc/${server.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) * 1024;
  return { wasm_bytes: page_.wasm, wasm_heap_top: page_.heapTop, js_heap_used: heap.usedSize, js_heap_total: heap.totalSize,
    state_json_bytes: page_.state, frames: page_.frames, contacts_on_desk: page_.contacts, server_rss: rss };
}

// ---- the shift ---------------------------------------------------------------------------------
const server = await startServer({ args: ['--web-root', webRoot, '--fake-sms-provider'] });
const browser = await launchBrowser();
const out = {};
try {
  const page = await openDesk(browser, server);
  const cdp = await page.context().newCDPSession(page);
  await page.exposeFunction('__replied', smsReplied);
  const login = await dispatch(page, { type: 'login', username: 'alice', password: 'switchboard' });
  if (!login.ok) throw new Error(`login: ${JSON.stringify(login)}`);
  await page.evaluate((lines) => { window.__agentLines = lines; }, agentLines);
  await page.evaluate(installAgent);
  const reasons = (await page.evaluate(() => window.switchboard.state().reason_codes)).map((r) => r.code);

  const samples = [];
  const started = Date.now();
  let next = 0;
  for (let h = 0; h < hours; h++) {
    const avail = await dispatch(page, { type: 'set_state', state: 'available' });
    if (!avail.ok) throw new Error(`available: ${JSON.stringify(avail)}`);
    const end = Math.round(((h + 1) * totalContacts) / hours);
    // Up to three customers at a time; a new one as soon as one leaves.
    const running = new Set();
    while (next < end || running.size) {
      while (next < end && running.size < concurrent) {
        const n = next++;
        const p = (n % 4 === 3 ? smsCustomer(server, n) : chatCustomer(server, n)).finally(() => running.delete(p));
        running.add(p);
      }
      try { await Promise.race(running); } catch (e) {
        const bot = await page.evaluate(() => window.__bot);
        const st = await page.evaluate(() => window.switchboard.state());
        throw new Error(`${e.message}; agent errors: ${bot.errors.join('; ')}; desk: ${JSON.stringify(st.contacts.map((c) => [c.id, c.channel, c.state, c.messages.length, c.customer?.phone]))}`);
      }
    }
    // The hour's break: not_ready with a reason, the desk empty; then measure.
    const reason = reasons[h % reasons.length];
    const brk = await dispatch(page, { type: 'set_state', state: 'not_ready', reason });
    if (!brk.ok) throw new Error(`break: ${JSON.stringify(brk)}`);
    await waitForState(page, (s) => s.contacts.length === 0 && s.agent.state === 'not_ready', 'the desk empty on a break', 30000);
    const m = await measure(page, cdp, server);
    m.hour = h + 1; m.elapsed_s = (Date.now() - started) / 1000; m.contacts_done = next;
    samples.push(m);
    log(`hour ${h + 1}: ${JSON.stringify(m)} ${JSON.stringify(stats)}`);
  }
  const bot = await page.evaluate(() => window.__bot);
  if (bot.errors.length) log(`agent errors: ${bot.errors.join('; ')}`);
  if (page.errors.length) log(`page errors: ${page.errors.join('; ')}`);
  const outbox = (await get(server.url, '/dev/sms-provider/outbox')).json.messages.length;

  const first = samples[0], last = samples[samples.length - 1];
  const growth = (k) => +((100 * (last[k] - first[k])) / first[k]).toFixed(2);
  Object.assign(out, {
    shift_hours: hours,
    seconds: (Date.now() - started) / 1000,
    contacts: totalContacts, chats: stats.chats, sms: stats.sms,
    customer_messages: stats.customerMessages,
    agent_messages: bot.replies + bot.wrapped,
    accepted: bot.accepted, wrapped_up: bot.wrapped, presence_changes: 2 * hours,
    sms_outbox: outbox,
    agent_errors: bot.errors.length, page_errors: page.errors.length,
    start: first, end: last,
    wasm_growth_pct: growth('wasm_bytes'),
    js_heap_growth_pct: growth('js_heap_used'),
    state_growth_pct: growth('state_json_bytes'),
    wasm_heap_top_growth_bytes: last.wasm_heap_top - first.wasm_heap_top,
    hourly: samples.map((s) => ({ hour: s.hour, wasm: s.wasm_bytes, wasm_heap_top: s.wasm_heap_top, js_heap: s.js_heap_used, state: s.state_json_bytes, server_rss: s.server_rss, at_s: s.elapsed_s })),
  });
  // The shift must have happened as described, or the figures mean nothing.
  const problems = [];
  if (bot.accepted !== totalContacts || bot.wrapped !== totalContacts) problems.push(`accepted ${bot.accepted}, wrapped ${bot.wrapped} of ${totalContacts}`);
  if (stats.chats + stats.sms !== totalContacts) problems.push(`${stats.chats + stats.sms} customers finished of ${totalContacts}`);
  if (bot.errors.length) problems.push(`agent errors: ${bot.errors.slice(0, 3).join('; ')}`);
  if (page.errors.length) problems.push(`page errors: ${page.errors.slice(0, 3).join('; ')}`);
  if (problems.length) out.error = problems.join('; ');
} finally {
  await browser.close().catch(() => {});
  await server.stop().catch((e) => log(`server stop: ${e.message}`));
}
console.log(JSON.stringify(out));
if (out.error) process.exit(1);
