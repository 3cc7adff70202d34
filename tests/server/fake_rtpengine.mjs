// fake_rtpengine.mjs: a fake rtpengine for the recorder's tests (payment_recording.test.mjs,
// cluster.test.mjs): the ng protocol, bencode over UDP ("<cookie> <dictionary>"), on loopback,
// so that answers can be slow, lost or refused.
import dgram from 'node:dgram';

// Decodes "<cookie> d7:command14:stop recording7:call-id...e"; answers with `answer(command, n)`:
// a dictionary's bencode, or null to drop the request (n counts that command's datagrams).
function bdecodeDict(s) {
  let i = 0;
  const value = () => {
    const c = s[i];
    if (c === 'd') { i++; const out = {}; while (s[i] !== 'e') { const k = value(); out[k] = value(); } i++; return out; }
    if (c === 'l') { i++; const out = []; while (s[i] !== 'e') out.push(value()); i++; return out; }
    if (c === 'i') { const e = s.indexOf('e', i); const n = Number(s.slice(i + 1, e)); i = e + 1; return n; }
    const colon = s.indexOf(':', i);
    const len = Number(s.slice(i, colon));
    const str = s.slice(colon + 1, colon + 1 + len);
    i = colon + 1 + len;
    return str;
  };
  return value();
}
export const OK = 'd6:result2:oke';

export async function fakeRtpengine() {
  const sock = dgram.createSocket('udp4');
  const rtp = { got: [], counts: {}, answer: () => OK, delayMs: {} };
  sock.on('message', (msg, from) => {
    const text = msg.toString('latin1');
    const space = text.indexOf(' ');
    const cookie = text.slice(0, space);
    const dict = bdecodeDict(text.slice(space + 1));
    const command = dict.command;
    rtp.counts[command] = (rtp.counts[command] ?? 0) + 1;
    rtp.got.push({ command, callId: dict['call-id'], at: Date.now() });
    const reply = rtp.answer(command, rtp.counts[command]);
    if (reply === null) return;
    setTimeout(() => sock.send(`${cookie} ${reply}`, from.port, from.address), rtp.delayMs[command] ?? 0);
  });
  await new Promise((res) => sock.bind(0, '127.0.0.1', res));
  rtp.port = sock.address().port;
  rtp.close = () => new Promise((res) => sock.close(res));
  rtp.commands = () => rtp.got.map((g) => g.command);
  return rtp;
}
