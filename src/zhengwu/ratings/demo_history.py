"""Demo 好差评 history to go with the demo case history (:mod:`zhengwu.cases.demo_history`): every
concluded case of the demo district without its rateable event gets it (可评价事件, as
:func:`zhengwu.ratings.signals.case_saved` records it on the 办结日) and about half of them an online
rating (网上 一事一评) by the applicant, a few hours to a week after conclusion. About 2 % are 差评
— only on ratings more than :data:`CLOSED_AFTER_DAYS` old, each with its rectification closed
(核实属实 → 整改 → 回访满意), so no department's 差评整改 list changes — and more of them in the
departments the case history makes slow. The daily aggregate (RatingDaily) gets the same counts
the services' :func:`~zhengwu.ratings.services.aggregate.bump` would have added, and each rating
its outbox record, marked sent (the upward feed took them long ago).

Written in bulk, deterministic (seeded), idempotent (a case with its event is skipped).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import sys

from django.db import transaction
from django.db.models import F
from django.utils import timezone

DEMO_REGION = "410105000000"
SEED = "demo-rating-history"
RATED_SHARE = 0.5
LEVELS = [5, 4, 3, 2, 1]
LEVEL_WEIGHTS = [68, 21, 9, 1.2, 0.8]
SLOW_LEVEL_WEIGHTS = [50, 25, 15, 6, 4]  # the departments the case history makes slow
CLOSED_AFTER_DAYS = 30
DIMS = ("overall", "efficiency", "guide", "convenience", "usability")
CHANNELS = [("pc", 50), ("mobile", 40), ("qr", 5), ("sms", 5)]
UPSTREAM = {"pc": "1", "mobile": "2", "tablet": "3", "qr": "4", "sms": "5", "phone": "6", "system": "1"}
GOOD = ["", "", "", "办事效率高", "一次办成，点赞", "网上提交很方便", "指南写得清楚"]
BAD = ["材料反复要求补交", "等了很久才办结", "办事指南和实际要求不一致"]


def load_history(stdout=None) -> int:
    """Rateable events and ratings of the demo district's concluded cases that have none yet."""
    from zhengwu.cases.demo_history import SLOW, keeping_timestamps
    from zhengwu.cases.models import Case
    from zhengwu.core import calendar

    from . import services
    from .models import OutboxRecord, RateableEvent, Rating, RatingDaily, Rectification, RectificationEvent

    out = stdout or sys.stdout
    tz = timezone.get_current_timezone()
    now = timezone.now()
    today = timezone.localdate(now)
    cal = calendar.get_calendar()
    cfg = services.get_rules()
    rnd = random.Random(f"{SEED}:{today.isoformat()}")
    done = set(RateableEvent.objects.filter(kind="case").values_list("ref", flat=True))
    rated = set(Rating.objects.filter(kind="case").values_list("case_id", flat=True))
    rows = [r for r in Case.objects.filter(region__code=DEMO_REGION, state__in=("concluded", "delivered"),
                                          concluded_at__isnull=False)
            .order_by("concluded_at", "pk")
            .values_list("pk", "number", "service_item_id", "department_id", "department__short_name", "region_id",
                         "window_id", "applicant_id", "concluded_at", "service_item__implementation_code")
            if str(r[0]) not in done]
    if not rows:
        out.write("演示好差评历史已存在\n")
        return 0
    staff = {u.username: u for u in _users("bumen_sj", "rexian")}
    rectifier = staff.get("bumen_sj")
    channels, cw = zip(*CHANNELS, strict=True)
    c_channels = list(itertools.accumulate(cw))
    c_levels, c_slow = list(itertools.accumulate(LEVEL_WEIGHTS)), list(itertools.accumulate(SLOW_LEVEL_WEIGHTS))
    bad_levels = cfg.bad_level_set
    events, ratings, daily = [], [], {}
    region_code = DEMO_REGION

    def bump(day, dep, win, item, region, **deltas):
        key = services._daily_key(day, "case", dep, win, None, item, region)
        row = daily.setdefault(key, {"day": day, "department_id": dep, "window_id": win, "item_id": item,
                                     "region_id": region, "counts": {}})
        for k, v in deltas.items():
            row["counts"][k] = row["counts"].get(k, 0) + v

    for pk, number, item, dep, short, region, win, applicant, concluded_at, impl in rows:
        day = timezone.localdate(concluded_at, tz)
        events.append(RateableEvent(kind="case", ref=str(pk), department_id=dep, region_id=region, day=day, case_id=pk,
                                    item_id=item, window_id=win, applicant_id=applicant, source_ref=(number or "")[:64]))
        bump(day, dep, win, item, region, events=1)
        if pk in rated or rnd.random() >= RATED_SHARE:
            continue
        at = concluded_at + dt.timedelta(hours=rnd.choice((1, 2, 5, 20, 30, 50, 100, 160)), minutes=rnd.randrange(60))
        at = min(at, now - dt.timedelta(minutes=5))
        old = (today - timezone.localdate(at, tz)).days > CLOSED_AFTER_DAYS
        level = rnd.choices(LEVELS, cum_weights=c_slow if short in SLOW else c_levels)[0]
        if level in bad_levels and not old:
            level = 3
        bad = level in bad_levels
        dims = {d: max(1, min(5, level + rnd.choice((-1, 0, 0, 1)))) for d in DIMS} if rnd.random() < 0.5 else {}
        r = Rating(kind="case", event_key=f"case:{pk}", rater_key=f"a:{applicant}", source_ref=number or "", case_id=pk,
                   item_id=item, department_id=dep, window_id=win, region_id=region, region_code=region_code,
                   channel=rnd.choices(channels, cum_weights=c_channels)[0], level=level, dims=dims,
                   comment=rnd.choice(BAD if bad else GOOD), applicant_id=applicant, applicant_type="person",
                   is_bad=bad, rated_at=at, day=timezone.localdate(at, tz), event_day=day)
        r.impl = impl or ""
        ratings.append(r)
        deltas = {"ratings": 1, f"l{level}": 1, "bad": int(bad), "bad_real": int(bad),
                  "bad_rectified": int(bad), "bad_real_done": int(bad)}
        if dims:
            deltas["dim_n"] = 1
            deltas.update({f"dim_{d}": s for d, s in dims.items()})
        bump(r.day, dep, win, item, region, **deltas)
        bump(day, dep, win, item, region, rated=1)
    with transaction.atomic():
        RateableEvent.objects.bulk_create(events, batch_size=1000)
        Rating.objects.bulk_create(ratings, batch_size=1000)
        sent = now - dt.timedelta(days=3)
        with keeping_timestamps(OutboxRecord):
            OutboxRecord.objects.bulk_create([OutboxRecord(
            rating=r, implementation_code=r.impl, case_number=r.source_ref, channel_code=UPSTREAM[r.channel],
                level=r.level, rated_at=r.rated_at, applicant_type=r.applicant_type, kind="rating",
                created_at=r.rated_at, sent_at=r.rated_at + dt.timedelta(minutes=30) if r.rated_at < sent else None,
                receipt=f"R{r.pk:010d}" if r.rated_at < sent else "", attempts=1 if r.rated_at < sent else 0)
                for r in ratings], batch_size=1000)
        _closed_rectifications([r for r in ratings if r.is_bad], cal, cfg, rectifier, keeping_timestamps,
                               Rectification, RectificationEvent)
        _write_daily(daily, RatingDaily, region_code, services._daily_key)
    transaction.on_commit(_figures_changed)
    bad = sum(r.is_bad for r in ratings)
    out.write(f"演示好差评历史：可评价办件 {len(events)} 件，网上评价 {len(ratings)} 条（差评 {bad} 条，均已整改回访）\n")
    return len(ratings)


