// telephony/demo/audio.mjs: speech for the demo phones (scripts/demo-phones). Speaks a text with
// espeak-ng and writes it as baresip's aufile source wants it for G.711: a WAV file of 16-bit
// mono samples at 8000 Hz (espeak-ng speaks at 22050 Hz; baresip 1.0 refuses any other rate).
//
//   node telephony/demo/audio.mjs OUT.wav --voice en-us+f3 [--lead S] [--tail S] "text..."
//
// --lead: seconds of quiet before the words, --tail: after them (the demo's callers hang up
// when their file ends, the trunk's answerer goes quiet after its greeting). The quiet is a
// very low noise rather than digital zero, like a real line, so the stream is never "silence
// suppressed" by anything along the way. Also importable: speak() and the WAV helpers.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RATE = 8000;

// The samples (Int16Array) and sample rate of a PCM 16-bit WAV. espeak-ng --stdout writes
// placeholder sizes (it streams), so the data chunk runs to the end of the file.
export function parseWav(buf) {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let off = 12, rate = 0, channels = 1, bits = 16;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(off + 10); rate = buf.readUInt32LE(off + 12); bits = buf.readUInt16LE(off + 22);
    } else if (id === 'data') {
      if (bits !== 16) throw new Error(`WAV with ${bits}-bit samples`);
      const end = Math.min(buf.length, off + 8 + size);
      const frames = Math.floor((end - off - 8) / (2 * channels));
      const out = new Int16Array(frames);
      for (let i = 0; i < frames; i++) out[i] = buf.readInt16LE(off + 8 + i * 2 * channels);  // first channel
      return { rate, samples: out };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error('WAV without data');
}

// Resampling by windowed-sinc interpolation with a low-pass at the lower Nyquist frequency:
// good enough for speech on a telephone line, and without any other package.
export function resample(samples, from, to) {
  if (from === to) return samples;
  const ratio = from / to, cutoff = Math.min(1, to / from) * 0.95, half = 16;
  const out = new Int16Array(Math.floor(samples.length / ratio));
  for (let i = 0; i < out.length; i++) {
    const center = i * ratio;
    const lo = Math.max(0, Math.ceil(center - half / cutoff)), hi = Math.min(samples.length - 1, Math.floor(center + half / cutoff));
    let acc = 0;
    for (let j = lo; j <= hi; j++) {
      const x = (j - center) * cutoff;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const window = 0.5 + 0.5 * Math.cos(Math.PI * x / half);
      acc += samples[j] * sinc * window * cutoff;
    }
    out[i] = Math.max(-32768, Math.min(32767, Math.round(acc)));
  }
  return out;
}

// A line's background: noise of a few units (about -70 dBFS), never digital zero.
export function quiet(seconds) {
  const out = new Int16Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) out[i] = Math.round((Math.random() - 0.5) * 8);
  return out;
}

export function wavBytes(samples, rate = RATE) {
  const buf = Buffer.alloc(44 + samples.length * 2);
  buf.write('RIFF', 0, 'ascii'); buf.writeUInt32LE(36 + samples.length * 2, 4); buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii'); buf.writeUInt32LE(16, 16); buf.writeUInt16LE(1, 20); buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24); buf.writeUInt32LE(rate * 2, 28); buf.writeUInt16LE(2, 32); buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii'); buf.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i], 44 + i * 2);
  return buf;
}

// Speaks `text` into `out`; returns the length in seconds.
export function speak(out, text, { voice = 'en-us', speed = 150, lead = 0, tail = 0 } = {}) {
  const raw = execFileSync('espeak-ng', ['-v', voice, '-s', String(speed), '--stdout', text], { maxBuffer: 64 << 20 });
  const wav = parseWav(raw);
  const speech = resample(wav.samples, wav.rate, RATE);
  const parts = [quiet(lead), speech, quiet(tail)];
  const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  writeFileSync(out, wavBytes(all));
  return all.length / RATE;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opts = {};
  let out, words = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--voice') opts.voice = args[++i];
    else if (args[i] === '--lead') opts.lead = Number(args[++i]);
    else if (args[i] === '--tail') opts.tail = Number(args[++i]);
    else if (args[i] === '--speed') opts.speed = Number(args[++i]);
    else if (!out) out = args[i];
    else words.push(args[i]);
  }
  if (!out || !words.length) { console.error('usage: audio.mjs OUT.wav [--voice V] [--lead S] [--tail S] text...'); process.exit(2); }
  const seconds = speak(out, words.join(' '), opts);
  console.log(seconds.toFixed(2));
}
