// hostile_load.mjs: switchboardd under what strangers can send it at once, while an agent works
// (docs/security.md, "Limits"; docs/PERFORMANCE.md, "hostile load").
//
// For `seconds` (60 by default): `chats` anonymous chat connections, each from its own loopback
// address, start a chat and then send messages five times faster than they may; `slowReaders`
// desk connections send pings and never read a byte of the replies; every 5 s a burst of 30
// logins for one username with wrong passwords (once it is locked, the right one after them).
// Meanwhile a logged-in agent asks for its reason codes every 100 ms, from a worker thread of its own
// (tests/bench/agent_probe.mjs: the floods' event loop does not delay it). Measured: the agent's round trips (p50/p99/max),
// switchboardd's VmRSS before and at its peak, what the floods got through and what was refused,
// and how many chats are still connected at the end (the budget holds them back, never cuts them).
//
// As a program (./scripts/bench): prints one JSON line. tests/load/hostile_load.test.mjs runs
// the same scenario and asserts on it.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { startServer, DeskClient, sleep } from '../server/harness.mjs';
import { randomLoopback } from '../server/contacts_harness.mjs';

const rssKb = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

function open(url, localAddress) {
  return new Promise((res) => {
    const ws = new WebSocket(url, { localAddress });
    ws.once('open', () => res(ws));
    ws.once('error', () => res(null));
    ws.once('unexpected-response', () => res(null));
  });
}

