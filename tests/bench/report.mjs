// report.mjs: turns scripts/bench's raw results (build/bench/*.json) into docs/PERFORMANCE.md.
//   node tests/bench/report.mjs RESULTS_DIR OUTPUT.md
// A row whose measurement did not run or failed says so; a missed target says "missed".
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { execFileSync } from 'node:child_process';

const [dir, output] = process.argv.slice(2);
const load = (name) => {
  const file = join(dir, `${name}.json`);
  if (!existsSync(file)) return null;
  try { return JSON.parse(readFileSync(file, 'utf8')); } catch { return { error: `unreadable ${file}` }; }
};
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const num = (n) => Math.round(n).toLocaleString('en-US');
const verdict = (ok) => (ok ? 'met' : '**missed**');
const notYet = 'not measured yet';

const rows = [];
const row = (what, how, target, measured, status) => rows.push({ what, how, target, measured, status });

// A measurement with a report module of its own (tests/bench/report_<name>.mjs) exports
// row(result, helpers) -> {what, how, target, measured, status} for its result
// (build/bench/<name>.json). Without a result the row says so, with the fallback's wording.
async function extra(name, [what, how, target]) {
  const result = load(name);
  if (!result || result.error) {
    row(what, how, target, result ? `failed: ${result.error}` : notYet, '—');
    return;
  }
  const mod = await import(new URL(`./report_${name}.mjs`, import.meta.url));
  const r = mod.row(result, { median, kb, num, verdict });
  row(r.what, r.how, r.target, r.measured, r.status);
}

// ---- browser: payload, startup, idle --------------------------------------------------------
const browser = load('browser');
const browserError = !browser ? notYet : browser.error ? `failed: ${browser.error}` : null;
if (browserError) {
  row('web payload', 'bytes of every response headless Chromium downloads to show the desk', '<= 600 KB gzip', browserError, '—');
  row('startup', 'navigation → first frame of the login screen; login → first frame of the desk; median of 10', '<= 1 s each', browserError, '—');
  row('idle cost', 'logged-in desk, no activity, 60 s: renderer CPU', '<= 1% of a core', browserError, '—');
} else {
  const p = browser.payload;
  const files = p.files.map((f) => `${f.path.split('/').pop() || 'index.html'} ${kb(f.gzip)}`).join(', ');
  row('web payload', `every response body headless Chromium receives while loading the desk, and each gzip -9 compressed (${files})`,
    '<= 600 KB gzip', `${kb(p.raw)} raw, ${kb(p.gzip)} gzip`, verdict(p.gzip <= 600 * 1024));
  const s = browser.startup;
  row('startup', `headless Chromium, fresh context each time, median of ${s.runs}: navigation start → the first animation frame after the login screen's first frame; the login intent → the first frame drawn after the session is logged in`,
    '<= 1 s each', `${s.first_frame_ms.toFixed(0)} ms to the login screen, ${s.login_to_desk_ms.toFixed(0)} ms login to desk`,
    verdict(s.first_frame_ms <= 1000 && s.login_to_desk_ms <= 1000));
  const i = browser.idle;
  const firstMinute = i.first_minute
    ? `; over the ${i.seconds} s right after login, while the presence clock still shows seconds: ${i.first_minute.percent_of_core.toFixed(2)}% of a core, ${i.first_minute.frames} frames, ${i.first_minute.painted} painted`
    : '';
  row('idle cost', `logged-in desk, no activity: CPU time of the renderer process (Chromium SystemInfo.getProcessInfo) over ${i.seconds} s, from ${i.seconds} s after login (the steady idle desk; the presence clock then shows minutes); ${i.frames} frames drawn meanwhile${i.painted !== undefined ? `, ${i.painted} painted` : ''}${firstMinute}`,
    '<= 1% of a core', `${i.percent_of_core.toFixed(2)}% of a core`, verdict(i.percent_of_core <= 1));
}

await extra('frame', ['frame cost', 'native, heavy desk: 20 concurrent contacts, a 500-message transcript, a 10,000-row history; CPU per frame p50/p99', 'p99 <= 2 ms']);

// ---- SIP parsing ------------------------------------------------------------------------------
const rounds = (impl) => [1, 2, 3].map((r) => load(`sip-${impl}-${r}`)).filter((x) => x && !x.error);
const [native, wasm, jssip] = ['native', 'wasm', 'jssip'].map(rounds);
if (native.length && wasm.length && jssip.length) {
  // The ratio of each round (its three runs back to back), then the median ratio: a busy moment
  // of the machine slows one round's runs alike instead of skewing one implementation's median.
  const paired = [0, 1, 2].filter((i) => native[i] && wasm[i] && jssip[i]);
  const nr = median(paired.map((i) => native[i].messages_per_s / jssip[i].messages_per_s));
  const wr = median(paired.map((i) => wasm[i].messages_per_s / jssip[i].messages_per_s));
  const n = median(native.map((x) => x.messages_per_s)), w = median(wasm.map((x) => x.messages_per_s)), j = median(jssip.map((x) => x.messages_per_s));
  row('SIP parsing', `messages/s over ${native[0].messages} real call-flow messages (tests/bench/sip-corpus, captured from the voice lab), 2 s passes, 3 rounds of the three back to back; the ratio is the median of the rounds' ratios: the core's parse_message + Vias + CSeq natively and as wasm (node), and JsSIP ${jssipVersion()}'s Parser.parseMessage on the same files`,
    'native >= 50x JsSIP, wasm >= 10x',
    `native **${nr.toFixed(1)}x** JsSIP, wasm **${wr.toFixed(1)}x** (medians: native ${num(n)}/s, wasm ${num(w)}/s, JsSIP ${num(j)}/s)`,
    `native ${verdict(nr >= 50)}, wasm ${verdict(wr >= 10)}`);
} else {
  row('SIP parsing', 'messages/s on real call-flow messages: native, wasm (node), JsSIP', 'native >= 50x JsSIP, wasm >= 10x', notYet, '—');
}

