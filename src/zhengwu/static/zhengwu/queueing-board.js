/* The hall's call board and the window screens (queueing/board/*.html; ADR 0043).
   Live from the push server (EventSource), falling back to polling the board API every 5 s while
   the stream is down; the board announces each call and recall with the browser's speech
   synthesis (zh-CN) once a first click or key press has enabled sound (browsers block autoplay). */
(function () {
  "use strict";
  var root = document.getElementById("zw-board");
  if (!root) { return; }
  var kind = root.dataset.kind;
  var eventsUrl = root.dataset.eventsUrl;
  var apiUrl = root.dataset.apiUrl;
  var lastId = parseInt(root.dataset.lastEventId || "0", 10) || 0;
  // Ids up to `floor` were on the page when it was rendered; later ones are shown once each (an id
  // committed late can arrive after a higher one, so a set, not only the highest id).
  var floor = lastId, seen = {}, seenOrder = [];
  function isNew(id) { return id > floor && !seen[id]; }
  function markSeen(id) {
    seen[id] = true;
    seenOrder.push(id);
    if (seenOrder.length > 2000) { delete seen[seenOrder.shift()]; }
    if (id > lastId) { lastId = id; root.dataset.lastEventId = lastId; }
  }
  var POLL_MS = 5000, MAX_CALLS = 8;
  var ACTIONS = ["issue", "call", "recall", "no_show", "start", "end", "transfer", "requeue", "cancel", "window"];
  var modeEl = document.getElementById("board-mode");
  var es = null, pollTimer = null, soundOn = false;

  function setMode(text, live) {
    if (!modeEl) { return; }
    modeEl.textContent = text;
    modeEl.classList.toggle("zw-board-live", !!live);
    root.dataset.mode = live ? "push" : "poll";
  }

  // --- the clock -------------------------------------------------------------------------------
  var clock = document.getElementById("board-clock");
  function tick() {
    if (!clock) { return; }
    var d = new Date(), p = function (n) { return (n < 10 ? "0" : "") + n; };
    var wd = "日一二三四五六".charAt(d.getDay());
    clock.textContent = d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日 星期" + wd + " " +
      p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
  }
  tick();
  setInterval(tick, 1000);

  // --- speech ------------------------------------------------------------------------------------
  var hint = document.getElementById("board-sound-hint");
  var voice = null;
  function pickVoice() {
    if (!window.speechSynthesis) { return; }
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (/^zh(-|_)?CN/i.test(voices[i].lang)) { voice = voices[i]; return; }
    }
    for (var j = 0; j < voices.length; j++) { if (/^zh/i.test(voices[j].lang)) { voice = voices[j]; return; } }
  }
  if (window.speechSynthesis) {
    pickVoice();
    window.speechSynthesis.onvoiceschanged = pickVoice;
  }
  function speak(text) {
    if (!soundOn || !text || !window.speechSynthesis) { return; }
    var times = 2;  // said twice, as halls do
    for (var k = 0; k < times; k++) {
      var u = new SpeechSynthesisUtterance(text);
      u.lang = "zh-CN";
      u.rate = 0.9;
      if (voice) { u.voice = voice; }
      window.speechSynthesis.speak(u);
    }
  }
  function enableSound() {
    if (soundOn) { return; }
    soundOn = true;
    root.dataset.sound = "on";
    if (hint) { hint.hidden = true; }
    if (window.speechSynthesis) {  // a user gesture unlocks speech: say something short now
      var u = new SpeechSynthesisUtterance("语音播报已开启");
      u.lang = "zh-CN";
      if (voice) { u.voice = voice; }
      window.speechSynthesis.speak(u);
    }
  }
  if (kind === "board") {
    document.addEventListener("click", enableSound);
    document.addEventListener("keydown", enableSound);
  } else if (hint) { hint.hidden = true; }

  // --- the board ---------------------------------------------------------------------------------
  function hhmm(iso) { return (iso || "").slice(11, 16); }
  function td(text, cls) {
    var c = document.createElement("td");
    c.textContent = text;
    if (cls) { c.className = cls; }
    return c;
  }
  function addCall(ev) {
    var body = document.getElementById("board-calls");
    var latest = document.getElementById("board-latest");
    if (latest) { latest.textContent = ev.text || ("请 " + ev.ticket + " 号到 " + ev.window + " 号窗口"); }
    if (latest) { latest.classList.remove("zw-board-flash"); void latest.offsetWidth; latest.classList.add("zw-board-flash"); }
    if (!body) { return; }
    var empty = body.querySelector(".zw-board-empty");
    if (empty) { empty.remove(); }
    var tr = document.createElement("tr");
    tr.dataset.eventId = ev.event_id;
    tr.appendChild(td(ev.ticket, "zw-board-ticket"));
    tr.appendChild(td(ev.window + " 号窗口"));
    tr.appendChild(td(hhmm(ev.at)));
    body.insertBefore(tr, body.firstChild);
    while (body.children.length > MAX_CALLS) { body.removeChild(body.lastChild); }
  }
  function setWaiting(waiting) {
    if (!waiting) { return; }
    var list = document.getElementById("board-waiting");
    if (!list) { return; }
    Object.keys(waiting).forEach(function (prefix) {
      var li = list.querySelector('li[data-prefix="' + prefix + '"]');
      if (li) { li.querySelector(".zw-board-count").textContent = waiting[prefix]; }
    });
  }
  function onBoardEvent(ev) {
    if (ev.action === "call" || ev.action === "recall") {
      addCall(ev);
      speak(ev.text);
    }
    setWaiting(ev.waiting);
  }
  function applyBoard(data) {  // a polled snapshot: calls newest first
    var fresh = (data.calls || []).filter(function (c) { return isNew(c.event_id); }).reverse();
    fresh.forEach(function (c) { markSeen(c.event_id); c.action = "call"; addCall(c); speak(c.text); });
    setWaiting(data.waiting);
  }

  // --- the window screen ---------------------------------------------------------------------
  function setText(id, text) { var el = document.getElementById(id); if (el) { el.textContent = text; } }
  function applyScreen(s) {
    document.getElementById("screen-open").hidden = !s.open;
    document.getElementById("screen-closed").hidden = !!s.open;
    setText("screen-number", s.window);
    setText("screen-name", s.name);
    setText("screen-clerk", s.clerk || "—");
    setText("screen-ticket", s.ticket ? s.ticket.display : "—");
    setText("screen-status", s.ticket ? s.ticket.status_label : "等候叫号");
  }
  var refreshing = false;
  function refreshScreen() {
    if (refreshing) { return; }
    refreshing = true;
    fetchJson().then(applyScreen).catch(function () {}).then(function () { refreshing = false; });
  }

  // --- transport ---------------------------------------------------------------------------------
  function fetchJson() {
    return fetch(apiUrl, {headers: {"Accept": "application/json"}, cache: "no-store"}).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }
  function poll() {
    fetchJson().then(function (data) { (kind === "board" ? applyBoard : applyScreen)(data); }).catch(function () {});
  }
  function startPolling() {
    if (pollTimer) { return; }
    setMode("轮询更新", false);
    poll();
    pollTimer = setInterval(poll, POLL_MS);
  }
  function stopPolling() {
    if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
  }
  function handle(msg) {
    var ev;
    try { ev = JSON.parse(msg.data); } catch (e) { return; }
    if (!isNew(ev.event_id)) { return; }
    markSeen(ev.event_id);
    if (kind === "board") { onBoardEvent(ev); } else { refreshScreen(); }
  }
  function connect() {
    if (!eventsUrl || !window.EventSource) { startPolling(); return; }
    var url = eventsUrl + (eventsUrl.indexOf("?") < 0 ? "?" : "&") + "last_event_id=" + lastId;
    try { es = new EventSource(url); } catch (e) { startPolling(); return; }
    es.onopen = function () {
      stopPolling();
      setMode("实时", true);
      if (kind === "screen") { refreshScreen(); }
    };
    es.onerror = function () {
      // EventSource retries by itself (the server's retry: 2 s); meanwhile the API is polled.
      startPolling();
      if (es.readyState === EventSource.CLOSED) { es = null; setTimeout(connect, POLL_MS); }
    };
    ACTIONS.forEach(function (a) { es.addEventListener(a, handle); });
  }
  connect();
}());
