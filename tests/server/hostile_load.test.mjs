// hostile_load.test.mjs: 60 s of what strangers can send at once (tests/bench/hostile_load.mjs:
// 1,000 anonymous chats flooding messages, desks that never read, bursts of logins for one
// username) while a logged-in agent works: its round trips stay under 100 ms at p99 and the
// server's memory stays bounded. The bench's "hostile load" row is the same scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostileLoad } from '../bench/hostile_load.mjs';

test('60 s of hostile load: the agent stays fast, memory stays bounded, the floods are refused', { timeout: 180_000 }, async () => {
  const r = await hostileLoad({ seconds: Number(process.env.HOSTILE_SECONDS ?? 60) });
  console.log(JSON.stringify(r));
  assert.ok(r.agent_rtt_ms.p99 < 100, `agent round trip p99 ${r.agent_rtt_ms.p99} ms`);
  assert.ok(r.rss_kb.growth < 256 * 1024, `switchboardd grew by ${r.rss_kb.growth} kB`);
  assert.ok(r.started >= r.chats * 0.95, `${r.started} of ${r.chats} chats started`);
  assert.ok(r.refused > r.acked, `messages: ${r.acked} taken, ${r.refused} refused`);
  // No more than the lock allows (5) were checked and found wrong; then the account was locked
  // and the right password, sent last in every burst, never got in.
  assert.equal(r.login_in, 0);
  assert.ok(r.login_wrong <= 5, `${r.login_wrong} wrong passwords checked`);
  assert.ok(r.login_locked > 0);
});