export async function hostileLoad({ seconds = 60, chats = 1000, slowReaders = 20, loginBursts = true, server: given, binary } = {}) {
  const server = given ?? await startServer(binary ? { binary } : {});
  const result = { seconds, chats, slow_readers: slowReaders };
  const sockets = [];
  let running = false;
  const began = Date.now();
  try {
    const rssStart = rssKb(server.proc.pid);
    const chatUrl = server.url.replace(/^http/, 'ws') + '/chat/ws';
    const counts = { started: 0, acked: 0, refused: 0, connect_failed: 0, login_wrong: 0, login_locked: 0,
      login_refused: 0, login_in: 0, login_right: 0 };

    // Anonymous chat floods: connected in batches so that node itself keeps up.
    for (let i = 0; i < chats; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, chats - i) }, () => open(chatUrl, randomLoopback())));
      for (const ws of batch) {
        if (!ws) { counts.connect_failed++; continue; }
        sockets.push(ws);
        ws.on('message', (d) => {
          const f = JSON.parse(d.toString());
          if (f.type === 'started') counts.started++;
          else if (f.type === 'ack') counts.acked++;
          else if (f.type === 'error') counts.refused++;
        });
        ws.on('error', () => {});
        ws.send(JSON.stringify({ type: 'start', name: 'Flood' }));
      }
    }
    // Slow readers: desks that send and never read.
    const slow = [];
    for (let i = 0; i < slowReaders; i++) {
      const ws = await open(server.wsUrl, randomLoopback());
      if (!ws) { counts.connect_failed++; continue; }
      ws.on('error', () => {});
      ws.send(JSON.stringify({ type: 'hello', id: 'h', versions: [1], client: 'hostile' }));
      ws._socket.pause();
      slow.push(ws);
      sockets.push(ws);
    }

    // The agent: logged in before the floods start, measured while they run.
    const probe = new Worker(new URL('./agent_probe.mjs', import.meta.url),
      { workerData: { wsUrl: server.wsUrl, pid: server.proc.pid, seconds } });
    const probed = new Promise((res, rej) => {
      probe.on('message', (m) => { if (m.rtts) res(m); });
      probe.once('error', rej);
      probe.once('exit', (code) => rej(new Error(`the agent's worker exited (${code}) before reporting`)));
    });
    probed.catch(() => {});  // handled where it is awaited, below
    await new Promise((res, rej) => { probe.once('message', res); probe.once('error', rej); });
    running = true;
    const floods = (async () => {
      let n = 0;
      while (running) {
        // Five messages a second per chat (one is allowed) and 50 pings a second per slow reader.
        for (const ws of sockets) {
          if (ws.readyState !== WebSocket.OPEN) continue;
          if (slow.includes(ws)) for (let i = 0; i < 10; i++) ws.send('{"type":"ping","id":"p"}');
          else ws.send(JSON.stringify({ type: 'message', text: `flood ${n}`, client_id: `f${n}` }));
        }
        n++;
        await sleep(200);
      }
    })();
    const bursts = (async () => {
      while (running && loginBursts) {
        const clients = (await Promise.all(Array.from({ length: 30 }, () =>
          DeskClient.connect(server.wsUrl).catch(() => null)))).filter(Boolean);
        await Promise.all(clients.map((c) => c.hello().catch(() => {})));
        const count = (r) => {
          if (!r) return;
          if (r.ok) counts.login_in++;
          else if (r.error.code === 'invalid_credentials') counts.login_wrong++;
          else if (r.error.code === 'account_locked') counts.login_locked++;
          else counts.login_refused++;
        };
        // Wrong guesses at once; then, once the account has answered locked, the right password
        // after them. (Sent with them, it could be read first over its own connection, checked
        // before the lock, and let in: that tests the arrival order, not the lock.)
        const last = clients.at(-1);
        const guesses = counts.login_locked > 0 ? clients.slice(0, -1) : clients;
        for (const r of await Promise.all(guesses.map((c, i) =>
          c.request('login', { username: 'bob', password: `guess${i}` }).catch(() => null)))) count(r);
        if (last && guesses.length < clients.length) {
          counts.login_right++;
          count(await last.request('login', { username: 'bob', password: 'switchboard' }).catch(() => null));
        }
        for (const c of clients) c.ws.terminate();
        await sleep(5000);
      }
    })();
    // Another agent signs in halfway through (hello, then login): anonymous until then, its frames
    // wait beside the chats' in the anonymous budget, not behind a thousand of them.
    const signin = (async () => {
      await sleep(seconds * 500);
      const t0 = performance.now();
      const c = await DeskClient.connect(server.wsUrl).catch(() => null);
      if (!c) return { ok: false, ms: performance.now() - t0, error: 'could not connect' };
      try {
        await c.hello();
        const r = await c.request('login', { username: 'carol', password: 'switchboard' });
        return { ok: r.ok, ms: performance.now() - t0, error: r.ok ? null : r.error.code };
      } catch (e) {
        return { ok: false, ms: performance.now() - t0, error: e.message };
      } finally { c.ws.terminate(); }
    })();
    const { rtts, rssPeak } = await probed;
    const signedIn = await signin;
    // Held back is not cut off: the chats the budget kept waiting are still connected.
    const chatsOpen = sockets.filter((ws) => !slow.includes(ws) && ws.readyState === WebSocket.OPEN).length;
    running = false;
    await floods;
    await bursts;
    rtts.sort((a, b) => a - b);
    Object.assign(result, {
      agent_rtt_ms: { p50: +percentile(rtts, 0.5).toFixed(1), p99: +percentile(rtts, 0.99).toFixed(1),
        max: +rtts.at(-1).toFixed(1), samples: rtts.length },
      rss_kb: { start: rssStart, peak: rssPeak, growth: rssPeak - rssStart },
      ...counts,
      chats_open: chatsOpen,
      signin: { ok: signedIn.ok, ms: +signedIn.ms.toFixed(1), error: signedIn.error },
      elapsed_s: +((Date.now() - began) / 1000).toFixed(1),  // the connecting included
      still_serving: true,
    });
  } finally {
    running = false;  // the floods and bursts stop, also when the agent's worker failed
    for (const ws of sockets) ws.terminate();
    if (!given) await server.stop();
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await hostileLoad();
  console.log(JSON.stringify(r));
}
