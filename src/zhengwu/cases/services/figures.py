"""办件指标: the case figures per department / item / window and period — one function,
:func:`case_figures`, which the figures page, the API and the dashboards all use.

Every figure is aggregated in the database (``values(group).annotate(Count(..., filter=Q(...)))``),
so the cost depends on the number of groups and days, not on a Python loop over cases:

1. cases **accepted** in the period, per group: 受理量, 即办件, 全程网办, 跑动次数;
2. cases **concluded** in the period, per group and conclusion day: 办结量, 按时/逾期, 特别程序用时;
3. the same concluded cases per group and **acceptance** day (for 平均办理时长, see below);
4. cases **open and past their due date** at the end of the period, per group — as of that day,
   from the history (ADR 0026): the due date is the latest one the case's history recorded before
   the period ended (受理, 特别程序结束, 批准延期 write it), a case counts as open unless it was
   concluded or withdrawn before then, and as paused when a 特别程序 ran over the period's last
   day. A closed period's 超期数 therefore stays what it was when later events change the case;
5. 再次补正告知 issued in the period, per group (一次性告知, 行政许可法第三十二条).

平均办理时长 needs working days (节假日 and 调休 respected), which SQL does not know. Working days
are additive — ``workdays_between(a, c) = W(c) − W(a)`` with ``W(d) = workdays_between(anchor, d)``
— so the sum over cases is ``Σ n_concluded(d)·W(d) − Σ n_accepted(d)·W(d) − Σ suspended``: queries
2 and 3 return one row per (group, day), and the platform calendar
(:func:`zhengwu.core.calendar.get_calendar`, O(1) per lookup) is asked once per distinct day.
No new column is needed and a month of a whole city is a few thousand grouped rows at most.

Callers pass ``cases``: a queryset already scoped to what the viewer may see
(:func:`zhengwu.org.permissions.scope`); this module never decides who sees what.

Indexes that keep the period filters cheap at 1,000,000 cases are ``Case(accepted_on)`` and
``Case(concluded_at)`` (see the cases migrations).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields

from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhengwu.catalog.models.items import CaseType, OnlineDepth
from zhengwu.core import calendar
from zhengwu.org import permissions
from zhengwu.org.models import Role

from .. import rules
from ..models import Case, CaseEvent, Channel, SupplementNotice, Suspension
from ..rules import State

# The figures the pages show, in order: key → (名称, 单位, 口径). The table headers, the export
# and the API's ``definitions`` all come from here, so a figure's definition is never lost.
DEFINITIONS: dict[str, tuple[str, str, str]] = {
    "accepted": ("受理量", "件",
                 "统计期内受理的办件数（含容缺受理、告知承诺受理），按受理日期计。"),
    "concluded": ("办结量", "件",
                  "统计期内办结的办件数（准予和不予），按办结时间计。"),
    "on_time_rate": ("按时办结率", "%",
                     "统计期内办结的办件中，在承诺办结日期（含特别程序顺延）当日或之前办结的比例。"),
    "overdue": ("超期数", "件",
                "逾期办结数（统计期内办结、但晚于承诺办结日期）加期末超期在办数（统计期末已受理、当时尚未办结"
                "也未撤回、期末已过当时的承诺办结日期的办件；期末正在进行行政许可法第四十五条规定的特别程序的"
                "办件计时暂停，不计入）。期末的状态和承诺办结日期按办理记录截至期末的情况计算，已结束的统计期"
                "不因办件后来的变化而改变。"),
    "avg_workdays": ("平均办理时长", "工作日",
                     "统计期内办结的办件，从受理日到办结日的工作日数（按平台工作日历，法定节假日不计、"
                     "调休上班日计入，受理当日不计），扣除特别程序用时，取平均。"),
    "instant_rate": ("即办率", "%",
                     "统计期内受理的办件中，事项办件类型为即办件的比例（按申报时的办事指南版本）。"),
    "full_online_rate": ("全程网办率", "%",
                         "统计期内受理的办件中，网上申报、事项网上办理深度为四级（全程网办），且办件实际登记的"
                         "到现场次数为0的比例（按办件记录的跑动，不按办事指南的计划次数）。"),
    "avg_visits": ("跑动次数", "次/件",
                   "统计期内受理的办件平均到现场次数（窗口提交等登记在办件上的跑动）。"),
    "deemed_accepted": ("逾期视为受理数", "件",
                        "统计期内受理的办件中，收到申请材料后五个工作日内未受理、未不予受理也未一次性告知补正，"
                        "依《中华人民共和国行政许可法》第三十二条第一款第（四）项自收到申请材料之日起视为受理的件数"
                        "（其受理日期为收到材料之日）。"),
    "extended": ("延期办结数", "件",
                 "统计期内办结的办件中，经本行政机关负责人批准延长办理期限（《中华人民共和国行政许可法》"
                 "第四十二条第一款，延长10个工作日）的件数；其按时与否按延长后的承诺办结日期判断。"),
    "additional_supplements": ("再次补正告知数", "次",
                               "统计期内发出的补正告知中，同一申请已发出过补正告知、因首次告知时无法知道的内容再次告知的"
                               "次数（每次均记录原因；一次性告知要求见行政许可法第三十二条第一款第（四）项）。"),
}

# group_by → (key field, label fields, 中文名)
GROUPS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "department": ("department_id", ("department__name",), "部门"),
    "item": ("service_item_id", ("service_item__name", "department__name"), "事项"),
    "window": ("window_id", ("window__number", "window__name"), "窗口"),
}
# Who may see figures, and of which cases: staff their departments/region, leaders their region.
VIEWER_ROLES = (Role.WINDOW, Role.APPROVER, Role.DEPT_ADMIN, Role.SUPERVISOR, Role.LEADER)
NO_WINDOW_LABEL = "未经窗口（秒批自动受理等）"  # a window clerk's acceptance records their window
MAX_PERIOD_DAYS = 366


@dataclass
class CaseFigures:
    """The counts behind the figures of one group (or the total); rates are derived."""

    accepted: int = 0
    concluded: int = 0
    concluded_on_time: int = 0
    overdue_concluded: int = 0  # 逾期办结
    overdue_open: int = 0  # 期末超期在办
    instant: int = 0  # 即办件 cases among the accepted
    full_online: int = 0  # 全程网办 cases among the accepted
    visits: int = 0  # sum of 跑动次数 over the accepted
    elapsed_workdays: int = 0  # sum of working days (minus suspensions) over the concluded
    deemed_accepted: int = 0  # 逾期视为受理 among the accepted
    extended: int = 0  # 延期办结: concluded with an approved extension
    additional_supplements: int = 0  # 再次补正告知 issued in the period

    @property
    def overdue(self) -> int:
        return self.overdue_concluded + self.overdue_open

    @property
    def on_time_rate(self) -> float | None:
        return _share(self.concluded_on_time, self.concluded)

    @property
    def avg_workdays(self) -> float | None:
        return round(self.elapsed_workdays / self.concluded, 1) if self.concluded else None

    @property
    def instant_rate(self) -> float | None:
        return _share(self.instant, self.accepted)

    @property
    def full_online_rate(self) -> float | None:
        return _share(self.full_online, self.accepted)

    @property
    def avg_visits(self) -> float | None:
        return round(self.visits / self.accepted, 2) if self.accepted else None

    def add(self, other: CaseFigures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict:
        """Counts and figures (rates as fractions 0–1, ``None`` when there is nothing to divide)."""
        return {**asdict(self), **{k: getattr(self, k) for k in DEFINITIONS}}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class FigureRow:
    key: int | None
    label: str
    figures: CaseFigures = field(default_factory=CaseFigures)


@dataclass
class FiguresReport:
    group_by: str
    group_label: str
    start: dt.date
    end: dt.date
    rows: list[FigureRow]
    total: CaseFigures

    @property
    def definitions(self) -> dict[str, tuple[str, str, str]]:
        return DEFINITIONS


def check_period(start: dt.date, end: dt.date) -> dict[str, str]:
    """Field → Chinese message for a period the figures refuse (empty when fine)."""
    span = f"{rules.FIRST_DAY:%Y-%m-%d}至{rules.LAST_DAY:%Y-%m-%d}"
    for name, label, day in (("start", "开始日期", start), ("end", "结束日期", end)):
        if not rules.FIRST_DAY <= day <= rules.LAST_DAY:
            return {name: f"{label}须在{span}之间"}
    if end < start:
        return {"end": "结束日期不能早于开始日期"}
    if (end - start).days >= MAX_PERIOD_DAYS:
        return {"end": f"统计期不能超过{MAX_PERIOD_DAYS}天"}
    return {}


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """This month so far."""
    today = today or timezone.localdate()
    return today.replace(day=1), today


def may_view(user) -> bool:
    return permissions.is_sysadmin(user) or bool(permissions.roles_of(user) & set(VIEWER_ROLES))


def cases_in_view(user) -> QuerySet:
    """The cases whose figures ``user`` may see (scoped by the grants of :data:`VIEWER_ROLES`)."""
    return permissions.scope(Case.objects.all(), user, VIEWER_ROLES)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def case_figures(cases: QuerySet | None = None, *, group_by: str = "department", start: dt.date, end: dt.date,
                 today: dt.date | None = None) -> FiguresReport:
    """办件指标 per ``group_by`` ("department", "item" or "window") for the days ``start``–``end``
    (both included, local time). ``cases`` must already be scoped to the viewer.

    Five grouped queries whatever the number of cases; rows are ordered by 受理量, then name.
    """
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {sorted(GROUPS)}")
    problems = check_period(start, end)
    if problems:
        raise ValueError(next(iter(problems.values())))
    key, label_fields, group_label = GROUPS[group_by]
    today = today or timezone.localdate()
    base = (cases if cases is not None else Case.objects.all()).order_by()
    period_from, period_to = _day_start(start), _day_start(end + dt.timedelta(days=1))

    rows: dict[int | None, FigureRow] = {}

    def row(r: dict) -> FigureRow:
        k = r[key]
        if k not in rows:
            rows[k] = FigureRow(k, _label(group_by, r, label_fields))
        return rows[k].figures

    # 1. Accepted in the period. The item version is the one the case was filed under.
    accepted = base.filter(accepted_on__gte=start, accepted_on__lte=end).values(key, *label_fields).annotate(
        n=Count("pk"),
        instant=Count("pk", filter=Q(item_version__case_type=CaseType.INSTANT)),
        # The case's recorded 跑动 (visits), not the guide's planned number: a case filed online
        # whose applicant still had to come counts as not 全程网办.
        full_online=Count("pk", filter=Q(channel=Channel.ONLINE, item_version__online_depth=OnlineDepth.FULL,
                                         visits=0)),
        visits=Sum("visits"),
        deemed=Count("pk", filter=Q(deemed_accepted=True)),
    )
    for r in accepted:
        f = row(r)
        f.accepted, f.instant, f.full_online, f.visits = r["n"], r["instant"], r["full_online"], r["visits"] or 0
        f.deemed_accepted = r["deemed"]

    # 2. Concluded in the period, per group and conclusion day (local date).
    concluded_qs = base.filter(concluded_at__gte=period_from, concluded_at__lt=period_to, accepted_on__isnull=False)
    by_concluded_day = concluded_qs.annotate(day=TruncDate("concluded_at")).values(key, *label_fields, "day").annotate(
        n=Count("pk"),
        on_time=Count("pk", filter=Q(concluded_on_time=True)),
        late=Count("pk", filter=Q(concluded_on_time=False)),
        extended=Count("pk", filter=Q(extension_workdays__gt=0)),
        suspended=Sum("suspended_workdays"),
    )
    # 3. The same cases per group and acceptance day.
    by_accepted_day = concluded_qs.values(key, "accepted_on").annotate(n=Count("pk"))

    cal = calendar.get_calendar()
    concluded_rows = list(by_concluded_day)
    accepted_rows = list(by_accepted_day)
    days = {r["day"] for r in concluded_rows} | {r["accepted_on"] for r in accepted_rows}
    anchor = min(days) if days else start
    ordinal = {d: cal.workdays_between(anchor, d) for d in days}  # W(d), O(1) each
    for r in concluded_rows:
        f = row(r)
        f.concluded += r["n"]
        f.concluded_on_time += r["on_time"]
        f.overdue_concluded += r["late"]
        f.extended += r["extended"]
        f.elapsed_workdays += r["n"] * ordinal[r["day"]] - (r["suspended"] or 0)
    for r in accepted_rows:
        rows[r[key]].figures.elapsed_workdays -= r["n"] * ordinal[r["accepted_on"]]

    # 4. Open and past due at the end of the period (or today, for a period not over yet), as of
    # then (ADR 0026).
    cutoff = min(end, today)
    for r in open_overdue_as_of(base, end, cutoff, period_to).values(key, *label_fields).annotate(n=Count("pk")):
        row(r).overdue_open = r["n"]

    # 5. 再次补正告知 issued in the period (the notices of the cases in view).
    notices = (SupplementNotice.objects.filter(case__in=base.values("pk"), issued_at__gte=period_from,
                                               issued_at__lt=period_to).exclude(additional_reason="")
               .values(*(f"case__{k}" for k in (key, *label_fields))).annotate(n=Count("pk")))
    for r in notices:
        row({k.removeprefix("case__"): v for k, v in r.items()}).additional_supplements = r["n"]

    ordered = sorted(rows.values(), key=lambda r: (-r.figures.accepted, -r.figures.concluded, r.label))
    total = CaseFigures()
    for r in ordered:  # every case belongs to exactly one group, so the total is the sum
        total.add(r.figures)
    return FiguresReport(group_by, group_label, start, end, ordered, total)


# The history entries that set a case's due date (受理 in any form, 特别程序结束, 批准延期, 容缺材料补齐
# — the clock of 容缺受理 starts then —, the migration's correction): each records it in
# ``data["due_date"]`` (ISO date).
DUE_DATE_ACTIONS = ("accept", "accept_pending", "accept_commitment", "deem_accept", "instant_accept", "resume",
                    "approve_extension", "supply_pending",
                    "deadline_correction")


def open_overdue_as_of(cases: QuerySet, end: dt.date, cutoff: dt.date, period_to: dt.datetime) -> QuerySet:
    """The cases open and past their due date at the end of ``cutoff`` (the period's last day, or
    today), judged from what the history said then — not from the case's state now:

    - accepted by then, and neither concluded nor withdrawn before ``period_to``;
    - not in a 特别程序 that stops the clock (行政许可法第四十五条) on ``cutoff``;
    - its due date as of then — the latest one recorded in its history before ``period_to`` — is
      before ``cutoff``. A case accepted before due dates were recorded (before migration 0009)
      has none in its history; its current due date stands in.
    """
    due_events = CaseEvent.objects.filter(case=OuterRef("pk"), action__in=DUE_DATE_ACTIONS,
                                          data__has_key="due_date")
    due_then = Subquery(due_events.filter(at__lt=period_to).order_by("-at", "-pk")
                        .annotate(due=KT("data__due_date")).values("due")[:1], output_field=CharField())
    suspended_then = Suspension.objects.filter(case=OuterRef("pk"), stops_clock=True, started_on__lte=cutoff).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=cutoff))
    withdrawn_later = CaseEvent.objects.filter(case=OuterRef("pk"), action="withdraw", at__gte=period_to)
    return (cases.filter(accepted_on__lte=end)
            .filter(Q(concluded_at__isnull=True) | Q(concluded_at__gte=period_to))
            .filter(~Q(state=State.WITHDRAWN) | Exists(withdrawn_later))
            .annotate(due_then=due_then)
            .filter(Q(due_then__lt=cutoff.isoformat())
                    | Q(due_then__isnull=True, due_date__lt=cutoff) & ~Exists(due_events))
            .exclude(Exists(suspended_then)))


def _label(group_by: str, r: dict, label_fields: tuple[str, ...]) -> str:
    if group_by == "window":
        if r["window_id"] is None:
            return NO_WINDOW_LABEL
        return f"{r['window__number']} {r['window__name']}"
    if group_by == "item":
        return f"{r['service_item__name']}（{r['department__name']}）"
    return r[label_fields[0]]


def department_service_figures(start: dt.date, end: dt.date, department_ids) -> dict[int, CaseFigures]:
    """按时办结 and 超期 of these departments' cases in the period (the 红黑旗 of the ratings app
    counts them beside the ratings): one :func:`case_figures` over the departments' cases."""
    ids = [d for d in department_ids if d is not None]
    if not ids:
        return {}
    report = case_figures(Case.objects.filter(department_id__in=ids), group_by="department", start=start, end=end)
    return {r.key: r.figures for r in report.rows if r.key is not None}


def overdue_open_rows(cases: QuerySet | None = None, *, group_by: str = "department", start: dt.date, end: dt.date,
                      today: dt.date | None = None) -> list[FigureRow]:
    """期末超期在办 alone, per ``group_by`` (the same count as :func:`case_figures`' ``overdue_open``,
    without its four other queries): one grouped query, rows by count then name."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {sorted(GROUPS)}")
    key, label_fields, _ = GROUPS[group_by]
    today = today or timezone.localdate()
    base = (cases if cases is not None else Case.objects.all()).order_by()
    period_to = _day_start(end + dt.timedelta(days=1))
    # The overdue cases first (a few hundred in a city), then their groups and labels: grouping the
    # history subquery's result by a joined label makes PostgreSQL evaluate it row by row (15 s).
    pks = list(open_overdue_as_of(base, end, min(end, today), period_to).values_list("pk", flat=True))
    rows = []
    for r in Case.objects.filter(pk__in=pks).order_by().values(key, *label_fields).annotate(n=Count("pk")):
        row = FigureRow(r[key], _label(group_by, r, label_fields))
        row.figures.overdue_open = r["n"]
        rows.append(row)
    rows.sort(key=lambda r: (-r.figures.overdue_open, r.label))
    return rows
