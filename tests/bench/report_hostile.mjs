// report_hostile.mjs: the "hostile load" row of docs/PERFORMANCE.md from build/bench/hostile.json
// (tests/bench/hostile_load.mjs; tests/load/hostile_load.test.mjs asserts on the same scenario).
export function row(r, { num, verdict }) {
  const how = `switchboardd on loopback for ${r.seconds} s: ${num(r.chats)} anonymous chat connections, each from its own ` +
    'loopback address, start a chat and send messages 5x faster than allowed; ' +
    `${r.slow_readers} desks send 50 pings/s and never read; every 5 s a burst of 30 logins for one username (once locked, ` +
    'the right password after them); a logged-in agent asks for its reason codes every 100 ms; halfway, another agent signs in. Memory: VmRSS before the floods and at ' +
    'its peak. Shared, noisy 2-core machine: floods and server on the same cores';
  const measured = `agent round trip p50 ${r.agent_rtt_ms.p50} ms / **p99 ${r.agent_rtt_ms.p99} ms** / max ` +
    `${r.agent_rtt_ms.max} ms; VmRSS ${num(Math.round(r.rss_kb.start / 1024))} → **${num(Math.round(r.rss_kb.peak / 1024))} MB**; ` +
    `${num(r.started)} chats started, ${num(r.acked)} messages taken, ${num(r.refused)} refused, ` +
    `${num(r.chats_open)} still connected at the end; signing in mid-flood: ` +
    `${r.signin ? (r.signin.ok ? `${r.signin.ms} ms` : `failed (${r.signin.error})`) : 'not measured'}; logins: ` +
    `${r.login_wrong} wrong passwords checked, ${r.login_locked} answered locked, ${r.login_refused} refused unchecked, ` +
    `${r.login_in} in`;
  const ok = r.agent_rtt_ms.p99 < 100 && r.rss_kb.growth < 256 * 1024 && r.login_in === 0 && r.chats_open >= r.chats * 0.95 &&
    r.signin?.ok === true;
  return { what: 'hostile load', how, target: 'agent p99 < 100 ms, memory bounded (< 256 MB growth), no login through, an agent signs in mid-flood', measured,
    status: verdict(ok) };
}
