// web/media.js: SBMedia, the browser's half of a call: one RTCPeerConnection per call, the
// microphone (getUserMedia) and the speaker and ringer devices (setSinkId), remembered per
// browser; ringtone and ringback made with Web Audio; DTMF through RTCDTMFSender; live call
// quality (round-trip time, jitter, loss and an estimated MOS); and which tab of an agent holds
// the microphone and the registration (Web Locks, with BroadcastChannel to tell the others).
//
// The SIP side (core/sip) decides what happens; this only carries it out. Every function returns
// a Promise or a plain value; events (ended, stats, tab ownership) go to SBMedia.onevent(name,
// data). Loaded with --pre-js beside switchboard_api.js; it uses no Emscripten runtime itself.
//
// Sections: settings · devices · calls (offer/answer, ICE cap, hold, mute, DTMF, stats) ·
// call quality (MOS) · tones · tab ownership

var SBMedia = (function () {
  var media = {};
  var calls = {};  // call id -> {pc, stream, sender, audio, statsTimer, last}
  media.onevent = function () {};
  function emit(name, data) {
    try { media.onevent(name, data); } catch (e) { console.error('SBMedia listener: ' + e.message); }
  }

  // ---- settings: device choices per browser (localStorage; sessionStorage is per tab) ---------
  var KEYS = { input: 'sb.audio.input', output: 'sb.audio.output', ringer: 'sb.audio.ringer' };
  media.iceGatherCapMs = 1000;   // send the offer/answer by then with the candidates there are
  media.iceGatherMaxMs = 5000;   // ... unless there are none yet: wait for the first, up to this
  function setting(kind) {
    try { return localStorage.getItem(KEYS[kind]) || ''; } catch (e) { return ''; }
  }

  // ---- devices ---------------------------------------------------------------------------------
  // {devices: [{kind: 'input'|'output', id, label}], input, output, ringer, microphone}: the
  // devices, the current choices, and the microphone permission ('granted', 'denied', 'prompt',
  // 'unavailable'). Labels appear once the page has had microphone permission: `probe` asks for
  // the microphone first (and lets go of it at once), as opening the Audio settings does.
  var micDenied = false;  // a getUserMedia of this page was refused
  function permission() {
    if (micDenied) return Promise.resolve('denied');
    if (!navigator.permissions || !navigator.permissions.query) return Promise.resolve('prompt');
    return navigator.permissions.query({ name: 'microphone' }).then(function (p) { return p.state; },
      function () { return 'prompt'; });
  }
  function probeMicrophone() {
    return navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      micDenied = false;
      stream.getTracks().forEach(function (t) { t.stop(); });
    }, function (e) {
      if (e.name === 'NotAllowedError' || e.name === 'SecurityError') micDenied = true;
    });
  }
  media.devices = function (probe) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) {
      return Promise.resolve({ devices: [], input: '', output: '', ringer: '', microphone: 'unavailable' });
    }
    return (probe ? probeMicrophone() : Promise.resolve()).then(function () {
      return Promise.all([navigator.mediaDevices.enumerateDevices(), permission()]);
    }).then(function (r) {
      var out = [], n = { input: 0, output: 0 };
      r[0].forEach(function (d) {
        var kind = d.kind === 'audioinput' ? 'input' : d.kind === 'audiooutput' ? 'output' : null;
        if (!kind) return;
        n[kind]++;
        out.push({ kind: kind, id: d.deviceId, label: d.label || (kind === 'input' ? 'Microphone ' : 'Speaker ') + n[kind] });
      });
      return { devices: out, input: setting('input'), output: setting('output'), ringer: setting('ringer'), microphone: r[1] };
    });
  };
  // Devices plugged in or out: 'devices_changed' (the desk lists them again).
  if (typeof navigator !== 'undefined' && navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
    navigator.mediaDevices.addEventListener('devicechange', function () { emit('devices_changed', {}); });
  }

  // kind: 'input' | 'output' | 'ringer'; id '' is the system default. Applies to live calls.
  media.setDevice = function (kind, id) {
    if (!KEYS[kind]) return Promise.reject(new Error('unknown device kind ' + kind));
    try { localStorage.setItem(KEYS[kind], id || ''); } catch (e) { /* private mode: this tab only */ }
    var work = [];
    Object.keys(calls).forEach(function (callId) {
      var c = calls[callId];
      if (kind === 'output' && c.audio) work.push(sinkTo(c.audio, id));
      if (kind === 'input' && c.sender) {
        work.push(microphone().then(function (stream) {
          var track = stream.getAudioTracks()[0];
          track.enabled = !c.muted;
          return c.sender.replaceTrack(track).then(function () {
            if (c.stream) c.stream.getTracks().forEach(function (t) { t.stop(); });
            c.stream = stream;
          });
        }));
      }
    });
    if (kind === 'ringer' && tones.audio) work.push(sinkTo(tones.audio, id));
    return Promise.all(work).then(function () { return true; });
  };

  function sinkTo(element, id) {
    if (typeof element.setSinkId !== 'function') return Promise.resolve(false);
    return element.setSinkId(id || '').then(function () { return true; }, function (e) {
      emit('device_error', { kind: 'output', message: e.message });
      return false;
    });
  }

  function microphone() {
    var id = setting('input');
    var audio = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
    if (id) audio.deviceId = { exact: id };
    return navigator.mediaDevices.getUserMedia({ audio: audio }).catch(function (e) {
      if (id && (e.name === 'OverconstrainedError' || e.name === 'NotFoundError')) {
        // The remembered microphone is gone (unplugged headset): the default one, and say so.
        emit('device_error', { kind: 'input', message: 'The chosen microphone is not available; using the default.' });
        delete audio.deviceId;
        return navigator.mediaDevices.getUserMedia({ audio: audio });
      }
      throw e;
    });
  }

  // ---- calls -------------------------------------------------------------------------------------
  // Creates the call's peer connection with the microphone attached. options.iceServers as
  // RTCPeerConnection takes them.
  media.create = function (callId, options) {
    if (calls[callId]) return Promise.reject(new Error('call ' + callId + ' exists'));
    var c = { pc: null, stream: null, sender: null, audio: null, muted: false, statsTimer: null, last: null };
    calls[callId] = c;
    return microphone().then(function (stream) {
      if (calls[callId] !== c) { stream.getTracks().forEach(function (t) { t.stop(); }); throw new Error('call ' + callId + ' closed'); }
      c.stream = stream;
      // One audio stream, so bundling gains nothing; and 'max-bundle' makes Chromium refuse an
      // offer without a BUNDLE group, which is what rtpengine sends for a call from a SIP phone.
      c.pc = new RTCPeerConnection({ iceServers: (options && options.iceServers) || [], bundlePolicy: 'balanced',
        rtcpMuxPolicy: 'require' });
      c.sender = c.pc.addTrack(stream.getAudioTracks()[0], stream);
      c.audio = document.createElement('audio');
      c.audio.autoplay = true;
      var out = setting('output');
      if (out) sinkTo(c.audio, out);
      c.pc.ontrack = function (e) {
        c.audio.srcObject = e.streams[0] || new MediaStream([e.track]);
        var played = c.audio.play();
        if (played && played.catch) played.catch(function () { /* unlocked at the login click */ });
      };
      c.pc.onconnectionstatechange = function () {
        emit('connection', { call: callId, state: c.pc.connectionState });
      };
      c.statsTimer = setInterval(function () { media.stats(callId).then(function (s) { if (s) emit('stats', s); }); }, 2000);
      return true;
    }, function (e) {
      delete calls[callId];
      if (e.name === 'NotAllowedError') micDenied = true;
      throw new Error(e.name === 'NotAllowedError' ? 'Microphone permission was refused.' : 'No microphone: ' + e.message);
    });
  };

  // Resolves when candidates are ready, or at the cap with those gathered so far: the INVITE is
  // never held up by a slow STUN/TURN server. {sdp, gathering: 'complete'|'capped', candidates}
  function gathered(pc) {
    return new Promise(function (resolve) {
      var done = false, count = 0, capped = false;
      function finish(how) {
        if (done) return;
        done = true;
        pc.removeEventListener('icecandidate', onCandidate);
        pc.removeEventListener('icegatheringstatechange', onState);
        clearTimeout(capTimer);
        clearTimeout(maxTimer);
        resolve({ sdp: pc.localDescription.sdp, type: pc.localDescription.type, gathering: how, candidates: count });
      }
      function onCandidate(e) {
        if (!e.candidate) return finish('complete');
        if (e.candidate.candidate) count++;
        if (capped) finish('capped');  // the first candidate after the cap: go now
      }
      function onState() { if (pc.iceGatheringState === 'complete') finish('complete'); }
      pc.addEventListener('icecandidate', onCandidate);
      pc.addEventListener('icegatheringstatechange', onState);
      var capTimer = setTimeout(function () {
        capped = true;
        if (count > 0) finish('capped');
      }, media.iceGatherCapMs);
      var maxTimer = setTimeout(function () { finish('capped'); }, media.iceGatherMaxMs);
      if (pc.iceGatheringState === 'complete') finish('complete');
    });
  }

  function need(callId) {
    var c = calls[callId];
    if (!c || !c.pc) throw new Error('no call ' + callId);
    return c;
  }

  // direction: 'sendrecv' (default), 'sendonly' (we hold), 'recvonly', 'inactive'.
  media.offer = function (callId, direction) {
    var c;
    try { c = need(callId); } catch (e) { return Promise.reject(e); }
    setDirection(c, direction || 'sendrecv');
    return c.pc.createOffer().then(function (offer) {
      return c.pc.setLocalDescription(offer);
    }).then(function () { return gathered(c.pc); });
  };

  media.answer = function (callId, remoteSdp, direction) {
    var c;
    try { c = need(callId); } catch (e) { return Promise.reject(e); }
    return c.pc.setRemoteDescription({ type: 'offer', sdp: remoteSdp }).then(function () {
      setDirection(c, direction || 'sendrecv');
      return c.pc.createAnswer();
    }).then(function (answer) {
      return c.pc.setLocalDescription(answer);
    }).then(function () { return gathered(c.pc); });
  };

  // The far end's answer to our offer (also a provisional 183 with early media).
  media.accept = function (callId, remoteSdp) {
    var c;
    try { c = need(callId); } catch (e) { return Promise.reject(e); }
    return c.pc.setRemoteDescription({ type: 'answer', sdp: remoteSdp }).then(function () { return true; });
  };

  function setDirection(c, direction) {
    c.pc.getTransceivers().forEach(function (t) {
      if (t.sender === c.sender && !t.stopped) t.direction = direction;
    });
  }

  // Local only: the track is disabled (silence is sent), nothing is renegotiated.
  media.mute = function (callId, on) {
    var c = need(callId);
    c.muted = !!on;
    c.stream.getAudioTracks().forEach(function (t) { t.enabled = !on && !c.held; });
    return c.muted;
  };

  // Held: no microphone and no playback; the SIP side renegotiates (a=sendonly).
  media.hold = function (callId, on) {
    var c = need(callId);
    c.held = !!on;
    c.stream.getAudioTracks().forEach(function (t) { t.enabled = !on && !c.muted; });
    if (c.audio) c.audio.muted = !!on;
    return c.held;
  };

  // RFC 4733 through RTCDTMFSender: true when the browser could send them in-band; false means
  // the caller should fall back to SIP INFO.
  media.dtmf = function (callId, digits, durationMs) {
    var c = need(callId);
    var dtmf = c.sender && c.sender.dtmf;
    if (!dtmf || !dtmf.canInsertDTMF || !/^[0-9A-D#*,]+$/.test(digits)) return false;
    dtmf.insertDTMF(digits, durationMs || 100, 70);
    return true;
  };

  media.close = function (callId) {
    var c = calls[callId];
    if (!c) return false;
    delete calls[callId];
    clearInterval(c.statsTimer);
    if (c.pc) c.pc.close();
    if (c.stream) c.stream.getTracks().forEach(function (t) { t.stop(); });
    if (c.audio) { c.audio.srcObject = null; }
    return true;
  };
  media.count = function () { return Object.keys(calls).length; };

  // Diagnostics (and the tests): what the browser negotiated and is sending.
  media._directions = function () {
    var out = {};
    Object.keys(calls).forEach(function (id) {
      var c = calls[id];
      c.pc.getTransceivers().forEach(function (t) { if (t.sender === c.sender) out[id] = t.currentDirection; });
    });
    return out;
  };
  media._trackEnabled = function (callId) { return need(callId).sender.track.enabled; };
  media._trackSettings = function (callId) { return need(callId).sender.track.getSettings(); };
  media._dtmfSender = function (callId) { return need(callId).sender.dtmf; };
  media._sinkId = function (callId) { var c = need(callId); return c.audio ? c.audio.sinkId : null; };

  // {call, rtt_ms, jitter_ms, loss_pct, bytes_in, bytes_out, packets_in, packets_out, codec, mos}
  media.stats = function (callId) {
    var c = calls[callId];
    if (!c || !c.pc) return Promise.resolve(null);
    return c.pc.getStats().then(function (report) {
      var s = { call: callId, rtt_ms: null, jitter_ms: null, loss_pct: 0, bytes_in: 0, bytes_out: 0,
        packets_in: 0, packets_out: 0, packets_lost: 0, codec: null, mos: null };
      var codecs = {};
      report.forEach(function (r) { if (r.type === 'codec') codecs[r.id] = r.mimeType; });
      report.forEach(function (r) {
        if (r.type === 'inbound-rtp' && r.kind === 'audio') {
          s.bytes_in += r.bytesReceived || 0;
          s.packets_in += r.packetsReceived || 0;
          s.packets_lost += Math.max(0, r.packetsLost || 0);
          if (r.jitter != null) s.jitter_ms = Math.round(r.jitter * 1000 * 10) / 10;
          if (r.codecId && codecs[r.codecId]) s.codec = codecs[r.codecId].replace(/^audio\//, '').toLowerCase();
        } else if (r.type === 'outbound-rtp' && r.kind === 'audio') {
          s.bytes_out += r.bytesSent || 0;
          s.packets_out += r.packetsSent || 0;
        } else if (r.type === 'remote-inbound-rtp' && r.kind === 'audio' && r.roundTripTime != null) {
          s.rtt_ms = Math.round(r.roundTripTime * 1000);
        } else if (r.type === 'candidate-pair' && r.nominated && r.currentRoundTripTime != null && s.rtt_ms == null) {
          s.rtt_ms = Math.round(r.currentRoundTripTime * 1000);
        }
      });
      // Loss over the last interval, not since the start of the call.
      var prev = c.last || { packets_in: 0, packets_lost: 0 };
      var got = s.packets_in - prev.packets_in, lost = s.packets_lost - prev.packets_lost;
      s.loss_pct = got + lost > 0 ? Math.round(1000 * lost / (got + lost)) / 10 : 0;
      c.last = { packets_in: s.packets_in, packets_lost: s.packets_lost };
      if (s.packets_in > 0) s.mos = media.estimateMos(s.rtt_ms || 0, s.jitter_ms || 0, s.loss_pct);
      return s;
    });
  };

  // ---- call quality: the E-model (ITU-T G.107), simplified as is usual for VoIP monitoring -----
  // One-way delay from the round trip, plus a jitter buffer of twice the jitter and 10 ms of
  // packetisation; Ie = 0 and Bpl = 25.1 (G.711 with packet-loss concealment, G.113 Appendix I)
  // for every codec: conservative for Opus. Returns MOS 1.0 to 4.5, one decimal.
  media.estimateMos = function (rttMs, jitterMs, lossPct) {
    var d = rttMs / 2 + 2 * jitterMs + 10;
    var id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
    var ppl = Math.max(0, Math.min(100, lossPct));
    var ie = 95 * ppl / (ppl + 25.1);
    var r = 93.2 - id - ie;
    var mos = r <= 0 ? 1 : r >= 100 ? 4.5 : 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
    return Math.round(Math.max(1, Math.min(4.5, mos)) * 10) / 10;
  };

  // ---- tones: ringtone (on the ringer device) and ringback, made with Web Audio -----------------
  var tones = { ctx: null, audio: null, playing: null, nodes: [], timer: null };
  function context() {
    if (!tones.ctx) {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return null;
      tones.ctx = new Ctx();
      // Through an <audio> element so that the ringer can be its own device (setSinkId).
      var dest = tones.ctx.createMediaStreamDestination();
      tones.dest = dest;
      tones.audio = document.createElement('audio');
      tones.audio.srcObject = dest.stream;
      var ringer = setting('ringer');
      if (ringer) sinkTo(tones.audio, ringer);
    }
    return tones.ctx;
  }
  // Called from a user gesture (the login click): browsers let audio start only after one, so
  // the first call rings even if the agent has not touched the page since.
  media.unlockAudio = function () {
    var ctx = context();
    if (!ctx) return Promise.resolve(false);
    var played = tones.audio.play();
    return Promise.all([ctx.resume(), played && played.catch ? played.catch(function () {}) : null]).then(function () {
      return ctx.state === 'running';
    });
  };
  media.audioState = function () { return tones.ctx ? tones.ctx.state : 'none'; };
  // The first click or key press on the page (signing in) is that gesture.
  function unlockOnce() {
    media.unlockAudio().then(function (running) {
      if (!running) return;
      window.removeEventListener('pointerdown', unlockOnce, true);
      window.removeEventListener('keydown', unlockOnce, true);
    });
  }
  if (typeof window !== 'undefined' && window.addEventListener) {
    window.addEventListener('pointerdown', unlockOnce, true);
    window.addEventListener('keydown', unlockOnce, true);
  }

  // kind: 'ring' (incoming: 440+480 Hz, 2 s on, 4 s off) or 'ringback' (outgoing: the same
  // pair, quieter, on the speaker side). stopTone() ends either.
  media.startTone = function (kind) {
    var ctx = context();
    if (!ctx) return false;
    media.stopTone();
    tones.test = null;  // a call's tone outlives a ringer test
    tones.playing = kind;
    var gain = kind === 'ring' ? 0.25 : 0.08;
    function burst() {
      var g = ctx.createGain();
      g.gain.value = gain;
      g.connect(tones.dest);
      var now = ctx.currentTime;
      [440, 480].forEach(function (f) {
        var o = ctx.createOscillator();
        o.frequency.value = f;
        o.connect(g);
        o.start(now);
        o.stop(now + 2);
        tones.nodes.push(o);
      });
      tones.nodes.push(g);
    }
    burst();
    tones.timer = setInterval(burst, 6000);
    return true;
  };
  media.stopTone = function () {
    clearInterval(tones.timer);
    tones.timer = null;
    tones.nodes.forEach(function (n) { try { if (n.stop) n.stop(); n.disconnect(); } catch (e) { /* ended */ } });
    tones.nodes = [];
    var was = tones.playing;
    tones.playing = null;
    return was;
  };
  media.tone = function () { return tones.playing; };
  // The Audio settings' "Test ringer": the ringtone on the ringer device for `ms`, unless a call
  // starts ringing meanwhile (then that ring goes on).
  media.testRinger = function (ms) {
    if (tones.playing && !tones.test) return false;  // a call rings already
    if (!media.startTone('ring')) return false;
    var test = {};
    tones.test = test;
    setTimeout(function () { if (tones.test === test) { tones.test = null; media.stopTone(); } }, ms || 2500);
    return true;
  };
  media.ringerSink = function () { return tones.audio ? tones.audio.sinkId : null; };  // diagnostics, tests

  // ---- tab ownership: one tab per agent holds the microphone and the SIP registration ----------
  // claim(agent) resolves {owner: true} when this tab holds the agent's voice lock, or {owner:
  // false} when another tab does; takeOver(agent) steals it (the other tab gets 'voice_lost').
  var lock = { agent: null, release: null, channel: null };
  function lockName(agent) { return 'switchboard-voice-' + agent; }
  function hold(agent, options) {
    return new Promise(function (resolve) {
      navigator.locks.request(lockName(agent), options, function (l) {
        if (!l) { resolve({ owner: false }); return null; }
        lock.agent = agent;
        resolve({ owner: true });
        return new Promise(function (release) { lock.release = release; });
      }).catch(function (e) {
        // Stolen by another tab: the request's promise rejects with AbortError.
        if (lock.agent === agent) {
          lock.agent = null;
          lock.release = null;
          emit('voice_lost', { agent: agent, reason: 'Another tab took over the phone.' });
        }
        if (e && e.name !== 'AbortError') console.error('voice lock: ' + e.message);
      });
    });
  }
  function listen(agent) {
    if (lock.channel || typeof BroadcastChannel === 'undefined') return;
    lock.channel = new BroadcastChannel('switchboard-voice');
    lock.channel.onmessage = function (e) {
      var m = e.data || {};
      if (m.agent !== agent) return;
      if (m.type === 'released' && !lock.agent) emit('voice_free', { agent: agent });
    };
  }
  media.claim = function (agent) {
    if (!navigator.locks) return Promise.resolve({ owner: true, unsupported: true });
    if (lock.agent === agent) return Promise.resolve({ owner: true });
    listen(agent);
    return hold(agent, { ifAvailable: true });
  };
  media.takeOver = function (agent) {
    if (!navigator.locks) return Promise.resolve({ owner: true, unsupported: true });
    listen(agent);
    return hold(agent, { steal: true });
  };
  media.release = function () {
    var agent = lock.agent;
    if (!agent) return false;
    if (lock.release) lock.release();
    lock.agent = null;
    lock.release = null;
    if (lock.channel) lock.channel.postMessage({ type: 'released', agent: agent });
    return true;
  };
  media.owner = function () { return lock.agent; };

  return media;
})();
