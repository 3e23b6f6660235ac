"""搜索词库 and 搜索分析 in the catalogue workbench (事项管理员).

搜索词库: the synonym rules kept in the database (add, edit, 停用/启用) and, read-only, the rules
shipped in ``data/synonyms.txt``, both searchable. 搜索分析: top, zero-result and abandoned queries
over a period, each zero-result or abandoned one with a 加为同义词 button that opens the add form
filled with a proposed rule (the admin confirms). Page composition only: the write path is
:mod:`zhengwu.catalog.services.lexicon`, the log :mod:`zhengwu.catalog.services.search_log`.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.workbench.views import roles_required

from .models import SearchSynonym
from .search.analysis import DATA_DIR, _read_lines, normalise
from .services import lexicon as svc
from .services import search_log

ROLES = ("item_admin",)
WHAT = "事项管理员"
PERIODS = {7: "近7天", 30: "近30天", 90: "近90天", 180: "近180天"}
FILE_RULES_SHOWN = 200


def _file_rules(q: str) -> tuple[list[str], int]:
    lines = _read_lines(DATA_DIR / "synonyms.txt")
    if q:
        lines = [line for line in lines if q in line]
    return lines[:FILE_RULES_SHOWN], len(lines)


@roles_required(*ROLES, what=WHAT)
def lexicon_list(request):
    q = (request.GET.get("q") or "").strip()[:50]
    status = request.GET.get("status") or ""
    rows = SearchSynonym.objects.select_related("updated_by").order_by("-updated_at", "-pk")
    if q:
        rows = rows.filter(rule__contains=normalise(q))
    if status == "on":
        rows = rows.filter(enabled=True)
    elif status == "off":
        rows = rows.filter(enabled=False)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    file_rules, file_total = _file_rules(normalise(q))
    return render(request, "catalog/workbench/lexicon_list.html", {
        "page": page, "q": q, "status": status, "query": urlencode({"q": q, "status": status}), "file_rules": file_rules, "file_total": file_total,
    })


def _form(request, row: SearchSynonym | None, values: dict, errors: dict, item=None, status: int = 200):
    return render(request, "catalog/workbench/lexicon_form.html", {
        "row": row, "values": values, "errors": errors, "suggested_item": item,
    }, status=status)


def _errors(exc: ValidationError) -> dict:
    return {k: v[0] for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {"rule": exc.messages[0]}


def _saved(request, rule: str, checks: dict) -> None:
    """The success message and the warnings of ``svc.checks_before_save``."""
    messages.success(request, "规则已保存，各服务进程数秒内生效。")
    for word, lost in checks["hidden"].items():
        shown = "；".join(f"“{inner}”→{'、'.join(targets)}" for inner, targets in lost.items())
        messages.warning(request, f"规则里的“{word}”会成为一个词，问题里的“{word}”不再拆开，其中的词原有的扩展在那里不再生效：{shown}。"
                                  f"若要保留，把这些目标也写进这条规则，或只写较短的词、把其余的写成语境。")
    for word, (alone, total) in checks["lone"].items():
        seen = (f"搜索记录里含“{word}”的 {total} 个问题中只有 {alone} 个是这样" if total
                else f"搜索记录里还没有含“{word}”的问题")
        messages.warning(request, f"语境“{word}”只有一个字：问题里它单独成词时规则才生效，而它常和前后的字连成词"
                                  f"（“开饭店”切作 开/饭店，其中没有单独的“店”）；{seen}。建议改用含它的词作语境，"
                                  "几个词用“|”分开（如“饭店|小吃店”而不是“店”）。")
    if checks["covered_by"]:
        messages.warning(request, f"这条规则不会改变搜索结果：{checks['covered_by']}已经包含它所说的全部"
                                  "（同样的词、同样或更宽的语境）。可以停用它，或改写成词库里还没有的说法。")
    missing = svc.words_not_indexed(rule)
    if missing:
        messages.warning(request, f"“{'”“'.join(missing)}”不在搜索索引里，通过它查不到事项：请改用事项名称、"
                                  "通俗名称或关键词里的词，或请系统管理员重建搜索索引（zhengwu reindex-items）。")
    for word, examples in checks["recuts"].items():
        shown = "；".join(f"“{text}”（现在切作 {cut}）" for text, cut in examples)
        messages.warning(request, f"分词影响：规则里的词“{word}”会加入分词词典，改变 {shown} 的切分"
                                  "（切进原来的词中间，或把东西和它的情形连成一个词），使这些事项或问题搜得更差。建议只写完整的词（写“经营许可”而不是跨进“证明”的“经营许可证”），"
                                  "把对象和情形分开、对象写成语境（写“地址 变了,改了>变更”而不是“地址变了>变更”）。")


@roles_required(*ROLES, what=WHAT)
def lexicon_new(request):
    if request.method == "POST" and "suggest_for" in request.POST and "rule" not in request.POST:
        # 加为同义词 from 搜索分析: the form filled with the proposed rule, not saved yet.
        query = request.POST.get("suggest_for", "")[:100]
        rule, item = search_log.suggestion(query)
        note = f"来自搜索分析：“{query}”" + (f"，指向“{item.name}”" if item else "")
        if not rule:
            messages.warning(request, f"没有找到与“{query}”相近的事项，请手工填写规则。")
        return _form(request, None, {"rule": rule, "note": note[:200], "enabled": True}, {}, item)
    if request.method == "POST":
        values = {"rule": request.POST.get("rule", ""), "note": request.POST.get("note", ""),
                  "enabled": bool(request.POST.get("enabled"))}
        checks = svc.checks_before_save(values["rule"])  # before the save puts its words in the dictionary
        try:
            svc.add_rule(request.user, **values)
        except ValidationError as exc:
            return _form(request, None, values, _errors(exc), status=400)
        _saved(request, values["rule"], checks)
        return redirect("catalog:wb_lexicon")
    return _form(request, None, {"rule": request.GET.get("rule", "")[:200], "note": "", "enabled": True}, {})


@roles_required(*ROLES, what=WHAT)
def lexicon_edit(request, pk: int):
    row = get_object_or_404(SearchSynonym, pk=pk)
    if request.method == "POST":
        values = {"rule": request.POST.get("rule", ""), "note": request.POST.get("note", ""),
                  "enabled": bool(request.POST.get("enabled"))}
        checks = svc.checks_before_save(values["rule"], exclude_pk=pk)
        try:
            svc.update_rule(request.user, pk, **values)
        except ValidationError as exc:
            return _form(request, row, values, _errors(exc), status=400)
        _saved(request, values["rule"], checks)
        return redirect("catalog:wb_lexicon")
    return _form(request, row, {"rule": row.rule, "note": row.note, "enabled": row.enabled}, {})


@require_POST
@roles_required(*ROLES, what=WHAT)
def lexicon_toggle(request, pk: int):
    row = get_object_or_404(SearchSynonym, pk=pk)
    enabled = request.POST.get("enabled") == "1"
    svc.set_enabled(request.user, row.pk, enabled)
    messages.success(request, f"已{'启用' if enabled else '停用'}规则“{row.rule}”。")
    return redirect("catalog:wb_lexicon")


@roles_required(*ROLES, what=WHAT)
def search_log_view(request):
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    if days not in PERIODS:
        days = 30
    end = timezone.localdate()
    start = end - dt.timedelta(days=days - 1)
    return render(request, "catalog/workbench/search_log.html", {
        "days": days, "periods": PERIODS, "start": start, "end": end,
        "totals": search_log.period_totals(start, end),
        "top": search_log.top_queries(start, end),
        "zero": search_log.zero_result_queries(start, end),
        "abandoned": search_log.abandoned_queries(start, end),
        "keep_days": search_log.KEEP_DAYS,
    })
