// call_setup_bench.mjs: answer → two-way audio in the voice lab (docs/PERFORMANCE.md, "call
// setup"). The interop stack (tests/interop/harness.mjs: switchboardd, Kamailio, rtpengine on
// loopback) and the web desk in headless Chromium with real WebRTC, as the interop tests use
// them. RUNS times (10): a SIPp caller (scenarios/queue_caller.xml: real RTP, a G.711 recording
// played once answered, BYE 2 s later) phones the support queue 7001; the call rings on alice's
// browser desk; the page issues the answer intent, and from that moment we wait for audio both
// ways, seen on the wire (tcpdump -tt on lo, only RTP packets: version 2, not RTCP/STUN/DTLS):
//   - desk → caller: the first RTP packet rtpengine delivers to the caller's media port (the
//     desk's microphone, relayed);
//   - caller → desk: the first RTP packet rtpengine delivers to the desk's WebRTC port (the
//     caller's recording, as SRTP: rtpengine can send it only once DTLS has keyed the leg);
//   - and the desk's RTCPeerConnection getStats (sampled in the page every 5 ms) must also
//     report inbound-rtp packetsReceived > 0, so the browser really took the audio in.
// Two-way audio is the later of the two packets; the figure is its time after the answer
// intent, both on the machine's wall clock (Date.now() in the page, tcpdump -tt). Kept per run
// too: when getStats first showed packets in and out (a later, coarser view: the page's main
// thread is busy drawing), and when the answer dispatch resolved (the 200 OK sent). Each call
// then ends (the caller hangs up 2 s after the answer) and the agent wraps up.
//
// Needs a network namespace of its own, like the interop suite: scripts/bench runs it under
// `unshare --net --pid ...`. Prints one JSON object last on stdout. Env: RUNS (10).
import { spawn } from 'node:child_process';
import { startStack, sipp, ports } from '../interop/harness.mjs';
import { launchBrowser, openDesk, dispatch, waitForState, webRoot } from '../e2e/browser.mjs';

const runs = Number(process.env.RUNS || 10);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const log = (...a) => console.error(...a);
const firstPort = 18400;          // the caller's media port of run i: firstPort + 4 * i
const sipPort = (i) => 5093 + i;  // the caller's SIP port of run i

// Every peer connection the page makes, so that the bench can read its getStats; and a
// timeline (Date.now()) of what answering does in the page: the microphone (getUserMedia), the
// peer connection, its local description, ICE gathering done.
const tapPeerConnections = () => {
  window.__pcs = [];
  window.__timeline = [];
  const mark = (what) => window.__timeline.push([what, Date.now()]);
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      mark('pc_created');
      window.__pcs.push(this);
      this.addEventListener('icegatheringstatechange', () => { if (this.iceGatheringState === 'complete') mark('ice_gathered'); });
    }
    setRemoteDescription(...a) { mark('remote_description'); return super.setRemoteDescription(...a); }
    setLocalDescription(...a) { mark('local_description'); return super.setLocalDescription(...a); }
  };
  const md = navigator.mediaDevices;
  const gum = md.getUserMedia.bind(md);
  md.getUserMedia = (c) => { mark('microphone_asked'); return gum(c).then((s) => { mark('microphone_open'); return s; }); };
};

// In the page: issue the answer intent and sample the call's peer connection until audio has
// been received and sent (or `limitMs` passed). Times are Date.now() (ms since the epoch).
const answerAndWatch = async ({ contact, limitMs }) => {
  window.__timeline = [];
  const t0 = Date.now();
  let answeredAt = null, answer = null;
  const pending = window.switchboard.dispatch({ type: 'answer', contact })
    .then((r) => { answeredAt = Date.now(); answer = r; });
  let firstIn = null, firstOut = null, samples = 0;
  while (Date.now() - t0 < limitMs && (firstIn === null || firstOut === null)) {
    const pc = window.__pcs.filter((p) => p.connectionState !== 'closed').pop();
    if (pc) {
      const report = await pc.getStats();
      samples++;
      const now = Date.now();
      let pin = 0, pout = 0;
      report.forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio') pin += r.packetsReceived || 0;
        if (r.type === 'outbound-rtp' && r.kind === 'audio') pout += r.packetsSent || 0;
      });
      if (pin > 0 && firstIn === null) firstIn = now;
      if (pout > 0 && firstOut === null) firstOut = now;
    }
    await new Promise((res) => setTimeout(res, 5));
  }
  await pending;
  const timeline = Object.fromEntries(window.__timeline.map(([what, at]) => [what, at - t0]));
  return { t0, answeredAt, answer, firstIn, firstOut, samples, timeline };
};

