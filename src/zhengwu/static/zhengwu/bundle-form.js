/* 一件事 editor (catalog/workbench/bundle_form.html): find a service item by name and add it as a row. */
(function () {
  var input = document.getElementById("item-search"), box = document.getElementById("item-search-results");
  var rows = document.getElementById("rows-items");
  function addItem(id) {
    var empty = Array.prototype.find.call(rows.querySelectorAll("tbody input[type=text]"), function (el) { return !el.value; });
    if (!empty) { rows.querySelector(".zw-row-add").click(); empty = rows.querySelector("tbody tr:last-child input[type=text]"); }
    empty.value = id;
  }
  function search() {
    var q = input.value.trim(); if (!q) { box.innerHTML = ""; return; }
    fetch(input.dataset.lookupUrl + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        box.innerHTML = "";
        if (!data.results.length) { box.innerHTML = '<div class="list-group-item text-muted small">没有找到</div>'; return; }
        data.results.forEach(function (it) {
          var b = document.createElement("button"); b.type = "button"; b.className = "list-group-item list-group-item-action small";
          b.textContent = it.id + " · " + it.name + "（" + it.department + "，" + it.status + "）";
          b.addEventListener("click", function () { addItem(String(it.id)); box.innerHTML = ""; input.value = ""; });
          box.appendChild(b);
        });
      });
  }
  document.getElementById("item-search-btn").addEventListener("click", search);
  input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); search(); } });
})();
