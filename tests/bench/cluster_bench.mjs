// cluster_bench.mjs: several switchboardd nodes on one PostgreSQL (docs/architecture.md, "Several
// nodes"). Run by scripts/bench (BENCH=cluster), which starts a PostgreSQL of its own and sets
// SWITCHBOARD_TEST_PG; the last stdout line is the JSON result. Two measurements:
//
// 1. Scaling: one node, then two, behind the balancer (scripts/balancer: nginx), each node in a
//    cgroup of its own held to the same CPU quota (CLUSTER_CPU of one core, default 0.15: small
//    enough that the nodes, not the 2-core machine's other work, are what runs out; the
//    cpu controller, cgroup v1 or v2, so root or a delegated cgroup), so that the bots,
//    PostgreSQL and nginx, outside the quota, do not hide the difference. CLUSTER_AGENTS agents
//    (default 600; provisioned as capacity_bench.mjs does) log in through the balancer with
//    switchboard-bot and take every offer. Customers then come at rising rates (from 5 a second,
//    x1.15 a step; alternately chat and SMS, through the balancer), each rate a 3 s warm-up and a
//    CLUSTER_WINDOW_S window (default 10 s). A rate is kept up when offers in the window were at
//    least 90% of the arrivals, 90% of them were finished, p99 offer latency <= 100 ms and no
//    customer failed; the figure is the offers per second at the highest rate kept up, and the
//    ratio two nodes : one node (target >= 1.7).
// 2. Failover: two nodes, the second a standby (nginx `backup`: clients only while the first is
//    down), so that all CLUSTER_FAILOVER_AGENTS agents (default 1,000) are on the first. While
//    customers keep coming (20 a second), the first node is killed (SIGKILL); the figure is the
//    time until every agent's desk is connected and signed in again (the bots report every
//    0.2 s), then: contacts lost (a customer's chat or SMS the server acknowledged with no contact
//    row, or a contact still waiting or ringing once everything settled) and contacts offered to
//    more than one agent (contact.offered in two agents' event logs). Targets: <= 5 s, 0, 0.
//
// In step 1, PostgreSQL's CPU per offer too (its processes' ticks over the window), for the
// ten-node model in report_cluster.mjs.
//
// Stops only what it started, by pid (servers, bots, nginx); removes the cgroups it made.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, tempDir, repoRoot, sleep, sql, onPostgres, useSmsSecret } from '../server/harness.mjs';
import { cheapHash, provision, quantile, startBot, stopBot, startCustomers, sum, offerTimeoutS, log }
  from './load_parts.mjs';

if (!onPostgres) throw new Error('cluster_bench needs SWITCHBOARD_TEST_PG (scripts/bench sets it)');
const cpuShare = Number(process.env.CLUSTER_CPU ?? 0.15);
const agents = Number(process.env.CLUSTER_AGENTS ?? 600);
const windowS = Number(process.env.CLUSTER_WINDOW_S ?? 10);
const failoverAgents = Number(process.env.CLUSTER_FAILOVER_AGENTS ?? 1000);
const botProcs = 2;
const p99TargetMs = 100;
const balancer = join(repoRoot, 'scripts/balancer');
const serverArgs = ['--fake-sms-provider', '--offer-timeout', String(offerTimeoutS), '--log-level', 'warn',
  '--max-connections-per-address', '100000', '--max-connections', '100000', '--trusted-proxy', '127.0.0.1'];

