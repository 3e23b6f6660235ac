"""Demo case history: about a year of finished 办件 of the demo district, so that the statistics
(领导驾驶舱 12-month trend, department ranking, 指标口径, the 办件指标 page) have something to show
on a fresh ``make run``.

``load_history(stdout)`` writes, for the demo district's own published items (Zipf over items),
cases of its :data:`MIN_ITEMS` departments submitted in working hours on the 12 months before today and all finished by yesterday:
送达 (most), 办结, 不予受理, 撤回. Each case has the history (CaseEvent) and the process steps
(CaseStep) the services would have written — create → submit (→ 补正 → resubmit) → accept (with
``accepted_on`` and ``due_date`` in its data, ADR 0026) → approve_step per step → conclude →
deliver — with the dates on the working-day calendar: accepted on the first working day on or after
submission, ``due_date = rules.due_date(cal, accepted_on, promised_days)``, steps due at their
block's share (:func:`zhengwu.cases.workflow.block_due_dates`), ``concluded_on_time`` by
:func:`rules.concluded_on_time`. A few per cent are concluded late, more in :data:`SLOW` departments
and none in :data:`FAST` ones, so the ranking differs. Online submissions of items at 网办深度四级
have no 跑动 (全程网办); window submissions have one.

Written in bulk (no per-case service call: no notifications, audit events or decision PDFs, as
``gen-data`` does); the applicants are a pool of demo citizens (:func:`history_applicants`, no
password: they cannot sign in) so that the demo citizen's 我的办件 stays as it is. Deterministic
(seeded); idempotent: a district that already has history cases is left alone. Today's cases and
the staff inboxes are untouched (nothing open is written).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import random
import sys
from collections import Counter

from django.db import transaction
from django.utils import timezone

DEMO_REGION = "410105000000"
CASES = 4500
DAYS_BACK = 365
SEED = "demo-case-history"
MARKER = "demo-history"  # idempotency_key prefix of the history cases (one per case, unique)
APPLICANTS = 160
# Share of cases concluded after their due date per department (short name); others LATE_SHARE.
LATE_SHARE = 0.06
SLOW = {"不动产登记中心": 0.18, "住建局": 0.14, "城管局": 0.12}
FAST = {"公安分局": 0.0, "公积金中心": 0.0, "税务局": 0.01, "人社局": 0.03, "市场监管局": 0.04}
# The departments with a counter in the hall's daily work: those with at least this many published
# items (16 of the demo's 30), so that a month's ranking compares departments with a real load.
MIN_ITEMS = 10
STATE_WEIGHTS = [("delivered", 74), ("concluded", 16), ("refused", 5), ("withdrawn", 5)]
CHANNELS = [("online", 55), ("window", 40), ("agent", 5)]
HOURS = [(8, 1), (9, 9), (10, 11), (11, 8), (12, 2), (13, 3), (14, 8), (15, 10), (16, 8), (17, 3)]
DENIED_SHARE = 0.03
SUPPLEMENT_SHARE = 0.07
REFUSAL = "申请事项不属于本机关职权范围"
REFUSAL_BASIS = "《中华人民共和国行政许可法》第三十二条第一款"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国志海燕婷玉子涵浩然欣怡宇轩一诺雨泽思远佳俊晨阳"


@contextlib.contextmanager
def keeping_timestamps(*models):
    """bulk_create with the history's own times: ``auto_now``/``auto_now_add`` fields of ``models``
    take the values set on the objects while inside."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


