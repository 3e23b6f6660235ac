/* Charts with Apache ECharts (static/vendor/echarts), served locally; no inline script or style:
 * <div class="zw-chart" data-chart="ID" role="img" aria-label="…"></div> + {{ spec|json_script:"ID" }}
 * where spec = {x: [...], series: [{name, type: "bar"|"line", data: [...], axis: 0|1}], y: ["次", "毫秒"]}
 * (horizontal: true lays the categories down the side, for a ranking of long names).
 * The table next to each chart carries the same figures for screen readers and printing. */
(function () {
  "use strict";
  var COLORS = ["#1f5fbf", "#d9534f", "#2e8b57", "#f0ad4e", "#6f42c1", "#17a2b8"];

  function render(el) {
    var src = document.getElementById(el.getAttribute("data-chart"));
    if (!src || !window.echarts) { return; }
    var spec = JSON.parse(src.textContent);
    var y = spec.y || [""];
    if (spec.horizontal) {
      // A ranking of long names (departments): names down the side, every one shown (cut with "…"
      // past 12 characters; the table beside the chart has them whole), a row of room each.
      el.style.height = Math.max(300, 60 + spec.x.length * 26 * Math.max(1, spec.series.length * 0.8)) + "px";
    }
    var category = {type: "category", data: spec.x,
                    axisLabel: spec.horizontal ? {interval: 0, width: 180, overflow: "truncate"} : {}};
    var values = y.map(function (name, i) {
      return {type: "value", name: name, position: i ? "right" : "left", splitLine: {show: !i}, minInterval: 1};
    });
    var chart = window.echarts.init(el, null, {renderer: "canvas"});
    chart.setOption({
      color: COLORS,
      animation: false,
      // richText: the tooltip draws on the canvas, not HTML with style="" (the CSP forbids inline styles).
      tooltip: {trigger: "axis", renderMode: "richText"},
      legend: {top: 0},
      grid: {left: spec.horizontal ? 8 : 48, right: y.length > 1 ? 56 : 16, top: 36, bottom: 28, containLabel: true},
      xAxis: spec.horizontal ? values[0] : category,
      yAxis: spec.horizontal ? category : values,
      series: spec.series.map(function (s) {
        return {name: s.name, type: s.type || "bar", data: s.data, yAxisIndex: spec.horizontal ? 0 : (s.axis || 0),
                smooth: false, symbolSize: 5, barMaxWidth: 28};
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-rendered", "1");
  }

  function init() {
    var els = document.querySelectorAll(".zw-chart[data-chart]");
    for (var i = 0; i < els.length; i++) { render(els[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
