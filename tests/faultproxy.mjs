// faultproxy.mjs: a TCP proxy for fault tests, on 127.0.0.1 (an ephemeral port) in front of a
// target port. It works below HTTP, so a WebSocket (its upgrade and every frame) passes through
// unchanged; the test then degrades the link:
//   delay(ms)   hold every chunk, in each direction, this long before forwarding it (order kept)
//   drop()      a black hole: connections stay open but nothing passes either way (what a dead
//               network looks like to both ends); what arrives meanwhile is held, not lost
//   resume()    undo drop(): forward again (what was held goes first, in order)
//   discard()   like drop() but what arrives meanwhile is thrown away (for negative checks)
//   cut()       destroy every current connection abruptly (a reset on both sides)
//   refuse(on)  while on, a new connection is closed at once
//   setTarget(port)  later connections go to another port (a restarted server)
// Stats: connections (accepted so far), open (current), bytes {up, down}.
import net from 'node:net';

export class FaultProxy {
  static async start(targetPort, { targetHost = '127.0.0.1' } = {}) {
    const p = new FaultProxy(targetPort, targetHost);
    await new Promise((res, rej) => {
      p.server.once('error', rej);
      p.server.listen(0, '127.0.0.1', res);
    });
    p.port = p.server.address().port;
    return p;
  }

  constructor(targetPort, targetHost) {
    this.targetPort = targetPort;
    this.targetHost = targetHost;
    this.delayMs = 0;
    this.mode = 'pass';          // 'pass' | 'hold' | 'discard'
    this.refusing = false;
    this.pairs = new Set();
    this.connections = 0;
    this.bytes = { up: 0, down: 0 };
    this.server = net.createServer((client) => this.#accept(client));
  }

  get url() { return `http://127.0.0.1:${this.port}`; }
  get open() { return this.pairs.size; }

  delay(ms) { this.delayMs = ms; }
  drop() { this.mode = 'hold'; }
  discard() { this.mode = 'discard'; }
  resume() {
    this.mode = 'pass';
    for (const pair of this.pairs) for (const dir of pair.dirs) this.#pump(dir);
  }
  refuse(on = true) { this.refusing = on; }
  setTarget(port) { this.targetPort = port; }
  cut() {
    for (const pair of [...this.pairs]) this.#kill(pair);
  }

  async close() {
    this.cut();
    await new Promise((res) => this.server.close(res));
  }

  #accept(client) {
    this.connections++;
    if (this.refusing) {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const upstream = net.connect(this.targetPort, this.targetHost);
    upstream.setNoDelay(true);
    const pair = { client, upstream, dirs: [], dead: false };
    // Each direction: a queue of {at, chunk}; chunks leave in order, none before its time.
    pair.dirs = [
      { from: client, to: upstream, queue: [], timer: null, stat: 'up', pair },
      { from: upstream, to: client, queue: [], timer: null, stat: 'down', pair },
    ];
    this.pairs.add(pair);
    for (const dir of pair.dirs) {
      dir.from.on('data', (chunk) => {
        if (this.mode === 'discard') return;
        dir.queue.push({ at: Date.now() + this.delayMs, chunk });
        this.#pump(dir);
      });
      // A clean end on one side ends the other once what is queued has gone.
      dir.from.on('end', () => { dir.ended = true; this.#pump(dir); });
      dir.from.on('error', () => this.#kill(pair));
      dir.from.on('close', () => {
        if (!dir.ended) this.#kill(pair);
        else if (pair.client.destroyed && pair.upstream.destroyed) this.pairs.delete(pair);
      });
    }
  }

  #pump(dir) {
    if (dir.pair.dead || dir.timer) return;
    while (this.mode === 'pass' && dir.queue.length) {
      const wait = dir.queue[0].at - Date.now();
      if (wait > 0) {
        dir.timer = setTimeout(() => { dir.timer = null; this.#pump(dir); }, wait);
        return;
      }
      const { chunk } = dir.queue.shift();
      this.bytes[dir.stat] += chunk.length;
      dir.to.write(chunk);
    }
    if (this.mode === 'pass' && dir.ended && !dir.queue.length && !dir.to.writableEnded) dir.to.end();
  }

  #kill(pair) {
    if (pair.dead) return;
    pair.dead = true;
    this.pairs.delete(pair);
    for (const dir of pair.dirs) {
      clearTimeout(dir.timer);
      dir.queue.length = 0;
    }
    // A reset (RST) where the socket is fully open; a plain destroy where it is still
    // connecting or already half-closed (a reset there can leave a handle that never closes).
    for (const s of [pair.client, pair.upstream]) {
      if (s.destroyed) continue;
      if (s.connecting || s.writableEnded || s.readableEnded) s.destroy();
      else {
        try { s.resetAndDestroy(); } catch { s.destroy(); }
      }
    }
  }
}
