// web/library_switchboard.js: the browser services the C++ platform calls (WebPlatform in
// platform_web.cpp). Each function is a thin call into SBHost (switchboard_api.js), which owns
// the WebSocket, the timers and the listeners of window.switchboard.
mergeInto(LibraryManager.library, {
  sb_js_now: function () { return Date.now(); },
  sb_js_ws_open: function (url) { SBHost.open(UTF8ToString(url)); },
  sb_js_ws_close: function () { SBHost.close(); },
  sb_js_ws_send: function (text) { SBHost.send(UTF8ToString(text)); },
  sb_js_timer_start: function (timer, delayMs) { SBHost.startTimer(timer, delayMs); },
  sb_js_timer_cancel: function (timer) { SBHost.cancelTimer(timer); },
  sb_js_storage_set: function (key, value) {
    SBHost.storageSet(UTF8ToString(key), value ? UTF8ToString(value) : null);
  },
  sb_js_storage_get__deps: ['malloc'],
  sb_js_storage_get: function (key) {
    var v = SBHost.storageGet(UTF8ToString(key));
    return v === null ? 0 : SBHost.newCString(v);
  },
  sb_js_complete: function (id, reply) { SBHost.complete(id, UTF8ToString(reply)); },
  sb_js_notify: function (event, data) { SBHost.emit(UTF8ToString(event), UTF8ToString(data)); },
  sb_js_listens: function (event) { return SBHost.listens(UTF8ToString(event)) ? 1 : 0; },
  sb_js_log: function (level, message) { SBHost.log(level, UTF8ToString(message)); },
  sb_js_backend_url__deps: ['malloc'],
  sb_js_backend_url: function () { return SBHost.newCString(SBHost.backendUrl()); },
  sb_js_random_seed: function () { return SBHost.randomSeed(); },
  sb_js_ready: function () { SBHost.markReady(); var l = document.getElementById("loading"); if (l) l.remove(); },
  sb_js_sip_open: function (url) { SBHost.sipOpen(UTF8ToString(url)); },
  sb_js_sip_close: function () { SBHost.sipClose(); },
  sb_js_sip_send: function (text) { SBHost.sipSend(UTF8ToString(text)); },
  sb_js_media: function (command) { SBHost.media(JSON.parse(UTF8ToString(command))); },
  // The phone's lock (SBMedia.claim / takeOver): 0 granted, 1 another tab has it.
  sb_js_phone_claim: function (agent, takeOver) {
    var name = UTF8ToString(agent);
    (takeOver ? SBMedia.takeOver(name) : SBMedia.claim(name)).then(function (r) {
      Module._sb_on_phone(r.owner ? 0 : 1);
    });
  },
  sb_js_phone_release: function () { SBMedia.release(); },
  sb_js_devices: function (command) { SBHost.devices(JSON.parse(UTF8ToString(command))); },
  sb_js_request_frame: function () { SBHost.requestFrame(); },
  sb_js_frame_after: function (ms) { SBHost.frameAfter(ms); },
  sb_js_viewport: function (out) {  // [css width, css height, device pixel ratio * 100]
    HEAP32[out >> 2] = window.innerWidth;
    HEAP32[(out >> 2) + 1] = window.innerHeight;
    HEAP32[(out >> 2) + 2] = Math.round((window.devicePixelRatio || 1) * 100);
  },
});
