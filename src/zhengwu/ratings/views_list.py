"""评价列表 (staff): the ratings in view, newest first, filtered to what a figure counted — the
period (评价日期), a department or a window, 差评 only or 主动评价 only (not 默认好评, not 申诉剔除) —
so a number of the 好差评 figures drills down to the ratings behind it (issue 27). Each active filter
is a chip that removes it; bad input gets a 400 naming the field."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from zhengwu.org.models import Department, Window
from zhengwu.org.permissions import has_role
from zhengwu.workbench.views import staff_required

from . import queries

PAGE = 30
FIELDS = ("start", "end", "department", "window", "bad", "active")
MAX_DAYS = 366


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def parse(params) -> tuple[dict, dict]:
    """The filters of the query string → (clean values, errors by field, in Chinese)."""
    clean, errors = {}, {}
    for name, label in (("start", "开始日期"), ("end", "结束日期")):
        raw = (params.get(name) or "").strip()
        if raw:
            try:
                clean[name] = dt.date.fromisoformat(raw)
            except ValueError:
                errors[name] = f"{label}格式不正确：应为 年-月-日，如 2026-11-01"
    if "start" in clean and "end" in clean:
        if clean["end"] < clean["start"]:
            errors["end"] = "结束日期不能早于开始日期"
        elif (clean["end"] - clean["start"]).days >= MAX_DAYS:
            errors["end"] = f"统计期不能超过 {MAX_DAYS} 天"
    for name, label in (("department", "部门"), ("window", "窗口")):
        raw = (params.get(name) or "").strip()
        if raw:
            if not raw.isdigit() or len(raw) > 12:
                errors[name] = f"{label}编号不正确：应为数字"
            else:
                clean[name] = int(raw)
    for name in ("bad", "active"):
        if params.get(name) == "1":
            clean[name] = True
    return clean, errors


def filtered(qs, d: dict):
    if "start" in d:
        qs = qs.filter(rated_at__gte=_day_start(d["start"]))
    if "end" in d:
        qs = qs.filter(rated_at__lt=_day_start(d["end"] + dt.timedelta(days=1)))
    if "department" in d:
        qs = qs.filter(department_id=d["department"])
    if "window" in d:
        qs = qs.filter(window_id=d["window"])
    if d.get("bad"):
        qs = qs.filter(is_bad=True)
    if d.get("active"):
        qs = qs.filter(is_default=False, excluded=False)
    return qs


def _chips(d: dict, given: dict) -> list[dict]:
    def without(*names):
        rest = {k: v for k, v in given.items() if v and k not in names and k != "page"}
        return "?" + urlencode(rest) if rest else "?"

    chips = []
    if "start" in d or "end" in d:
        text = f"{d.get('start') or '…'} 至 {d.get('end') or '…'}"
        chips.append({"id": "period", "label": f"评价日期：{text}", "remove": without("start", "end")})
    if "department" in d:
        name = Department.objects.filter(pk=d["department"]).values_list("name", flat=True).first() or "（不存在）"
        chips.append({"id": "department", "label": f"部门：{name}", "remove": without("department")})
    if "window" in d:
        w = Window.objects.filter(pk=d["window"]).values_list("number", "name").first()
        chips.append({"id": "window", "label": f"窗口：{' '.join(w) if w else '（不存在）'}", "remove": without("window")})
    if d.get("bad"):
        chips.append({"id": "bad", "label": "只看差评", "remove": without("bad")})
    if d.get("active"):
        chips.append({"id": "active", "label": "主动评价（不含默认好评、申诉剔除）", "remove": without("active")})
    return chips


@staff_required
def rating_list(request):
    if not has_role(request.user, *queries.LIST_ROLES):
        raise PermissionDenied("无权查看评价")
    given = {k: request.GET.get(k, "") for k in FIELDS}
    d, errors = parse(request.GET)
    context = {"given": given, "bad": request.GET.get("bad"), "errors": errors}
    if errors:
        return render(request, "ratings/staff/rating_list.html", {**context, "rows": [], "chips": []}, status=400)
    qs = queries.ratings_for(request.user).select_related("department", "window").filter(followup_of__isnull=True)
    qs = filtered(qs, d)
    page_no = int(request.GET.get("page")) if (request.GET.get("page") or "").isdigit() else 1
    page_no = max(1, min(page_no, 1000))
    rows = list(qs.order_by("-rated_at", "-pk")[(page_no - 1) * PAGE: page_no * PAGE + 1])  # no COUNT(*)
    keep = {k: v for k, v in given.items() if v}
    return render(request, "ratings/staff/rating_list.html", {
        **context, "rows": rows[:PAGE], "more": len(rows) > PAGE, "page_no": page_no, "chips": _chips(d, given),
        "keep": urlencode(keep), "all_url": "?" + urlencode({k: v for k, v in keep.items() if k != "bad"}),
        "bad_url": "?" + urlencode({**keep, "bad": "1"})})
