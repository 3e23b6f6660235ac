// 自助终端: back to the home screen after 60 s without a touch (the next person starts fresh).
(function () {
  "use strict";
  var home = document.querySelector("[data-kiosk-home]");
  if (!home) { return; }
  var IDLE_MS = 60000;
  var timer = null;
  var atHome = window.location.pathname === new URL(home.href, window.location.href).pathname;

  function reset() {
    if (timer) { clearTimeout(timer); }
    if (atHome) { return; }
    timer = setTimeout(function () { window.location.assign(home.href); }, IDLE_MS);
  }

  ["pointerdown", "keydown", "touchstart", "input", "scroll"].forEach(function (name) {
    document.addEventListener(name, reset, {passive: true});
  });
  // A double tap on a submit button must not send the form twice.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.getAttribute("data-sent")) { ev.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
  });
  window.zwKioskIdleMs = IDLE_MS;
  reset();
})();
