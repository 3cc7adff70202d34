// web/switchboard_api.js: window.switchboard, the embedding and test API (docs/js-api.md), and
// SBHost, the browser services behind the C++ WebPlatform: the desk's WebSocket, its timers,
// per-tab storage and on-demand frame scheduling. Loaded with --pre-js, so Module is in scope.
//
// Sections: SBHost (transport · timers · storage · frames · intents and events) · window.switchboard

var SBHost = (function () {
  var host = {};
  var ws = null, generation = 0;
  var timers = {};
  var resolvers = {}, early = {}, dispatching = false;
  var listeners = {};
  var readyResolve;
  host.ready = new Promise(function (resolve) { readyResolve = resolve; });
  host.isReady = false;

  function withCString(s, fn) {
    var len = lengthBytesUTF8(s) + 1, p = _malloc(len);
    stringToUTF8(s, p, len);
    try { return fn(p); } finally { _free(p); }
  }
  host.newCString = function (s) {
    var len = lengthBytesUTF8(s) + 1, p = _malloc(len);
    stringToUTF8(s, p, len);
    return p;
  };

  // ---- transport: one WebSocket; events of a replaced socket are ignored ----------------------
  host.open = function (url) {
    host.close();
    var mine = ++generation;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      setTimeout(function () {
        if (mine === generation) withCString('Cannot open ' + url + ': ' + e.message, Module._sb_on_close);
      }, 0);
      return;
    }
    ws.onopen = function () { if (mine === generation) Module._sb_on_open(); };
    ws.onmessage = function (e) {
      if (mine !== generation || typeof e.data !== 'string') return;
      withCString(e.data, Module._sb_on_frame);
    };
    ws.onclose = function (e) {
      if (mine !== generation) return;
      ws = null;
      var why = e.code === 1006 ? 'Cannot reach the backend.' :
        e.code === 1001 ? 'The backend is restarting.' : 'The connection closed (code ' + e.code + ').';
      withCString(why, Module._sb_on_close);
    };
  };
  host.close = function () {
    generation++;
    if (ws) { try { ws.close(1000); } catch (e) { /* already closed */ } }
    ws = null;
  };
  host.send = function (text) {
    if (ws && ws.readyState === 1) ws.send(text);
  };

  // ---- the phone's SIP WebSocket (RFC 7118: subprotocol "sip"), the same way ------------------
  var sip = null, sipGeneration = 0;
  host.sipOpen = function (url) {
    host.sipClose();
    var mine = ++sipGeneration;
    try {
      sip = new WebSocket(url, 'sip');
    } catch (e) {
      setTimeout(function () {
        if (mine === sipGeneration) withCString('Cannot open ' + url + ': ' + e.message, Module._sb_on_sip_close);
      }, 0);
      return;
    }
    sip.onopen = function () {
      if (mine !== sipGeneration) return;
      if (sip.protocol !== 'sip') {  // RFC 7118 4: the server must agree to speak SIP
        var s = sip; sip = null; sipGeneration++;
        try { s.close(1002); } catch (e) { /* closing */ }
        withCString('The telephony server did not accept the "sip" WebSocket subprotocol.', Module._sb_on_sip_close);
        return;
      }
      Module._sb_on_sip_open();
    };
    sip.onmessage = function (e) {
      if (mine !== sipGeneration) return;
      if (typeof e.data === 'string') { withCString(e.data, Module._sb_on_sip_message); return; }
      // RFC 7118 allows binary frames; SIP is text, so read them as UTF-8.
      e.data.arrayBuffer().then(function (b) {
        if (mine === sipGeneration) withCString(new TextDecoder().decode(b), Module._sb_on_sip_message);
      });
    };
    sip.onclose = function (e) {
      if (mine !== sipGeneration) return;
      sip = null;
      withCString(e.code === 1006 ? 'Cannot reach the telephony server.' : 'closed (code ' + e.code + ')',
        Module._sb_on_sip_close);
    };
  };
  host.sipClose = function () {
    sipGeneration++;
    if (sip) { try { sip.close(1000); } catch (e) { /* already closed */ } }
    sip = null;
  };
  host.sipSend = function (text) {
    if (sip && sip.readyState === 1) sip.send(text);
  };

  // ---- calls' media: the desk's Media effects carried out by SBMedia (media.js) ---------------
  // Outcomes go back through Module._sb_on_media as {kind, call, ...}. Calls are named by the
  // desk's call id; SBMedia's ids are its string form.
  function mediaEvent(e) { withCString(JSON.stringify(e), Module._sb_on_media); }
  host.media = function (cmd) {
    var id = String(cmd.call);
    var failed = function (e) { mediaEvent({ kind: 'failed', call: cmd.call, reason: (e && e.message) || String(e) }); };
    try {
      switch (cmd.op) {
        case 'start':
          SBMedia.create(id).then(function () {
            return cmd.sdp ? SBMedia.answer(id, cmd.sdp) : SBMedia.offer(id);
          }).then(function (r) { mediaEvent({ kind: 'local_sdp', call: cmd.call, sdp: r.sdp }); }, failed);
          break;
        case 'remote_answer': SBMedia.accept(id, cmd.sdp).catch(failed); break;
        case 'mute': SBMedia.mute(id, cmd.on); break;
        case 'hold': SBMedia.hold(id, cmd.on); break;
        case 'dtmf':
          if (!SBMedia.dtmf(id, cmd.digits)) mediaEvent({ kind: 'dtmf_fallback', call: cmd.call, digits: cmd.digits });
          break;
        case 'stop': SBMedia.close(id); break;
        case 'tone': if (cmd.tone) SBMedia.startTone(cmd.tone); else SBMedia.stopTone(); break;
      }
    } catch (e) { failed(e); }
  };
  SBMedia.onevent = function (name, data) {
    if (name === 'stats' && data && /^[0-9]+$/.test(String(data.call))) {
      mediaEvent({ kind: 'stats', call: Number(data.call), stats: data });
    } else if (name === 'device_error') {
      host.emit('device_error', JSON.stringify(data));
      reportDevices(false, data && data.message);
    } else if (name === 'devices_changed') {
      reportDevices(false);
    }
  };

  // ---- audio devices: the desk's Devices effects (list, set, test_ringer) ----------------------
  // Every list (and every choice, once applied to live calls and the ringtone) goes back to the
  // desk through Module._sb_on_devices as {devices, input, output, ringer, microphone, error?}.
  function reportDevices(probe, error) {
    SBMedia.devices(probe).then(function (r) {
      if (error) r.error = error;
      withCString(JSON.stringify(r), Module._sb_on_devices);
    }, function (e) { console.error('[switchboard] devices: ' + e.message); });
  }
  host.devices = function (cmd) {
    switch (cmd.op) {
      case 'list': reportDevices(!!cmd.probe); break;
      case 'set':
        SBMedia.setDevice(cmd.kind, cmd.id).then(function () { reportDevices(false); },
          function (e) { reportDevices(false, 'Could not switch the device: ' + e.message); });
        break;
      case 'test_ringer': SBMedia.testRinger(cmd.ms); break;
    }
  };

  // ---- timers ---------------------------------------------------------------------------------
  host.startTimer = function (id, ms) {
    host.cancelTimer(id);
    timers[id] = setTimeout(function () { delete timers[id]; Module._sb_on_timer(id); }, ms);
  };
  host.cancelTimer = function (id) {
    if (timers[id] !== undefined) { clearTimeout(timers[id]); delete timers[id]; }
  };

  // ---- per-tab storage: survives a reload of this tab, not the tab's closing ------------------
  host.storageSet = function (key, value) {
    try {
      if (value === null) sessionStorage.removeItem('switchboard.' + key);
      else sessionStorage.setItem('switchboard.' + key, value);
    } catch (e) { /* storage disabled: the session simply won't survive a reload */ }
  };
  host.storageGet = function (key) {
    try { return sessionStorage.getItem('switchboard.' + key); } catch (e) { return null; }
  };

  // ---- frames: drawn on demand, never in a loop -----------------------------------------------
  var framePending = false, frameTimer = null;
  host.requestFrame = function () {
    if (framePending) return;
    framePending = true;
    requestAnimationFrame(function () { framePending = false; Module._sb_frame(); });
  };
  host.frameAfter = function (ms) {
    if (frameTimer !== null) clearTimeout(frameTimer);
    frameTimer = setTimeout(function () { frameTimer = null; host.requestFrame(); }, ms);
  };
  host.frames = 0;  // frames drawn (switchboard.framesDrawn): idle rendering is checked by tests

  // ---- intents and events ---------------------------------------------------------------------
  host.complete = function (id, replyJson) {
    var reply = JSON.parse(replyJson);
    if (resolvers[id]) { resolvers[id](reply); delete resolvers[id]; }
    else if (dispatching) early[id] = reply;  // completed before dispatch() returned
  };
  host.dispatch = function (intent) {
    return host.ready.then(function () {
      var json;
      try { json = JSON.stringify(intent); } catch (e) {
        return {ok: false, error: {code: 'bad_intent', message: 'The intent is not serialisable: ' + e.message}};
      }
      dispatching = true;
      var id;
      try { id = withCString(json === undefined ? 'null' : json, Module._sb_dispatch); } finally { dispatching = false; }
      if (early[id]) { var r = early[id]; early = {}; return r; }
      early = {};
      return new Promise(function (resolve) { resolvers[id] = resolve; });
    });
  };
  host.emit = function (event, dataJson) {
    var data = JSON.parse(dataJson);
    (listeners[event] || []).slice().forEach(function (cb) {
      try { cb(data); } catch (e) { console.error('[switchboard] listener for ' + event + ' failed', e); }
    });
  };
  // Whether anything listens to `event`: the core builds a contact's JSON only for listeners.
  host.listens = function (event) { var list = listeners[event]; return !!(list && list.length); };
  host.on = function (event, cb) {
    if (typeof cb !== 'function') throw new TypeError('switchboard.on(event, callback): callback must be a function');
    (listeners[event] = listeners[event] || []).push(cb);
    return function () {
      var list = listeners[event] || [];
      var i = list.indexOf(cb);
      if (i >= 0) list.splice(i, 1);
    };
  };
  host.log = function (level, message) {
    var fn = ['debug', 'info', 'warn', 'error'][level] || 'log';
    console[fn]('[switchboard] ' + message);
  };
  // ---- the backend: this page's own origin, or one its server lists --------------------------
  // A link's ?backend= is taken only when it names the page's own /desk or one of the backends
  // the server that served this page lists in <meta name="switchboard-backends"> (switchboardd
  // --desk-backend). Any other is refused, said on the page and logged, and never opened: the
  // agent's password, codes and the cards they type must not go where a link says.
  host.backend = null;  // {url, refused}: what the desk connects to, and a link's refused backend
  function sameUrl(a, b) {
    try { return new URL(a).href === new URL(b).href; } catch (e) { return false; }
  }
  host.allowedBackends = function () {
    var own = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/desk';
    var meta = document.querySelector('meta[name="switchboard-backends"]');
    var listed = meta && meta.content ? meta.content.split(/\s+/).filter(function (u) {
      return /^wss?:\/\//.test(u);
    }) : [];
    return [own].concat(listed);
  };
  host.backendUrl = function () {
    var allowed = host.allowedBackends(), own = allowed[0];
    var asked = new URLSearchParams(location.search).get('backend');
    var chosen = asked ? allowed.filter(function (u) { return sameUrl(u, asked); })[0] : own;
    host.backend = { url: chosen || own, refused: chosen ? null : asked };
    if (!chosen) {
      var why = 'This link asked the desk to use the server ' + asked + ', which is not one of this desk\'s ' +
        'servers, so it was ignored. The desk uses its own server (' + own + '): your sign-in and what ' +
        'you type go only there.';
      console.warn('[switchboard] ' + why);
      showBackendNotice(why);
    }
    return host.backend.url;
  };
  function showBackendNotice(text) {
    var el = document.getElementById('backend-notice');
    if (!el) return;
    el.querySelector('p').textContent = text;
    el.hidden = false;
    el.querySelector('button').addEventListener('click', function () {
      el.hidden = true;
      var canvas = document.getElementById('canvas');
      if (canvas) canvas.focus();
    });
  }
  host.randomSeed = function () {
    var a = new Uint32Array(2);
    crypto.getRandomValues(a);
    return a[0] * 2097152 + (a[1] >>> 11);  // 53 random bits
  };
  host.markReady = function () {
    host.isReady = true;
    readyResolve(window.switchboard);
  };

  // ---- desktop notification: a call rings while the tab is hidden ------------------------------
  // Permission is asked at sign-in (the click or Enter that signs in is the user gesture browsers
  // want). The notification names the caller and closes when the call stops ringing. With the
  // service worker (sw.js) it has Answer and Decline buttons: the worker posts the choice back
  // ({type: 'call.action', action, call, contact}) and it becomes the answer or hangup intent.
  // Without one (an old browser, a page not served over http(s)) it is a plain Notification
  // that focuses the tab when clicked.
  var callNote = null;  // {call, note} for a plain one; {call, tag} for the worker's
  var swReady = null;   // resolves with the active registration, or null
  var swReg = null;     // ... and here once it has
  // The browser's own Notification: a page that substitutes its own (an embedding CRM's, a
  // test's stand-in) gets that one used, without buttons.
  var BrowserNotification = typeof Notification === 'undefined' ? undefined : Notification;
  host.serviceWorker = function () { return swReady || Promise.resolve(null); };
  if (typeof navigator !== 'undefined' && navigator.serviceWorker && window.isSecureContext) {
    // Beside index.html, so its scope is the desk's own path and nothing above it.
    swReady = navigator.serviceWorker.register('sw.js').then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) { swReg = reg; return reg; }).catch(function (e) {
      console.warn('[switchboard] no service worker, so notifications have no buttons: ' + e.message);
      return null;
    });
    navigator.serviceWorker.addEventListener('message', function (e) { host.callAction(e.data); });
  }

  // A notification's button (or click) for a call: answer, decline, or just bring the tab forward.
  // Resolves with the intent's reply (null when there was nothing to do).
  host.callAction = function (m) {
    if (!m || m.type !== 'call.action') return Promise.resolve(null);
    try { window.focus(); } catch (e) { /* not allowed */ }
    closeCallNote(m.call);
    if (m.action !== 'answer' && m.action !== 'decline') return Promise.resolve(null);
    var calls = host.isReady ? window.switchboard.state().calls || [] : [];
    var c = calls.filter(function (x) { return x.id === m.call; })[0];
    if (!c || c.phase !== 'ringing') return Promise.resolve(null);  // answered or gone meanwhile
    return host.dispatch({ type: m.action === 'answer' ? 'answer' : 'hangup', call: c.id });
  };

  function closeCallNote(call) {
    if (!callNote || (call !== undefined && callNote.call !== call)) return;
    var note = callNote;
    callNote = null;
    if (note.note) { try { note.note.close(); } catch (e) { /* gone */ } return; }
    host.serviceWorker().then(function (reg) {
      if (!reg) return;
      reg.getNotifications({ tag: note.tag }).then(function (list) {
        list.forEach(function (n) { n.close(); });
      });
    });
  }
  host.on('session', function (e) {
    if (e.state !== 'logging_in' || typeof Notification === 'undefined' || Notification.permission !== 'default') return;
    if (navigator.userActivation && !navigator.userActivation.isActive) return;  // API login: no gesture to ask with
    try { Notification.requestPermission().catch(function () {}); } catch (e) { /* old callback form */ }
  });
  host.on('call.incoming', function (c) {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted' || !document.hidden) return;
    var who = c.name || c.number || 'Unknown caller';
    try {
      var k = c.contact && window.switchboard.state().contacts.filter(function (x) { return x.id === c.contact; })[0];
      var cu = k && k.customer;
      if (cu && (cu.first_name || cu.last_name)) who = [cu.first_name, cu.last_name].filter(Boolean).join(' ');
    } catch (e) { /* the number will do */ }
    var body = who !== c.number && c.number ? who + ' · ' + c.number : who;
    closeCallNote();
    var tag = 'switchboard-call-' + c.id;
    if (swReg && swReg.active && window.Notification === BrowserNotification) {
      callNote = { call: c.id, tag: tag };
      swReg.active.postMessage({ type: 'call.notify', title: 'Incoming call', body: body, tag: tag, call: c.id,
        contact: c.contact || null });
      return;
    }
    var note = new Notification('Incoming call', { body: body, tag: tag, requireInteraction: true });
    note.onclick = function () { window.focus(); note.close(); };
    callNote = { call: c.id, note: note };
  });
  host.on('call', function (c) { if (c.phase !== 'ringing') closeCallNote(c.id); });
  host.on('call.ended', function (e) { closeCallNote(e.call); });
  return host;
})();