def _users(*names):
    from zhengwu.accounts.models import User

    return list(User.objects.filter(username__in=names))


def _figures_changed():
    from .queries import figures_changed

    figures_changed()


def _closed_rectifications(bad, cal, cfg, user, keeping_timestamps, Rectification, RectificationEvent) -> None:
    """Each old 差评's rectification as the department closed it: verified, rectified, called back."""
    name = user.display_name if user else "部门管理员"
    rects = []
    for r in bad:
        closed = r.rated_at + dt.timedelta(days=5, hours=3)
        rects.append(Rectification(
            rating=r, department_id=r.department_id, region_code=r.region_code, state="closed", real_name=True,
            opened_at=r.rated_at, due_date=cal.add_workdays(r.day, cfg.rectify_workdays), verified_valid=True,
            verify_reason="经核实，情况属实", measures="已对经办人员开展业务培训，并一次性告知所需材料",
            callback_attempts=1, callback_reached=True, callback_satisfied=True, callback_note="评价人表示满意",
            called_back=True, closed_at=closed, version=3, updated_at=closed))
    with keeping_timestamps(Rectification, RectificationEvent):
        Rectification.objects.bulk_create(rects)
        steps = [("open", "差评立案", "", "verify", None, "系统", dt.timedelta(0)),
                 ("verify", "核实属实", "verify", "rectify", user, name, dt.timedelta(hours=20)),
                 ("rectify", "登记整改", "rectify", "callback", user, name, dt.timedelta(days=2)),
                 ("callback", "回访满意", "callback", "closed", user, name, dt.timedelta(days=5, hours=3))]
        RectificationEvent.objects.bulk_create([
            RectificationEvent(rectification=x, action=a, label=label, from_state=f, to_state=t, actor=u,
                               actor_name=n, at=x.opened_at + d)
            for x in rects for a, label, f, t, u, n, d in steps])


def _write_daily(daily: dict, RatingDaily, region_code: str, _key) -> None:
    """Add the counts to the aggregate rows (existing ones updated, new ones created)."""
    existing = set(RatingDaily.objects.filter(key__in=list(daily)).values_list("key", flat=True))
    new = []
    for key, row in daily.items():
        if key in existing:
            RatingDaily.objects.filter(key=key).update(**{k: F(k) + v for k, v in row["counts"].items() if v})
            continue
        new.append(RatingDaily(key=key, day=row["day"], department_id=row["department_id"], window_id=row["window_id"],
                               staff_id=None, item_id=row["item_id"], region_id=row["region_id"],
                               region_code=region_code, kind="case", **row["counts"]))
    RatingDaily.objects.bulk_create(new, batch_size=1000)
