"""办件明细 behind a figure (/workbench/cases/figures/cases/): the cases a number of the 办件指标
counted — filtered by what (受理, 办结, 按时办结 …), period, department, item and window — with
each active filter shown as a removable chip. The query is :mod:`zhengwu.cases.queries_figures`."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render
from django.utils.http import urlencode

from zhengwu.catalog.models import ServiceItem
from zhengwu.org.models import Department, Window

from . import queries_figures as qf
from .services import figures as svc
from .views_figures import viewers_only

PAGE_SIZE = 50
PARAMS = ("what", "start", "end", "department", "item", "window")


def _date(text: str, name: str, label: str, errors: dict) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        errors[name] = f"{label}格式不正确，应为 年-月-日"
        return None


def _id(text: str, name: str, label: str, errors: dict) -> int | None:
    if not text:
        return None
    if text.isdigit() and 0 < int(text) < 2**63:
        return int(text)
    errors[name] = f"{label}应为编号（正整数）"
    return None


def parse(params) -> tuple[qf.Drill | None, dict[str, str]]:
    """The drill filters from the query string, or the Chinese message of each bad field."""
    errors: dict[str, str] = {}
    what = params.get("what") or "accepted"
    if what not in qf.WHATS:
        errors["what"] = "统计口径应为 " + "、".join(f"{k}（{v[0]}）" for k, v in qf.WHATS.items())
    default_start, default_end = svc.default_period()
    start = _date(params.get("start", ""), "start", "开始日期", errors) or default_start
    end = _date(params.get("end", ""), "end", "结束日期", errors) or default_end
    if not errors:
        errors.update(svc.check_period(start, end))
    department = _id(params.get("department", ""), "department", "部门", errors)
    item = _id(params.get("item", ""), "item", "事项", errors)
    window_text = params.get("window", "")
    window = qf.NO_WINDOW if window_text == qf.NO_WINDOW else _id(window_text, "window", "窗口", errors)
    if errors:
        return None, errors
    return qf.Drill(what, start, end, department, item, window), {}


def _chips(d: qf.Drill, given: dict[str, str]) -> list[dict]:
    """The active filters: (label, the list's URL without it)."""

    def without(*names):
        return "?" + urlencode({k: v for k, v in given.items() if v and k not in names})

    label, period_label = qf.WHATS[d.what]
    chips = [{"id": "what", "label": f"口径：{label}", "remove": without("what") if d.what != "accepted" else None},
             {"id": "period", "label": f"{period_label}：{d.start:%Y-%m-%d} 至 {d.end:%Y-%m-%d}",
              "remove": without("start", "end") if given.get("start") or given.get("end") else None}]
    if d.department:
        name = Department.objects.filter(pk=d.department).values_list("name", flat=True).first() or f"#{d.department}"
        chips.append({"id": "department", "label": f"部门：{name}", "remove": without("department")})
    if d.item:
        name = ServiceItem.objects.filter(pk=d.item).values_list("name", flat=True).first() or f"#{d.item}"
        chips.append({"id": "item", "label": f"事项：{name}", "remove": without("item")})
    if d.window == qf.NO_WINDOW:
        chips.append({"id": "window", "label": f"窗口：{svc.NO_WINDOW_LABEL}", "remove": without("window")})
    elif d.window:
        w = Window.objects.filter(pk=d.window).values("number", "name").first()
        chips.append({"id": "window", "label": f"窗口：{w['number']} {w['name']}" if w else f"窗口：#{d.window}",
                      "remove": without("window")})
    return chips


@viewers_only
def figure_cases(request):
    given = {k: request.GET.get(k, "").strip() for k in PARAMS}
    d, errors = parse(given)
    context = {"whats": [(k, v[0]) for k, v in qf.WHATS.items()], "given": given}
    if d is None:
        return render(request, "cases/figures/cases.html", {**context, "errors": errors}, status=400)
    qs = qf.figure_cases(svc.cases_in_view(request.user), d).select_related(
        "service_item", "department", "window").only(
        "id", "number", "state", "accepted_on", "due_date", "concluded_at", "concluded_on_time", "channel",
        "service_item__name", "department__name", "window__number", "window__name")
    try:
        rows, nxt = qf.page(qs, d.what, request.GET.get("after") or None, PAGE_SIZE)
    except ValueError:
        return render(request, "cases/figures/cases.html", {**context, "errors": {"after": "翻页位置不正确，请从第一页开始"}},
                      status=400)
    query = urlencode({k: v for k, v in given.items() if v})
    figures_query = urlencode({"start": f"{d.start:%Y-%m-%d}", "end": f"{d.end:%Y-%m-%d}",
                               "group_by": "item" if d.item else "window" if d.window else "department"})
    return render(request, "cases/figures/cases.html", {
        **context, "d": d, "rows": rows, "next": nxt, "query": query, "chips": _chips(d, given),
        "first_page": bool(request.GET.get("after")), "figures_query": figures_query,
    })
