// report_durability.mjs: the "durability" row of docs/PERFORMANCE.md from build/bench/durability.json
// (tests/bench/durability_bench.cpp): what a commit that survives a power loss costs.
export function row(r, { num, verdict }) {
  const how = `a database in build/bench (the disk the build is on), WAL: ${num(r.commits)} single-row commits each ` +
    'with synchronous=NORMAL (every other write of switchboardd: survives a crash of the process) and with FULL ' +
    '(Durability::Durable, payments and the audit log: the WAL is synced before COMMIT returns, so they survive a ' +
    'power loss), interleaved over three rounds, median per commit; and AuditLog::record itself';
  const measured = `normal ${r.normal_us} µs, **durable ${r.durable_us} µs** (×${r.ratio}; ` +
    `${num(r.durable_per_s)} durable commits/s), an audit entry ${r.audit_record_us} µs`;
  // One sync per durable commit: on a disk a few ms. The target keeps a payment's or audit
  // entry's commit well below what an agent notices.
  return { what: 'durability', how, target: 'a durable commit ≤ 20 ms (median)', measured,
    status: verdict(r.durable_us <= 20000) };
}
