// chat_page.test.mjs: the customer's chat page (web/chat/) in headless Chromium, on the page's own
// clock (Playwright's clock: timers run when the test moves time on). The server may close a
// WebSocket after 60 s of silence (docs/chat-protocol.md); a customer waiting in a queue says
// nothing for longer, so the page pings every 25 s and keeps the one connection, instead of losing
// it and resuming once a minute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, shot } from './browser.mjs';

// Until `predicate` holds for what was seen (checked every 20 ms of real time), or fails after 5 s.
async function until(predicate, what) {
  const end = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the chat page pings every 25 s while the customer waits, on one connection', { timeout: 60_000 }, async () => {
  const stack = await startStack();
  try {
    const context = await stack.browser.newContext({ viewport: { width: 480, height: 720 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const sockets = [];
    const sent = [];
    const received = [];
    page.on('websocket', (ws) => {
      sockets.push(ws);
      ws.on('framesent', (f) => sent.push(JSON.parse(f.payload)));
      ws.on('framereceived', (f) => received.push(JSON.parse(f.payload)));
    });
    await page.clock.install();
    await page.goto(`${stack.server.url}/chat`);
    await page.getByLabel('Your name').fill('Pat Waiting');
    await page.getByRole('button', { name: 'Start chat' }).click();
    // Nobody is available in this server: the customer waits, and is told where they stand.
    await until(() => received.some((f) => f.type === 'started'), 'the chat to start');
    await page.getByText(/in line/).waitFor();
    assert.equal(received.find((f) => f.type === 'started').state, 'waiting');
    await shot(page, 'chat-page-waiting');
    const pings = () => sent.filter((f) => f.type === 'ping').length;
    const pongs = () => received.filter((f) => f.type === 'pong').length;
    assert.equal(pings(), 0, 'no ping before 25 s of silence');

    await page.clock.runFor(25_000);
    await until(() => pongs() === 1, 'the first pong');
    assert.equal(pings(), 1);
    await page.clock.runFor(50_000);
    await until(() => pongs() === 3, 'two more pongs');
    assert.equal(pings(), 3);

    // All of it on the first connection: never lost, never resumed.
    assert.equal(sockets.length, 1);
    assert.equal(sockets[0].isClosed(), false);
    assert.equal(sent.filter((f) => f.type === 'resume').length, 0);
    assert.deepEqual(errors, []);

    // Ended by the customer: the pings stop with the connection.
    await page.getByRole('button', { name: 'End chat' }).click();
    await until(() => received.some((f) => f.type === 'ended'), 'the end of the chat');
    await until(() => sockets[0].isClosed(), 'the socket to close');
    const before = pings();
    await page.clock.runFor(60_000);
    assert.equal(pings(), before, 'no ping after the chat ended');
    await context.close();
  } finally {
    await stack.stop();
  }
});