// ---- core throughput ---------------------------------------------------------------------------
const core = load('core');
if (core && !core.error) {
  row('core throughput', `events/s through Desk::handle natively, replaying a recorded ${core.shift_hours}-hour busy chat shift (${num(core.events)} events: offers, messages, typing, intents, replies, timers) ${core.replays} times`,
    '>= 1,000,000/s', `${num(core.events_per_s)}/s`, verdict(core.events_per_s >= 1e6));
} else {
  row('core throughput', 'events/s through Desk replaying a busy shift natively', '>= 1,000,000/s', core ? `failed: ${core.error}` : notYet, '—');
}

await extra('capacity', ['server capacity', 'switchboard-bot agents handling chats and SMS on 2 cores: agents held, offers/s, offer latency p50/p99, memory per agent', '10,000 agents, p99 <= 100 ms, <= 32 KB/agent']);
await extra('capacity_pg', ['server capacity on PostgreSQL', 'the same, with switchboardd on PostgreSQL', '10,000 agents, p99 <= 100 ms, <= 32 KB/agent']);
await extra('cluster', ['several nodes', 'one node against two on one PostgreSQL, each held to the same CPU quota; failover of a node', 'two nodes >= 1.7x one; failover <= 5 s at 1,000 agents, 0 lost, 0 offered twice']);
await extra('call_setup', ['call setup', 'answer → two-way audio in the voice lab, median of 10', '<= 500 ms']);
await extra('durability', ['durability', 'single-row commits, synchronous=NORMAL against FULL (payments, audit), on the build disk', 'a durable commit <= 20 ms']);
await extra('hostile', ['hostile load', '60 s of 1,000 anonymous chats flooding, desks that never read and login bursts, while an agent works', 'agent p99 < 100 ms, memory bounded']);
await extra('shift', ['a shift', 'an 8-hour busy shift replayed at speed into the browser desk: wasm memory and JS heap at start and end', 'growth <= 5%']);

function jssipVersion() {
  try { return JSON.parse(readFileSync(new URL('../node_modules/jssip/package.json', import.meta.url), 'utf8')).version; } catch { return ''; }
}
const commit = (() => { try { return execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim(); } catch { return 'unknown'; } })();
const cell = (s) => String(s).replace(/\|/g, '\\|');

// A measurement this run did not make (BENCH named others) keeps its row from the last report,
// marked with the run it came from.
const previous = existsSync(output) ? readFileSync(output, 'utf8') : '';
const previousRun = (previous.match(/^Run: (.*? UTC), commit (\w+)/m) ?? []).slice(1);
for (const r of rows) {
  if (r.measured !== notYet || !previousRun.length) continue;
  const line = previous.split('\n').find((l) => l.startsWith(`| ${cell(r.what)} |`));
  if (!line) continue;
  const cells = line.slice(2, -2).split(/ (?<!\\)\| /).map((c) => c.replace(/\\\|/g, '|'));
  if (cells.length !== 5) continue;
  const kept = / _\(kept from the run of .*\)_$/.test(cells[3]) ? '' : ` _(kept from the run of ${previousRun[0]}, commit ${previousRun[1]})_`;
  Object.assign(r, { how: cells[1], target: cells[2], measured: cells[3] + kept, status: cells[4] });
}

const md = [
  '# Performance',
  '',
  'Generated by `./scripts/bench` (do not edit by hand). Every figure below comes from one run on',
  'one machine; where a peer is named, the ratio from the same run is the figure that counts,',
  'because shared machines are noisy. Rows that say "not measured yet" have no measurement in the',
  'bench yet; a target that is not reached says **missed**; a row this run did not measure again',
  'keeps its figure from an earlier run and says which.',
  '',
  `Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}.`,
  '',
  '| what | how it was measured | target | measured | target met |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${cell(r.what)} | ${cell(r.how)} | ${cell(r.target)} | ${cell(r.measured)} | ${cell(r.status)} |`),
  '',
  'Raw results: `build/bench/*.json` after a run. To measure one thing again:',
  '`BENCH="sip core" ./scripts/bench` (the others keep their last result).',
  '',
];
writeFileSync(output, md.join('\n'));
