"""12345 工单明细: the tickets a 12345 figure counted, so each number drills down to its records
(issue 27). The same scope as the 12345 指标 page (:func:`zhengwu.hotline.figures.scoped`) and the
same conditions as its counts — 受理量: registered in the period, not cancelled; 办结 (按时 / 超时):
dispatched tickets closed in the period; 超期未办结: the tickets with a department now and past
their time limit, as the 12345看板 counts them, whatever the period — filtered by department,
诉求类型 and region, newest first (keyset on the id, no COUNT). Each filter is a removable chip; bad input is a 400 naming the field."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone

from zhengwu.org.models import Department, Region
from zhengwu.workbench.views import roles_required

from . import figures, rules
from .rules import State

WHATS = {"received": "受理（本期登记，不含撤销）", "closed": "办结（派单工单，本期办结）",
         "closed_on_time": "按时办结", "closed_late": "超时办结",
         "open_overdue": "超期未办结（当前在承办单位、已过办理时限）"}
NOW_WHATS = ("open_overdue",)  # as of now: the period does not apply
FIELDS = ("what", "start", "end", "department", "type", "region", "before")
PAGE = 30
MAX_DAYS = 400
LIST_DEFER = ("content", "reply", "suggested", "caller_name", "phone", "address", "return_pending",
              "extension_pending")


def parse(params) -> tuple[dict, dict]:
    clean, errors = {}, {}
    what = params.get("what") or "received"
    if what not in WHATS:
        errors["what"] = f"统计口径不正确：应为{'、'.join(WHATS)}之一"
    clean["what"] = what
    today = timezone.localdate()
    for name, label, default in (("start", "开始日期", today.replace(day=1)), ("end", "结束日期", today)):
        raw = (params.get(name) or "").strip()
        try:
            clean[name] = dt.date.fromisoformat(raw) if raw else default
        except ValueError:
            errors[name] = f"{label}格式不正确：应为 年-月-日，如 2026-11-01"
    if "start" in clean and "end" in clean and not errors.get("start") and not errors.get("end"):
        if clean["end"] < clean["start"]:
            errors["end"] = "结束日期不能早于开始日期"
        elif (clean["end"] - clean["start"]).days > MAX_DAYS:
            errors["end"] = f"统计期不能超过 {MAX_DAYS} 天"
    for name, label in (("department", "部门"), ("region", "区划"), ("before", "翻页位置")):
        raw = (params.get(name) or "").strip()
        if raw:
            if not raw.isdigit() or len(raw) > 12:
                errors[name] = f"{label}编号不正确：应为数字"
            else:
                clean[name] = int(raw)
    raw = (params.get("type") or "").strip()
    if raw:
        if raw not in rules.TYPE_LABELS:
            errors["type"] = "诉求类型不正确"
        else:
            clean["type"] = raw
    return clean, errors


def tickets(user, d: dict):
    """The tickets behind the number (newest first), scoped as the 12345 figures are."""
    lo, hi = figures.period_bounds(d["start"], d["end"])
    qs = figures.scoped(user).exclude(state=State.CANCELLED)
    if d["what"] == "received":
        qs = qs.filter(created_at__gte=lo, created_at__lt=hi)
    elif d["what"] == "open_overdue":  # as the 12345看板 counts them (insights.dashboards.hotline)
        qs = qs.filter(state__in=[s.value for s in rules.DEPARTMENT_STATES], due_at__lt=timezone.now())
    else:
        qs = qs.filter(closed_at__gte=lo, closed_at__lt=hi, state__in=figures.DONE, closed_directly=False)
        if d["what"] == "closed_on_time":
            qs = qs.filter(closed_on_time=True)
        elif d["what"] == "closed_late":
            qs = qs.filter(closed_on_time=False)
    if "department" in d:
        qs = qs.filter(lead_department_id=d["department"])
    if "type" in d:
        qs = qs.filter(ticket_type=d["type"])
    if "region" in d:
        qs = qs.filter(region_id=d["region"])
    if "before" in d:
        qs = qs.filter(id__lt=d["before"])
    return qs.select_related("lead_department", "category").defer(*LIST_DEFER).order_by("-id")


def _chips(d: dict, given: dict) -> list[dict]:
    def without(*names):
        rest = {k: v for k, v in given.items() if v and k not in names and k != "before"}
        return "?" + urlencode(rest)

    chips = [{"id": "what", "label": f"口径：{WHATS[d['what']]}", "remove": None},
             {"id": "period", "label": f"{'受理' if d['what'] == 'received' else '办结'}日期：{d['start']} 至 {d['end']}",
              "remove": None} if d["what"] not in NOW_WHATS else
             {"id": "period", "label": f"截至 {timezone.localtime():%Y-%m-%d %H:%M}", "remove": None}]
    if "department" in d:
        name = Department.objects.filter(pk=d["department"]).values_list("name", flat=True).first() or "（不存在）"
        chips.append({"id": "department", "label": f"承办单位：{name}", "remove": without("department")})
    if "type" in d:
        chips.append({"id": "type", "label": f"诉求类型：{rules.TYPE_LABELS[rules.TicketType(d['type'])]}",
                      "remove": without("type")})
    if "region" in d:
        name = Region.objects.filter(pk=d["region"]).values_list("name", flat=True).first() or "（不存在）"
        chips.append({"id": "region", "label": f"区划：{name}", "remove": without("region")})
    return chips


@roles_required(*figures.FIGURE_ROLES, *figures.DEPT_FIGURE_ROLES, what="热线坐席、督办人员、领导或部门管理员")
def figure_tickets(request):
    given = {k: request.GET.get(k, "") for k in FIELDS}
    d, errors = parse(request.GET)
    context = {"given": given, "whats": WHATS.items(), "errors": errors}
    if errors:
        return render(request, "hotline/figure_tickets.html", {**context, "rows": [], "chips": []}, status=400)
    rows = list(tickets(request.user, d)[:PAGE + 1])
    now = timezone.now()
    for t in rows:
        t.time = rules.time_status(now, t.due_at, t.state)
    nxt = rows[PAGE - 1].pk if len(rows) > PAGE else None
    keep = {k: v for k, v in given.items() if v and k != "before"}
    return render(request, "hotline/figure_tickets.html", {
        **context, "d": d, "rows": rows[:PAGE], "chips": _chips(d, given),
        "next_url": "?" + urlencode({**keep, "before": nxt}) if nxt else "",
        "first_url": "?" + urlencode(keep) if "before" in d else ""})
