"""Bench data for the hotline (registered in :data:`zhengwu_bench.generate.DOMAINS`):
``ctx.size.tickets`` 工单 with their history, deterministic (``ctx.rnd("hotline")``), written with the bulk writer (COPY on
PostgreSQL).

Shape of a year of a city centre's calls: registrations in working-hour peaks (fewer at night and
on holidays), 40 % in the demo district (金水区, whose streets the demo staff serve) and the rest in
the other districts of 郑州市; complaints and consultations dominate; a few callers call often
(repeat calls); tickets older than two weeks are almost all closed (most archived), a few are
merged, cancelled or answered directly from the knowledge base; recent ones are spread over every
open state, some overdue, some returned and re-dispatched, some extended, some urged.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

from .bulk import Table, analyze, next_id, reset_sequences, ts
from .context import Days
from .people import GIVEN, SURNAMES

TYPE_WEIGHTS = [("complaint", 35), ("consult", 25), ("help", 15), ("report", 8), ("suggestion", 7), ("praise", 2),
                ("cannot_do", 3), ("efficiency", 2), ("enterprise", 3)]
URGENCY_WEIGHTS = [("normal", 92), ("urgent", 7), ("emergency", 1)]
CHANNEL_WEIGHTS = [("phone", 70), ("web", 12), ("app", 8), ("wechat", 7), ("api", 2), ("open311", 1)]
HOUR_WEIGHTS = [0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 6, 10, 11, 9, 5, 5, 8, 10, 9, 7, 4, 3, 2.5, 2, 1.2, 0.6]
SATISFACTION_WEIGHTS = [(5, 55), (4, 25), (3, 10), (2, 6), (1, 4)]
# Open states of the last two weeks (older tickets are closed).
RECENT_STATES = [("registered", 4), ("dispatched", 8), ("handling", 30), ("returned", 3), ("replied", 10),
                 ("callbacked", 3), ("closed", 40), ("merged", 2)]
DEMO_SHARE = 0.4
CALLERS = 60_000


def _categories(ctx):
    """Leaves (id, path, leaf name, default department short name, days); imports the demo taxonomy
    when the database has none."""
    from zhengwu.hotline import services
    from zhengwu.hotline.demo import DATA
    from zhengwu.hotline.models import Category

    if not Category.objects.filter(level=3).exists():
        services.import_categories(None, (DATA / "taxonomy.csv").read_bytes(), "taxonomy.csv")
    rows = []
    for c in Category.objects.filter(level=3, is_active=True).select_related("department").order_by("path"):
        rows.append((c.pk, c.path, c.name, c.department.short_name if c.department_id else "", c.days, c.department_id))
    return rows


def generate(ctx) -> int:
    from zhengwu.core import pii
    from zhengwu.org.models import Department, Region

    from zhengwu.hotline import rules, trainingdata
    from zhengwu.hotline.models import Ticket, TicketEvent

    n = ctx.size.tickets
    if not n:
        return 0
    rnd = ctx.rnd("hotline")
    leaves = _categories(ctx)
    if not leaves:
        return 0
    days = Days(ctx.today)
    cal = days.cal
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    offset = timezone.localtime(ctx.now, tz).utcoffset() or dt.timedelta(0)
    now_utc = ctx.now.astimezone(dt.timezone.utc).replace(tzinfo=None)

    # -- places and departments -------------------------------------------------------------
    demo_district = Region.objects.filter(code="410105000000").first()
    streets = list(Region.objects.filter(code__startswith="410105", level=4).order_by("code")
                   .values_list("pk", "code", "name"))
    if not streets and demo_district:
        streets = [(demo_district.pk, demo_district.code, demo_district.name)]
    counties = list(Region.objects.filter(code__startswith="4101", level=3).exclude(code="410105000000")
                    .order_by("code").values_list("pk", "code", "name"))
    by_short: dict[tuple[str, str], int] = {}
    for pk, short, code in (Department.objects.filter(is_active=True).order_by("pk")
                            .values_list("pk", "short_name", "region__code")):
        by_short.setdefault((code, short), pk)
    bureau = Department.objects.filter(short_name=rules.TYPE_ROUTES[rules.TicketType.CANNOT_DO],
                                       region__code="410105000000").values_list("pk", flat=True).first()

    from zhengwu.accounts.models import User

    centre_user = User.objects.filter(username="rexian").values_list("pk", "display_name").first() or (None, "坐席")
    dept_users = {}
    from zhengwu.org.models import RoleGrant

    for uid, dept_id, name in (RoleGrant.objects.filter(role__in=["dept_admin", "approver"], department__isnull=False)
                               .values_list("user_id", "department_id", "user__display_name")):
        dept_users.setdefault(dept_id, (uid, name))

    # -- callers: a pool, some calling often ------------------------------------------------
    callers = []
    for i in range(min(CALLERS, max(50, n // 4))):
        phone = f"13{(i * 7907 + 54321) % 10**9:09d}"
        name = rnd.choice(SURNAMES) + rnd.choice(["先生", "女士", "师傅", "阿姨"] + list(GIVEN[:6]))
        callers.append((pii.encrypt(phone), pii.blind_index("phone", phone), pii.encrypt(name)))
    caller_cum = list(itertools.accumulate(1.0 / (k ** 0.8) for k in range(1, len(callers) + 1)))

    types, type_w = zip(*TYPE_WEIGHTS)
    urg, urg_w = zip(*URGENCY_WEIGHTS)
    chans, chan_w = zip(*CHANNEL_WEIGHTS)
    sats, sat_w = zip(*SATISFACTION_WEIGHTS)
    rstates, rstate_w = zip(*RECENT_STATES)
    leaf_w = [1.0 / (1 + 0.2 * k) for k in range(len(leaves))]
    rnd.shuffle(leaf_w)
    cum = lambda w: list(itertools.accumulate(w))  # noqa: E731
    c_types, c_urg, c_chan, c_sat, c_rstate, c_leaf, c_hour = (cum(type_w), cum(urg_w), cum(chan_w), cum(sat_w),
                                                              cum(rstate_w), cum(leaf_w), cum(HOUR_WEIGHTS))
    all_days = [d for d in days.days if d <= ctx.today]
    day_w = [(3.0 if cal.is_workday(d) else 1.2) * (0.6 + 0.4 * k / len(all_days)) for k, d in enumerate(all_days)]
    c_day = cum(day_w)
    recent_from = ctx.today - dt.timedelta(days=14)

    ticket_cols = ["id", "number", "channel", "ticket_type", "urgency", "confidential", "title", "content", "caller_name",
                   "phone", "phone_index", "address", "region_id", "region_code", "latitude", "longitude", "category_id",
                   "address_public",
                   "suggested", "lead_department_id", "applicant_id", "registered_by_id", "knowledge_id", "state",
                   "created_at", "dispatched_at", "claim_due_at", "claimed_at", "claimed_on_time", "due_at", "time_limit",
                   "extension_days", "extension_pending", "return_count", "return_pending", "urge_count", "reopen_count",
                   "replied_at", "reply", "handle_hours", "callback_attempts", "callback_reached", "resolved",
                   "satisfaction", "closed_at", "closed_on_time", "archived_at", "merged_into_id", "is_repeat",
                   "lock_version", "idempotency_key", "updated_at",
                   "closed_directly", "due_history", "satisfaction_source", "rated_at"]
    tickets = Table(Ticket, ticket_cols)
    events = Table(TicketEvent, ["id", "ticket_id", "action", "label", "from_state", "to_state", "actor_id", "actor_name",
                                 "department_id", "opinion", "data", "public", "at"])
    co_table = Table(Ticket.co_departments.through, ["id", "ticket_id", "department_id"])
    labels = rules.ACTION_LABELS
    pk, epk, cpk = next_id(Ticket), next_id(TicketEvent), next_id(Ticket.co_departments.through)
    first_pk = pk
    seen_callers: dict[int, dt.datetime] = {}
    empty = "{}"
    replies = ["经核查，已责令商户整改并回复诉求人。", "已安排人员现场处理，问题已解决。", "已向诉求人解释相关政策，诉求人表示理解。",
               "经协调，相关单位已承诺限期整改，我单位将持续跟踪。", "已依法立案调查，处理结果将另行告知。"]
    deadline_cache: dict = {}

    def local(d: dt.datetime) -> dt.datetime:
        return (d + offset).replace(tzinfo=tz)

    def utc(d: dt.datetime) -> dt.datetime:
        return d.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def deadline(start: dt.datetime, ttype: str, urgency: str, cat_days) -> tuple:
        ls = local(start)
        key = (ls.date(), ttype, urgency, cat_days)
        hit = deadline_cache.get(key)
        if hit is None:
            d = rules.deadlines(cal, ls.replace(hour=9, minute=0, second=0, microsecond=0), ttype, urgency, cat_days)
            hit = (utc(d.claim_due), utc(d.handle_due), d.label, d.days, d.hours)
            deadline_cache[key] = hit
        claim_due, handle_due, label, d_days, hours = hit
        if hours:  # counted in hours from the dispatch time itself
            return start + dt.timedelta(hours=rules.CLAIM_HOURS["emergency"]), start + dt.timedelta(hours=hours), label
        if urgency == "urgent":
            claim_due = start + dt.timedelta(hours=2)
        return claim_due, handle_due, label

    written = 0
    chunk = 50_000
    while written < n:
        m = min(chunk, n - written)
        t_rows, e_rows, c_rows = [], [], []
        p_types = rnd.choices(types, cum_weights=c_types, k=m)
        p_urg = rnd.choices(urg, cum_weights=c_urg, k=m)
        p_chan = rnd.choices(chans, cum_weights=c_chan, k=m)
        p_leaf = rnd.choices(leaves, cum_weights=c_leaf, k=m)
        p_day = rnd.choices(all_days, cum_weights=c_day, k=m)
        p_hour = rnd.choices(range(24), cum_weights=c_hour, k=m)
        p_caller = rnd.choices(range(len(callers)), cum_weights=caller_cum, k=m)
        for k in range(m):
            ttype, urgency, channel = p_types[k], p_urg[k], p_chan[k]
            leaf_id, path, leaf_name, leaf_short, cat_days, leaf_dept = p_leaf[k]
            day = p_day[k]
            created = dt.datetime(day.year, day.month, day.day, p_hour[k], rnd.randrange(60), rnd.randrange(60)) - offset
            if created > now_utc:
                created = now_utc - dt.timedelta(minutes=rnd.randint(1, 600))
            demo = rnd.random() < DEMO_SHARE or not counties
            if demo:
                region = streets[rnd.randrange(len(streets))]
                dept = leaf_dept
            else:
                county = counties[rnd.randrange(len(counties))]
                region = county
                dept = by_short.get((county[1], leaf_short)) or leaf_dept
            if ttype in ("cannot_do", "efficiency") and bureau:
                dept = bureau if demo else (by_short.get((region[1], "政务服务和大数据管理局")) or bureau)
            ci = p_caller[k]
            enc_phone, phone_ix, enc_name = callers[ci]
            last = seen_callers.get(ci)
            is_repeat = last is not None and (created - last).days < 30
            seen_callers[ci] = created
            if leaf_name in trainingdata.TEXTS:
                title, content = trainingdata.make_ticket(leaf_name, rnd)
            else:
                title, content = path, f"市民反映{path}方面的问题，希望尽快处理。"
            # -- fate
            if day >= recent_from:
                state = rnd.choices(rstates, cum_weights=c_rstate)[0]
                if day == ctx.today and state in ("replied", "callbacked", "closed") and rnd.random() < 0.6:
                    state = "handling"
            else:
                r = rnd.random()
                state = "merged" if r < 0.03 else "cancelled" if r < 0.035 else (
                    "archived" if day < ctx.today - dt.timedelta(days=45) and rnd.random() < 0.8 else "closed")
            direct = ttype == "consult" and state in ("closed", "archived") and rnd.random() < 0.45
            ev = []  # (action, from, to, actor(uid,name), dept, at, opinion, data, public)
            centre = centre_user if demo else (None, "热线坐席")
            ev.append(("register" if channel == "phone" else "submit", "", "registered", centre if channel == "phone" else (None, "诉求人"),
                       None, created, "", {"channel": channel}, True))
            row = dict.fromkeys(ticket_cols)
            row.update(id=pk, number=f"RX{(created + offset):%Y%m%d}{pk:07d}", channel=channel, ticket_type=ttype,
                       urgency=urgency, confidential=rnd.random() < 0.03, title=title[:200], content=content,
                       caller_name=enc_name, phone=enc_phone, phone_index=phone_ix, address=f"{trainingdata.PLACES[rnd.randrange(len(trainingdata.PLACES))]}{rnd.randint(1, 300)}号",
                       address_public=False,  # generated callers were never asked (ADR 0018)
                       region_id=region[0], region_code=region[1], category_id=leaf_id, suggested=empty,
                       registered_by_id=centre[0] if channel == "phone" else None, state=state, created_at=created,
                       extension_days=0, return_count=0, urge_count=0, reopen_count=0, reply="", callback_attempts=0,
                       time_limit="", is_repeat=is_repeat or state == "merged", lock_version=1,
                       closed_directly=bool(direct), satisfaction_source="")
            t = created + dt.timedelta(minutes=rnd.randint(2, 40))
            if state in ("cancelled",):
                ev.append(("cancel", "registered", "cancelled", centre, None, t, "误登记", {}, True))
                row["lock_version"] = 2
            elif state == "merged":
                row["merged_into_id"] = max(first_pk, pk - rnd.randint(1, 300)) if pk > first_pk else None
                if row["merged_into_id"] is None:
                    row["state"] = state = "registered"
                else:
                    row["closed_at"] = t
                    ev.append(("merge", "registered", "merged", centre, None, t, "重复诉求，并单", {}, True))
            elif direct:
                row.update(state=state, reply="已按知识库口径答复诉求人。", replied_at=t, closed_at=t, closed_on_time=True,
                           handle_hours=0.0)
                ev.append(("direct_close", "registered", "closed", centre, None, t, "已按知识库口径答复", {}, True))
            elif state != "registered":
                dispatched = min(t, now_utc)
                claim_due, due, label = deadline(dispatched, ttype, urgency, cat_days)
                row.update(lead_department_id=dept, dispatched_at=dispatched, claim_due_at=claim_due, due_at=due,
                           time_limit=label)
                ev.append(("dispatch", "registered", "dispatched", centre, dept, dispatched, "", {}, True))
                if rnd.random() < 0.03:
                    c_rows.append((cpk, pk, by_short.get((region[1], "城管局")) or dept))
                    cpk += 1
                h_user = dept_users.get(dept, (None, "承办人员"))
                cur = dispatched
                if state == "dispatched":
                    pass
                else:
                    late_claim = rnd.random() < 0.06
                    claimed = min(cur + (dt.timedelta(hours=rnd.randint(20, 40)) if late_claim
                                         else dt.timedelta(minutes=rnd.randint(10, 300))), now_utc)
                    row.update(claimed_at=claimed, claimed_on_time=claimed <= claim_due)
                    ev.append(("claim", "dispatched", "handling", h_user, dept, claimed, "", {}, True))
                    cur = claimed
                    if state == "returned" or (state not in ("handling",) and rnd.random() < 0.05):
                        t2 = min(cur + dt.timedelta(hours=rnd.randint(1, 20)), now_utc)
                        ev.append(("return", "handling", "returned", h_user, dept, t2, "不属于本单位职责", {}, True))
                        row["return_count"] = 1
                        if state == "returned":
                            row["return_pending"] = json.dumps({"reason": "不属于本单位职责", "department": "",
                                                                "suggested": None, "suggested_name": "",
                                                                "at": t2.isoformat()}, ensure_ascii=False)
                        else:
                            t3 = min(t2 + dt.timedelta(hours=rnd.randint(1, 8)), now_utc)
                            ev.append(("redispatch", "returned", "dispatched", centre, dept, t3, "改派", {}, True))
                            t4 = min(t3 + dt.timedelta(minutes=rnd.randint(10, 200)), now_utc)
                            ev.append(("claim", "dispatched", "handling", h_user, dept, t4, "", {}, True))
                            cur = t4
                    if state != "returned":
                        if rnd.random() < 0.04:
                            t2 = min(cur + dt.timedelta(hours=rnd.randint(2, 30)), now_utc)
                            ev.append(("request_extension", "handling", "handling", h_user, dept, t2, "情况复杂需延期", {"days": 5}, True))
                            if state == "handling" and rnd.random() < 0.4:
                                row["extension_pending"] = json.dumps({"days": 5, "reason": "情况复杂需延期",
                                                                       "at": t2.isoformat(), "by": h_user[1]},
                                                                      ensure_ascii=False)
                            else:
                                t3 = min(t2 + dt.timedelta(hours=rnd.randint(1, 6)), now_utc)
                                ev.append(("approve_extension", "handling", "handling", centre, dept, t3, "同意", {"days": 5}, True))
                                row["extension_days"] = 5
                                row["due_at"] = utc(rules.extended_due(cal, local(due), 5))
                        if rnd.random() < 0.03:
                            row["urge_count"] = 1
                            ev.append(("urge", "handling", "handling", centre, dept,
                                       min(cur + dt.timedelta(hours=rnd.randint(1, 48)), now_utc), "请加快办理", {}, False))
                        if state in ("replied", "callbacked", "closed", "archived"):
                            late = rnd.random() < 0.05
                            span = (row["due_at"] - cur) if row["due_at"] > cur else dt.timedelta(hours=2)
                            replied = cur + (span + dt.timedelta(hours=rnd.randint(2, 72)) if late
                                             else span * rnd.uniform(0.05, 0.95))
                            replied = min(replied, now_utc)
                            reply = replies[rnd.randrange(len(replies))]
                            row.update(replied_at=replied, reply=reply,
                                       handle_hours=round((replied - dispatched).total_seconds() / 3600, 2))
                            ev.append(("reply", "handling", "replied", h_user, dept, replied, reply, {}, True))
                            if state != "replied":
                                cb = min(replied + dt.timedelta(hours=rnd.randint(1, 48)), now_utc)
                                if rnd.random() < 0.08:
                                    ev.append(("callback_failed", "replied", "replied", centre, None, cb, "未接通", {}, False))
                                    row["callback_attempts"] = 1
                                    cb = min(cb + dt.timedelta(hours=3), now_utc)
                                sat = rnd.choices(sats, cum_weights=c_sat)[0]
                                row.update(callback_attempts=row["callback_attempts"] + 1, callback_reached=True,
                                           resolved=sat >= 3 or rnd.random() < 0.3, satisfaction=sat,
                                           satisfaction_source="callback")
                                ev.append(("callback", "replied", "callbacked", centre, None, cb, "",
                                           {"satisfaction": sat}, True))
                                if state in ("closed", "archived"):
                                    cl = min(cb + dt.timedelta(minutes=rnd.randint(5, 600)), now_utc)
                                    row.update(closed_at=cl, closed_on_time=replied <= row["due_at"])
                                    ev.append(("close", "callbacked", "closed", centre, None, cl, "", {}, True))
            if state == "archived":
                if row["closed_at"] is None:
                    row["closed_at"] = t
                row["archived_at"] = min(row["closed_at"] + dt.timedelta(days=rnd.randint(1, 20)), now_utc)
                ev.append(("archive", "closed", "archived", centre, None, row["archived_at"], "", {}, False))
            row["lock_version"] = len(ev)
            row["updated_at"] = max(e[5] for e in ev)
            for key in ("created_at", "dispatched_at", "claim_due_at", "claimed_at", "due_at", "replied_at", "closed_at",
                        "archived_at", "updated_at"):
                row[key] = ts(row[key])
            t_rows.append(tuple(row[c] for c in ticket_cols))
            for action, fs, tsn, actor, dep, at, opinion, data, public in ev:
                e_rows.append((epk, pk, action, labels.get(action, action), fs, tsn, actor[0], actor[1], dep, opinion,
                               json.dumps(data, ensure_ascii=False) if data else empty, public, ts(at)))
                epk += 1
            pk += 1
        tickets.write(t_rows)
        events.write(e_rows)
        if c_rows:
            co_table.write(c_rows)
        written += m
        ctx.log(f"    工单 {written:,}/{n:,}")
    reset_sequences(Ticket, TicketEvent, Ticket.co_departments.through)
    analyze(Ticket, TicketEvent)
    return written
