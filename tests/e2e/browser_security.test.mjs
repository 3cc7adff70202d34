// End to end, the browser's side of security (docs/security.md, "Browser"): the desk and the chat
// page load and work under their Content-Security-Policy without one violation; a link naming a
// backend the server does not list is refused, said on the page, and the desk uses its own
// origin; a page of another origin cannot open the desk's or the chat's WebSocket; and the web
// root holds the app's files only, never the build's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdirSync } from 'node:fs';
import { startServer } from '../server/harness.mjs';
import { get } from '../server/contacts_harness.mjs';
import { launchBrowser, openDesk, waitForState, dispatch, shot, assertNotBlank, watchCsp, webRoot } from './browser.mjs';

let browser, server;
before(async () => {
  browser = await launchBrowser();
  server = await startServer({ args: ['--web-root', webRoot, '--offer-timeout', '60'] });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the web root is the app alone: no build file is in it or served', async () => {
  assert.deepEqual(readdirSync(webRoot).sort(),
    ['boot.js', 'desk.css', 'favicon.svg', 'index.html', 'sw.js', 'switchboard.data', 'switchboard.js', 'switchboard.wasm']);
  for (const path of ['/cmake_install.cmake', '/CMakeFiles/', '/CMakeFiles/Makefile.cmake', '/libsb_shell.a',
    '/libsb_imgui.a', '/build.ninja', '/CMakeCache.txt', '/../CMakeCache.txt', '/../shell/libsb_shell.a'])
    assert.ok([403, 404].includes((await get(server.url, path)).status), path);
  for (const path of ['/', '/boot.js', '/desk.css', '/favicon.svg', '/sw.js', '/switchboard.js', '/switchboard.wasm', '/switchboard.data'])
    assert.equal((await get(server.url, path)).status, 200, path);
});

test('the desk and the chat page load and work under their CSP, with no violation', async () => {
  const desk = await openDesk(browser, server);
  const policy = await desk.evaluate(() => fetch('/').then((r) => r.headers.get('content-security-policy')));
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval';/);
  assert.match(policy, /frame-ancestors 'self'/);
  assert.equal((await dispatch(desk, { type: 'login', username: 'alice', password: 'switchboard' })).ok, true);
  assert.equal((await dispatch(desk, { type: 'set_state', state: 'available' })).ok, true);

  // A customer on the real chat page (its own CSP) reaches the desk, and back.
  const context = await browser.newContext();
  const chat = await context.newPage();
  chat.errors = [];
  chat.on('pageerror', (e) => chat.errors.push(e.message));
  await watchCsp(chat);
  await chat.goto(`${server.url}/chat`);
  await chat.getByLabel(/name/i).fill('Casey Policy');
  await chat.locator('#start button[type=submit]').click();
  await chat.locator('#text').waitFor({ state: 'visible' });
  await chat.locator('#text').fill('Hello from a page with a CSP');
  await chat.keyboard.press('Enter');
  const offered = await waitForState(desk, (s) => s.contacts.some((c) => c.state === 'offered'), 'the offer', 20000);
  const contact = offered.contacts[0].id;
  assert.equal((await dispatch(desk, { type: 'accept', contact })).ok, true);
  await waitForState(desk, (s) => s.contacts[0]?.messages.some((m) => /with a CSP/.test(m.text)), 'the message');
  assert.equal((await dispatch(desk, { type: 'send_message', contact, text: 'Hi Casey, all good here.' })).ok, true);
  await chat.locator('#log', { hasText: 'all good here' }).waitFor();
  assertNotBlank(await shot(desk, 'csp-desk'), 'csp-desk');
  await chat.screenshot({ path: new URL('./artifacts/csp-chat.png', import.meta.url).pathname });

  assert.deepEqual(desk.cspViolations, [], 'the desk reports no CSP violation');
  assert.deepEqual(chat.cspViolations, [], 'the chat page reports no CSP violation');
  assert.deepEqual(desk.errors, []);
  assert.deepEqual(chat.errors, []);
  // The watch does see one: a script added inline (as an injection would) is refused and reported.
  await chat.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true;';
    document.body.appendChild(s);
  });
  for (let i = 0; i < 50 && chat.cspViolations.length === 0; i++) await chat.waitForTimeout(100);
  assert.equal(await chat.evaluate(() => window.__injected ?? false), false, 'the inline script did not run');
  assert.ok(chat.cspViolations.some((v) => /script-src/.test(v)), chat.cspViolations.join('\n'));
  assert.equal((await dispatch(desk, { type: 'end', contact })).ok, true);
  await context.close();
  await desk.context().close();
});

test('a link naming another backend is refused: the desk uses its own origin and says why', async () => {
  const evil = 'ws://evil.example:9/desk';
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await watchCsp(page);
  const sockets = [], warnings = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await page.goto(`${server.url}/?backend=${encodeURIComponent(evil)}`);
  await page.evaluate(() => window.switchboard.ready.then(() => true));
  await waitForState(page, (s) => s.connection.state === 'connected', 'connected to its own origin');
  const own = server.url.replace(/^http/, 'ws') + '/desk';
  assert.deepEqual(await page.evaluate(() => window.switchboard.backend), { url: own, refused: evil });
  assert.deepEqual(sockets, [own], 'nothing was opened to the other backend');
  // Said on the page, plainly, and logged.
  const notice = page.locator('#backend-notice');
  await notice.waitFor({ state: 'visible' });
  assert.match(await notice.innerText(), /evil\.example:9.*not one of this desk's servers.*its own server/s);
  assert.equal(await notice.getAttribute('role'), 'alert');
  assert.ok(warnings.some((w) => /evil\.example/.test(w)), warnings.join('\n'));
  assertNotBlank(await shot(page, 'backend-refused'), 'backend-refused');
  // The desk works against its own origin; the notice goes when dismissed.
  assert.equal((await dispatch(page, { type: 'login', username: 'bob', password: 'switchboard' })).ok, true);
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await notice.waitFor({ state: 'hidden' });
  assert.deepEqual(page.cspViolations, []);
  await context.close();
});

test('a page of another origin cannot open the desk or the chat WebSocket; the server logs why', async () => {
  // Another site: a page on another port that tries both WebSockets of the server.
  const other = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>another site</title>');
  });
  await new Promise((r) => other.listen(0, '127.0.0.1', r));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${other.address().port}/`);
    const base = server.url.replace(/^http/, 'ws');
    for (const path of ['/desk', '/chat/ws']) {
      const outcome = await page.evaluate((url) => new Promise((resolve) => {
        const ws = new WebSocket(url);
        ws.onopen = () => resolve('open');
        ws.onclose = (e) => resolve(`closed ${e.code}`);
      }), base + path);
      assert.equal(outcome, 'closed 1006', `${path} from another origin`);
    }
    const refused = server.stderr.split('\n').filter((l) => /websocket refused/.test(l));
    assert.ok(refused.some((l) => l.includes(`http://127.0.0.1:${other.address().port}`) && l.includes('/desk')));
    assert.ok(refused.some((l) => l.includes('/chat/ws')));
  } finally {
    await context.close();
    await new Promise((r) => other.close(r));
  }
});
