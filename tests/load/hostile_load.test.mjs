// hostile_load.test.mjs: 60 s of what strangers can send at once (tests/bench/hostile_load.mjs:
// 1,000 anonymous chats flooding messages, desks that never read, bursts of logins for one
// username) while a logged-in agent works: every one of its requests is answered, the server's
// memory stays bounded and the floods are held to their limits. The round trips' p99 (target < 100 ms) is a
// timing on a shared machine: ./scripts/bench measures it (docs/PERFORMANCE.md, "hostile load"),
// as the project measures every timing, instead of a timed assertion here.
//
// It runs the native switchboardd, not the suite's ASan build: AddressSanitizer keeps freed memory
// in quarantine (256 MB) and costs the server several times its CPU, so under it the memory and
// the agent's answers would measure the sanitizer. Every request path here is also in the other
// server tests (hostile.test.mjs), which run under ASan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { hostileLoad } from '../bench/hostile_load.mjs';

const native = fileURLToPath(new URL('../../build/native/server/switchboardd', import.meta.url));

test('60 s of hostile load: the agent stays fast, memory stays bounded, the floods are refused', { timeout: 180_000 }, async () => {
  const r = await hostileLoad({ seconds: Number(process.env.HOSTILE_SECONDS ?? 60), binary: native });
  console.log(JSON.stringify(r));
  assert.ok(r.agent_rtt_ms.samples >= r.seconds * 5, `the agent got ${r.agent_rtt_ms.samples} answers`);
  assert.ok(r.rss_kb.growth < 256 * 1024, `switchboardd grew by ${r.rss_kb.growth} kB`);
  assert.ok(r.started >= r.chats * 0.95, `${r.started} of ${r.chats} chats started`);
  // Each chat sent five times what it may: no more than its own limit was taken (10 at once,
  // then one a second), and all anonymous frames together stayed within the server's budget
  // (--anonymous-frame-rate, 2000 a second, a tenth of that at once): the rest waited unread.
  assert.ok(r.acked <= r.chats * (10 + r.elapsed_s), `messages: ${r.acked} taken by ${r.chats} chats in ${r.elapsed_s} s`);
  assert.ok(r.started + r.acked + r.refused <= 2000 * r.elapsed_s + 200,
    `${r.started + r.acked + r.refused} anonymous frames answered in ${r.elapsed_s} s`);
  // No more than the lock allows (5) were checked and found wrong; then the account was locked
  // and the right password, sent last in every burst, never got in.
  assert.equal(r.login_in, 0);
  assert.ok(r.login_wrong <= 5, `${r.login_wrong} wrong passwords checked`);
  assert.ok(r.login_locked > 0);
});