// tcpdump on lo: every RTP packet rtpengine sends (from its media ports; the first byte says
// RTP version 2, the second is not an RTCP packet type 200-204: not STUN, DTLS or RTCP), with
// its time (ms since the epoch) and destination port. To a caller's media port: the desk's audio
// reaching the caller; to any other port: the caller's audio reaching the desk (SRTP, sent only
// once DTLS has given rtpengine the keys).
async function watchRtp() {
  const filter = `udp and src portrange ${ports.rtp[0]}-${ports.rtp[1]} and (udp[8] & 0xc0) = 0x80 and (udp[9] < 200 or udp[9] > 204)`;
  const proc = spawn('tcpdump', ['-i', 'lo', '-n', '-l', '-tt', '-q', '-U', filter],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const packets = [];  // {at (ms), dstPort, srcPort}
  let buf = '', err = '';
  proc.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
      const m = line.match(/^(\d+\.\d+) IP \S+?\.(\d+) > \S+?\.(\d+): UDP/);
      if (m) packets.push({ at: Number(m[1]) * 1000, srcPort: Number(m[2]), dstPort: Number(m[3]) });
    }
  });
  const exited = new Promise((res) => proc.on('exit', res));
  await new Promise((resolve, reject) => {
    proc.stderr.on('data', (d) => { err += d; if (/listening on/.test(err)) resolve(); });
    exited.then(() => reject(new Error(`tcpdump exited: ${err}`)));
  });
  return { packets, async stop() { proc.kill('SIGINT'); await exited; } };
}

