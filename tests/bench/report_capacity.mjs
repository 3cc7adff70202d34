// report_capacity.mjs: the "server capacity" row of docs/PERFORMANCE.md from
// build/bench/capacity.json (tests/bench/capacity_bench.mjs).
// `engine`: the store the server ran on (the capacity_pg run is the same bench on PostgreSQL).
export function row(result, { num, verdict }) {
  const steps = result.steps ?? [];
  const tried = steps.map((s) => num(s.agents)).join(', ');
  const at = steps.find((s) => s.agents === result.at_agents) ?? steps[0];
  const last = result.largest_step;
  const pg = result.engine === 'postgresql';
  const how = `switchboardd on loopback, ${pg ? 'on PostgreSQL (a cluster of its own from scripts/postgres, on the same cores; ' +
    'memory and CPU are switchboardd\'s own, not the database server\'s)' : 'on SQLite'}, fresh database per step; ` +
    'agents added with SQL (argon2id hashes at libsodium\'s ' +
    'minimum cost, so that 10,000 password checks do not dominate), then logged in by switchboard-bot --agents ' +
    `(${result.bot_processes} processes, a whole desk core per agent, protocol version ${result.protocol ?? 3}: the session carries no ` +
    'agent roster; a login the server answers rate_limited, all coming from one address, ' +
    'is tried again after its retry_after_ms) in steps of ' + `${tried} agents, each going available ` +
    'and taking every chat and SMS offer (accept, one reply, end after ' + `${result.handle_s} s, wrap up); customers ` +
    `(${result.customers_per_s}/s, alternately web chat over /chat/ws and SMS to /sms/inbound) start once all are logged in; ` +
    `${result.window_s} s window after a 3 s warm-up. Latency: the server's offer time (offer_expires_at − --offer-timeout) ` +
    'to the offer reaching the bot\'s desk; memory: server VmRSS at the window\'s end minus before any login, per agent. ' +
    'Held: every agent logged in (within 30 s + 10 ms/agent) and stayed connected, >= 90% of offers finished, p99 <= 100 ms. ' +
    'Shared, noisy 2-core machine: bots, customers and server on the same cores';
  const target = '10,000 agents, p99 <= 100 ms, <= 32 KB/agent';
  const what = pg ? 'server capacity on PostgreSQL' : 'server capacity';
  if (!at) return { what, how, target, measured: 'no step ran', status: verdict(false) };
  const held = result.agents_held;
  let measured = `**${num(held)} agents held**`;
  if (last && !last.held) measured += ` (${num(last.agents)}: ${last.why_not_held})`;
  measured += `; at ${num(at.agents)} agents: ${at.offers_per_s} offers/s, offer latency p50 ${at.latency_ms.p50} ms / ` +
    `p99 ${at.latency_ms.p99} ms, ${at.kb_per_agent.toFixed(1)} KB/agent, logins took ${at.login_s} s, server CPU ` +
    `${at.server_cpu_percent}% of a core`;
  if (at.customer_errors) measured += `; **${num(at.customer_errors)} customers' chats or SMS failed** (not yet explained)`;
  const ok = {
    agents: held >= 10000,
    p99: at.latency_ms.p99 !== null && at.latency_ms.p99 <= 100,
    memory: at.kb_per_agent <= 32,
  };
  return {
    what,
    how,
    target,
    measured,
    status: `agents ${verdict(ok.agents)}, p99 ${verdict(ok.p99)}, memory ${verdict(ok.memory)}`,
  };
}