window.switchboard = {
  version: '0.1.0',
  ready: SBHost.ready,
  state: function () {
    if (!SBHost.isReady) return {connection: {state: 'loading'}, session: {state: 'logged_out'}, agent: null, contacts: []};
    return JSON.parse(UTF8ToString(Module._sb_state_json()));
  },
  dispatch: function (intent) { return SBHost.dispatch(intent); },
  on: function (event, callback) { return SBHost.on(event, callback); },
  // The session's recording (a support log, docs/support-log.md): JSON Lines, for
  // switchboard-replay. Passwords, codes and card numbers are taken out before it is written.
  supportLog: function () {
    if (!SBHost.isReady) return null;
    var p = Module._sb_support_log();  // a copy of its own, freed once read
    if (!p) return null;
    try { return UTF8ToString(p) || null; } finally { _free(p); }
  },
  // Hands the agent the support log as a file download; returns its file name (null: nothing).
  exportSupportLog: function () {
    var log = window.switchboard.supportLog();
    if (!log) return null;
    var name = 'switchboard-support-' + new Date().toISOString().replace(/[:.]/g, '-') + '.log';
    var url = URL.createObjectURL(new Blob([log], { type: 'text/plain' }));
    var a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    return name;
  },
  get framesDrawn() { return SBHost.frames; },
  get framesPainted() { return SBHost.framesPainted | 0; },
  // {url, refused}: the backend the desk uses, and a link's ?backend= it refused (else null).
  get backend() { return SBHost.backend; },
};

SBHost.fail = function (message) {
  var el = document.getElementById('fatal');
  if (el) { el.textContent = message; el.hidden = false; }
  console.error('[switchboard] ' + message);
};
