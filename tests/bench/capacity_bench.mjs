// capacity_bench.mjs: how many agents one switchboardd holds on this machine while chats and SMS
// keep coming. Run by scripts/bench (BENCH=capacity); the last stdout line is the JSON result.
//
// For each step (CAPACITY_STEPS, default 1000 2500 5000 10000 agents), a fresh server on
// loopback with a temp database:
//   1. the database is made by switchboardd itself (demo seed: queues, dispositions), then the
//      step's agents are added with sqlite3 in one transaction (bench0 … benchN-1; skills support
//      and sales; 3 chats and 3 SMS each; second factor off). Their password hash is argon2id at
//      libsodium's minimum cost (t=1, m=8 KiB) instead of the interactive cost the server uses
//      for new passwords (t=2, m=64 MiB, ~0.1 s a check on its one password thread): 10,000
//      interactive checks alone would take the whole bench. Login CPU is not what this measures.
//   2. switchboardd (--fake-sms-provider, logs at warn) starts; its VmRSS is the baseline.
//   3. switchboard-bot --agents (CAPACITY_BOTS processes, one desk core per agent) logs every
//      agent in (at most 20 logins waiting for their reply per process), sets it available, and
//      takes every offer: accept, one reply, end after 1 s, wrap up. Waits until every agent is
//      logged in and connected, or the step's login time (30 s + 10 ms an agent) runs out.
//      The bots' desks drop the session's agent roster (every agent, for transfers) before
//      parsing it: N desks on one machine would parse N rosters of N agents. The server still
//      builds and sends it in full, and that is what limits logins at thousands of agents.
//   4. Customers, only now (so that no backlog built while logging in skews the offers): this
//      script brings CAPACITY_RATE a second, alternately a web chat (/chat/ws, start + opening
//      line) and an SMS (/sms/inbound, a new number each), through the real interfaces over
//      loopback; the server's own --simulate is not used because it starts with the server.
//      After a warm-up of 3 s, a measurement window (CAPACITY_WINDOW_S): offers the bots received, offers they finished,
//      and each offer's latency: the server's offer time (offer_expires_at minus --offer-timeout,
//      ms since the epoch on the same machine) to the offer reaching the bot's desk (after the
//      WebSocket read and the core's parse). Server memory: VmRSS at the end of the window minus
//      VmRSS before any agent logged in, divided by the agents.
// A step is held when every agent logged in, none disconnected or failed, offers kept being
// handled (at least 90% of those offered in the window were finished by its end + 3 s) and the
// window's p99 offer latency is <= 100 ms. Steps stop at the first one not held.
//
// Stops only what it started, by pid (harness stop() for the server, SIGTERM to each bot).
import { startServer, tempDir, sleep, sql, onPostgres } from '../server/harness.mjs';
import { cheapHash, provision, rssKb, cpuTicks, quantile, startBot, stopBot, startCustomers, sum, offerTimeoutS, handleS, log }
  from './load_parts.mjs';

const steps = (process.env.CAPACITY_STEPS ?? '1000 2500 5000 10000').trim().split(/\s+/).map(Number);
const rate = Number(process.env.CAPACITY_RATE ?? 20);               // customers a second
const windowS = Number(process.env.CAPACITY_WINDOW_S ?? 15);
const botProcs = Number(process.env.CAPACITY_BOTS ?? 2);
const loginRate = Number(process.env.CAPACITY_LOGIN_RATE ?? 1000); // logins a second at most, all bots together
const p99TargetMs = 100;

