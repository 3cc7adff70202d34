// End to end, the support log: an agent's real session in the browser (signed in through the
// login form, an SMS conversation answered through the composer) is exported from the account
// menu as a file, and the native build's switchboard-replay replays it through the same core,
// compiled by another compiler for another machine, to the state the browser's desk was in.
// Nothing the agent must not hand over is in the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, signSms, repoRoot } from '../server/harness.mjs';
import { launchBrowser, openDesk, waitForState, waitForFrames, dispatch, shot, webRoot, artifacts } from './browser.mjs';

const replayBinary = process.env.SWITCHBOARD_REPLAY ?? join(repoRoot, 'build/native/tools/switchboard-replay');
const run = promisify(execFile);

let browser, server, dir;
before(async () => {
  browser = await launchBrowser();
  server = await startServer({ args: ['--web-root', webRoot, '--fake-sms-provider', '--offer-timeout', '60'] });
  dir = mkdtempSync(join(tmpdir(), 'sb-support-log-'));
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The workspace at 1280x800: the composer's field; the agent's avatar in the top bar.
const composer = { x: 625, y: 680 };
const avatar = { x: 1100, y: 30 };

async function sms(from, body) {
  const form = new URLSearchParams({ From: from, To: '7001', Body: body }).toString();
  const res = await fetch(`${server.url}/sms/inbound`, { method: 'POST', body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSms(server.url, form) } });
  assert.ok(res.status < 300, `webhook answered ${res.status}`);
}

test('a session exported from the account menu replays natively to the state the browser showed', async () => {
  const page = await openDesk(browser, server);
  // Signed in through the form: the password goes through the desk as an intent.
  await waitForFrames(page);
  await page.keyboard.type('alice');
  await page.keyboard.press('Tab');
  await page.keyboard.type('switchboard');
  await page.keyboard.press('Enter');
  await waitForState(page, (s) => s.session.state === 'logged_in', 'signed in');
  assert.equal((await dispatch(page, { type: 'set_state', state: 'available' })).ok, true);
  await sms('+1 555 010 0301', 'Is my order on its way?');
  const offered = await waitForState(page, (s) => s.contacts.some((c) => c.state === 'offered'), 'an offer', 20000);
  assert.equal((await dispatch(page, { type: 'accept', contact: offered.contacts[0].id })).ok, true);
  await waitForState(page, (s) => s.contacts[0]?.state === 'active', 'accepted');
  await page.mouse.click(composer.x, composer.y);
  await page.keyboard.type('It left the warehouse this morning.');
  await page.keyboard.press('Enter');
  await waitForState(page, (s) => s.contacts[0].messages.some((m) => m.from === 'agent' && m.status === 'sent'),
    'the answer sent');
  await sms('+1 555 010 0301', 'Thank you!');
  await waitForState(page, (s) => s.contacts[0].messages.length === 3, 'the thanks');

  // The account menu, then its one item.
  await page.mouse.click(avatar.x, avatar.y);
  await shot(page, 'account-menu');
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 10000 }),
    page.mouse.click(avatar.x - 80, avatar.y + 115),  // Export support log
  ]);
  assert.match(download.suggestedFilename(), /^switchboard-support-.*\.log$/);
  const file = join(dir, 'support.log');
  await download.saveAs(file);
  const shown = await page.evaluate(() => window.switchboard.state());
  const stored = await page.evaluate(() => window.sessionStorage.getItem('switchboard.session'));

  const log = readFileSync(file, 'utf8');
  writeFileSync(join(artifacts, 'support.log'), log);  // for a person to read when this fails
  const lines = log.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines[0].switchboard_log, 1);
  const events = lines.slice(1, -1);
  assert.ok(events.length > 10, `only ${events.length} events recorded`);
  assert.ok(events.some((l) => l.event.type === 'intent' && l.event.intent.type === 'login' &&
    l.event.intent.password === '[redacted]'), 'the login intent, its password taken out');
  assert.ok(!/"password":"switchboard"/.test(log), 'no password in the log');
  const token = JSON.parse(stored ?? 'null')?.token;
  assert.ok(token, 'the desk keeps a session token');
  assert.ok(!log.includes(token), 'no session token in the log');
  assert.equal(lines.at(-1).end, true);

  // The native replay reaches the recorded end state...
  const checked = await run(replayBinary, ['--check', file]);
  assert.match(checked.stdout, new RegExp(`^replayed ${events.length} events to the recorded state`));
  // ...which is what the browser's desk showed: the conversation, word for word.
  const replayed = JSON.parse((await run(replayBinary, [file], { maxBuffer: 64 << 20 })).stdout).state;
  assert.equal(replayed.session.state, 'logged_in');
  assert.equal(replayed.agent.username, 'alice');
  assert.equal(replayed.agent.state, shown.agent.state);
  assert.deepEqual(replayed.contacts.map((c) => [c.id, c.state, c.channel]),
    shown.contacts.map((c) => [c.id, c.state, c.channel]));
  assert.deepEqual(replayed.contacts[0].messages.map((m) => [m.from, m.text, m.status]),
    shown.contacts[0].messages.map((m) => [m.from, m.text, m.status]));

  // And a log tampered with does not pass for the real one.
  const tampered = join(dir, 'tampered.log');
  writeFileSync(tampered, log.replace('Thank you!', 'No thanks!'));
  await assert.rejects(run(replayBinary, ['--check', tampered]), (e) => e.code === 1 && /different after/.test(e.stdout));
});

test('an agent who cannot sign in exports the log from the sign-in screen, and it replays to the refusal', async () => {
  const page = await openDesk(browser, server);
  await waitForFrames(page);
  await page.keyboard.type('alice');
  await page.keyboard.press('Tab');
  await page.keyboard.type('not-my-password');
  await page.keyboard.press('Enter');
  await waitForState(page, (s) => s.session.error?.code === 'invalid_credentials', 'the refusal');
  await shot(page, 'login-trouble');
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 10000 }),
    page.mouse.click(689, 626),  // "Trouble signing in? Export support log", under the connection line
  ]);
  const file = join(dir, 'sign-in.log');
  await download.saveAs(file);
  const log = readFileSync(file, 'utf8');
  assert.ok(!log.includes('not-my-password'), 'the password typed is left out');
  assert.match((await run(replayBinary, ['--check', file])).stdout, /^replayed \d+ events to the recorded state/);
  const replayed = JSON.parse((await run(replayBinary, [file])).stdout).state;
  assert.equal(replayed.session.state, 'logged_out');
  assert.equal(replayed.session.error.code, 'invalid_credentials');
  await page.context().close();
});
