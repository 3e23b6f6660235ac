/* 效能统计 charts (Apache ECharts, served locally): a bar chart by hour, a line by day. */
(function () {
  "use strict";
  var el = document.getElementById("sv-chart-data");
  if (!el || typeof echarts === "undefined") { return; }
  var d = JSON.parse(el.textContent);
  var axes = [{type: "value", name: "取号数"}, {type: "value", name: "平均等待（分钟）"}];
  var common = {tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 50, right: 60, top: 40, bottom: 40}};
  var hour = echarts.init(document.getElementById("chart-hour"));
  hour.setOption(Object.assign({}, common, {
    xAxis: {type: "category", data: d.hours}, yAxis: axes,
    series: [{name: "取号数", type: "bar", data: d.hour_tickets},
             {name: "平均等待（分钟）", type: "line", yAxisIndex: 1, data: d.hour_wait}]
  }));
  var day = echarts.init(document.getElementById("chart-day"));
  day.setOption(Object.assign({}, common, {
    xAxis: {type: "category", data: d.days}, yAxis: axes,
    dataZoom: d.days.length > 62 ? [{type: "slider", bottom: 0}] : [],
    series: [{name: "取号数", type: "line", data: d.day_tickets},
             {name: "平均等待（分钟）", type: "line", yAxisIndex: 1, data: d.day_wait}]
  }));
  window.addEventListener("resize", function () { hour.resize(); day.resize(); });
}());
