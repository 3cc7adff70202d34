// agent_probe.mjs: the logged-in agent of tests/bench/hostile_load.mjs, on a worker thread of its
// own. The floods keep the main thread's event loop busy (a thousand sockets written every
// 200 ms, their replies parsed); an agent measured on that loop would time node's queue as much
// as switchboardd's. Here the agent has an event loop to itself, as it has a browser of its own.
//
// workerData: { wsUrl, pid, seconds }. Posts { rtts (ms, in order), rssPeak (kB) }.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { DeskClient, sleep } from '../server/harness.mjs';

const rssKb = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);

const { wsUrl, pid, seconds } = workerData;
const agent = await DeskClient.connect(wsUrl);
await agent.login('alice');
await agent.ok('get_reason_codes');
parentPort.postMessage({ ready: true });
const rtts = [];
let rssPeak = rssKb(pid);
const end = Date.now() + seconds * 1000;
while (Date.now() < end) {
  const t = performance.now();
  await agent.ok('get_reason_codes');
  rtts.push(performance.now() - t);
  rssPeak = Math.max(rssPeak, rssKb(pid));
  await sleep(100);
}
await agent.close();
parentPort.postMessage({ rtts, rssPeak });
