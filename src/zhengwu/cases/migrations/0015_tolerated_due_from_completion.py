"""Data: 容缺受理 cases count their 承诺时限 from the day the 容缺 materials are complete
(rules.tolerance_clock_start; docs/adr/0026-deadlines-and-figures-as-the-law-says.md).

Open cases (审批中, 特别程序中) accepted with 容缺 before the rule had their due date counted from
acceptance — an 即办 one was due the day it was accepted while its 补交期限 was weeks away. Their due
date and their steps' due dates are counted again; each changed case gets a history entry (visible to
the applicant: the date they were told changes) naming the due date before and after, which the
figures read (ADR 0026). Concluded cases keep the dates they were judged by. The migration prints
what it changed; run again, it changes nothing.
"""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    from zhengwu.cases import rules, workflow
    from zhengwu.core import calendar

    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    CaseStep = apps.get_model("cases", "CaseStep")
    PendingMaterial = apps.get_model("cases", "PendingMaterial")
    ProcessDefinition = apps.get_model("cases", "ProcessDefinition")
    cal = calendar.build()
    changed = 0
    for case in (Case.objects.filter(intake_mode="tolerated", state__in=("in_review", "suspended"),
                                     accepted_on__isnull=False).order_by("pk").iterator()):
        dates = [(p.due_date, timezone.localdate(p.supplied_at) if p.supplied_at else None)
                 for p in PendingMaterial.objects.filter(case_id=case.pk)]
        start = rules.tolerance_clock_start(case.accepted_on, dates)
        due = rules.due_date(cal, start, case.promised_days, case.suspended_workdays, case.extension_workdays)
        if due == case.due_date:
            continue
        before = case.due_date
        case.due_date = due
        case.lock_version += 1
        case.save(update_fields=["due_date", "lock_version"])
        if case.process_id and case.progress:
            steps = ProcessDefinition.objects.get(pk=case.process_id).steps
            dues = workflow.block_due_dates(cal, start,
                                            case.promised_days + case.suspended_workdays + case.extension_workdays,
                                            steps, workflow.Progress.from_json(case.progress))
            for row in CaseStep.objects.filter(case_id=case.pk):
                if row.step_id in dues and row.due_date != dues[row.step_id]:
                    row.due_date = dues[row.step_id]
                    row.save(update_fields=["due_date"])
        CaseEvent.objects.create(
            case=case, action="deadline_correction", label="依法更正办理期限", from_state=case.state,
            to_state=case.state, actor=None, actor_name="系统",
            opinion=("容缺受理的承诺时限自容缺材料补齐之日起计算"
                     + (f"；承诺办结日期由{before:%Y-%m-%d}更正为{due:%Y-%m-%d}" if before else "")),
            data={"due_date_before": before.isoformat() if before else None, "due_date": due.isoformat(),
                  "clock_start": start.isoformat()},
            visible_to_applicant=True,
        )
        changed += 1
    if changed:
        print(f"\n  cases 0015: {changed} 件容缺受理办件的承诺时限改为自容缺材料补齐之日起计算，"
              f"每件已写入办理记录“依法更正办理期限”。")


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("cases", "0014_instant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
