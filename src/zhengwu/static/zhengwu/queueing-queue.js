// 叫号 panel: the buttons are plain forms (they work without JavaScript); here each one with a
// data-api address is sent to the JSON API instead and the panel is refreshed in place.
(function () {
  "use strict";
  var panel = document.getElementById("queue-panel");
  var flash = document.getElementById("queue-flash");
  if (!panel) { return; }

  function say(text, ok) {
    flash.innerHTML = "";
    var div = document.createElement("div");
    div.className = "alert " + (ok ? "alert-success" : "alert-danger");
    div.id = "queue-message";
    div.textContent = text;
    flash.appendChild(div);
  }

  function refresh(extra) {
    var url = panel.getAttribute("data-refresh") + (extra || "");
    return fetch(url, {credentials: "same-origin"}).then(function (r) { return r.text(); })
      .then(function (html) { panel.innerHTML = html; });
  }

  function body(form) {
    var data = {};
    var version = form.querySelector("input[name=version]");
    if (version && version.value) { data.version = parseInt(version.value, 10); }
    var bt = form.querySelector("select[name=business_type]");
    if (bt) { data.business_type_id = parseInt(bt.value, 10); }
    return JSON.stringify(data);
  }

  // The waiting counts change as people take numbers: refreshed every 15 s while nobody is typing.
  var busy = false;
  setInterval(function () {
    var active = document.activeElement;
    if (busy || (active && panel.contains(active) && /INPUT|SELECT/.test(active.tagName))) { return; }
    refresh("");
  }, 15000);

  panel.addEventListener("submit", function (ev) {
    var form = ev.target;
    var api = form.getAttribute("data-api");
    if (!api || !window.fetch) { return; }
    ev.preventDefault();
    busy = true;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(api, {
      method: "POST", credentials: "same-origin", body: body(form),
      headers: {"Content-Type": "application/json", "X-CSRFToken": token ? token.value : ""}
    }).then(function (r) {
      return r.json().then(function (j) { return {ok: r.ok, j: j}; });
    }).then(function (res) {
      say(res.j.message || res.j.detail || (res.ok ? "已完成" : "操作失败"), res.ok);
      var ticket = form.querySelector("input[name=ticket]");
      var extra = res.ok && form.hasAttribute("data-done") && ticket ? "&done=" + ticket.value : "";
      return refresh(extra);
    }).then(function () { busy = false; }).catch(function () {
      busy = false;
      say("网络异常，请重试", false);
      buttons.forEach(function (b) { b.disabled = false; });
    });
  });
})();