def history_applicants(n: int = APPLICANTS) -> list[int]:
    """A pool of demo citizens (自然人) who filed the history cases: valid 身份证号 of the demo
    district born 1960–1989 (not the demo citizen's), encrypted with their blind indexes, accounts
    without a usable password. Made once; returns their Applicant ids."""
    from zhengwu.accounts.models import Applicant, User
    from zhengwu.core import pii
    from zhengwu.core.identifiers import make_id_number

    rnd = random.Random(f"{SEED}:applicants")
    numbers = []
    for i in range(n):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=(i * 7919) % 10900)
        numbers.append(make_id_number(f"410105{birth:%Y%m%d}{(i % 900) + 100:03d}"))
    indexes = [pii.blind_index("id_number", x) for x in numbers]
    existing = dict(Applicant.objects.filter(kind="person", id_number_index__in=indexes)
                    .values_list("id_number_index", "pk"))
    joined = timezone.now() - dt.timedelta(days=DAYS_BACK + 30)
    new = [(x, ix) for x, ix in zip(numbers, indexes, strict=True) if ix not in existing]
    if new:
        users, applicants = [], []
        for x, ix in new:
            name = rnd.choice(SURNAMES) + "".join(rnd.sample(GIVEN, rnd.choice((1, 2))))
            u = User(username=f"p-{ix}", kind="person", display_name=name, date_joined=joined)
            u.set_unusable_password()
            users.append(u)
            phone = f"137{int(ix[:8], 16) % 10**8:08d}"
            applicants.append(Applicant(kind="person", name=name, id_number=x, phone=phone, created_at=joined))
        with keeping_timestamps(Applicant):
            User.objects.bulk_create(users, batch_size=500)
            by_name = {u.username: u.pk for u in User.objects.filter(username__in=[u.username for u in users])}
            for (_, ix), a in zip(new, applicants, strict=True):
                a.user_id = by_name[f"p-{ix}"]
            Applicant.objects.bulk_create(applicants, batch_size=500)
    return list(Applicant.objects.filter(kind="person", id_number_index__in=indexes).order_by("pk")
                .values_list("pk", flat=True))


def _items(region):
    """(item, version, process, steps, department short name) of the district's published items;
    an item without a current process gets the default one, as intake.current_process would."""
    from zhengwu.catalog.models import ServiceItem

    from . import workflow
    from .models import ProcessDefinition

    items = list(ServiceItem.objects.filter(region=region, status="published", published_version__isnull=False)
                 .select_related("published_version", "department").order_by("pk"))
    current = {p.service_item_id: p for p in ProcessDefinition.objects.filter(
        service_item__in=items, is_current=True)}
    missing = [ProcessDefinition(service_item=it, version=1, steps=workflow.default_definition(it.department_id),
                                 is_current=True) for it in items if it.pk not in current
               and not ProcessDefinition.objects.filter(service_item=it).exists()]
    if missing:
        ProcessDefinition.objects.bulk_create(missing)
        current = {p.service_item_id: p for p in ProcessDefinition.objects.filter(
            service_item__in=items, is_current=True)}
    per_department = Counter(it.department_id for it in items)
    return [(it, it.published_version, current[it.pk]) for it in items
            if it.pk in current and per_department[it.department_id] >= MIN_ITEMS]


