// report_cluster.mjs: the "several nodes" row of docs/PERFORMANCE.md from build/bench/cluster.json
// (tests/bench/cluster_bench.mjs): scaling from one node to two, a node's failover, and where ten
// nodes would stop scaling.
//
// The ten-node model. Each offer costs its own node `a` core-seconds (the contact's life: routing,
// the offer, the agent's requests) and every other node `h` (hearing each change through the
// feed, reading the row again, its ACD's memory): with N nodes of q cores each, a node spends
// T/N x a + T x (N-1)/N x h a second at T offers a second, so T(N) = N q / (a + (N-1) h), which
// flattens towards q / h. One node gives a = q / T(1), two give h = 2 q / T(2) - a. The database
// takes its share too: each offer costs PostgreSQL d of CPU (its processes' time over the
// two-node window), so one core of the database server serves 1 / d offers a second, and ten
// nodes at T(10) keep T(10) x d of its cores busy. Approximations from two points on a shared
// machine.
export function model(result) {
  const q = result.cpu_share, t1 = result.one_node.offers_per_s, t2 = result.two_nodes.offers_per_s;
  if (!t1 || !t2) return null;
  const a = q / t1;
  const h = Math.max(0, (2 * q) / t2 - a);
  const nodes = (n) => (n * q) / (a + (n - 1) * h);
  const d = result.two_nodes.db_cpu_ms_per_offer;
  const perDatabaseCore = d ? 1000 / d : null;
  const ten = nodes(10);
  return { a, h, ten_nodes: ten, flat: h > 0 ? q / h : Infinity, per_database_core: perDatabaseCore,
    database_cores_for_ten: perDatabaseCore ? ten / perDatabaseCore : null };
}

export function row(result, { num, verdict }) {
  const one = result.one_node, two = result.two_nodes, fo = result.failover;
  // (a step's reason without the customer's error it quotes: the raw result has it)
  const steps = (r) => r.steps.map((s) => `${s.rate}/s${s.kept_up ? '' : ` (not kept up: ${s.why_not.split(' (')[0]})`}`).join(', ');
  const how = `switchboardd nodes on one PostgreSQL (scripts/postgres) behind nginx (scripts/balancer), each node in a ` +
    `cgroup of its own held to ${result.cpu_share} of a core (so that the bots, PostgreSQL and nginx, outside the quota, ` +
    `do not hide the difference); ${num(result.agents)} agents (switchboard-bot, whole desk cores) through the balancer take ` +
    `every offer; customers (alternately chat and SMS) at rising rates, a ${result.window_s} s window each; kept up: offers >= 90% ` +
    `of arrivals, >= 90% finished, p99 <= 100 ms, no customer failed. One node: ${steps(one)}. Two nodes: ${steps(two)}. ` +
    `Failover: ${num(fo.agents)} agents all on one node (the other a standby: nginx backup), customers at 20/s, the node ` +
    'killed with SIGKILL; time until every desk is signed in again (bots report every 0.2 s); lost: customers the server ' +
    'acknowledged without a contact, or contacts still waiting once settled; offered to two agents: contact.offered in ' +
    'two agents\' event logs. Shared 2-core machine';
  const ratio = result.ratio;
  const m = model(result);
  const tenNodes = m ? `. Ten nodes (the model in report_cluster.mjs): a = ${(m.a * 1000).toFixed(1)} ms of a core ` +
    `per offer on its node, h = ${(m.h * 1000).toFixed(1)} ms on each other; **${m.ten_nodes.toFixed(0)} offers/s** from the nodes ` +
    `(${(m.ten_nodes / one.offers_per_s).toFixed(1)}x one node) ` +
    `(flattening towards ${Number.isFinite(m.flat) ? m.flat.toFixed(0) : 'no limit'}), ` +
    (m.per_database_core !== null ? `PostgreSQL ${two.db_cpu_ms_per_offer} ms of CPU an offer: ` +
      `${m.per_database_core.toFixed(0)} offers/s per core of the database server, ten nodes keeping ` +
      `${m.database_cores_for_ten.toFixed(1)} of its cores busy` : 'the database not measured') +
    '. What stops the nodes first is h, every node reading every change (NOTIFY fan-out)' : '';
  const measured = `one node ${one.offers_per_s} offers/s (p99 ${one.p99_ms} ms), two nodes ${two.offers_per_s} offers/s ` +
    `(p99 ${two.p99_ms} ms): **${ratio}x**; failover of ${num(fo.agents)} agents: **${fo.resumed_ms === null ? 'not all back in 60 s' : `${(fo.resumed_ms / 1000).toFixed(1)} s`}** ` +
    `to all signed in again (first back after ${fo.first_back_ms} ms), ${fo.lost} contacts lost, ${fo.offered_to_two_agents} offered to two agents ` +
    `(of ${num(fo.contacts)} contacts, ${fo.customer_errors} customer failures)${tenNodes}`;
  const ok = {
    scaling: ratio !== null && ratio >= 1.7,
    failover: fo.resumed_ms !== null && fo.resumed_ms <= 5000 && fo.lost === 0 && fo.offered_to_two_agents === 0,
  };
  return {
    what: 'several nodes',
    how,
    target: 'two nodes >= 1.7x one; failover <= 5 s at 1,000 agents, 0 lost, 0 offered twice',
    measured,
    status: `scaling ${verdict(ok.scaling)}, failover ${verdict(ok.failover)}`,
  };
}
