// browser_bench.mjs: what the desk costs a browser (docs/PERFORMANCE.md), measured in headless
// Chromium against a switchboardd serving the web build:
//   payload  the bytes of every response the browser downloads to show the desk (html, js, wasm,
//            fonts), raw and as gzip -9 would send them
//   startup  navigation to the first frame of the login screen, and the login intent to the first
//            frame of the desk, each the median of RUNS fresh page loads
//   idle     CPU time of the tab's renderer process over IDLE_SECONDS with a logged-in desk and
//            nothing happening, as a percentage of one core: over the first IDLE_SECONDS after
//            login (the presence clock shows seconds then), and over the next IDLE_SECONDS (it
//            shows minutes): the steady idle desk
// Prints one JSON object. Env: RUNS (10), IDLE_SECONDS (60).
import { gzipSync } from 'node:zlib';
import { startServer } from '../server/harness.mjs';
import { launchBrowser, webRoot } from '../e2e/browser.mjs';

const runs = Number(process.env.RUNS || 10);
const idleSeconds = Number(process.env.IDLE_SECONDS || 60);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

// Timestamps taken inside the page, on the animation frame that shows the change.
const probe = () => {
  window.__bench = {};
  const tick = () => {
    const sb = window.switchboard;
    if (sb && sb.framesDrawn >= 1 && window.__bench.firstFrame === undefined) window.__bench.firstFrame = performance.now();
    if (window.__bench.loginAt !== undefined && window.__bench.deskFrame === undefined && sb) {
      const s = sb.state();
      if (s.session && s.session.state === 'logged_in') {
        if (window.__bench.loggedInFrames === undefined) window.__bench.loggedInFrames = sb.framesDrawn;
        else if (sb.framesDrawn > window.__bench.loggedInFrames) window.__bench.deskFrame = performance.now();
      }
    }
    // Only until the desk's first frame: a page that asks for every animation frame is itself
    // a cost the idle measurement would count.
    if (window.__bench.deskFrame === undefined) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

async function loadOnce(browser, url, record) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const bodies = [], errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  if (record) page.on('response', async (r) => { try { bodies.push({ url: r.url(), body: await r.body() }); } catch { /* redirects */ } });
  await page.addInitScript(probe);
  await page.goto(url);
  await page.waitForFunction(() => window.__bench && window.__bench.firstFrame !== undefined, null, { timeout: 30000 })
    .catch(async (e) => { throw new Error(`no first frame: ${await page.evaluate(() => JSON.stringify({ bench: window.__bench, frames: window.switchboard && window.switchboard.framesDrawn }))} ${errors.join('; ')}`); });
  await page.evaluate(() => window.switchboard.ready);
  await page.waitForFunction(() => window.switchboard.state().connection.state === 'connected', null, { timeout: 30000 });
  const firstFrame = await page.evaluate(() => window.__bench.firstFrame);
  await page.evaluate(() => { window.__bench.loginAt = performance.now(); return window.switchboard.dispatch({ type: 'login', username: 'alice', password: 'switchboard' }); });
  await page.waitForFunction(() => window.__bench.deskFrame !== undefined, null, { timeout: 30000 });
  const login = await page.evaluate(() => window.__bench.deskFrame - window.__bench.loginAt);
  return { context, page, firstFrame, login, bodies };
}

const server = await startServer({ args: ['--web-root', webRoot] });
const browser = await launchBrowser();
const out = {};
try {
  const first = await loadOnce(browser, server.url + '/', true);
  const files = first.bodies.filter((b) => !b.url.includes('/ws'));
  out.payload = {
    files: files.map((f) => ({ path: new URL(f.url).pathname, raw: f.body.length, gzip: gzipSync(f.body, { level: 9 }).length })),
  };
  out.payload.raw = out.payload.files.reduce((n, f) => n + f.raw, 0);
  out.payload.gzip = out.payload.files.reduce((n, f) => n + f.gzip, 0);
  await first.page.evaluate(() => window.switchboard.dispatch({ type: 'logout' }));
  await first.context.close();

  const firstFrames = [], logins = [];
  for (let i = 0; i < runs; i++) {
    const r = await loadOnce(browser, server.url + '/', false);
    firstFrames.push(r.firstFrame);
    logins.push(r.login);
    await r.page.evaluate(() => window.switchboard.dispatch({ type: 'logout' }));
    await r.context.close();
  }
  out.startup = { runs, first_frame_ms: median(firstFrames), login_to_desk_ms: median(logins), first_frame_all: firstFrames, login_all: logins };

  // Idle: one logged-in desk, the only page; the renderer's CPU time from Chromium itself.
  const idle = await loadOnce(browser, server.url + '/', false);
  const cdp = await browser.newBrowserCDPSession();
  const renderers = async () => (await cdp.send('SystemInfo.getProcessInfo')).processInfo.filter((p) => p.type === 'renderer');
  // loadOnce returned at the desk's first frame, where the probe stopped: the desk is alone.
  await new Promise((r) => setTimeout(r, 3000));  // let the login's frames settle
  const sample = async () => ({
    procs: await renderers(),
    frames: await idle.page.evaluate(() => ({ drawn: window.switchboard.framesDrawn, painted: window.switchboard.framesPainted })),
  });
  const window_ = (a, b) => {
    const cpu = b.procs.reduce((n, p) => n + p.cpuTime, 0) - a.procs.reduce((n, p) => n + p.cpuTime, 0);
    return { renderer_cpu_s: cpu, percent_of_core: (100 * cpu) / idleSeconds, frames: b.frames.drawn - a.frames.drawn,
      painted: b.frames.painted - a.frames.painted };
  };
  const s0 = await sample();
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const s1 = await sample();
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const s2 = await sample();
  const firstMinute = window_(s0, s1), steady = window_(s1, s2);
  out.idle = { seconds: idleSeconds, ...steady, first_minute: firstMinute, renderers: s2.procs.length };
  await idle.context.close();
} finally {
  await browser.close();
  await server.stop();
}
console.log(JSON.stringify(out));
