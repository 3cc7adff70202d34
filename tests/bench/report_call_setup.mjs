// report_call_setup.mjs: the "call setup" row of docs/PERFORMANCE.md from
// build/bench/call_setup.json (tests/bench/call_setup_bench.mjs).
export function row(r, { verdict }) {
  const f = (x) => (x === null || x === undefined ? '?' : `${Math.round(x)}`);
  const each = r.all_ms.map((x) => f(x)).join(', ');
  return {
    what: 'call setup',
    how: `voice lab in its own network namespace (switchboardd, Kamailio, rtpengine; SIPp caller with real G.711 RTP → queue 7001 → the web desk in headless Chromium, real WebRTC); ${r.runs} calls: from the answer intent issued in the page (Date.now()) to audio both ways, i.e. the later of the first RTP packet rtpengine delivers to the caller's media port and to the desk's WebRTC port (tcpdump -tt on lo, RTP only), the desk's getStats also counting inbound packets; median of ${r.runs}`,
    target: '<= 500 ms',
    measured: `median **${f(r.median_ms)} ms** (each: ${each} ms); of which answer → microphone open (getUserMedia) ${f(r.microphone_open_median_ms)} ms, answer → 200 OK sent ${f(r.answer_resolved_median_ms)} ms; getStats in the page saw both directions at ${f(r.getstats_two_way_median_ms)} ms`,
    status: verdict(r.median_ms <= 500),
  };
}