const stack = await startStack({ serverArgs: ['--web-root', webRoot], offerTimeout: 20 });
let browser, capture;
const results = [];
const out = { runs, method: '' };
try {
  browser = await launchBrowser();
  capture = await watchRtp();
  const page = await openDesk(browser, stack.server);
  await page.addInitScript(tapPeerConnections);
  await page.reload();
  await page.evaluate(() => window.switchboard.ready.then(() => true));
  await waitForState(page, (s) => s.connection.state === 'connected', 'connected');
  const login = await dispatch(page, { type: 'login', username: 'alice', password: 'switchboard' });
  if (!login.ok) throw new Error(`login: ${JSON.stringify(login)}`);
  await waitForState(page, (st) => st.voice.registration === 'registered', 'the phone registered', 15000);
  const avail = await dispatch(page, { type: 'set_state', state: 'available' });
  if (!avail.ok) throw new Error(`available: ${JSON.stringify(avail)}`);

  for (let i = 0; i < runs; i++) {
    const mediaPort = firstPort + 4 * i;
    const caller = sipp(stack, 'queue_caller.xml', {
      keys: { queue: '7001', caller: `+155502000${i}` }, port: sipPort(i), mediaPort, timeoutS: 60,
    });
    let done = null;
    caller.done.then((r) => { done = r; });
    try {
      const ringing = await waitForState(page, (st) => st.calls[0]?.phase === 'ringing' || done, 'the call to ring', 20000);
      if (done) throw new Error(`the caller stopped early:\n${done.errors}\n${done.output}`);
      const contact = ringing.calls[0].contact;
      const r = await page.evaluate(answerAndWatch, { contact, limitMs: 5000 });
      if (!r.answer?.ok) throw new Error(`answer: ${JSON.stringify(r.answer)}`);
      const ended = await caller.done;
      await new Promise((res) => setTimeout(res, 200));  // tcpdump's last lines
      const since = capture.packets.filter((p) => p.at >= r.t0);
      const toCaller = since.filter((p) => p.dstPort === mediaPort);
      const toDesk = since.filter((p) => p.dstPort < firstPort || p.dstPort >= firstPort + 4 * runs);
      const callerFirst = toCaller.length ? toCaller[0].at : null;
      const deskFirst = toDesk.length ? toDesk[0].at : null;
      const ms = (t) => (t === null ? null : +(t - r.t0).toFixed(1));
      const run = {
        // Both endpoints' media sockets have received RTP, and the desk's WebRTC stack has
        // counted inbound packets (getStats) within the window.
        two_way_ms: callerFirst !== null && deskFirst !== null && r.firstIn !== null ? ms(Math.max(callerFirst, deskFirst)) : null,
        caller_received_ms: ms(callerFirst),
        desk_received_ms: ms(deskFirst),
        getstats_two_way_ms: r.firstIn !== null && r.firstOut !== null ? Math.max(r.firstIn, r.firstOut) - r.t0 : null,
        getstats_in_ms: ms(r.firstIn),
        getstats_out_ms: ms(r.firstOut),
        answer_resolved_ms: r.answeredAt - r.t0,
        packets_to_caller: toCaller.length,
        packets_to_desk: toDesk.length,
        samples: r.samples,
        caller_exit: ended.code,
        page: r.timeline,
      };
      log(`run ${i + 1}: ${JSON.stringify(run)}`);
      if (ended.code !== 0) log(`caller ${i + 1} exit ${ended.code}:\n${ended.errors}\n${ended.output.slice(-2000)}`);
      results.push(run);
      const wrap = await waitForState(page, (st) => st.calls.length === 0 &&
        st.contacts.find((c) => c.id === contact)?.state === 'wrap_up', 'the contact in wrap-up', 15000);
      const queue = wrap.queues.find((q) => q.code === 'support');
      const closed = await dispatch(page, { type: 'wrap_up', contact, disposition: queue.dispositions[0].code, notes: 'bench' });
      if (!closed.ok) throw new Error(`wrap_up: ${JSON.stringify(closed)}`);
      await waitForState(page, (st) => !st.contacts.some((c) => c.id === contact) && st.agent.activity === 'idle',
        'the contact closed, the agent idle', 10000);
    } finally {
      if (!done) { caller.proc.kill('SIGKILL'); await caller.done.catch(() => {}); }
    }
  }
  if (page.errors.length) log(`page errors: ${page.errors.join('; ')}`);
} finally {
  await capture?.stop().catch(() => {});
  await browser?.close().catch(() => {});
  await stack.stop().catch((e) => log(`stack stop: ${e.message}`));
}

const complete = results.filter((r) => r.two_way_ms !== null);
if (complete.length < runs) {
  console.log(JSON.stringify({ error: `${runs - complete.length} of ${runs} calls never had audio both ways within 5 s (see build/bench/call_setup.log)`, all: results }));
  process.exit(1);
}
out.method = 'answer intent (Date.now() in the page) → the later of the first RTP packet from rtpengine to the caller\'s media port and to the desk\'s (tcpdump -tt on lo), the desk\'s getStats also counting inbound packets';
out.median_ms = median(complete.map((r) => r.two_way_ms));
out.min_ms = Math.min(...complete.map((r) => r.two_way_ms));
out.max_ms = Math.max(...complete.map((r) => r.two_way_ms));
out.caller_received_median_ms = median(complete.map((r) => r.caller_received_ms));
out.desk_received_median_ms = median(complete.map((r) => r.desk_received_ms));
out.getstats_two_way_median_ms = median(complete.map((r) => r.getstats_two_way_ms));
out.answer_resolved_median_ms = median(complete.map((r) => r.answer_resolved_ms));
// Where the time goes, in the page: the answer intent → the microphone open (getUserMedia).
const opened = complete.map((r) => r.page?.microphone_open).filter((x) => x !== undefined);
out.microphone_open_median_ms = opened.length ? median(opened) : null;
out.all_ms = complete.map((r) => r.two_way_ms);
out.runs_detail = results;
console.log(JSON.stringify(out));
