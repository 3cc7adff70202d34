// web/boot.js: what the page sets up before switchboard.js loads: the Emscripten Module (the
// canvas, where its output goes, what an abort shows), resizing, and no browser context menu on
// the canvas (the desk draws its own). A file, not an inline script: the page's
// Content-Security-Policy allows scripts from files only (docs/security.md, "Browser").
var Module = {
  canvas: document.getElementById('canvas'),
  print: function (t) { console.log(t); },
  printErr: function (t) { console.warn(t); },
  onAbort: function (what) { SBHost.fail('Switchboard stopped: ' + what); },
};
window.addEventListener('resize', function () {
  if (Module._sb_resize) Module._sb_resize(window.innerWidth, window.innerHeight);
});
document.getElementById('canvas').addEventListener('contextmenu', function (e) { e.preventDefault(); });
