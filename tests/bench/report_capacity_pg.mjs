// report_capacity_pg.mjs: the "server capacity on PostgreSQL" row of docs/PERFORMANCE.md from
// build/bench/capacity_pg.json: the capacity bench with switchboardd on PostgreSQL, reported as
// the SQLite one is (report_capacity.mjs reads the engine from the result).
export { row } from './report_capacity.mjs';
