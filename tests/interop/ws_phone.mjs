// ws_phone.mjs: a small SIP-over-WebSocket user agent (RFC 7118) for the interop tests, speaking
// to Kamailio the way the desk does: the `sip` subprotocol, a .invalid Contact host, digest auth
// (RFC 2617, qop=auth) for REGISTER (401) and INVITE (407), and WebRTC-style SDP (ICE, DTLS
// fingerprint, RTP/SAVPF, rtcp-mux). It signals only; no media flows from it. One dialog at a time.
//
// It is a test tool, not the product's SIP stack (that is core/sip): just enough SIP to check
// the proxy's WebSocket, NAT and media-bridging routes.
//
// Sections: messages · digest · WsPhone · WebRTC SDP

import { createHash, randomBytes } from 'node:crypto';
import WebSocket from 'ws';

const md5 = (s) => createHash('md5').update(s).digest('hex');
const token = () => randomBytes(6).toString('hex');

// ---- messages --------------------------------------------------------------------------------
// {startLine, method?, status?, headers: [[name, value]], body, header(name), headerAll(name)}
export function parseSip(text) {
  const split = text.indexOf('\r\n\r\n');
  const head = (split < 0 ? text : text.slice(0, split)).replace(/\r\n[ \t]+/g, ' ').split('\r\n');
  const body = split < 0 ? '' : text.slice(split + 4);
  const startLine = head.shift();
  const compact = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type' };
  const headers = head.filter(Boolean).map((line) => {
    const i = line.indexOf(':');
    const name = line.slice(0, i).trim().toLowerCase();
    return [compact[name] ?? name, line.slice(i + 1).trim()];
  });
  const status = startLine.startsWith('SIP/2.0 ') ? Number(startLine.split(' ')[1]) : undefined;
  return {
    text, startLine, status, body, headers,
    method: status ? undefined : startLine.split(' ')[0],
    header(name) { return headers.find(([n]) => n === name.toLowerCase())?.[1]; },
    headerAll(name) { return headers.filter(([n]) => n === name.toLowerCase()).map(([, v]) => v); },
  };
}

function build(startLine, headers, body = '') {
  const lines = [startLine, ...headers.filter(([, v]) => v !== undefined).map(([n, v]) => `${n}: ${v}`),
    `Content-Length: ${Buffer.byteLength(body)}`, '', body];
  return lines.join('\r\n');
}

