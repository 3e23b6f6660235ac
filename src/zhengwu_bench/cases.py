"""Cases with their history (CaseEvent) and process steps (CaseStep): Zipf over items, most
concluded, a few per cent overdue, submissions in working hours over the last 12 months, every date
on the working-day calendar."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools

from django.db import transaction
from django.utils import timezone

from .bulk import Table, analyze, j, next_id, reset_sequences, ts
from .catalog import load_items
from .context import Context, Days, ItemInfo

# State mix of a year of cases (most concluded; a few open; ~5% overdue overall, see below).
STATE_WEIGHTS = [("delivered", 62), ("concluded", 22), ("in_review", 6.5), ("submitted", 1.6), ("supplement", 0.8),
                 ("suspended", 0.4), ("refused", 2.2), ("withdrawn", 2.0), ("draft", 0.5)]
# Hour of submission: working-hour peaks (9–11, 14–16), a little online in the evening.
HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 0.2, 0.5, 3, 9, 11, 8, 2, 3, 8, 10, 8, 4, 1.2, 1, 1, 0.8, 0.5, 0]
CHANNELS = [("online", 55), ("window", 38), ("self_service", 4), ("agent", 3)]
LATE_SHARE = 0.04  # concluded after the due date

def zipf_cum_weights(n: int, s: float = 1.1) -> list[float]:
    return list(itertools.accumulate(1.0 / (k ** s) for k in range(1, n + 1)))


def gen_cases(ctx: Context) -> int:
    from zhengwu.accounts.models import User
    from zhengwu.cases import rules
    from zhengwu.cases.models import Case, CaseEvent, CaseStep, Suspension
    from zhengwu.org.models import RoleGrant

    rnd = ctx.rnd("cases")
    if not ctx.items:
        load_items(ctx)
    if not ctx.applicant_ids:
        from zhengwu.accounts.models import Applicant

        ctx.applicant_ids = list(Applicant.objects.order_by("pk").values_list("pk", flat=True))
    days = Days(ctx.today)
    # Popularity: a few items get most cases. Demo-district items are among the popular ones so
    # that the demo staff's inboxes (chuangkou, shenpi_*) hold a realistic load.
    order = list(ctx.items)
    rnd.shuffle(order)
    demo_items = [it for it in order if it.demo]
    others = [it for it in order if not it.demo]
    ranked: list[ItemInfo] = []
    for it in demo_items:
        others.insert(min(len(others), rnd.randrange(0, 3 * len(demo_items) + 1)), it)
    ranked = others
    cum_items = zipf_cum_weights(len(ranked))
    states, state_w = zip(*STATE_WEIGHTS)
    cum_states = list(itertools.accumulate(state_w))
    channels, channel_w = zip(*CHANNELS)
    cum_channels = list(itertools.accumulate(channel_w))
    cum_hours = list(itertools.accumulate(HOUR_WEIGHTS))
    # Actors: the demo staff act on demo-district cases; elsewhere a named but generated officer.
    window_user = User.objects.filter(username="chuangkou").values_list("id", "display_name").first()
    approvers = {}
    for uid, dept_id, name in (RoleGrant.objects.filter(role="approver", department__isnull=False)
                               .values_list("user_id", "department_id", "user__display_name")):
        approvers.setdefault(dept_id, (uid, name))

    n = ctx.size.cases
    case_pk, event_pk, step_pk = next_id(Case), next_id(CaseEvent), next_id(CaseStep)
    suspension_pk = next_id(Suspension)
    case_table = Table(Case, [
        "id", "number", "service_item_id", "item_version_id", "process_id", "department_id", "region_id",
        "applicant_id", "agent_id", "agent_note", "filed_by_id", "channel", "window_id", "bundle_case_id", "state",
        "outcome", "intake_mode", "form_data", "progress", "commitment_text", "commitment_signed_at", "refusal_reason",
        "promised_days", "submitted_at", "accepted_on", "due_date", "suspended_workdays", "concluded_at",
        "concluded_on_time", "visits", "lock_version", "idempotency_key", "created_at", "updated_at",
        "delivery_method", "delivery_address", "received_on", "acceptance_due", "deemed_accepted", "extension_workdays",
        "api_key_id", "external_ref"])
    event_table = Table(CaseEvent, ["id", "case_id", "action", "label", "from_state", "to_state", "step_id", "actor_id",
                                    "actor_name", "opinion", "data", "visible_to_applicant", "at"])
    step_table = Table(CaseStep, ["id", "case_id", "step_id", "name", "role", "department_id", "block", "status",
                                  "due_date", "activated_at", "acted_by_id", "acted_at", "opinion"])
    # A case in 特别程序 has its open Suspension row, as approval.suspend writes it: the clock stops
    # only for a recorded procedure of 行政许可法第四十五条 (without the row the figures count it as open).
    suspension_table = Table(Suspension, ["id", "case_id", "kind", "reason", "legal_basis", "stops_clock", "started_on",
                                          "planned_workdays", "ended_on", "workdays", "started_by_id"])
    labels = {a: t.label for a, t in rules.STATE_TABLE.items()}
    tz = timezone.get_current_timezone()
    # Local time has a fixed offset here (Asia/Shanghai, no DST): work in naive UTC throughout.
    offset = timezone.localtime(ctx.now, tz).utcoffset() or dt.timedelta(0)
    empty = "{}"
    now_utc = ctx.now.astimezone(dt.timezone.utc).replace(tzinfo=None)
    data_strings: dict[str, str] = {}
    counts = {"cases": 0, "events": 0, "steps": 0, "suspensions": 0, "overdue_open": 0, "late": 0}

    def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute) - offset

    def working_time(day: dt.date) -> dt.datetime:
        return at(day, rnd.randint(9, 16), rnd.randrange(60))

    chunk = 50_000
    done = 0
    while done < n:
        m = min(chunk, n - done)
        picks = rnd.choices(ranked, cum_weights=cum_items, k=m)
        state_picks = rnd.choices(states, cum_weights=cum_states, k=m)
        channel_picks = rnd.choices(channels, cum_weights=cum_channels, k=m)
        hour_picks = rnd.choices(range(24), cum_weights=cum_hours, k=m)
        case_rows, event_rows, step_rows, suspension_rows = [], [], [], []
        for k in range(m):
            it: ItemInfo = picks[k]
            state = state_picks[k]
            channel = channel_picks[k]
            promised = it.promised_days
            if promised == 0 and state in ("in_review", "suspended"):
                state = "delivered"  # 即办件 conclude on the spot
            pk = case_pk
            case_pk += 1
            # -- when: open cases are recent; closed ones anywhere in the last 12 months
            if state in ("in_review", "suspended"):
                # accepted up to 1.25× the time limit ago: about a fifth of them are overdue
                accepted = days.workdays_back(rnd.randint(0, max(1, int(promised * 1.25))))
                sub_day = accepted
            elif state in ("submitted", "supplement", "draft"):
                sub_day = days.workdays_back(rnd.randint(0, 4))
                accepted = None
            else:
                if rnd.random() < 0.06:
                    sub_day = days.weekend[rnd.randrange(len(days.weekend))] if channel == "online" else None
                else:
                    sub_day = None
                if sub_day is None:
                    limit = max(promised + 5, 10)
                    wd = days.workdays
                    hi = bisect.bisect_right(wd, days.today) - 1 - limit  # concluded by now
                    sub_day = wd[rnd.randrange(max(1, hi))]
                accepted = days.on_or_after(sub_day) if state not in ("refused", "withdrawn") else None
                if accepted is not None and accepted > days.today:
                    accepted = days.workdays_back(0)
            submitted = at(sub_day, hour_picks[k] if hour_picks[k] >= 8 or channel == "online" else 9, rnd.randrange(60))
            if submitted > now_utc - dt.timedelta(minutes=5):  # today, later than now: earlier today
                submitted = max(at(sub_day, 0, 0), now_utc - dt.timedelta(minutes=rnd.randint(5, 120)))
            created = submitted - dt.timedelta(minutes=rnd.randint(3, 40))
            applicant = ctx.applicant_ids[rnd.randrange(len(ctx.applicant_ids))]
            number = rules.case_number(it.region_code, (submitted + offset).date(), pk) if state != "draft" else None
            dept_approver = approvers.get(it.department_id)
            win = window_user if it.demo and window_user else (None, "窗口工作人员")
            ev: list[tuple] = []  # (action, from, to, step_id, actor, at, opinion, data)
            ev.append(("create", "", "draft", "", None if channel == "online" else win, created, "",
                       {"channel": channel, "agent": ""}))
            received = submitted  # the materials' receipt (行政许可法第三十二条: five working days to answer)
            if state == "draft":
                submitted = None
                received = None
                number = None
            else:
                ev.append(("submit", "draft", "submitted", "", None if channel == "online" else win, submitted, "", {}))
            outcome = ""
            due = None
            concluded_at = None
            on_time = None
            suspended_days = 0
            refusal = ""
            progress = {}
            steps_out = []
            visits = 1 if channel in ("window", "agent") else 0
            if state == "supplement":
                ev.append(("request_supplement", "submitted", "supplement", "", win,
                           min(max(working_time(days.on_or_after(sub_day)), submitted + dt.timedelta(minutes=10)), now_utc),
                           "请补正：申请书未签字", {}))
            elif state == "refused":
                t = max(working_time(days.on_or_after(sub_day)), submitted + dt.timedelta(minutes=10))
                refusal = "申请事项不属于本机关职权范围，依据《中华人民共和国行政许可法》第三十二条不予受理"
                ev.append(("refuse", "submitted", "refused", "", win, t, refusal, {}))
            elif state == "withdrawn":
                ev.append(("withdraw", "submitted", "withdrawn", "", None, min(submitted + dt.timedelta(hours=rnd.randint(1, 30)), now_utc),
                           "申请人撤回", {}))
            if accepted is not None:
                due = days.add(accepted, promised)
                acc_time = max(working_time(accepted), submitted + dt.timedelta(minutes=5))
                if rnd.random() < 0.08 and state in ("concluded", "delivered"):  # 补正 then resubmitted
                    t1 = submitted + dt.timedelta(minutes=30)
                    ev.append(("request_supplement", "submitted", "supplement", "", win, t1, "请补正：材料复印件不清晰", {}))
                    ev.append(("resubmit", "supplement", "submitted", "", None, t1 + dt.timedelta(minutes=40), "", {}))
                    received = t1 + dt.timedelta(minutes=40)
                    acc_time = max(acc_time, t1 + dt.timedelta(minutes=50))
                ev.append(("accept", "submitted", "in_review", "", win, acc_time, "材料齐全，予以受理", {}))
                blocks = it.blocks
                dues = [days.add(accepted, off) for off in it.block_offsets]
                if state in ("concluded", "delivered"):
                    late = rnd.random() < LATE_SHARE
                    if late:
                        end_day = days.add(due, rnd.randint(1, 5))
                    else:
                        end_day = days.add(accepted, rnd.randint(0, promised)) if promised else accepted
                    if end_day > days.today:
                        end_day, late = days.workdays_back(0), days.workdays_back(0) > due
                    concluded_at = min(max(working_time(end_day), acc_time + dt.timedelta(minutes=30)), now_utc)
                    on_time = not late
                    counts["late"] += late
                    denied = rnd.random() < 0.03
                    outcome = "denied" if denied else "approved"
                    status = {}
                    tstep = acc_time
                    for b, block in enumerate(blocks):
                        for sid, sname, role, sdept in block:
                            last = b == len(blocks) - 1
                            acted = concluded_at - dt.timedelta(minutes=5) if last else \
                                min(tstep + dt.timedelta(hours=rnd.randint(2, 40)), concluded_at - dt.timedelta(minutes=10))
                            st = "rejected" if (denied and last) else "passed"
                            status[sid] = st
                            actor = dept_approver if (it.demo and dept_approver) else (None, "审批人员")
                            steps_out.append((sid, sname, role, sdept, b, st, dues[b], tstep, actor, acted,
                                              "同意" if st == "passed" else "不符合条件"))
                            ev.append(("approve_step", "in_review", "in_review", sid, actor, acted,
                                       "同意" if st == "passed" else "不符合条件", {}))
                            tstep = acted
                    progress = {"blocks": [[s[0] for s in b] for b in blocks], "status": status,
                                "current": len(blocks) - 1, "outcome": outcome}
                    ev.append(("conclude", "in_review", "concluded", "", None, concluded_at,
                               "准予许可" if outcome == "approved" else "不予许可",
                               {"outcome": "准予" if outcome == "approved" else "不予"}))
                    if state == "delivered":
                        ev.append(("deliver", "concluded", "delivered", "", win,
                                   min(concluded_at + dt.timedelta(hours=rnd.randint(1, 48)), now_utc), "", {"method": "电子送达"}))
                else:  # in_review / suspended: some blocks passed, one active
                    current = rnd.randrange(len(blocks)) if blocks else 0
                    status = {}
                    tstep = acc_time
                    for b, block in enumerate(blocks):
                        for sid, sname, role, sdept in block:
                            actor = dept_approver if (it.demo and dept_approver) else (None, "审批人员")
                            if b < current:
                                acted = tstep + dt.timedelta(hours=rnd.randint(1, 20))
                                status[sid] = "passed"
                                steps_out.append((sid, sname, role, sdept, b, "passed", dues[b], tstep, actor, acted, "同意"))
                                ev.append(("approve_step", "in_review", "in_review", sid, actor, acted, "同意", {}))
                                tstep = acted
                            elif b == current:
                                status[sid] = "active"
                                steps_out.append((sid, sname, role, sdept, b, "active", dues[b], tstep, None, None, ""))
                            else:
                                status[sid] = "waiting"
                                steps_out.append((sid, sname, role, sdept, b, "waiting", dues[b], None, None, None, ""))
                    progress = {"blocks": [[s[0] for s in b] for b in blocks], "status": status, "current": current,
                                "outcome": ""}
                    if state == "suspended":
                        actor = dept_approver if it.demo and dept_approver else (None, "审批人员")
                        started = tstep + dt.timedelta(hours=1)
                        ev.append(("suspend", "in_review", "suspended", "", actor, started, "需抽样检测",
                                   {"kind": "检测", "planned_workdays": None, "legal_basis": rules.SUSPENSION_BASIS}))
                        suspension_rows.append((suspension_pk, pk, "testing", "需抽样检测", rules.SUSPENSION_BASIS, True,
                                                (started + offset).date(), None, None, 0, actor[0]))
                        suspension_pk += 1
                    if due < days.today and state == "in_review":
                        counts["overdue_open"] += 1
            lock = len(ev) - 1
            received_on = (received + offset).date() if received is not None else None
            # 补正 stops the five days; they start again on resubmission (intake.request_supplement).
            acceptance_due = (days.add(received_on, rules.ACCEPTANCE_WORKDAYS)
                              if received_on is not None and state != "supplement" else None)
            updated = ev[-1][5]
            case_rows.append((
                pk, number, it.id, it.version_id, it.process_id if accepted is not None else None, it.department_id,
                it.region_id, applicant, None, "", win[0] if channel in ("window", "agent") else None, channel, None, None,
                state, outcome, "normal", "{}", j(progress) if progress else "{}", "", None, refusal, promised,
                ts(submitted), accepted, due, suspended_days, ts(concluded_at), on_time, visits, lock, None, ts(created),
                ts(updated), "", "", received_on, acceptance_due, False, 0, None, None))
            for action, frm, to, sid, actor, when, opinion, data in ev:
                if data:
                    key = repr(data)
                    data = data_strings.get(key) or data_strings.setdefault(key, j(data))
                else:
                    data = empty
                aid_, aname = actor if actor else (None, "申请人" if action in ("create", "submit", "resubmit", "withdraw")
                                                   else "系统")
                event_rows.append((event_pk, pk, action, labels.get(action, "创建申请"), frm, to, sid, aid_, aname, opinion,
                                   data, True, ts(when)))
                event_pk += 1
            for sid, sname, role, sdept, b, st, sdue, activated, actor, acted, opinion in steps_out:
                step_rows.append((step_pk, pk, sid, sname, role, sdept, b, st, sdue, ts(activated),
                                  actor[0] if actor else None, ts(acted), opinion))
                step_pk += 1
        with transaction.atomic():
            case_table.write(case_rows)
            event_table.write(event_rows)
            step_table.write(step_rows)
            suspension_table.write(suspension_rows)
        done += m
        counts["cases"] += len(case_rows)
        counts["events"] += len(event_rows)
        counts["steps"] += len(step_rows)
        counts["suspensions"] += len(suspension_rows)
        if done % 200_000 == 0 or done == n:
            ctx.log(f"    办件 {done}/{n}")
    reset_sequences(Case, CaseEvent, CaseStep, Suspension)
    analyze(Case, CaseEvent, CaseStep, Suspension)
    ctx.timings.setdefault("rows", {}).update(cases=counts["cases"], case_events=counts["events"],
                                              case_steps=counts["steps"], case_suspensions=counts["suspensions"])
    ctx.timings["distribution"] = {"overdue_open": counts["overdue_open"], "concluded_late": counts["late"]}
    return counts["cases"]
