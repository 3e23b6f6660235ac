/* The pages' small behaviours, in one static file so that the Content-Security-Policy can allow
   scripts from our own origin only (script-src 'self': no inline <script>, no onclick=).
   Each is switched on by a data- attribute or an id in the markup; a page without it is untouched. */
(function () {
  "use strict";

  // --- Clicks anywhere ---------------------------------------------------------------------
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target : e.target.parentElement;
    if (!el) { return; }
    // <button data-zw-confirm="确定…？">: ask before the form is sent.
    var confirmer = el.closest("[data-zw-confirm]");
    if (confirmer && !window.confirm(confirmer.dataset.zwConfirm)) { e.preventDefault(); return; }
    // <button data-zw-print>: print the page (guides, receipts, window QR codes).
    if (el.closest("[data-zw-print]")) { window.print(); return; }
    // The rating tablet's full-screen button.
    if (el.id === "go-fullscreen" && document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
      return;
    }
    // Repeatable rows (办理流程、收费、审批结果、材料表…): add a row from the <template>, remove a row.
    var add = el.closest(".zw-row-add");
    if (add) {
      var box = add.closest(".zw-rows");
      var i = parseInt(box.dataset.next || "0", 10);
      box.dataset.next = i + 1;
      var html = box.querySelector("template").innerHTML.replace(/__i__/g, i).replace(/__prefix__/g, i);
      box.querySelector("tbody").insertAdjacentHTML("beforeend", html);
      var total = box.dataset.total && document.getElementById(box.dataset.total);
      if (total) { total.value = i + 1; }
      var first = box.querySelector("tbody tr:last-child input:not([type=hidden]), tbody tr:last-child select");
      if (first) { first.focus(); }
      return;
    }
    var remove = el.closest(".zw-row-remove");
    if (remove) {
      var tr = remove.closest("tr");
      var del = tr.querySelector("input[name$='-DELETE']");
      if (del) { del.checked = true; tr.classList.add("d-none"); } else { tr.remove(); }
    }
  });

  // <select data-zw-autosubmit>: choosing sends the form (the search page's region filter).
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-zw-autosubmit]")) { e.target.form.submit(); }
  });

  // <button data-zw-busy="正在导入…">: after the form is sent, the button says so and cannot be pressed again.
  document.addEventListener("submit", function (e) {
    var b = e.submitter;
    if (b && b.dataset.zwBusy) {
      setTimeout(function () { b.disabled = true; b.textContent = b.dataset.zwBusy; }, 0);
    }
  });

  // Progress bars: <div class="progress-bar" data-zw-width="40"> (a width the page computes).
  document.querySelectorAll("[data-zw-width]").forEach(function (bar) {
    bar.style.width = Math.max(0, Math.min(100, parseFloat(bar.dataset.zwWidth) || 0)) + "%";
  });

  // The rating tablet's thanks message clears itself after a while, ready for the next citizen.
  var thanks = document.getElementById("tablet-thanks");
  if (thanks) { setTimeout(function () { thanks.remove(); }, 15000); }

  // 办理流程 editor: add a step row from the formset's empty form.
  var addStep = document.getElementById("btn-add-step");
  if (addStep) {
    addStep.addEventListener("click", function () {
      var total = document.getElementById("id_steps-TOTAL_FORMS");
      var n = parseInt(total.value, 10);
      var html = document.getElementById("step-template").innerHTML.replace(/__prefix__/g, n);
      document.getElementById("step-rows").insertAdjacentHTML("beforeend", html);
      total.value = n + 1;
    });
  }

  // Application forms (申请、一件事申请).
  var apply = document.getElementById("apply-form");
  if (apply) {
    // A file over the limit is refused by the server too; say so before a long upload.
    apply.querySelectorAll("input[type=file]").forEach(function (input) {
      input.addEventListener("change", function () {
        var max = parseInt(input.dataset.maxBytes, 10), f = input.files[0];
        input.setCustomValidity(f && max && f.size > max ? "文件过大：单个文件不能超过" + Math.round(max / 1048576) + "MB" : "");
        input.reportValidity();
      });
    });
    // One click is one submission: keep the button that was pressed, disable the rest.
    apply.addEventListener("submit", function (ev) {
      if (apply.dataset.sent) { ev.preventDefault(); return; }
      apply.dataset.sent = "1";
      var pressed = ev.submitter;
      if (pressed && pressed.name) {
        var keep = document.createElement("input");
        keep.type = "hidden"; keep.name = pressed.name; keep.value = pressed.value;
        apply.appendChild(keep);
      }
      // apply.elements: the form's buttons outside it too (一件事's 重新选择, form="apply-form").
      Array.prototype.forEach.call(apply.elements, function (b) { if (b.type === "submit") { b.disabled = true; } });
      if (pressed) { pressed.textContent = "正在提交…"; }
    });
  }

  // <div data-zw-expires-in="60">: a code valid for that many seconds from now (亮证): the seconds
  // left in its [data-zw-countdown]; when they run out the box gets .zw-expired, which hides the
  // code (.zw-live) and shows what to do instead (.zw-expired-note). Without script the code stays.
  document.querySelectorAll("[data-zw-expires-in]").forEach(function (box) {
    var until = Date.now() + parseInt(box.dataset.zwExpiresIn, 10) * 1000;
    var left = box.querySelector("[data-zw-countdown]");
    var timer = setInterval(tick, 1000);
    function tick() {
      var s = Math.ceil((until - Date.now()) / 1000);
      if (s > 0) { if (left) { left.textContent = s; } return; }
      box.classList.add("zw-expired");
      clearInterval(timer);
    }
  });

  // <button data-zw-reveal-url="…" data-zw-reveal-target="id">: show a masked value in full
  // (the server audits the read) in place of the mask.
  document.querySelectorAll("[data-zw-reveal-url]").forEach(function (b) {
    b.addEventListener("click", function () {
      var token = document.querySelector("input[name=csrfmiddlewaretoken]") ||
        {value: (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || ""};
      fetch(b.dataset.zwRevealUrl, {method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": token.value}})
        .then(function (r) { return r.json(); })
        .then(function (d) { document.getElementById(b.dataset.zwRevealTarget).textContent = d.phone || d.detail; b.remove(); });
    });
  });

  // A table wider than the screen scrolls sideways: its box takes the keyboard focus and is
  // named, so it can be scrolled without a mouse (WCAG 2.1.1; axe: scrollable-region-focusable).
  function scrollables() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); }
        if (!box.hasAttribute("role")) {
          box.setAttribute("role", "region");
          var caption = box.querySelector("caption");
          box.setAttribute("aria-label", (caption ? caption.textContent.trim() + "，" : "") + "表格可左右滚动");
        }
      }
    });
  }
  scrollables();
  window.addEventListener("resize", scrollables);
})();