// ---- digest ----------------------------------------------------------------------------------
function digest(challenge, { method, uri, username, password }) {
  const param = (name) => challenge.match(new RegExp(`${name}="?([^",]+)"?`, 'i'))?.[1];
  const realm = param('realm'), nonce = param('nonce'), qop = param('qop'), opaque = param('opaque');
  const ha1 = md5(`${username}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const cnonce = token(), nc = '00000001';
  const response = qop ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  let value = `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
  if (qop) value += `, qop=auth, nc=${nc}, cnonce="${cnonce}"`;
  if (opaque) value += `, opaque="${opaque}"`;
  return value;
}

// ---- WsPhone ---------------------------------------------------------------------------------
export class WsPhone {
  // sip: the session's credentials ({uri, username, password, ws_url}).
  static async connect(sip) {
    const ws = new WebSocket(sip.ws_url, 'sip');
    await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
    return new WsPhone(ws, sip);
  }

  constructor(ws, sip) {
    this.ws = ws;
    this.sip = sip;
    this.user = sip.uri.replace(/^sips?:/, '').split('@')[0];
    this.domain = sip.uri.split('@')[1];
    this.host = `${token()}.invalid`;
    this.contact = `<sip:${this.user}@${this.host};transport=ws>`;
    this.callId = `${token()}@${this.host}`;
    this.cseq = 0;
    this.received = [];        // every message, parsed, in order
    this.waiters = [];
    this.dialog = null;        // {callId, localTag, remoteTag, remoteTarget, routeSet, cseq}
    this.answerSdp = null;     // (request) => SDP for an incoming INVITE's 200
    ws.on('message', (data) => this.#onMessage(data.toString()));
    this.closed = new Promise((res) => ws.on('close', res));
  }

  #onMessage(text) {
    if (!text.trim()) return;  // CRLF keepalive
    const m = parseSip(text);
    this.received.push(m);
    if (m.method) this.#onRequest(m);
    for (const w of [...this.waiters]) if (w.match(m)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(m); }
  }

  // Resolves with the next message for which `match` is true.
  next(match, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching SIP message arrived')), timeoutMs);
      this.waiters.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  #send(text) { this.ws.send(text); }

  #via(branch) { return `SIP/2.0/WS ${this.host};branch=z9hG4bK${branch}`; }

  // Sends a request and resolves with its final response (provisional ones skipped), answering
  // one 401/407 challenge with the credentials.
  async request(method, uri, { headers = [], body = '', contentType, inDialog = false, toUri = uri } = {}) {
    const cseq = inDialog ? ++this.dialog.cseq : ++this.cseq;
    const callId = inDialog ? this.dialog.callId : this.callId;
    let auth;
    for (let attempt = 0; attempt < 2; attempt++) {
      const branch = token();
      const target = inDialog ? this.dialog.remoteTarget : uri;
      const from = `<${this.sip.uri}>;tag=${inDialog ? this.dialog.localTag : (this.localTag ??= token())}`;
      const to = inDialog ? `<${toUri}>;tag=${this.dialog.remoteTag}` : `<${toUri}>`;
      const routes = inDialog ? this.dialog.routeSet.map((r) => ['Route', r]) : [];
      const cseqNow = attempt === 0 ? cseq : (inDialog ? ++this.dialog.cseq : ++this.cseq);
      this.#send(build(`${method} ${target} SIP/2.0`, [
        ['Via', this.#via(branch)], ...routes, ['Max-Forwards', '70'], ['From', from], ['To', to],
        ['Call-ID', callId], ['CSeq', `${cseqNow} ${method}`], ['Contact', this.contact],
        ...(auth ? [auth] : []), ...headers, ['User-Agent', 'switchboard-interop-ws'],
        ...(body ? [['Content-Type', contentType ?? 'application/sdp']] : []),
      ], body));
      const final = await this.next((m) => m.status >= 200 && m.header('via')?.includes(branch));
      if (method === 'INVITE' && final.status >= 300) this.#ackNegative(final, target, branch, cseqNow);
      if ((final.status === 401 || final.status === 407) && attempt === 0) {
        const challenge = final.header(final.status === 401 ? 'www-authenticate' : 'proxy-authenticate');
        const name = final.status === 401 ? 'Authorization' : 'Proxy-Authorization';
        auth = [name, digest(challenge, { method, uri: target, username: this.sip.username, password: this.sip.password })];
        continue;
      }
      return final;
    }
    throw new Error('unreachable');
  }

  #ackNegative(reply, target, branch, cseq) {
    this.#send(build(`ACK ${target} SIP/2.0`, [
      ['Via', this.#via(branch)], ['Max-Forwards', '70'], ['From', reply.header('from')], ['To', reply.header('to')],
      ['Call-ID', reply.header('call-id')], ['CSeq', `${cseq} ACK`],
    ]));
  }

  async register(expires = 300) {
    const r = await this.request('REGISTER', `sip:${this.domain}`, { headers: [['Expires', String(expires)]], toUri: this.sip.uri });
    this.registerAttempts = this.received.filter((m) => m.status && /REGISTER/.test(m.header('cseq'))).map((m) => m.status);
    return r;
  }

  // Calls `uri` with `sdp`; on 200, ACKs and keeps the dialog.
  async invite(uri, sdp) {
    this.callId = `${token()}@${this.host}`;
    this.localTag = token();
    const r = await this.request('INVITE', uri, { body: sdp });
    if (r.status === 200) {
      this.dialog = {
        callId: this.callId, localTag: this.localTag, remoteTag: r.header('to').match(/tag=([^;>\s]+)/)[1],
        remoteTarget: r.header('contact').match(/<([^>]+)>/)[1], remoteUri: uri,
        routeSet: r.headerAll('record-route').flatMap((v) => v.split(/,\s*(?=<)/)).reverse(),
        cseq: Number(r.header('cseq').split(' ')[0]),
      };
      this.#ack(this.dialog.cseq);
    }
    return r;
  }

  // A re-INVITE in the dialog (hold, resume); ACKs a 200.
  async reinvite(sdp) {
    const r = await this.request('INVITE', this.dialog.remoteUri, { body: sdp, inDialog: true });
    if (r.status === 200) this.#ack(this.dialog.cseq);
    return r;
  }

  async bye() {
    const r = await this.request('BYE', this.dialog.remoteUri, { inDialog: true });
    this.dialog = null;
    return r;
  }

  #ack(cseq) {
    const d = this.dialog;
    this.#send(build(`ACK ${d.remoteTarget} SIP/2.0`, [
      ['Via', this.#via(token())], ...d.routeSet.map((r) => ['Route', r]), ['Max-Forwards', '70'],
      ['From', `<${this.sip.uri}>;tag=${d.localTag}`], ['To', `<${d.remoteUri}>;tag=${d.remoteTag}`],
      ['Call-ID', d.callId], ['CSeq', `${cseq} ACK`],
    ]));
  }

  // Incoming requests: INVITE (answered 200 with answerSdp), re-INVITE, BYE, MESSAGE, OPTIONS.
  #onRequest(m) {
    if (m.method === 'ACK') return;
    const reply = (status, reason, body = '', extra = []) => {
      const to = m.header('to').includes('tag=') ? m.header('to') : `${m.header('to')};tag=${this.inTag ??= token()}`;
      this.#send(build(`SIP/2.0 ${status} ${reason}`, [
        ...m.headerAll('via').map((v) => ['Via', v]), ...m.headerAll('record-route').map((v) => ['Record-Route', v]),
        ['From', m.header('from')], ['To', to], ['Call-ID', m.header('call-id')], ['CSeq', m.header('cseq')],
        ['Contact', this.contact], ...extra, ...(body ? [['Content-Type', 'application/sdp']] : []),
      ], body));
    };
    if (m.method === 'INVITE' && this.answerSdp) reply(200, 'OK', this.answerSdp(m));
    else if (m.method === 'INVITE') reply(486, 'Busy Here');
    else reply(200, 'OK');
  }

  close() { this.ws.close(); return this.closed; }
}

// ---- WebRTC SDP ------------------------------------------------------------------------------
// What a browser offers or answers (one audio m-line, ICE, DTLS-SRTP, rtcp-mux), with the given
// direction. Media never flows (there is no ICE agent behind it); the proxy's translation is
// what the tests look at.
export function webrtcSdp({ direction = 'sendrecv', setup = 'actpass', version = 1 } = {}) {
  const fingerprint = Array.from(randomBytes(32), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
  return [
    'v=0', `o=- 4611731400430051336 ${version} IN IP4 127.0.0.1`, 's=-', 't=0 0', 'a=group:BUNDLE 0',
    'a=msid-semantic: WMS', 'm=audio 9 UDP/TLS/RTP/SAVPF 8 0 101', 'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0',
    'a=candidate:1 1 udp 2113937151 127.0.0.1 40000 typ host generation 0', 'a=end-of-candidates',
    `a=ice-ufrag:${token().slice(0, 4)}`, `a=ice-pwd:${randomBytes(12).toString('hex')}`, 'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${fingerprint}`, `a=setup:${setup}`, 'a=mid:0', `a=${direction}`, 'a=rtcp-mux',
    'a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', '',
  ].join('\r\n');
}
