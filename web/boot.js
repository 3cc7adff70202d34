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
// SDL's browser backend takes a press's position from the last mousemove it saw, not from the
// press: a press with no motion before it (a tap some browsers send bare, assistive technology,
// an embedding page's synthetic click) would land where the pointer last was. A capturing
// listener runs before SDL's on the canvas and moves the pointer there first.
(function () {
  var canvas = document.getElementById('canvas');
  var lastX = null, lastY = null;
  window.addEventListener('mousemove', function (e) { lastX = e.clientX; lastY = e.clientY; }, true);
  function moveFirst(e) {
    if (e.target !== canvas || (e.clientX === lastX && e.clientY === lastY)) return;
    canvas.dispatchEvent(new MouseEvent('mousemove', { clientX: e.clientX, clientY: e.clientY, screenX: e.screenX,
      screenY: e.screenY, buttons: e.buttons, bubbles: true, cancelable: true, view: window }));
  }
  window.addEventListener('mousedown', moveFirst, true);
  window.addEventListener('mouseup', moveFirst, true);
})();
