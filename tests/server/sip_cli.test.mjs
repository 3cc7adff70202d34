// switchboard-sip over the RFC 4475 torture messages (../shared/conformance/sip-rfc4475): valid
// and parseable messages exit 0 with what the parser read, invalid ones exit 1 with a reason,
// stdin works, and usage mistakes and unreadable files exit 2 with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = process.env.SWITCHBOARD_SIP ?? join(repoRoot, 'build/native/tools/switchboard-sip');
const corpus = join(repoRoot, '..', 'shared', 'conformance', 'sip-rfc4475');

// The one invalid message the parser accepts on purpose (RFC 4475 3.1.2.12 lets an element
// ignore a Date it does not use); see docs/sip.md.
const lenient = new Set(['baddate.dat']);

const manifest = readFileSync(join(corpus, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1)
  .map((line) => {
    const [file, section, title, cls] = line.split('\t');
    return { file, section, title, cls };
  });

function run(args, input) {
  const r = spawnSync(cli, args, { input, maxBuffer: 16 << 20 });
  const stdout = r.stdout.toString();
  let json = null;
  try { json = JSON.parse(stdout); } catch { /* checked by the callers */ }
  return { code: r.status, stdout, stderr: r.stderr.toString(), json };
}

// What a reader of the raw bytes expects: the start line and the header names in order
// (continuation lines folded away), up to the first empty line.
function expectedFromBytes(bytes) {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const lines = text.slice(0, end).split('\r\n');
  const start = lines[0];
  const names = lines.slice(1).filter((l) => !/^[ \t]/.test(l)).map((l) => l.slice(0, l.indexOf(':')).trim());
  return { start, names };
}

test('the manifest lists the 49 messages of RFC 4475', () => {
  assert.equal(manifest.length, 49);
});

for (const { file, section, title, cls } of manifest) {
  const accepted = cls !== 'invalid' || lenient.has(file);
  test(`${file} (${section} ${title}, ${cls}) ${accepted ? 'parses' : 'is rejected'}`, () => {
    const bytes = readFileSync(join(corpus, file));
    const r = run([join(corpus, file)]);
    assert.ok(r.json, `not JSON: ${r.stdout}`);
    if (!accepted) {
      assert.equal(r.code, 1, r.stdout);
      assert.equal(typeof r.json.error, 'string');
      assert.ok(r.json.error.length > 10, r.json.error);
      assert.match(r.json.code, /^sip_/);
      assert.ok(r.stderr.includes(r.json.error));
      return;
    }
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const { start, names } = expectedFromBytes(bytes);
    const [first, second] = start.split(' ');
    if (r.json.type === 'request') {
      assert.equal(r.json.method, first);
      assert.equal(r.json.uri, second);
      assert.equal(r.json.version, 'SIP/2.0');
    } else {
      assert.equal(r.json.type, 'response');
      assert.equal(r.json.status, Number(second));
      assert.equal(typeof r.json.reason, 'string');
    }
    assert.deepEqual(r.json.headers.map((h) => h.name), names);
    for (const h of r.json.headers) {
      assert.equal(typeof h.canonical, 'string');
      assert.equal(typeof h.value, 'string');
    }
    const lengths = r.json.headers.filter((h) => h.canonical === 'Content-Length').map((h) => Number(h.value));
    if (lengths.length === 1) assert.equal(r.json.body_length, lengths[0]);
    assert.ok(Array.isArray(r.json.problems));
  });
}

test('wsinv: folded, oddly spaced and compact headers come out canonical and joined', () => {
  const r = run([join(corpus, 'wsinv.dat')]);
  const byName = Object.fromEntries(r.json.headers.map((h) => [h.name, h]));
  assert.equal(byName.TO.canonical, 'To');
  assert.equal(byName['MaX-fOrWaRdS'].canonical, 'Max-Forwards');
  assert.equal(byName.s.canonical, 'Subject');
  assert.equal(byName.s.value, '');
  assert.equal(byName.m.canonical, 'Contact');
  assert.equal(byName.NewFangledHeader.value, 'newfangled value continued newfangled value');
  assert.equal(byName.v.canonical, 'Via');
  assert.equal(byName.v.values.length, 2);
  assert.equal(r.json.body_length, 150);
  assert.deepEqual(r.json.problems, []);
});

test('responses: the unusual and the empty reason phrase', () => {
  const unreason = run([join(corpus, 'unreason.dat')]);
  assert.equal(unreason.json.status, 200);
  assert.equal(unreason.json.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
  const noreason = run([join(corpus, 'noreason.dat')]);
  assert.equal(noreason.json.status, 100);
  assert.equal(noreason.json.reason, '');
});

test('dblreq: the octets after Content-Length are counted, not parsed', () => {
  const r = run([join(corpus, 'dblreq.dat')]);
  assert.equal(r.json.method, 'REGISTER');
  assert.equal(r.json.body_length, 0);
  assert.ok(r.json.ignored_bytes > 300);
});

test('application-layer problems are listed, not fatal', () => {
  const insuf = run([join(corpus, 'insuf.dat')]);
  assert.equal(insuf.code, 0);
  assert.deepEqual(insuf.json.problems.map((p) => p.code), ['sip_missing_header']);
  const mcl = run([join(corpus, 'mcl01.dat')]);
  assert.ok(mcl.json.problems.some((p) => p.code === 'sip_bad_framing'));
  const multi = run([join(corpus, 'multi01.dat')]);
  assert.equal(multi.json.problems.filter((p) => p.code === 'sip_duplicate_header').length, 5);
  const bext = run([join(corpus, 'bext01.dat')]);
  assert.deepEqual(bext.json.headers.find((h) => h.canonical === 'Require').values,
    ['nothingSupportsThis', 'nothingSupportsThisEither']);
});

test('invalid messages name their problem', () => {
  const reasons = {
    'clerr.dat': 'Content-Length 9999 is larger than the 154-byte body',
    'mismatch01.dat': 'CSeq method INVITE does not match request method OPTIONS',
    'ltgtruri.dat': 'Request-URI must not be enclosed in <>',
    'badvers.dat': 'unsupported SIP version SIP/7.0',
    'bigcode.dat': 'status code 4294967301 out of range',
    'quotbal.dat': 'unterminated quoted string in To display name',
  };
  for (const [file, reason] of Object.entries(reasons)) {
    const r = run([join(corpus, file)]);
    assert.equal(r.code, 1);
    assert.equal(r.json.error, reason, file);
  }
});

test('standard input, with no argument or "-"', () => {
  const bytes = readFileSync(join(corpus, 'esc01.dat'));
  for (const args of [[], ['-']]) {
    const r = run(args, bytes);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.method, 'INVITE');
    assert.equal(r.json.uri, 'sip:sips%3Auser%40example.com@example.net');
    assert.equal(r.json.body_length, 150);
  }
  const bad = run([], Buffer.from('INVITE <sip:a@b> SIP/2.0\r\n\r\n'));
  assert.equal(bad.code, 1);
  assert.equal(bad.json.error, 'Request-URI must not be enclosed in <>');
  const empty = run([], Buffer.alloc(0));
  assert.equal(empty.code, 1);
  assert.equal(empty.json.error, 'message is empty');
});

test('--stream frames by Content-Length and reports what follows', () => {
  const r = run(['--stream', join(corpus, 'dblreq.dat')]);
  assert.equal(r.code, 0);
  assert.equal(r.json.method, 'REGISTER');
  assert.ok(r.json.ignored_bytes > 300);
  const partial = run(['--stream'], Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nl: 5\r\n\r\nab'));
  assert.equal(partial.code, 1);
  assert.equal(partial.json.code, 'sip_incomplete');
});

test('a missing file, a bad option, two files and --help', () => {
  const missing = run([join(corpus, 'no-such-message.dat')]);
  assert.equal(missing.code, 2);
  assert.match(missing.json.error, /^cannot read .*no-such-message\.dat: No such file or directory$/);
  assert.match(missing.stderr, /no-such-message\.dat/);
  const option = run(['--frobnicate']);
  assert.equal(option.code, 2);
  assert.match(option.stderr, /unknown option --frobnicate/);
  assert.match(option.stderr, /usage: switchboard-sip/);
  const two = run([join(corpus, 'wsinv.dat'), join(corpus, 'esc01.dat')]);
  assert.equal(two.code, 2);
  const help = run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: switchboard-sip/);
  assert.match(help.stdout, /Exit status/);
});

test('an SDP body is described: a hold re-INVITE, and a malformed SDP reported without failing the SIP parse', () => {
  const sdp = ['v=0', 'o=- 4611731400430051336 3 IN IP4 127.0.0.1', 's=-', 't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 126', 'c=IN IP4 0.0.0.0', 'a=ice-ufrag:Wv3x',
    'a=candidate:1 1 udp 2122260223 127.0.0.1 46243 typ host', 'a=sendonly',
    'a=rtpmap:111 opus/48000/2', 'a=rtpmap:126 telephone-event/8000', ''].join('\r\n');
  const invite = (body) => ['INVITE sip:bob@example.com SIP/2.0', 'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKhold1',
    'From: <sip:alice@example.com>;tag=a1', 'To: <sip:bob@example.com>;tag=b1', 'Call-ID: hold-test', 'CSeq: 2 INVITE',
    'Max-Forwards: 70', 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
  let r = spawnSync(cli, ['-'], { input: invite(sdp), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.sdp, { media: [{ kind: 'audio', port: 9, proto: 'UDP/TLS/RTP/SAVPF', formats: ['111', '126'],
    direction: 'sendonly', hold: true, telephone_event: 126 }], candidates: 1 });
  r = spawnSync(cli, ['-'], { input: invite('v=0\r\nm=audio x\r\n'), encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(JSON.parse(r.stdout).sdp.error, /SDP line 2/);
});
