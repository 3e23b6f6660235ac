"""Data: deadlines as the law says (issue 30).

1. 特别程序 of kinds 行政许可法第四十五条 does not name (现场核查、公示、其他) stop the clock no more:
   their working days go back into the case's time (``suspended_workdays`` less, the due date, the
   steps' due dates and — for a concluded case — 按时办结 recomputed); one still running is ended
   today and its case goes back to 审批中. Each changed case gets a history entry (visible to the
   applicant: the date they were told changes) naming the due date before and after, and the
   migration prints what it changed.
2. The lawful kinds get their legal basis recorded.
3. Cases waiting for 受理 get the day their materials were received and the five-working-day
   limit (第三十二条); the scheduled job ``cases.deemed_acceptance`` then applies the rule.
"""

from django.db import migrations
from django.utils import timezone

UNLAWFUL = ("inspection", "publicity", "other")
LAWFUL = ("hearing", "tender", "auction", "examination", "testing", "quarantine", "appraisal", "expert")
BASIS = "《中华人民共和国行政许可法》第四十五条"


def forwards(apps, schema_editor):
    from zhengwu.cases import rules, workflow
    from zhengwu.core import calendar

    Suspension = apps.get_model("cases", "Suspension")
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    CaseStep = apps.get_model("cases", "CaseStep")
    cal = calendar.build()
    today = timezone.localdate()

    Suspension.objects.filter(kind__in=LAWFUL, legal_basis="").update(legal_basis=BASIS)

    by_case: dict[int, list] = {}
    for s in Suspension.objects.filter(kind__in=UNLAWFUL, stops_clock=True).order_by("case_id", "pk"):
        by_case.setdefault(s.case_id, []).append(s)
    reopened = 0
    for case_id, rows in by_case.items():
        case = Case.objects.select_for_update().get(pk=case_id)
        before_due, before_days, before_state = case.due_date, case.suspended_workdays, case.state
        given_back = 0
        for s in rows:
            if s.ended_on is None:  # still running: ends today, the case is in review again
                s.ended_on = today
                s.workdays = rules.suspension_workdays(cal, s.started_on, today)
                if case.state == "suspended":
                    case.state = "in_review"
                    reopened += 1
            else:
                given_back += s.workdays
            s.stops_clock = False
            s.save(update_fields=["ended_on", "workdays", "stops_clock"])
        case.suspended_workdays = max(0, case.suspended_workdays - given_back)
        if case.accepted_on is not None:
            case.due_date = rules.due_date(cal, case.accepted_on, case.promised_days, case.suspended_workdays,
                                           case.extension_workdays)
            if case.concluded_at is not None:
                case.concluded_on_time = timezone.localdate(case.concluded_at) <= case.due_date
        case.lock_version += 1
        case.save(update_fields=["state", "suspended_workdays", "due_date", "concluded_on_time", "lock_version"])
        if case.process_id and case.progress and case.accepted_on is not None:
            progress = workflow.Progress.from_json(case.progress)
            steps = apps.get_model("cases", "ProcessDefinition").objects.get(pk=case.process_id).steps
            due = workflow.block_due_dates(cal, case.accepted_on,
                                           case.promised_days + case.suspended_workdays + case.extension_workdays,
                                           steps, progress)
            for row in CaseStep.objects.filter(case_id=case.pk):
                if row.step_id in due and row.due_date != due[row.step_id]:
                    row.due_date = due[row.step_id]
                    row.save(update_fields=["due_date"])
        kinds = "、".join(sorted({dict(inspection="现场核查", publicity="公示", other="其他")[s.kind] for s in rows}))
        CaseEvent.objects.create(
            case=case, action="deadline_correction", label="依法更正办理期限", from_state=before_state,
            to_state=case.state, actor=None, actor_name="系统",
            opinion=(f"{kinds}不属于{BASIS}规定的特别程序，所需时间计入办理期限"
                     + (f"；承诺办结日期由{before_due:%Y-%m-%d}更正为{case.due_date:%Y-%m-%d}"
                        if before_due and before_due != case.due_date else "")),
            data={"suspended_workdays_before": before_days, "suspended_workdays": case.suspended_workdays,
                  "due_date_before": before_due.isoformat() if before_due else None,
                  "due_date": case.due_date.isoformat() if case.due_date else None,
                  "state_before": before_state, "suspensions": [s.pk for s in rows]},
            visible_to_applicant=True,
        )
    if by_case:
        print(f"\n  cases 0009: {sum(map(len, by_case.values()))} 项特别程序（现场核查/公示/其他）改为计入期限，"
              f"涉及 {len(by_case)} 件办件，其中 {reopened} 件恢复为审批中；每件已写入办理记录“依法更正办理期限”。")

    # 3. Waiting for 受理: received on the latest (re)submission.
    for case in Case.objects.filter(state__in=("submitted", "supplement"), received_on__isnull=True,
                                    submitted_at__isnull=False):
        last = (CaseEvent.objects.filter(case_id=case.pk, action__in=("submit", "resubmit"))
                .order_by("-at", "-pk").values_list("at", flat=True).first()) or case.submitted_at
        case.received_on = timezone.localdate(last)
        if case.state == "submitted":
            case.acceptance_due = rules.acceptance_due(cal, case.received_on)
        case.save(update_fields=["received_on", "acceptance_due"])


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("cases", "0008_deadlines_by_law"),
        ("core", "0006_audit_mac_and_checkpoints"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
