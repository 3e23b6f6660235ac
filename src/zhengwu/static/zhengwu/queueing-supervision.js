/* 效能监察 live page: refresh the numbers from the JSON API every 15 s (no reload). */
(function () {
  "use strict";
  var cfgEl = document.getElementById("sv-config");
  if (!cfgEl) { return; }
  var cfg = JSON.parse(cfgEl.textContent);

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = (value === null || value === undefined) ? "—" : String(value); }
  }
  function cell(tr, value, cls) {
    var td = document.createElement("td");
    if (cls) { td.className = cls; }
    if (value instanceof Node) { td.appendChild(value); } else { td.textContent = value; }
    tr.appendChild(td);
    return td;
  }
  function badge(label, cls) {
    var span = document.createElement("span");
    span.className = "badge " + cls;
    span.textContent = label;
    return span;
  }
  function fill(id, items, build, emptyText, cols) {
    var body = document.getElementById(id);
    if (!body) { return; }
    var rows = [];
    items.forEach(function (item) { var tr = document.createElement("tr"); build(tr, item); rows.push(tr); });
    if (!rows.length) {
      var tr = document.createElement("tr");
      var td = cell(tr, emptyText, "text-muted");
      td.colSpan = cols;
      rows.push(tr);
    }
    body.replaceChildren.apply(body, rows);
  }
  function render(d) {
    text("sv-at", d.at.slice(11, 19));
    text("sv-waiting", d.waiting_total);
    text("sv-avg-wait", d.avg_wait_minutes);
    text("sv-avg-service", d.avg_service_minutes);
    text("sv-threshold", d.threshold_minutes);
    text("sv-overdue-count", d.overdue.length);
    text("sv-tickets", d.tickets_today);
    text("sv-served", d.served_today);
    text("sv-noshows", d.no_shows_today);
    text("sv-open", d.windows_open);
    text("sv-closed", d.windows_closed);
    var card = document.getElementById("sv-overdue-card");
    if (card) { card.classList.toggle("sv-alert", d.overdue.length > 0); }
    fill("sv-waiting-types", d.waiting, function (tr, t) {
      cell(tr, t.prefix + " " + t.name); cell(tr, t.count, "text-end");
    }, "未设置业务类型", 2);
    fill("sv-overdue", d.overdue, function (tr, t) {
      tr.className = "table-danger"; cell(tr, t.display); cell(tr, t.minutes, "text-end");
    }, "暂无超时等待", 2);
    fill("sv-alerts", d.alerts, function (tr, a) {
      var td = cell(tr, a.ticket);
      if (!a.waiting) { td.appendChild(document.createTextNode(" ")); td.appendChild(badge("已叫号", "text-bg-light border")); }
      cell(tr, a.minutes + " 分钟", "text-end"); cell(tr, a.at.slice(11, 16), "text-end");
    }, "今日暂无超时提醒", 3);
    fill("sv-windows", d.windows, function (tr, w) {
      cell(tr, w.number + " " + w.name);
      cell(tr, w.open ? badge("服务中", "text-bg-success") : badge("未开窗", "text-bg-secondary"));
      cell(tr, w.saturation === null ? "—" : Math.round(w.saturation * 100) + "%", "text-end");
    }, "该大厅没有窗口", 3);
  }
  function refresh() {
    fetch(cfg.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (d) { render(d); document.getElementById("sv-stale").classList.add("d-none"); })
      .catch(function () { document.getElementById("sv-stale").classList.remove("d-none"); });
  }
  window.setInterval(refresh, cfg.every || 15000);
}());
