"""Bench data for 好差评 (registered in :data:`zhengwu_bench.generate.DOMAINS`): ``ctx.size.ratings`` ratings.

- ~70 % rate concluded/delivered cases (网上 一事一评), read from the database in order of
  ``concluded_at`` (indexed, streamed); the rest rate synthetic window visits (现场 一次一评) at
  the existing windows, on working days over the last 12 months; ~15 % of visits stay unrated;
- levels 70 % 非常满意, 20 % 满意, 8 % 基本满意, ~2 % 差评 (1.2 % 不满意, 0.8 % 非常不满意); half the
  ratings carry dimension scores near their level;
- every 差评 has a rectification in a realistic state for its age (old ones mostly 已办结, a few
  overdue; recent ones 待核实 / 整改中 / 待回访) with its history;
- every rating has its outbox record (all but the last three days marked sent);
- every concluded case of the last 12 months counts as a rateable event in the aggregate (as the
  live path does through :mod:`.signals`);
- the daily aggregate (RatingDaily) is built while streaming: rows are grouped per day and a day
  is flushed once no later rating can fall on it, so memory stays bounded.

Deterministic for a seed (``ctx.rnd("ratings")``), except phone ciphertexts (fresh nonces).
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .bulk import Table, analyze, j, next_id, reset_sequences, ts

LEVELS = [5, 4, 3, 2, 1]
LEVEL_WEIGHTS = list(itertools.accumulate([70, 20, 8, 1.2, 0.8]))
CASE_CHANNELS = ["pc", "mobile", "qr", "sms"]
CASE_CHANNEL_W = list(itertools.accumulate([50, 40, 5, 5]))
UPSTREAM = {"pc": "1", "mobile": "2", "tablet": "3", "qr": "4", "sms": "5", "phone": "6", "system": "1"}
ONLINE_DIMS = ("overall", "efficiency", "guide", "convenience", "usability")
WINDOW_DIMS = ("overall", "efficiency", "skill", "attitude")
GOOD_COMMENTS = ["", "", "", "", "办事效率高", "工作人员很耐心", "一次办成，点赞", "指南写得清楚"]
BAD_COMMENTS = ["等待时间太长", "材料反复要求补交", "窗口人员态度生硬", "系统总是提交失败", "跑了好几趟才办成",
                "办事指南和实际要求不一致"]


def generate(ctx) -> int:
    from zhengwu.cases.models import Case
    from zhengwu.catalog.models import ServiceItem
    from zhengwu.core import calendar, pii
    from zhengwu.org.models import Region, Window

    from zhengwu.ratings import services
    from zhengwu.ratings.models import (OutboxRecord, Rating, RatingDaily, Rectification, RectificationEvent, WindowVisit)

    n = ctx.size.ratings
    if not n:
        return 0
    rnd = ctx.rnd("ratings")
    cfg = services.get_rules()
    bad_levels = cfg.bad_level_set
    cal = calendar.get_calendar()
    tz = timezone.get_current_timezone()
    now = ctx.now
    today = timezone.localdate(now)
    first_day = today - dt.timedelta(days=365)
    region_codes = dict(Region.objects.values_list("pk", "code"))
    windows = []
    for w in Window.objects.filter(is_active=True).prefetch_related("departments__region").order_by("pk"):
        deps = [(d.pk, d.region_id) for d in w.departments.all()]
        if deps:
            windows.append((w.pk, deps))
    concluded = Case.objects.filter(state__in=("concluded", "delivered"), concluded_at__isnull=False,
                                    concluded_at__gte=dt.datetime.combine(first_day, dt.time.min, tzinfo=tz))
    n_concluded = concluded.count()
    n_case = min(int(n * 0.7), n_concluded) if windows else min(n, n_concluded)
    n_visit = n - n_case if windows else 0
    workdays = [first_day + dt.timedelta(days=k) for k in range(366) if cal.is_workday(first_day + dt.timedelta(days=k))]
    workdays = [d for d in workdays if d <= today]
    total_visits = min(int(n_visit / 0.85) + 1, n_visit * 2) if n_visit else 0
    per_day, extra_days = divmod(total_visits, max(1, len(workdays)))
    extra = set(rnd.sample(range(len(workdays)), extra_days)) if workdays else set()
    day_quota = {d: per_day + (1 if i in extra else 0) for i, d in enumerate(workdays)}

    rating_t = Table(Rating, ["id", "kind", "event_key", "rater_key", "source_ref", "case_id", "visit_id", "item_id",
                              "department_id", "window_id", "staff_id", "region_id", "region_code", "channel", "level",
                              "dims", "tags", "comment", "applicant_id", "applicant_type", "phone", "phone_index",
                              "is_default", "is_bad", "excluded", "excluded_at", "followup_of_id", "rated_at", "day",
                              "created_by_id", "event_day"])
    visit_t = Table(WindowVisit, ["id", "window_id", "department_id", "region_id", "region_code", "staff_id", "item_id",
                                  "case_id", "source", "nonce", "served_at", "day"])
    rect_t = Table(Rectification, ["id", "rating_id", "department_id", "region_code", "state", "real_name", "opened_at",
                                   "due_date", "verified_valid", "verify_reason", "measures", "callback_attempts",
                                   "callback_reached", "callback_satisfied", "callback_note", "called_back",
                                   "reopen_count", "urge_count", "last_urged_at", "closed_at", "version", "updated_at"])
    rev_t = Table(RectificationEvent, ["id", "rectification_id", "action", "label", "from_state", "to_state", "actor_id",
                                       "actor_name", "note", "at"])
    out_t = Table(OutboxRecord, ["id", "rating_id", "implementation_code", "case_number", "channel_code", "level",
                                 "rated_at", "applicant_type", "kind", "created_at", "sent_at", "receipt", "attempts",
                                 "last_error"])
    daily_t = Table(RatingDaily, ["id", "key", "day", "department_id", "window_id", "staff_id", "item_id", "region_id",
                                  "region_code", "kind", *RatingDaily.COUNTERS])
    rating_id, visit_id = next_id(Rating), next_id(WindowVisit)
    rect_id, rev_id, out_id, daily_id = (next_id(Rectification), next_id(RectificationEvent), next_id(OutboxRecord),
                                         next_id(RatingDaily))
    impl_codes: dict[int, str] = {}
    counters = RatingDaily.COUNTERS
    idx = {c: i for i, c in enumerate(counters)}
    daily: dict[tuple, list[int]] = {}
    buf = {"r": [], "v": [], "x": [], "e": [], "o": []}
    sent_before = now - dt.timedelta(days=3)
    counts = {"ratings": 0, "bad": 0, "visits": 0}

    def impl(item_id):
        if item_id is None:
            return ""
        code = impl_codes.get(item_id)
        if code is None:
            return ""
        return code

    def agg(day, dep, win, staff, item, region, kind, **deltas):
        key = (day, dep, win, staff, item, region, kind)
        row = daily.get(key)
        if row is None:
            row = daily[key] = [0] * len(counters)
        for k, v in deltas.items():
            row[idx[k]] += v

    def flush_days(before: dt.date | None):
        nonlocal daily_id
        rows = []
        keys = [k for k in daily if before is None or k[0] < before]
        if not keys:
            return
        # rows the live path already wrote (demo cases, earlier ratings) are added to, not duplicated
        existing = set(RatingDaily.objects.filter(day__gte=min(k[0] for k in keys), day__lte=max(k[0] for k in keys))
                       .values_list("key", flat=True))
        for key in keys:
            day, dep, win, staff, item, region, kind = key
            vals = daily.pop(key)
            text_key = services._daily_key(day, kind, dep, win, staff, item, region)
            if text_key in existing:
                RatingDaily.objects.filter(key=text_key).update(
                    **{c: F(c) + v for c, v in zip(counters, vals, strict=True) if v})
                continue
            rows.append((daily_id, services._daily_key(day, kind, dep, win, staff, item, region), day, dep, win, staff,
                         item, region, region_codes.get(region, ""), kind, *vals))
            daily_id += 1
        if rows:
            daily_t.write(rows)

    def write_buffers(force=False):
        if not force and len(buf["r"]) < 20_000:
            return
        with transaction.atomic():
            visit_t.write(buf["v"])
            rating_t.write(buf["r"])
            rect_t.write(buf["x"])
            rev_t.write(buf["e"])
            out_t.write(buf["o"])
        for v in buf.values():
            v.clear()

    def dims_for(level, names):
        if rnd.random() < 0.5:
            return {}
        return {d: max(1, min(5, level + rnd.choice((-1, 0, 0, 0, 1)))) for d in names}

    def rectification(rid, rating_at, day, dep, region_code, real):
        nonlocal rect_id, rev_id
        age = (today - day).days
        r = rnd.random()
        if age > 25:
            state = "closed" if r < 0.92 else ("callback" if r < 0.95 else ("rectify" if r < 0.98 else "verify"))
        elif age >= 10:
            state = "closed" if r < 0.6 else ("callback" if r < 0.75 else ("rectify" if r < 0.9 else "verify"))
        else:
            state = "verify" if r < 0.4 else ("rectify" if r < 0.7 else ("callback" if r < 0.9 else "closed"))
        if state == "callback" and not real:
            state = "closed"
        due = cal.add_workdays(day, cfg.rectify_workdays)
        valid = None if state == "verify" else True
        measures = "" if state in ("verify", "rectify") else "已对窗口人员进行批评教育，组织业务培训，并一次性告知所需材料"
        called = real and state == "closed"
        closed_at = min(rating_at + dt.timedelta(days=rnd.randint(2, 14)), now) if state == "closed" else None
        urge = 1 if state != "closed" and due < today and rnd.random() < 0.5 else 0
        version = {"verify": 0, "rectify": 1, "callback": 2, "closed": 3 if real else 2}[state]
        buf["x"].append((rect_id, rid, dep, region_code, state, real, ts(rating_at), due, valid,
                         "" if valid is None else "经核实，情况属实", measures, 1 if called else 0,
                         True if called else None, True if called else None, "评价人表示满意" if called else "", called,
                         0, urge, ts(rating_at + dt.timedelta(days=12)) if urge else None, ts(closed_at), version,
                         ts(closed_at or rating_at)))
        steps = [("open", "差评立案", "", "verify", rating_at)]
        if state != "verify":
            steps.append(("verify", "核实属实", "verify", "rectify", rating_at + dt.timedelta(hours=20)))
        if state in ("callback", "closed"):
            steps.append(("rectify", "登记整改", "rectify", "callback" if real else "closed",
                          rating_at + dt.timedelta(days=2)))
        if state == "closed" and real:
            steps.append(("callback", "回访满意", "callback", "closed", closed_at))
        for action, label, frm, to, at in steps:
            buf["e"].append((rev_id, rect_id, action, label, frm, to, None, "系统" if action == "open" else "部门管理员",
                             "", ts(min(at, now))))
            rev_id += 1
        rect_id += 1
        return state == "closed", called

    def add_rating(*, kind, event_key, rater_key, source_ref, case_id, visit_id_, item_id, dep, win, region, channel,
                   applicant_id, at, names, event_day, phone=""):
        nonlocal rating_id, out_id
        level = rnd.choices(LEVELS, cum_weights=LEVEL_WEIGHTS)[0]
        dims = dims_for(level, names)
        bad = level in bad_levels
        comment = rnd.choice(BAD_COMMENTS) if bad else rnd.choice(GOOD_COMMENTS)
        real = applicant_id is not None or bool(phone)
        day = timezone.localdate(at, tz)
        region_code = region_codes.get(region, "")
        enc, index = ("", "")
        if phone:
            enc, index = pii.encrypt(phone), pii.blind_index("phone", phone)
        atype = "person" if applicant_id is not None else "anonymous"
        buf["r"].append((rating_id, kind, event_key, rater_key, source_ref, case_id, visit_id_, item_id, dep, win, None,
                         region, region_code, channel, level, j(dims) if dims else "{}", "[]", comment, applicant_id,
                         atype, enc, index, False, bad, False, None, None, ts(at), day, None, event_day))
        buf["o"].append((out_id, rating_id, impl(item_id), source_ref, UPSTREAM[channel], level, ts(at), atype, "rating",
                         ts(at), ts(at + dt.timedelta(minutes=30)) if at < sent_before else None,
                         "" if at >= sent_before else f"R{out_id:010d}", 1 if at < sent_before else 0, ""))
        out_id += 1
        deltas = {"ratings": 1, f"l{level}": 1}
        if dims:
            deltas["dim_n"] = 1
            for d, s in dims.items():
                deltas[f"dim_{d}"] = s
        if bad:
            closed, called = rectification(rating_id, at, day, dep, region_code, real)
            # rectified = closed with measures (anonymous) or closed by a satisfied callback (real name)
            deltas.update(bad=1, bad_real=int(real), bad_rectified=int(closed), bad_real_done=int(called))
            counts["bad"] += 1
        agg(day, dep, win, None, item_id, region, kind, **deltas)
        agg(event_day, dep, win, None, item_id, region, kind, rated=1)  # 主动评价率 counts it on the event's day
        rating_id += 1
        counts["ratings"] += 1

    visit_days = iter(workdays)
    next_visit_day = next(visit_days, None)

    def visits_until(day_limit: dt.date | None):
        nonlocal next_visit_day, visit_id
        while next_visit_day is not None and (day_limit is None or next_visit_day <= day_limit):
            d = next_visit_day
            for _ in range(day_quota.get(d, 0)):
                win, deps = windows[rnd.randrange(len(windows))]
                dep, region = deps[rnd.randrange(len(deps))]
                served = dt.datetime(d.year, d.month, d.day, rnd.randint(9, 16), rnd.randrange(60), tzinfo=tz)
                if served > now:
                    served = now - dt.timedelta(minutes=rnd.randint(5, 60))
                buf["v"].append((visit_id, win, dep, region, region_codes.get(region, ""), None, None, None, "tablet",
                                 f"{visit_id:032x}", ts(served), d))
                agg(d, dep, win, None, None, region, "window", events=1)
                counts["visits"] += 1
                # selection sampling: exactly n_visit of the total_visits are rated
                if rnd.random() * (total_visits - counts["visits"] + 1) < n_visit - counts["visits_rated"]:
                    qr_ = rnd.random() < 0.2
                    phone = f"139{rnd.randrange(10**8):08d}" if rnd.random() < 0.3 else ""
                    add_rating(kind="window", event_key=f"visit:{visit_id}", rater_key="visit",
                               source_ref=f"XC{visit_id:08d}", case_id=None, visit_id_=visit_id, item_id=None, dep=dep,
                               win=win, region=region, channel="qr" if qr_ else "tablet", applicant_id=None,
                               at=served + dt.timedelta(minutes=rnd.randint(1, 5)), names=WINDOW_DIMS, phone=phone,
                               event_day=d)
                    counts["visits_rated"] += 1
                visit_id += 1
            write_buffers()
            next_visit_day = next(visit_days, None)

    counts["visits_rated"] = 0
    if n_case:
        impl_codes.update(ServiceItem.objects.exclude(implementation_code="").values_list("pk", "implementation_code"))
    stream = (concluded.order_by("concluded_at", "pk")
              .values_list("pk", "number", "service_item_id", "department_id", "region_id", "applicant_id",
                           "window_id", "concluded_at").iterator(chunk_size=20_000))
    case_done = 0
    seen = 0
    current_day = None
    for pk, number, item_id, dep, region, applicant_id, win, concluded_at in stream:
        day = timezone.localdate(concluded_at, tz)
        if day != current_day:
            visits_until(day)
            flush_days(day)
            current_day = day
        agg(day, dep, win, None, item_id, region, "case", events=1)  # every concluded case is rateable
        seen += 1
        # selection sampling: exactly n_case of the n_concluded cases are rated
        if rnd.random() * (n_concluded - seen + 1) >= n_case - case_done:
            continue
        delay = dt.timedelta(hours=rnd.choice((0, 1, 2, 5, 20, 30, 50, 100, 160)), minutes=rnd.randrange(60))
        at = min(concluded_at + delay, now - dt.timedelta(minutes=1))
        if at < concluded_at:
            at = concluded_at
        add_rating(kind="case", event_key=f"case:{pk}", rater_key=f"a:{applicant_id}", source_ref=number or "",
                   case_id=pk, visit_id_=None, item_id=item_id, dep=dep, win=win, region=region,
                   channel=rnd.choices(CASE_CHANNELS, cum_weights=CASE_CHANNEL_W)[0], applicant_id=applicant_id,
                   at=at, names=ONLINE_DIMS, event_day=day)
        case_done += 1
        write_buffers()
    visits_until(None)
    write_buffers(force=True)
    flush_days(None)
    reset_sequences(Rating, WindowVisit, Rectification, RectificationEvent, OutboxRecord, RatingDaily)
    analyze(Rating, WindowVisit, Rectification, RectificationEvent, OutboxRecord, RatingDaily)
    ctx.timings.setdefault("rows", {}).update(ratings=counts["ratings"], rating_visits=counts["visits"],
                                              rectifications=counts["bad"])
    ctx.log(f"    评价 {counts['ratings']}（办件 {case_done}，现场 {counts['visits_rated']}），差评 {counts['bad']}")
    return counts["ratings"]