def load_history(stdout=None, *, today: dt.date | None = None, count: int = CASES) -> int:
    """About ``count`` finished cases over the year before ``today``; returns cases written."""
    from zhengwu.accounts.models import User
    from zhengwu.core import calendar
    from zhengwu.org.models import Region, RoleGrant, Window

    from . import rules, workflow
    from .models import Case, CaseEvent, CaseStep

    out = stdout or sys.stdout
    region = Region.objects.filter(code=DEMO_REGION).first()
    if region is None:
        out.write("演示辖区不存在：跳过办件历史\n")
        return 0
    if Case.objects.filter(idempotency_key__startswith=f"{MARKER}:").exists():
        out.write("演示办件历史已存在\n")
        return 0
    items = _items(region)
    if not items:
        out.write("演示辖区没有已发布事项：跳过办件历史\n")
        return 0
    cal = calendar.get_calendar()
    tz = timezone.get_current_timezone()
    now = timezone.now()
    today = today or timezone.localdate(now)
    rnd = random.Random(f"{SEED}:{today.isoformat()}")
    applicants = history_applicants()
    window_user = User.objects.filter(username="chuangkou").first()
    # The window the clerk accepts at: an online case accepted by them has it as its 受理窗口
    # (services.intake.accepting_window).
    window_user_window = (RoleGrant.objects.filter(user=window_user, role="window", window__isnull=False)
                          .order_by("pk").values_list("window_id", flat=True).first() if window_user else None)
    approvers: dict[int, User] = {}
    for g in RoleGrant.objects.filter(role="approver", department__region=region).select_related("user").order_by("pk"):
        approvers.setdefault(g.department_id, g.user)
    windows: dict[int, list[int]] = {}
    for w in Window.objects.filter(hall__region=region, is_active=True).prefetch_related("departments").order_by("number"):
        for d in w.departments.all():
            windows.setdefault(d.pk, []).append(w.pk)

    # Working days of the year, the last one before today the latest a history case may end on.
    start = today - dt.timedelta(days=DAYS_BACK)
    workdays = [d for d in (start + dt.timedelta(days=k) for k in range(DAYS_BACK)) if cal.is_workday(d)]
    last_day = workdays[-1]
    rnd.shuffle(items)
    cum_items = list(itertools.accumulate(1.0 / (k ** 0.9) for k in range(1, len(items) + 1)))
    states, sw = zip(*STATE_WEIGHTS, strict=True)
    channels, cw = zip(*CHANNELS, strict=True)
    hours, hw = zip(*HOURS, strict=True)
    labels = {a: t.label for a, t in rules.STATE_TABLE.items()}
    labels["create"] = "创建申请"
    next_pk = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute, rnd.randrange(60)), tzinfo=tz)

    def working_time(day: dt.date, after: dt.datetime) -> dt.datetime:
        t = at(day, rnd.choice((9, 10, 11, 14, 15, 16)), rnd.randrange(60))
        return max(t, after + dt.timedelta(minutes=rnd.randint(5, 40)))

    cases, events, steps = [], [], []
    # Submissions spread evenly over the year; near its end only items whose time limit (and a
    # late conclusion) still fits before the last working day: every history case is finished.
    quick = [x for x in items if not x[0].promised_days] or items
    for n in range(count):
        k = rnd.randrange(len(workdays) - 1)
        left = len(workdays) - 1 - k
        for _ in range(30):
            item, version, process = rnd.choices(items, cum_weights=cum_items)[0]
            if (item.promised_days or 0) + 8 <= left:
                break
        else:
            item, version, process = quick[rnd.randrange(len(quick))]
        sub_day = workdays[k]
        dept = item.department
        promised = item.promised_days or 0
        state = rnd.choices(states, cum_weights=list(itertools.accumulate(sw)))[0]
        channel = rnd.choices(channels, cum_weights=list(itertools.accumulate(cw)))[0]
        submitted = at(sub_day, rnd.choices(hours, cum_weights=list(itertools.accumulate(hw)))[0], rnd.randrange(60))
        created = submitted - dt.timedelta(minutes=rnd.randint(3, 40))
        pk = next_pk + n
        win_user = window_user if channel != "online" else None
        case = Case(pk=pk, number=rules.case_number(region.code, sub_day, pk), service_item=item, item_version=version,
                    department=dept, region=region, applicant_id=applicants[rnd.randrange(len(applicants))],
                    channel=channel, promised_days=promised, submitted_at=submitted, created_at=created,
                    idempotency_key=f"{MARKER}:{pk}", received_on=sub_day,
                    acceptance_due=rules.acceptance_due(cal, sub_day), visits=0 if channel == "online" else 1,
                    filed_by=win_user, window_id=(rnd.choice(windows[dept.pk]) if channel != "online"
                                                  and windows.get(dept.pk) else None))
        ev = [("create", "", "draft", win_user, created, "", {"channel": channel, "agent": ""}, ""),
              ("submit", "draft", "submitted", win_user, submitted, "", {}, "")]
        t = submitted
        if state == "refused":
            t = working_time(sub_day, t)
            case.refusal_reason = f"{REFUSAL}\n依据：{REFUSAL_BASIS}"
            ev.append(("refuse", "submitted", "refused", window_user, t, case.refusal_reason, {}, ""))
        elif state == "withdrawn":
            t = t + dt.timedelta(hours=rnd.randint(1, 20))
            ev.append(("withdraw", "submitted", "withdrawn", None, t, "申请人撤回", {}, ""))
        else:
            if rnd.random() < SUPPLEMENT_SHARE:  # 补正 (one notice), resubmitted the next working day
                t = working_time(sub_day, t)
                ev.append(("request_supplement", "submitted", "supplement", window_user, t, "请补正：申请书未签字",
                           {"items": [{"material": "申请书", "reason": "未签字"}]}, ""))
                again = cal.next_workday_on_or_after(t.astimezone(tz).date() + dt.timedelta(days=1))
                t = at(again, 9, rnd.randrange(60))
                ev.append(("resubmit", "supplement", "submitted", None, t, "", {}, ""))
                case.received_on = again
                case.acceptance_due = rules.acceptance_due(cal, again)
            accepted = cal.next_workday_on_or_after(t.astimezone(tz).date())
            t = working_time(accepted, t)
            case.accepted_on = accepted
            case.due_date = rules.due_date(cal, accepted, promised)
            case.process = process
            if case.window_id is None:
                case.window_id = window_user_window
            ev.append(("accept", "submitted", "in_review", window_user, t, "材料齐全，予以受理",
                       {"accepted_on": accepted.isoformat(), "due_date": case.due_date.isoformat()}, ""))
            late_share = SLOW.get(dept.short_name, FAST.get(dept.short_name, LATE_SHARE))
            late = rnd.random() < late_share
            if late:
                end_day = cal.add_workdays(case.due_date, rnd.randint(1, 6))
            else:
                end_day = cal.add_workdays(accepted, rnd.randint(0, promised) if promised else 0)
            end_day = min(end_day, last_day)
            denied = rnd.random() < DENIED_SHARE
            progress = workflow.start(process.steps, {})
            dues = workflow.block_due_dates(cal, accepted, promised, process.steps, progress)
            by_id = {s["id"]: s for s in process.steps}
            concluded_at = at(end_day, rnd.choice((10, 11, 15, 16)), rnd.randrange(60))
            concluded_at = max(concluded_at, t + dt.timedelta(minutes=30 + 5 * len(by_id)))
            step_t = t
            approver = approvers.get(dept.pk)
            n_blocks = len(progress.blocks)
            for b, block in enumerate(progress.blocks):
                last = b == n_blocks - 1
                acted = concluded_at - dt.timedelta(minutes=1) if last else min(
                    step_t + dt.timedelta(hours=rnd.randint(2, 30)), concluded_at - dt.timedelta(minutes=10 * (n_blocks - b)))
                for sid in block:
                    s = by_id[sid]
                    status = "rejected" if (denied and last) else "passed"
                    progress.status[sid] = status
                    opinion = "同意" if status == "passed" else "不符合法定条件"
                    steps.append(CaseStep(case_id=pk, step_id=sid, name=s["name"], role=s["role"],
                                          department_id=s.get("department") or dept.pk, block=b, status=status,
                                          due_date=dues[sid], activated_at=step_t, acted_by=approver, acted_at=acted,
                                          opinion=opinion))
                    ev.append(("approve_step", "in_review", "in_review", approver, acted, opinion,
                               {"decision": workflow.ACTIONS["reject" if status == "rejected" else "pass"],
                                "step": s["name"]}, sid))
                progress.current = b
                step_t = acted
            progress.outcome = "denied" if denied else "approved"
            case.progress = progress.to_json()
            case.outcome = progress.outcome
            case.concluded_at = concluded_at
            case.concluded_on_time = rules.concluded_on_time(cal, concluded_at.astimezone(tz).date(), case.due_date)
            label = "不予" if denied else "准予"
            ev.append(("conclude", "in_review", "concluded", approver, concluded_at,
                       "不符合法定条件" if denied else "同意", {"outcome": label}, ""))
            t = concluded_at
            if state == "delivered":
                t = min(concluded_at + dt.timedelta(hours=rnd.randint(1, 30)), at(last_day, 17, 50))
                t = max(t, concluded_at + dt.timedelta(minutes=5))
                method = "电子送达" if channel == "online" else "窗口领取"
                ev.append(("deliver", "concluded", "delivered", window_user, t, "",
                           {"method": method, "carrier": "", "tracking": ""}, ""))
        case.state = state
        case.lock_version = len(ev) - 1
        case.updated_at = t
        cases.append(case)
        for action, frm, to, actor, when, opinion, data, sid in ev:
            name = actor.display_name if actor else ("申请人" if action in ("create", "submit", "resubmit", "withdraw")
                                                     else "系统")
            events.append(CaseEvent(case_id=pk, action=action, label=labels.get(action, action), from_state=frm,
                                    to_state=to, step_id=sid, actor=actor, actor_name=name, opinion=opinion, data=data,
                                    visible_to_applicant=True, at=when))
    with transaction.atomic(), keeping_timestamps(Case, CaseEvent):
        Case.objects.bulk_create(cases, batch_size=500)
        CaseEvent.objects.bulk_create(events, batch_size=1000)
        CaseStep.objects.bulk_create(steps, batch_size=1000)
        _reset_sequences(Case, CaseEvent, CaseStep)
    late = sum(1 for c in cases if c.concluded_on_time is False)
    out.write(f"演示办件历史：近 12 个月 {len(cases)} 件（{len(events)} 条办理记录），逾期办结 {late} 件\n")
    return len(cases)


def _reset_sequences(*models) -> None:
    """After rows written with explicit ids: the next id of each table follows them (PostgreSQL)."""
    from django.core.management.color import no_style
    from django.db import connection

    sql = connection.ops.sequence_reset_sql(no_style(), models)
    if sql:
        with connection.cursor() as cur:
            for statement in sql:
                cur.execute(statement)