async function runStep(n, hash) {
  const dir = tempDir();
  // 1. The server makes and seeds its database, then the step's agents go in.
  const init = await startServer({ dir });
  await sleep(500);  // its signal handling is set up just after the listening line
  await init.stop();
  const t0 = Date.now();
  provision(init.db, n, hash);
  const provisionS = (Date.now() - t0) / 1000;

  // 2. The server under test. Logs at warn: a line per offer is not what is measured.
  // The bots all connect from 127.0.0.1 and are anonymous until they log in: the per-address
  // cap (docs/security.md, "Limits") is lifted for them.
  const server = await startServer({ dir, args: ['--fake-sms-provider', '--offer-timeout', String(offerTimeoutS),
    '--log-level', 'warn', '--max-connections-per-address', '100000', '--max-connections', '100000'] });
  const pid = server.proc.pid;
  const bots = [];
  try {
    await sleep(1000);
    const rss0 = rssKb(pid);

    // 3. Log everyone in.
    const per = Math.ceil(n / botProcs);
    for (let first = 0; first < n; first += per)
      bots.push(startBot(server.wsUrl, first, Math.min(per, n - first), Math.max(1, Math.round(loginRate / botProcs))));
    const loginStart = Date.now();
    const loginBudgetMs = 30000 + n * 10;
    while (Date.now() - loginStart < loginBudgetMs) {
      await sleep(500);
      if (bots.some((b) => b.proc.exitCode !== null)) throw new Error(`a bot exited: ${bots.map((b) => b.err).join('\n')}`);
      if (sum(bots, 'ready') === n) break;
    }
    const loginS = (Date.now() - loginStart) / 1000;
    const readyAtStart = sum(bots, 'ready');
    log(`step ${n}: ${readyAtStart}/${n} ready after ${loginS.toFixed(1)} s; server RSS ${rssKb(pid)} kB (${rss0} kB before)`);

    // 4. Customers, a warm-up, then the window.
    const customers = startCustomers(server.url, rate);
    await sleep(3000);
    for (const b of bots) b.latencies = [];
    const start = { offers: sum(bots, 'offers'), handled: sum(bots, 'handled'), errors: sum(bots, 'errors'),
      disconnects: sum(bots, 'disconnects'), failed: sum(bots, 'failed'), cpu: cpuTicks(pid), t: Date.now() };
    await sleep(windowS * 1000);
    const end = { offers: sum(bots, 'offers'), handled: sum(bots, 'handled'), cpu: cpuTicks(pid), t: Date.now() };
    const rss = rssKb(pid);
    const latencies = bots.flatMap((b) => b.latencies).sort((a, b) => a - b);
    await customers.stop();
    const contacts = JSON.parse(sql(server.db, 'SELECT channel, state, COUNT(*) AS n FROM contacts GROUP BY channel, state') || '[]');
    await sleep((handleS + 2) * 1000);  // the window's last offers get finished
    const finished = sum(bots, 'handled') - start.handled;
    const seconds = (end.t - start.t) / 1000;
    const offered = end.offers - start.offers;
    const r = {
      agents: n,
      provision_s: +provisionS.toFixed(2),
      login_s: +loginS.toFixed(1),
      logged_in: readyAtStart,
      connected_at_end: sum(bots, 'ready'),
      failed_logins: sum(bots, 'failed'),
      disconnects: sum(bots, 'disconnects') - start.disconnects,
      errors: sum(bots, 'errors') - start.errors,
      window_s: +seconds.toFixed(1),
      offers: offered,
      offers_per_s: +(offered / seconds).toFixed(2),
      customers_per_s: +(customers.arrivedIn(start.t, end.t) / seconds).toFixed(2),
      customer_errors: customers.errors,
      ...(customers.samples.length ? { customer_error_samples: customers.samples } : {}),
      contacts: Object.fromEntries(contacts.map((c) => [`${c.channel}_${c.state}`, c.n])),
      handled: finished,
      latency_ms: { samples: latencies.length, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies.at(-1) ?? null },
      server_cpu_percent: +(((end.cpu - start.cpu) / 100) / seconds * 100).toFixed(1),
      rss_kb_idle: rss0,
      rss_kb: rss,
      kb_per_agent: +((rss - rss0) / n).toFixed(2),
    };
    const why = [];
    if (r.logged_in < n) why.push(`${r.logged_in} of ${n} logged in after ${r.login_s} s`);
    if (r.failed_logins) why.push(`${r.failed_logins} logins failed`);
    if (r.connected_at_end < n) why.push(`${r.connected_at_end} connected at the end`);
    if (r.disconnects) why.push(`${r.disconnects} disconnects`);
    if (!offered) why.push('no offers');
    else if (finished < 0.9 * offered) why.push(`${finished} of ${offered} offers finished`);
    if (r.latency_ms.p99 !== null && r.latency_ms.p99 > p99TargetMs) why.push(`p99 ${r.latency_ms.p99} ms`);
    r.held = why.length === 0;
    if (why.length) r.why_not_held = why.join('; ');
    return r;
  } finally {
    for (const b of bots) await stopBot(b);
    await server.stop();
  }
}

const started = Date.now();
const hash = cheapHash('switchboard');
const results = [];
for (const n of steps) {
  const r = await runStep(n, hash);
  log(JSON.stringify(r));
  results.push(r);
  if (!r.held) break;
}
const held = results.filter((r) => r.held).at(-1);
const at = held ?? results[0];
const result = {
  engine: onPostgres ? 'postgresql' : 'sqlite',
  protocol: 3,
  steps: results,
  agents_held: held ? held.agents : 0,
  offers_per_s: at?.offers_per_s ?? null,
  p50_ms: at?.latency_ms.p50 ?? null,
  p99_ms: at?.latency_ms.p99 ?? null,
  kb_per_agent: at?.kb_per_agent ?? null,
  at_agents: at?.agents ?? null,
  largest_step: results.at(-1),
  customers_per_s: rate,
  bot_processes: botProcs,
  window_s: windowS,
  handle_s: handleS,
  seconds: +((Date.now() - started) / 1000).toFixed(0),
};
console.log(JSON.stringify(result));
