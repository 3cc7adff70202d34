// jssip_parse.mjs: JsSIP's parser (npm `jssip`, lib/Parser.js parseMessage, as a JsSIP UA
// calls it for every message from its WebSocket) over the same corpus and the same way as
// sip_parse_bench: warm up, then whole passes for SECONDS. Prints one JSON object.
//
//   node tests/bench/jssip_parse.mjs CORPUS_DIR [SECONDS]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const Parser = require('jssip/lib/Parser.js');

const [dir, secondsArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node jssip_parse.mjs CORPUS_DIR [SECONDS]');
  process.exit(2);
}
const seconds = Number(secondsArg || 2);
const ua = {};  // IncomingRequest only keeps a reference to its UA
const parseOne = (text) => {
  const m = Parser.parseMessage(text, ua);
  return Boolean(m && m.via && m.cseq);
};

const corpus = [];
let refused = 0, bytes = 0;
for (const name of readdirSync(dir).filter((n) => n.endsWith('.sip')).sort()) {
  const text = readFileSync(join(dir, name), 'latin1');  // as JsSIP gets it: a JS string
  if (!parseOne(text)) { refused++; continue; }
  bytes += text.length;
  corpus.push(text);
}
if (!corpus.length) { console.error(`jssip_parse: no message in ${dir} parses`); process.exit(1); }

for (let i = 0; i < 20; i++) for (const m of corpus) parseOne(m);
let parsed = 0, failures = 0;
const start = performance.now();
let elapsed = 0;
do {
  for (const m of corpus) if (!parseOne(m)) failures++;
  parsed += corpus.length;
  elapsed = (performance.now() - start) / 1000;
} while (elapsed < seconds);
console.log(JSON.stringify({ messages: corpus.length, refused, corpus_bytes: bytes, parsed,
  seconds: Number(elapsed.toFixed(3)), messages_per_s: Math.round(parsed / elapsed), failures }));