// ---- a CPU quota per node ------------------------------------------------------------------------
// A cgroup holding `share` of one core (period 100 ms): v2 (cpu.max) or v1 (cpu.cfs_quota_us).
function cpuCgroup(name, share) {
  const quota = Math.round(share * 100000);
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  let dir;
  if (v2) {
    const controllers = readFileSync('/sys/fs/cgroup/cgroup.subtree_control', 'utf8');
    if (!/\bcpu\b/.test(controllers)) writeFileSync('/sys/fs/cgroup/cgroup.subtree_control', '+cpu');
    dir = `/sys/fs/cgroup/${name}`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.max'), `${quota} 100000`);
  } else {
    dir = `/sys/fs/cgroup/cpu/${name}`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.cfs_period_us'), '100000');
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
  }
  const stat = () => Object.fromEntries(readFileSync(join(dir, 'cpu.stat'), 'utf8').trim().split('\n').map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
  return {
    add: (pid) => writeFileSync(join(dir, 'cgroup.procs'), String(pid)),
    // Times the quota held the node back (throttled periods) so far.
    throttled: () => stat().nr_throttled ?? 0,
    remove: () => { try { rmdirSync(dir); } catch { /* a process still in it: left for the next run to reuse */ } },
  };
}

// ---- a cluster -----------------------------------------------------------------------------------
// `count` nodes on a fresh database with `n` bench agents, nginx in front (`standby`: the last
// node is a backup), each node in its own quota when `share` is given.
async function startCluster(count, n, hash, { share = null, standby = false } = {}) {
  const first = tempDir();
  const init = await startServer({ dir: first });
  await sleep(500);
  await init.stop();
  provision(init.db, n, hash);
  // Every node with the first's MFA key and SMS webhook secret, as a deployment's nodes share them.
  const nodes = [];
  for (let i = 0; i < count; i++) {
    const dir = i === 0 ? first : tempDir();
    const args = i === 0 ? serverArgs : [...serverArgs, '--mfa-key-file', join(first, 'mfa.key'),
      '--sms-webhook-secret-file', join(first, 'sms-webhook.secret')];
    nodes.push(await startServer({ dir, db: init.db, args }));
  }
  const groups = [];
  if (share) nodes.forEach((node, i) => { const g = cpuCgroup(`sb-bench-node${i}`, share); g.add(node.proc.pid); groups.push(g); });
  const lbDir = tempDir();
  const port = (node) => `127.0.0.1:${new URL(node.url).port}`;
  const lbArgs = nodes.flatMap((node, i) => [standby && i === count - 1 ? '--backup' : '--node', port(node)]);
  const front = execFileSync(balancer, ['start', '--dir', lbDir, '--port', '0', ...lbArgs], { encoding: 'utf8' }).trim();
  useSmsSecret(front, nodes[0].smsSecret);
  return {
    db: init.db, nodes, groups, front, ws: `${front.replace(/^http/, 'ws')}/desk`,
    async stop() {
      try { execFileSync(balancer, ['stop', '--dir', lbDir]); } catch { /* already gone */ }
      await Promise.all(nodes.map((node) => (node.proc.exitCode === null && node.proc.signalCode === null ? node.stop() : null)));
      for (const g of groups) g.remove();
    },
  };
}

// Bots for agents 0..n-1 through `url`, until every one is signed in (or the login time is over).
async function logIn(url, n, reportS = 1) {
  const bots = [];
  const per = Math.ceil(n / botProcs);
  for (let first = 0; first < n; first += per) bots.push(startBot(url, first, Math.min(per, n - first), 250, { reportS }));
  const start = Date.now();
  while (Date.now() - start < 30000 + n * 20) {
    await sleep(250);
    if (bots.some((b) => b.proc.exitCode !== null)) throw new Error(`a bot exited: ${bots.map((b) => b.err).join('\n')}`);
    if (sum(bots, 'ready') === n) break;
  }
  return { bots, login_s: +((Date.now() - start) / 1000).toFixed(1), ready: sum(bots, 'ready') };
}

// ---- 1. scaling ------------------------------------------------------------------------------------
async function throughput(count, hash) {
  const cluster = await startCluster(count, agents, hash, { share: cpuShare });
  let bots = [];
  try {
    const signedIn = await logIn(cluster.ws, agents);
    bots = signedIn.bots;
    if (signedIn.ready < agents) throw new Error(`${count} node(s): ${signedIn.ready} of ${agents} agents signed in`);
    log(`${count} node(s): ${agents} agents in ${signedIn.login_s} s`);
    const steps = [];
    for (let rate = 5; rate < 2000; rate = Math.max(rate + 1, Math.round(rate * 1.15))) {
      const customers = startCustomers(cluster.front, rate);
      await sleep(3000);
      for (const b of bots) b.latencies = [];
      const throttled0 = cluster.groups.reduce((s, g) => s + g.throttled(), 0);
      const start = { offers: sum(bots, 'offers'), handled: sum(bots, 'handled'), t: Date.now(), db: databaseTicks() };
      await sleep(windowS * 1000);
      const end = { offers: sum(bots, 'offers'), t: Date.now(), db: databaseTicks() };
      const latencies = bots.flatMap((b) => b.latencies).sort((a, b) => a - b);
      const arrived = customers.arrivedIn(start.t, end.t);
      await customers.stop();
      await sleep(2000);
      const seconds = (end.t - start.t) / 1000;
      const offered = end.offers - start.offers;
      const finished = sum(bots, 'handled') - start.handled;
      const s = {
        rate, arrived_per_s: +(arrived / seconds).toFixed(1), offers_per_s: +(offered / seconds).toFixed(1),
        finished, p50_ms: quantile(latencies, 0.5), p99_ms: quantile(latencies, 0.99), customer_errors: customers.errors,
        throttled_periods: cluster.groups.reduce((sum_, g) => sum_ + g.throttled(), 0) - throttled0,
        db_cpu_ms_per_offer: offered ? +(((end.db - start.db) * 10) / offered).toFixed(2) : null,
      };
      const why = [];
      if (offered < 0.9 * arrived) why.push(`${offered} offers for ${arrived} arrivals`);
      if (finished < 0.9 * offered) why.push(`${finished} of ${offered} finished`);
      if (s.p99_ms === null || s.p99_ms > p99TargetMs) why.push(`p99 ${s.p99_ms} ms`);
      if (customers.errors) why.push(`${customers.errors} customers failed (${customers.samples[0] ?? ''})`);
      s.kept_up = why.length === 0;
      if (why.length) s.why_not = why.join('; ');
      log(`${count} node(s) at ${rate}/s: ${JSON.stringify(s)}`);
      steps.push(s);
      if (!s.kept_up) break;
      await sleep(1000);
    }
    const best = steps.filter((s) => s.kept_up).at(-1) ?? null;
    return { nodes: count, login_s: signedIn.login_s, steps, offers_per_s: best?.offers_per_s ?? 0, at_rate: best?.rate ?? null,
      p99_ms: best?.p99_ms ?? null, db_cpu_ms_per_offer: best?.db_cpu_ms_per_offer ?? null };
  } finally {
    for (const b of bots) await stopBot(b);
    await cluster.stop();
  }
}

// CPU ticks (1/100 s) PostgreSQL has used so far: its postmaster and every process it started
// (the nodes' connections, the feed's, background workers).
function databaseTicks() {
  const postmaster = Number(readFileSync(join(process.env.SWITCHBOARD_TEST_PG, 'data/postmaster.pid'), 'utf8').split('\n')[0]);
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat;
    try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
    const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    if (Number(pid) === postmaster || Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks;
}

// ---- 2. failover -----------------------------------------------------------------------------------
async function failover(hash) {
  const cluster = await startCluster(2, failoverAgents, hash, { standby: true });
  let bots = [];
  let customers = null;
  try {
    const signedIn = await logIn(cluster.ws, failoverAgents, 0.2);
    bots = signedIn.bots;
    if (signedIn.ready < failoverAgents) throw new Error(`${signedIn.ready} of ${failoverAgents} agents signed in`);
    const [primary, standby] = cluster.nodes;
    const onPrimary = Number(JSON.parse(sql(cluster.db,
      `SELECT COUNT(DISTINCT agent) AS n FROM agent_links WHERE node IN (SELECT node FROM nodes) AND agent LIKE 'bench%'`))[0].n);
    log(`failover: ${failoverAgents} agents in ${signedIn.login_s} s (${onPrimary} linked)`);
    customers = startCustomers(cluster.front, 20);
    await sleep(5000);
    const disconnects0 = sum(bots, 'disconnects');
    const killedAt = Date.now();
    process.kill(primary.proc.pid, 'SIGKILL');
    await primary.exited;
    let firstBack = null;
    let resumedMs = null;
    while (Date.now() - killedAt < 60000) {
      await sleep(100);
      const ready = sum(bots, 'ready');
      if (firstBack === null && sum(bots, 'disconnects') > disconnects0 && ready > 0 && ready < failoverAgents) firstBack = Date.now() - killedAt;
      if (sum(bots, 'disconnects') > disconnects0 && ready === failoverAgents) { resumedMs = Date.now() - killedAt; break; }
    }
    log(`failover: all ${failoverAgents} back after ${resumedMs} ms`);
    await sleep(5000);
    await customers.stop();
    const acknowledged = customers.arrivedIn(0, Date.now()) - customers.errors;
    // Settled: nothing waiting or ringing (an offer made to a dead node's agent reaches them on
    // resume; one nobody takes rings out after the offer timeout and goes to the next agent).
    const waiting = () => Number(JSON.parse(sql(cluster.db, "SELECT COUNT(*) AS n FROM contacts WHERE state IN ('queued', 'offered')"))[0].n);
    const settleStart = Date.now();
    while (waiting() > 0 && Date.now() - settleStart < (offerTimeoutS + 10) * 1000) await sleep(500);
    const rows = Number(JSON.parse(sql(cluster.db, 'SELECT COUNT(*) AS n FROM contacts'))[0].n);
    const stuck = waiting();
    const twice = Number(JSON.parse(sql(cluster.db,
      "SELECT COUNT(*) AS n FROM (SELECT e.data::json->>'id' AS contact FROM events e WHERE e.event = 'contact.offered' " +
      "GROUP BY 1 HAVING COUNT(DISTINCT e.agent) > 1) t"))[0].n);
    return {
      agents: failoverAgents,
      on_killed_node: onPrimary,
      login_s: signedIn.login_s,
      resumed_ms: resumedMs,
      first_back_ms: firstBack,
      still_connected: sum(bots, 'ready'),
      customers_acknowledged: acknowledged,
      customer_errors: customers.errors,
      ...(customers.samples.length ? { customer_error_samples: customers.samples } : {}),
      contacts: rows,
      lost: Math.max(0, acknowledged - rows) + stuck,
      offered_to_two_agents: twice,
      survivor: standby.proc.exitCode === null ? 'running' : 'exited',
    };
  } finally {
    if (customers) await customers.stop();
    for (const b of bots) await stopBot(b);
    await cluster.stop();
  }
}

const started = Date.now();
const hash = cheapHash('switchboard');
const one = await throughput(1, hash);
const two = await throughput(2, hash);
const fo = await failover(hash);
console.log(JSON.stringify({
  cpu_share: cpuShare,
  agents,
  window_s: windowS,
  one_node: one,
  two_nodes: two,
  ratio: one.offers_per_s ? +(two.offers_per_s / one.offers_per_s).toFixed(2) : null,
  failover: fo,
  seconds: +((Date.now() - started) / 1000).toFixed(0),
}));
