"""电子证照指标: 制证量, 用证次数, 免提交材料数 by department and month, in the viewer's scope.

- 制证量: licences issued (every version, 变更 included) — by the issuing department, month of 发证日期;
- 用证次数: uses of a licence (免提交 online or at a window, and look-ups by other systems) — by the
  using department (用证部门), month of use;
- 免提交材料数: the uses that stood in for a material of a case — same grouping.

Three grouped queries whatever the volume (the indexes ``licence_issuer_day`` and
``licence_use_dept_day`` serve them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from zhengwu.org import permissions
from zhengwu.org.models import Role

from .models import Licence, LicenceUse

VIEWER_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.DEPT_ADMIN)
MAX_MONTHS = 24
DEFINITIONS = {
    "issued": ("制证量", "本部门颁发的电子证照数（含变更后的新版本），按发证日期计"),
    "uses": ("用证次数", "在本部门办件中调用电子证照（网上申请、窗口代录）及外部系统查询用证的次数，按用证时间计"),
    "exempted": ("免提交材料数", "因申请人持有有效电子证照而免于提交的必要材料数，按用证时间计"),
}
COLUMNS = tuple(DEFINITIONS)


def may_view(user) -> bool:
    return permissions.is_sysadmin(user) or bool(permissions.roles_of(user) & set(VIEWER_ROLES))


@dataclass
class Row:
    department: str
    month: dt.date
    issued: int = 0
    uses: int = 0
    exempted: int = 0


@dataclass
class Report:
    start: dt.date  # first day of the first month
    end: dt.date    # first day of the last month
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None


def default_months(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months, this one included."""
    today = today or timezone.localdate()
    end = today.replace(day=1)
    start = add_months(end, -11)
    return start, end


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def check_months(start: dt.date, end: dt.date) -> dict[str, str]:
    """Field → Chinese message for a period the figures refuse (empty when fine)."""
    if end < start:
        return {"end": "结束月份不能早于开始月份"}
    if (end.year * 12 + end.month) - (start.year * 12 + start.month) >= MAX_MONTHS:
        return {"end": f"统计期不能超过{MAX_MONTHS}个月"}
    return {}


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz),
            timezone.make_aware(dt.datetime.combine(add_months(end, 1), dt.time.min), tz))


def licence_figures(user, *, start: dt.date, end: dt.date) -> Report:
    """The figures ``user`` may see (their grants of :data:`VIEWER_ROLES`), months ``start``–``end``
    (first days of months, both included), one row per department and month with any figure."""
    start, end = start.replace(day=1), end.replace(day=1)
    problems = check_months(start, end)
    if problems:
        raise ValueError(next(iter(problems.values())))
    since, until = _bounds(start, end)
    licences = permissions.scope(Licence.objects.all(), user, VIEWER_ROLES, department_field="issuer")
    uses = permissions.scope(LicenceUse.objects.all(), user, VIEWER_ROLES, department_field="department")
    rows: dict[tuple[str, dt.date], Row] = {}

    def row(name: str, month) -> Row:
        key = (name or "（未登记部门）", _month(month))
        if key not in rows:
            rows[key] = Row(*key)
        return rows[key]

    for r in (licences.filter(issued_on__gte=start, issued_on__lt=add_months(end, 1))
              .annotate(m=TruncMonth("issued_on")).values("issuer__name", "m").annotate(n=Count("pk"))
              .order_by()):
        row(r["issuer__name"], r["m"]).issued += r["n"]
    tz = timezone.get_current_timezone()
    for r in (uses.filter(at__gte=since, at__lt=until).annotate(m=TruncMonth("at", tzinfo=tz))
              .values("department__name", "m")
              .annotate(n=Count("pk"), exempted=Count("pk", filter=Q(case__isnull=False))).order_by()):
        x = row(r["department__name"], r["m"])
        x.uses += r["n"]
        x.exempted += r["exempted"]
    ordered = sorted(rows.values(), key=lambda r: (r.department, r.month))
    total = Row("合计", start, sum(r.issued for r in ordered), sum(r.uses for r in ordered),
                sum(r.exempted for r in ordered))
    return Report(start=start, end=end, rows=ordered, total=total)


def register_menu() -> None:
    """The workbench menu entry (called from the app's ready())."""
    from zhengwu.workbench.menu import MenuEntry, register

    register(MenuEntry("电子证照指标", "licenses:use_figures", group="统计分析", roles={"leader", "supervisor", "dept_admin"},
                       icon="graph-up", order=42, description="制证量、用证次数、免提交材料数，按部门和月份"))
