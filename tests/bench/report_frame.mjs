// report_frame.mjs: docs/PERFORMANCE.md's "frame cost" row, from tests/bench/frame_bench's result
// (build/bench/frame.json). report.mjs imports it; see its extra().
const ms = (x) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

export function row(r, { num, verdict }) {
  const how = 'native (RelWithDebInfo), tests/bench/frame_bench: the real shell (sb_shell\'s App::frame, the panels the web app draws) ' +
    `at ${r.display} in a Dear ImGui context with no platform or renderer backend, over a real Desk fed by a scripted backend: ` +
    `${r.contacts} contacts on the desk (chats, SMS and calls; offered, active and in wrap-up), the selected chat with a ` +
    `${num(r.transcript)}-message transcript and its customer's ${num(r.history)}-row history; ${num(r.frames)} frames after ` +
    `200 of warm-up, the wheel scrolling the transcript and the history, ${r.switches} clicks in the contact list, to another contact and back ` +
    `(${num(r.heavy_frames)} of the frames on the heavy chat); per frame, thread CPU time (CLOCK_THREAD_CPUTIME_ID) from ` +
    'ImGui::NewFrame to ImGui::Render: every panel and the draw lists, not the GPU\'s work';
  const measured = `p50 ${ms(r.p50_ms)}, p99 **${ms(r.p99_ms)}**, max ${ms(r.max_ms)} ` +
    `(on the heavy chat alone: p50 ${ms(r.heavy_p50_ms)}, p99 ${ms(r.heavy_p99_ms)}); ` +
    `${num(r.vertices_per_frame)} vertices a frame`;
  return { what: 'frame cost', how, target: 'p99 <= 2 ms', measured, status: verdict(r.p99_ms <= 2) };
}
