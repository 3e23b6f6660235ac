/* 统计分析 dashboards and the 大屏 (Apache ECharts from static/vendor/echarts; no inline script or style).
 *
 * Charts: <div class="zw-dash-chart" id="ID" data-chart="SPEC_ID"></div> + {{ spec|json_script:"SPEC_ID" }}.
 * A spec is bars/lines {x, y: [unit, unit2], series: [{name, type, data, axis}], horizontal},
 * a pie {kind: "pie", data: [{name, value}], unit} or a region chart {kind: "region", map: URL|null,
 * map_name, data: [{name, value}], x, series, unit}: a map when the boundary file is served (fetched
 * from our own server and registered with echarts.registerMap), bars otherwise.
 *
 * Live pages carry {{ live|json_script:"dash-live" }} = {url, every}: the JSON at url is fetched every
 * ``every`` ms and updates [data-num=KEY] (numbers), <tbody data-rows=KEY> (tables, text cells only),
 * the charts whose element id is a key of ``charts``, and the 大屏's tiles (#tile-N).
 * <body class="zw-screen"> draws with ECharts' dark theme and large type (the 大屏). */
(function () {
  "use strict";
  var COLORS = ["#1f5fbf", "#d9534f", "#2e8b57", "#f0ad4e", "#6f42c1", "#17a2b8", "#e83e8c", "#6c757d"];
  var SCREEN_COLORS = ["#4fc3f7", "#ffb74d", "#81c784", "#e57373", "#ba68c8", "#4db6ac", "#fff176", "#90a4ae"];
  var dark = document.body.classList.contains("zw-screen");
  var big = dark ? 1.6 : 1;
  var charts = {};
  var maps = {};

  function font(n) { return Math.round(n * big); }

  // “暂无数据” in the middle of a chart with nothing to draw (an empty pie is a grey ring otherwise).
  function emptyTitle(empty) {
    return {show: empty, text: "暂无数据", left: "center", top: "middle",
            textStyle: {fontSize: font(14), fontWeight: "normal", color: dark ? "#9fb7d6" : "#6c757d"}};
  }
  function hasValue(values) {
    return values.some(function (v) { return v !== null && v !== undefined && v !== 0; });
  }

  function axisOption(spec) {
    var y = spec.y || [""];
    var category = {type: "category", data: spec.x, axisLabel: {fontSize: font(12), interval: spec.horizontal ? 0 : "auto"}};
    var values = y.map(function (name, i) {
      return {type: "value", name: name, position: i ? "right" : "left", splitLine: {show: !i}, minInterval: 1,
              axisLabel: {fontSize: font(12)}, nameTextStyle: {fontSize: font(12)}};
    });
    return {
      color: dark ? SCREEN_COLORS : COLORS, animation: false, backgroundColor: "transparent",
      title: emptyTitle(!spec.series.some(function (s) { return hasValue(s.data); })),
      // richText: the tooltip draws on the canvas, not HTML with style="" (the CSP forbids inline styles).
      tooltip: {trigger: "axis", renderMode: "richText"},
      legend: {top: 0, textStyle: {fontSize: font(12)}},
      // a horizontal ranking prints its values right of the bars: room for "100.0"
      grid: {left: 16, right: y.length > 1 || spec.horizontal ? 56 * big : 24, top: 36, bottom: 12, containLabel: true},
      xAxis: spec.horizontal ? values[0] : category,
      yAxis: spec.horizontal ? category : values,
      series: spec.series.map(function (s) {
        return {name: s.name, type: s.type || "bar", data: s.data, yAxisIndex: spec.horizontal ? 0 : (s.axis || 0),
                smooth: false, symbolSize: 5 * big, barMaxWidth: 28 * big,
                label: {show: !!spec.horizontal, position: "right", fontSize: font(12)}};
      })
    };
  }

  function pieOption(spec, width) {
    var unit = spec.unit || "";
    var total = spec.data.reduce(function (n, d) { return n + (d.value || 0); }, 0);
    var byName = {};
    spec.data.forEach(function (d) { byName[d.name] = d.value; });
    // A narrow card (a third of the page) has no room for labels round the ring: they were cut to
    // "…" and the legend paged. There the legend carries each name with its count and share, in
    // full, on as many lines as it needs; a wide chart keeps the labels.
    var narrow = width < 420 * big;
    return {
      color: dark ? SCREEN_COLORS : COLORS, animation: false, backgroundColor: "transparent",
      title: emptyTitle(!hasValue(spec.data.map(function (d) { return d.value; }))),
      tooltip: {trigger: "item", renderMode: "richText"},
      legend: narrow ? {type: "plain", bottom: 0, itemGap: 6, textStyle: {fontSize: font(12)},
                        formatter: function (name) {
                          var v = byName[name] || 0;
                          return name + " " + v + unit + (total ? "（" + Math.round(v * 100 / total) + "%）" : "");
                        }}
                     : {type: "scroll", bottom: 0, textStyle: {fontSize: font(12)}},
      series: [{type: "pie", radius: narrow ? ["28%", "50%"] : ["35%", "65%"], center: ["50%", narrow ? "32%" : "45%"],
                data: spec.data, label: {show: !narrow, fontSize: font(12), formatter: "{b}\n{c}" + unit + "（{d}%）"},
                labelLine: {show: !narrow}}]
    };
  }

  function mapOption(spec) {
    var values = spec.data.map(function (d) { return d.value; });
    var max = values.length ? Math.max.apply(null, values) : 1;
    return {
      animation: false, backgroundColor: "transparent",
      tooltip: {trigger: "item", renderMode: "richText"},
      visualMap: {min: 0, max: max || 1, calculable: false, left: 8, bottom: 8, text: ["高", "低"],
                  textStyle: {fontSize: font(12), color: dark ? "#ddd" : "#333"},
                  inRange: {color: dark ? ["#16324f", "#4fc3f7"] : ["#e3eefc", "#1f5fbf"]}},
      series: [{type: "map", map: spec.map_name, name: spec.name, data: spec.data, roam: false,
                itemStyle: {areaColor: dark ? "#1b3350" : "#f1f4f9", borderColor: dark ? "#4f7fb0" : "#8aa4c8"},
                label: {show: true, fontSize: font(11), color: dark ? "#fff" : "#222"}}]
    };
  }

  function withMap(spec, done) {
    if (!spec.map) { done(false); return; }
    if (maps[spec.map] === true) { done(true); return; }
    if (maps[spec.map] === false) { done(false); return; }
    fetch(spec.map, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (geo) { window.echarts.registerMap(spec.map_name, geo); maps[spec.map] = true; done(true); })
      .catch(function () { maps[spec.map] = false; done(false); });
  }

  function draw(el, spec) {
    if (!window.echarts) { return; }
    var chart = charts[el.id];
    if (!chart) {
      chart = charts[el.id] = window.echarts.init(el, dark ? "dark" : null, {renderer: "canvas"});
      window.addEventListener("resize", function () { chart.resize(); });
    }
    function done() { el.setAttribute("data-rendered", "1"); }
    if (spec.kind === "pie") {
      chart.setOption(pieOption(spec, el.clientWidth), true);
      el.classList.toggle("zw-dash-empty", !spec.data.length);
      done();
    } else if (spec.kind === "region") {
      withMap(spec, function (ok) {
        chart.setOption(ok ? mapOption(spec) : axisOption(spec), true);
        el.setAttribute("data-region", ok ? "map" : "bars");
        done();
      });
    } else {
      chart.setOption(axisOption(spec), true);
      done();
    }
  }

  function text(el, value) { el.textContent = (value === null || value === undefined) ? "—" : String(value); }

  function fillRows(body, rows) {
    var trs = rows.map(function (cells) {
      var tr = document.createElement("tr");
      cells.forEach(function (c, i) {
        var td = document.createElement(i ? "td" : "th");
        if (!i) { td.scope = "row"; } else { td.className = "text-end"; }
        text(td, c);
        tr.appendChild(td);
      });
      return tr;
    });
    if (!trs.length) {
      var tr = document.createElement("tr");
      var td = document.createElement("td");
      td.colSpan = Number(body.getAttribute("data-cols") || 1);
      td.className = "text-muted";
      text(td, body.getAttribute("data-empty") || "暂无数据");
      tr.appendChild(td);
      trs.push(tr);
    }
    body.replaceChildren.apply(body, trs);
  }

  function tile(i, t) {
    var box = document.getElementById("tile-" + i);
    if (!box) { return; }
    var title = box.querySelector("[data-tile-title]");
    if (title) { text(title, t.title); }
    var value = box.querySelector("[data-tile-text]");
    if (value) { text(value, t.text); }
    var change = box.querySelector("[data-tile-change]");
    if (change) { text(change, t.change_text); }
    var el = document.getElementById("tile-" + i + "-chart");
    if (el && t.chart) { draw(el, t.chart); }
  }

  function apply(d) {
    var at = document.querySelectorAll("[data-at]");
    for (var a = 0; a < at.length; a++) { text(at[a], d.at); }
    var asOf = document.querySelectorAll("[data-as-of]");
    for (var o = 0; o < asOf.length; o++) { if (d.as_of_text) { text(asOf[o], d.as_of_text); } }
    var key;
    for (key in (d.numbers || {})) {
      var nums = document.querySelectorAll('[data-num="' + key + '"]');
      for (var n = 0; n < nums.length; n++) { text(nums[n], d.numbers[key]); }
    }
    for (key in (d.tables || {})) {
      var body = document.querySelector('tbody[data-rows="' + key + '"]');
      if (body) { fillRows(body, d.tables[key]); }
    }
    for (key in (d.charts || {})) {
      var el = document.getElementById(key);
      if (el) { draw(el, d.charts[key]); }
    }
    (d.tiles || []).forEach(function (t, i) { tile(i, t); });
  }

  function init() {
    var els = document.querySelectorAll(".zw-dash-chart[data-chart]");
    for (var i = 0; i < els.length; i++) {
      var src = document.getElementById(els[i].getAttribute("data-chart"));
      if (src) { draw(els[i], JSON.parse(src.textContent)); }
    }
    var cfgEl = document.getElementById("dash-live");
    if (!cfgEl) { return; }
    var cfg = JSON.parse(cfgEl.textContent);
    var stale = document.getElementById("dash-stale");
    window.setInterval(function () {
      fetch(cfg.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (d) { apply(d); if (stale) { stale.classList.add("d-none"); } })
        .catch(function () { if (stale) { stale.classList.remove("d-none"); } });
    }, Math.max(5000, cfg.every || 30000));
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
