// browser.mjs: headless Chromium for the end-to-end tests (Debian's chromium through
// playwright-core), a server serving the web build, what the tests look at in screenshots, and
// the Content-Security-Policy violations a page reports (pages record them from the start).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { repoRoot, startServer } from '../server/harness.mjs';

// The web app's own folder (shell/CMakeLists.txt): only its files, never the build's.
export const webRoot = process.env.SWITCHBOARD_WEB ?? join(repoRoot, 'build/web/app');
export const artifacts = join(repoRoot, 'tests/e2e/artifacts');
mkdirSync(artifacts, { recursive: true });

// Flags from TOOLCHAIN.md: WebGL2 through SwiftShader, and no traffic to the outside.
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--enable-unsafe-swiftshader',
  // Calls: a fake microphone (a beep) without a permission prompt, and ICE on loopback.
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection'];

export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: chromiumArgs });
}

export async function startStack() {
  const server = await startServer({ args: ['--web-root', webRoot] });
  const browser = await launchBrowser();
  return {
    server,
    browser,
    async stop() {
      await browser.close();
      await server.stop();
    },
  };
}

// Records on `page` (page.cspViolations) every Content-Security-Policy violation it reports:
// the securitypolicyviolation events of its documents, and the browser's console lines about
// them. Call before the page loads anything.
export async function watchCsp(page) {
  page.cspViolations = [];
  await page.exposeBinding('__sbCspViolation', (source, v) => page.cspViolations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__sbCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) page.cspViolations.push(m.text()); });
}

// A new page on the desk, ready and connected. Page errors fail the test.
export async function openDesk(browser, server, { viewport = { width: 1280, height: 800 }, query = '', deviceScaleFactor = 1 } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  await watchCsp(page);
  await page.goto(`${server.url}/${query}`);
  await page.evaluate(() => window.switchboard.ready.then(() => true));
  if (!query) await waitForState(page, (s) => s.connection.state === 'connected', 'connected');
  return page;
}

export async function waitForState(page, predicate, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  let s;
  while (Date.now() < deadline) {
    s = await page.evaluate(() => window.switchboard.state());
    if (predicate(s)) return s;
    await page.waitForTimeout(50);
  }
  assert.fail(`timed out waiting for ${what}; state: ${JSON.stringify(s)}`);
}

// The login form takes its keyboard focus on its second frame (ImGui applies a focus request one
// frame late); keys typed before that go nowhere, so a test types only after a few frames.
export async function waitForFrames(page, count = 4, timeoutMs = 10000) {
  await page.waitForFunction((n) => window.switchboard.framesDrawn >= n, count, { timeout: timeoutMs });
}

export async function dispatch(page, intent) {
  return page.evaluate((i) => window.switchboard.dispatch(i), intent);
}

// Waits for the UI to have drawn the latest state (frames are drawn on demand, a few after
// each change), then takes and saves a screenshot.
export async function shot(page, name) {
  await page.waitForTimeout(400);
  const buffer = await page.screenshot();
  writeFileSync(join(artifacts, `${name}.png`), buffer);
  return PNG.sync.read(buffer);
}

// What a person would call "not blank": many colours (anti-aliased text), and a good share of
// pixels that differ from the most common (background) colour.
export function assertNotBlank(png, name) {
  const counts = new Map();
  for (let i = 0; i < png.data.length; i += 4) {
    const key = (png.data[i] << 16) | (png.data[i + 1] << 8) | png.data[i + 2];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = png.width * png.height;
  const background = Math.max(...counts.values());
  const distinct = counts.size;
  const foreground = 1 - background / total;
  assert.ok(distinct > 50, `${name}: only ${distinct} colours: blank or not rendered`);
  assert.ok(foreground > 0.03, `${name}: ${(foreground * 100).toFixed(1)}% of pixels differ from the background`);
  return { distinct, foreground };
}

// The centre of the widest band of the accent colour: the primary button of a screen.
export function findPrimaryButton(png, rgb = [0x4f, 0x46, 0xe5], minWidth = 120) {
  const rows = [];
  for (let y = 0; y < png.height; y++) {
    let n = 0, minX = Infinity, maxX = -1;
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      if (Math.abs(png.data[i] - rgb[0]) < 10 && Math.abs(png.data[i + 1] - rgb[1]) < 10 &&
          Math.abs(png.data[i + 2] - rgb[2]) < 10) {
        n++; minX = Math.min(minX, x); maxX = Math.max(maxX, x);
      }
    }
    if (n >= minWidth) rows.push({ y, minX, maxX });
  }
  assert.ok(rows.length > 0, 'no primary (accent-coloured) button on screen');
  const mid = rows[Math.floor(rows.length / 2)];
  return { x: Math.round((mid.minX + mid.maxX) / 2), y: mid.y };
}
