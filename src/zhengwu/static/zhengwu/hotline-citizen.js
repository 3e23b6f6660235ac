/* 12345 我要反映: the 区县 → 街道 cascade, and — only when the page has a tile source
   (settings ZHENGWU_HOTLINE_MAP_TILES) — a small map to click the place on. No inline script. */
(function () {
  "use strict";

  // -- cascade: a select with data-zw-cascade="<child id>" shows only the child's options whose
  // data-parent is its value (options without data-parent always show).
  document.querySelectorAll("[data-zw-cascade]").forEach(function (parent) {
    var child = document.getElementById(parent.getAttribute("data-zw-cascade"));
    if (!child) { return; }
    function filter() {
      Array.prototype.forEach.call(child.options, function (o) {
        var p = o.getAttribute("data-parent");
        var show = !p || p === parent.value;
        o.hidden = !show;
        o.disabled = !show;
      });
      var chosen = child.options[child.selectedIndex];
      if (chosen && chosen.disabled) { child.value = ""; }
    }
    parent.addEventListener("change", filter);
    filter();
  });

  // -- map (Web Mercator tiles, one zoom level): a click sets the hidden latitude/longitude.
  var map = document.getElementById("c-map");
  if (!map || !map.getAttribute("data-tiles")) { return; }
  var template = map.getAttribute("data-tiles");
  var centre = (map.getAttribute("data-center") || "34.7466,113.6253").split(",");
  var lat0 = parseFloat(centre[0]), lon0 = parseFloat(centre[1]);
  var z = 16, T = 256, n = Math.pow(2, z);
  var latInput = document.getElementById(map.getAttribute("data-lat"));
  var lonInput = document.getElementById(map.getAttribute("data-lon"));
  function lon2x(lon) { return (lon + 180) / 360 * n; }
  function lat2y(lat) { var r = lat * Math.PI / 180; return (1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n; }
  function x2lon(x) { return x / n * 360 - 180; }
  function y2lat(y) { var k = Math.PI - 2 * Math.PI * y / n; return 180 / Math.PI * Math.atan(0.5 * (Math.exp(k) - Math.exp(-k))); }
  var W = map.clientWidth || 600, H = map.clientHeight || 300;
  var ox = lon2x(lon0) - W / 2 / T, oy = lat2y(lat0) - H / 2 / T;
  for (var tx = Math.floor(ox); tx <= Math.floor(ox + W / T); tx++) {
    for (var ty = Math.floor(oy); ty <= Math.floor(oy + H / T); ty++) {
      var img = new Image();
      img.alt = "";
      img.className = "zw-tile";
      img.src = template.replace("{z}", z).replace("{x}", tx).replace("{y}", ty);
      img.style.left = Math.round((tx - ox) * T) + "px";
      img.style.top = Math.round((ty - oy) * T) + "px";
      map.appendChild(img);
    }
  }
  var marker = document.createElement("div");
  marker.className = "zw-map-marker";
  marker.hidden = true;
  map.appendChild(marker);
  function place(px, py) {
    marker.style.left = px + "px";
    marker.style.top = py + "px";
    marker.hidden = false;
  }
  if (latInput && lonInput && latInput.value && lonInput.value) {
    place((lon2x(parseFloat(lonInput.value)) - ox) * T, (lat2y(parseFloat(latInput.value)) - oy) * T);
  }
  map.addEventListener("click", function (e) {
    var r = map.getBoundingClientRect();
    var px = e.clientX - r.left, py = e.clientY - r.top;
    if (latInput) { latInput.value = y2lat(oy + py / T).toFixed(6); }
    if (lonInput) { lonInput.value = x2lon(ox + px / T).toFixed(6); }
    place(px, py);
  });
})();
