/* 12345 坐席受理台 (hotline/console.html): suggestions, knowledge, similar tickets as the agent types;
   keyboard shortcuts; one click registers one ticket. */
(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("console-form");
  let timer = null, seq = 0, suggestions = [];
  function esc(s) { const d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function params() {
    const p = new URLSearchParams();
    p.set("text", $("f-content").value);
    p.set("phone", $("f-phone").value);
    p.set("region", $("f-region").value);
    p.set("address", $("f-address").value);
    return p;
  }
  function choose(i) {
    const s = suggestions[i];
    if (!s) return;
    if (s.category_id) $("f-category").value = String(s.category_id);
    if (s.department_id) $("f-department").value = String(s.department_id);
    document.querySelectorAll(".zw-chip").forEach((el, k) => el.classList.toggle("active", k === i));
  }
  function render(data) {
    suggestions = data.suggestions || [];
    $("suggestions").innerHTML = suggestions.length ? suggestions.map((s, i) =>
      `<button type="button" class="btn btn-outline-primary btn-sm zw-chip" id="suggest-${i}" data-index="${i}">` +
      `<span class="badge text-bg-light me-1">Alt+${i + 1}</span>${esc(s.category || "（无分类）")} → ${esc(s.department || "未定")}` +
      ` <span class="text-muted">${Math.round(s.confidence * 100)}% · ${esc(s.source)}</span></button>`).join("")
      : '<span class="text-muted small">暂无建议</span>';
    if (suggestions.length && suggestions[0].needs_review) {
      $("suggestions").insertAdjacentHTML("beforeend", '<span class="small text-warning-emphasis" id="suggest-review">置信度低，请人工判断</span>');
    }
    const kb = data.knowledge || [];
    $("kb-list").innerHTML = kb.length ? kb.map((k) =>
      `<button type="button" class="list-group-item list-group-item-action zw-kb" data-id="${k.id}" data-answer="${esc(k.answer)}">` +
      `<div class="fw-semibold">${esc(k.title)}</div><div class="small text-muted">${esc(k.answer.slice(0, 80))}…</div></button>`).join("")
      : '<div class="list-group-item text-muted small">没有匹配的知识</div>';
    const sim = data.similar || [];
    $("similar-list").innerHTML = sim.length ? sim.map((t) =>
      `<div class="list-group-item" data-number="${esc(t.number)}"><div class="d-flex justify-content-between">` +
      `<a href="/workbench/hotline/tickets/${t.id}/" target="_blank" class="font-monospace">${esc(t.number)}</a>` +
      `<span class="badge text-bg-secondary">${esc(t.state_label)}</span></div>` +
      `<div>${esc(t.title)}</div><div class="small text-muted">${esc(t.address || "")} · ${esc(t.created_at)} · ${esc(t.reasons.join("、"))} · 相似度 ${Math.round(t.score * 100)}%</div>` +
      (t.open ? `<button type="submit" class="btn btn-sm btn-outline-warning mt-1 zw-merge" data-mode="merge" data-number="${esc(t.number)}">并入此工单</button>` : "") +
      `</div>`).join("")
      : '<div class="list-group-item text-muted small">没有相似的未办结工单</div>';
    $("suggest-status").textContent = "";
  }
  function unavailable(why) {
    // A failed request is not "no suggestions": the agent must not read it as such.
    suggestions = [];
    const note = `建议暂不可用：${esc(why || "网络错误")}`;
    $("suggestions").innerHTML = `<span class="small text-danger" id="suggest-error">${note}</span>`;
    $("kb-list").innerHTML = '<div class="list-group-item small text-danger">知识库建议暂不可用</div>';
    $("similar-list").innerHTML = '<div class="list-group-item small text-danger">相似工单暂不可用</div>';
    $("suggest-status").textContent = "（建议暂不可用）";
  }
  function refresh() {
    const my = ++seq;
    $("suggest-status").textContent = "…";
    fetch("/api/v1/hotline/assist?" + params().toString(), {credentials: "same-origin"})
      .then((r) => r.ok ? r.json() : r.json().catch(() => ({})).then((body) => {
        throw new Error(body.detail || `服务器返回 ${r.status}`);
      }))
      .then((data) => { if (my === seq) render(data); })
      .catch((e) => { if (my === seq) unavailable(e.message); });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
  ["f-content", "f-phone", "f-address"].forEach((id) => $(id).addEventListener("input", schedule));
  $("f-region").addEventListener("change", schedule);
  const routes = JSON.parse(document.getElementById("routes").textContent);  // 办不成事反映、效能投诉 lead departments
  $("f-type").addEventListener("change", () => {
    const d = routes[$("f-type").value];
    if (d) $("f-department").value = String(d);
  });
  $("f-category").addEventListener("change", () => {
    const opt = $("f-category").selectedOptions[0];
    if (opt && opt.dataset.dept && !$("f-department").value) $("f-department").value = opt.dataset.dept;
  });
  $("suggestions").addEventListener("click", (e) => {
    const b = e.target.closest(".zw-chip"); if (b) choose(Number(b.dataset.index));
  });
  $("kb-list").addEventListener("click", (e) => {
    const b = e.target.closest(".zw-kb"); if (!b) return;
    $("knowledge").value = b.dataset.id;
    $("f-answer").value = b.dataset.answer;
    $("kb-answer-box").classList.remove("d-none");
  });
  form.addEventListener("click", (e) => {
    const b = e.target.closest("[data-mode]"); if (!b || b.type !== "submit") return;
    $("mode").value = b.dataset.mode;
    if (b.dataset.mode === "merge") $("merge_into").value = b.dataset.number;
  });
  let sent = false;
  form.addEventListener("submit", (e) => {
    if (sent) { e.preventDefault(); return; }  // a double click never registers two tickets
    sent = true;
    setTimeout(() => { sent = false; }, 5000);
  });
  document.addEventListener("keydown", (e) => {
    if (e.altKey && ["1", "2", "3"].includes(e.key)) { e.preventDefault(); choose(Number(e.key) - 1); }
    if (e.altKey && (e.key === "s" || e.key === "S")) { e.preventDefault(); $("submit-register").click(); }
    if (e.ctrlKey && e.key === "Enter") { e.preventDefault(); $("submit-dispatch").click(); }
  });
  if ($("f-content").value) refresh();
})();
