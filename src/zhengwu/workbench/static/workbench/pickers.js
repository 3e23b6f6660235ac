/* Workbench pickers (no inline script, no CDN; CSP-safe). Included by the pages that use them.
 *
 * <select data-zw-filter>            a search box above the list: typing narrows the options
 *                                     (hundreds of 事项) to those whose text contains every word;
 *                                     Enter picks the first match. A multiple select works alike.
 * <div data-zw-filter-list>          a search box above a list of checkboxes (.form-check rows).
 * <el data-zw-show-when="name=value"> shown only while the form's field ``name`` has ``value``
 *                                     (e.g. courier fields only for 邮寄送达).
 */
(function () {
  "use strict";

  function words(q) { return q.trim().toLowerCase().split(/\s+/).filter(Boolean); }
  function matches(text, ws) {
    text = text.toLowerCase();
    return ws.every(function (w) { return text.indexOf(w) !== -1; });
  }
  function searchBox(label, id) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm mb-1 zw-picker-search";
    input.placeholder = "输入关键字筛选（" + label + "）";
    input.setAttribute("aria-label", "筛选" + label);
    input.autocomplete = "off";
    if (id) { input.id = id + "-search"; }
    return input;
  }
  function countNote(el) {
    var note = document.createElement("div");
    note.className = "form-text zw-picker-count";
    note.setAttribute("aria-live", "polite");
    el.parentNode.insertBefore(note, el.nextSibling);
    return note;
  }

  function filterSelect(select) {
    var label = select.getAttribute("data-zw-filter") || "选项";
    var input = searchBox(label, select.id);
    select.parentNode.insertBefore(input, select);
    var note = countNote(select);
    function apply() {
      var ws = words(input.value), shown = 0, first = null;
      Array.prototype.forEach.call(select.options, function (opt) {
        if (!opt.value) { return; }  // the "请选择" line stays
        var ok = !ws.length || matches(opt.text, ws) || opt.selected;
        opt.hidden = !ok;
        opt.disabled = !ok && !opt.selected;
        if (ok) { shown += 1; if (!first && !opt.selected) { first = opt; } }
      });
      note.textContent = ws.length ? "匹配 " + shown + " 项" : "";
      return first;
    }
    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") { return; }
      e.preventDefault();
      var first = apply();
      if (first && !select.multiple) { select.value = first.value; select.dispatchEvent(new Event("change", {bubbles: true})); }
    });
  }

  function filterList(box) {
    var label = box.getAttribute("data-zw-filter-list") || "选项";
    var input = searchBox(label, box.id);
    box.parentNode.insertBefore(input, box);
    input.addEventListener("input", function () {
      var ws = words(input.value);
      Array.prototype.forEach.call(box.querySelectorAll(".form-check"), function (row) {
        var box2 = row.querySelector("input");
        row.hidden = !!ws.length && !matches(row.textContent, ws) && !(box2 && box2.checked);
      });
    });
  }

  function showWhen(el) {
    var spec = el.getAttribute("data-zw-show-when").split("="), name = spec[0], value = spec[1];
    var form = el.closest("form") || document;
    function current() {
      var checked = form.querySelector('[name="' + name + '"]:checked');
      if (checked) { return checked.value; }
      var field = form.querySelector('select[name="' + name + '"]');
      return field ? field.value : "";
    }
    function apply() { el.hidden = current() !== value; }
    Array.prototype.forEach.call(form.querySelectorAll('[name="' + name + '"]'), function (f) {
      f.addEventListener("change", apply);
    });
    apply();
  }

  document.querySelectorAll("select[data-zw-filter]").forEach(filterSelect);
  document.querySelectorAll("[data-zw-filter-list]").forEach(filterList);
  document.querySelectorAll("[data-zw-show-when]").forEach(showWhen);
})();
