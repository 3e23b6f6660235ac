"""统计分析 pages: 指标口径 (every registered figure) and the 领导驾驶舱."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from zhengwu.workbench.views import may_open, roles_required

from . import dashboard, registry, rules

FIGURES_ROLES = ("leader", "supervisor", "data_admin", "dept_admin")
DASHBOARD_ROLES = ("leader", "supervisor")
REFRESH_SECONDS = 300


@roles_required(*FIGURES_ROLES, what="领导、督办人员、数据管理员和部门管理员")
def figures(request):
    # “查看” only where the domain page admits the viewer (a 数据管理员 does not open the 办件指标).
    pages = {f.page_url() for f in registry.figures()}
    openable = {url for url in pages if may_open(request.user, url)}
    rows = [{"figure": f, "url": f.page_url() if f.page_url() in openable else None} for f in registry.figures()]
    return render(request, "insights/figures.html", {"rows": rows, "domains": registry.DOMAINS})


@roles_required(*DASHBOARD_ROLES, what="领导和督办人员")
def leader(request):
    this_month = timezone.localdate().replace(day=1)
    text = (request.GET.get("month") or "").strip()
    try:
        month = rules.month_bounds(text)[0] if text else this_month
    except rules.PeriodError as exc:
        return render(request, "insights/leader.html", {"error": exc.message, "month_text": text,
                                                        "refresh": REFRESH_SECONDS}, status=400)
    data = dashboard.openable_cards(dashboard.cached_build(request.user, month), request.user)
    from .dashboards import region  # the region card (dashboards/region.py)

    return render(request, "insights/leader.html", {**data, "month_text": data["month"], "refresh": REFRESH_SECONDS,
                                                    "region": region.leader_chart(request.user, month),
                                                    "is_current": month == this_month,
                                                    "shown_end": min(data["end"], timezone.localdate())})
