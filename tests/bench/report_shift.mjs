// report_shift.mjs: the "a shift" row of docs/PERFORMANCE.md from build/bench/shift.json
// (tests/bench/shift_bench.mjs).
export function row(r, { kb, num, verdict }) {
  const mb = (n) => `${(n / 1048576).toFixed(1)} MB`;
  const pct = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
  const ok = r.wasm_growth_pct <= 5 && r.js_heap_growth_pct <= 5;
  return {
    what: 'a shift',
    how: `switchboardd + the web desk in headless Chromium; an 8-hour busy shift replayed at speed through the real server in ${Math.round(r.seconds)} s: ${num(r.contacts)} contacts (${num(r.chats)} chats on /chat/ws, ${num(r.sms)} SMS by webhook; up to 3 at once, every fifth customer returning), each offered, accepted, ${num(r.customer_messages)} customer and ${num(r.agent_messages)} agent messages in all (with typing, read marks, drafts), ended and wrapped up with a disposition, ${r.presence_changes} presence changes (an hourly break); the agent driven by an in-page script on the JS API. At the end of each simulated hour, desk empty, after a forced GC (CDP): wasm memory (WebAssembly.Memory byteLength) and JS heap used (CDP Runtime.getHeapUsage); start = after hour 1, end = after hour 8`,
    target: 'growth <= 5%',
    measured: `wasm ${mb(r.start.wasm_bytes)} → ${mb(r.end.wasm_bytes)} (**${pct(r.wasm_growth_pct)}**); JS heap ${kb(r.start.js_heap_used)} → ${kb(r.end.js_heap_used)} (**${pct(r.js_heap_growth_pct)}**); wasm heap top (where a fresh 64 KB malloc lands; noisy) ${mb(r.start.wasm_heap_top)} → ${mb(r.end.wasm_heap_top)}; desk state ${kb(r.start.state_json_bytes)} → ${kb(r.end.state_json_bytes)} JSON`,
    status: verdict(ok),
  };
}
