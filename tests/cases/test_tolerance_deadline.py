"""容缺受理 and the 承诺时限: the time limit counts from the day the 容缺 materials are complete
(补齐之日起计算), so a case is never due before its 补交期限 ends — an 即办 item (0 days) included.
While materials are owed, the due date shown is the one if they come in on the 补交期限."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengwu.cases import rules
from zhengwu.cases.models import Case, CaseEvent, CaseStep, Notification
from zhengwu.cases.services import applying, approval, intake
from zhengwu.core import calendar

pytestmark = pytest.mark.django_db

D = dt.date


# -- the rule (pure) -------------------------------------------------------------------------------
@pytest.mark.parametrize("pending, start", [
    ([], D(2026, 3, 2)),  # nothing owed: acceptance
    ([(D(2026, 3, 16), None)], D(2026, 3, 16)),  # owed: the 补交期限 stands in
    ([(D(2026, 3, 16), D(2026, 3, 5))], D(2026, 3, 5)),  # supplied: that day
    ([(D(2026, 3, 16), D(2026, 3, 5)), (D(2026, 3, 9), None)], D(2026, 3, 9)),  # one still owed
    ([(D(2026, 3, 16), D(2026, 3, 5)), (D(2026, 3, 9), D(2026, 3, 4))], D(2026, 3, 5)),  # the last one in
    ([(D(2026, 3, 9), D(2026, 3, 20))], D(2026, 3, 20)),  # supplied late: from when it came
    ([(D(2026, 3, 9), D(2026, 3, 1))], D(2026, 3, 2)),  # never before acceptance
])
def test_the_clock_starts_when_the_tolerated_materials_are_complete(pending, start):
    assert rules.tolerance_clock_start(D(2026, 3, 2), pending) == start


# -- accepting an 即办 item with 容缺 ----------------------------------------------------------------
@pytest.fixture
def instant_item(publish_item, dept):
    return publish_item(dept, "食品小作坊登记（即办）", case_type="instant", statutory_days=0, promised_days=0,
                        allows_tolerance=True, materials=[("登记申请书", "required"), ("健康证明", "tolerated")])


@pytest.fixture
def instant_case(instant_item, citizen, pdf):
    case = applying.create_draft(citizen, instant_item)
    applying.upload_material(citizen, case, pdf(), name="登记申请书")
    case.refresh_from_db()
    return applying.submit(citizen, case, case.lock_version)


def fresh(case):
    return Case.objects.get(pk=case.pk)


def two_weeks():
    return timezone.localdate() + dt.timedelta(days=14)


def test_an_instant_item_accepted_with_tolerance_is_due_when_the_material_is_due(instant_case, window_staff):
    due = two_weeks()
    case = fresh(intake.accept_pending(window_staff, instant_case, instant_case.lock_version, [("健康证明", due)]))
    assert case.accepted_on == timezone.localdate()
    assert case.due_date == due  # not today: 即办 counts from the day the material is complete
    assert all(s.due_date >= due for s in CaseStep.objects.filter(case=case))
    event = CaseEvent.objects.get(case=case, action="accept_pending")
    assert event.data["due_date"] == due.isoformat()  # the figures read the due date from the history


def test_a_committed_item_counts_its_days_from_the_supply_date(submitted_case, window_staff):
    due = two_weeks()
    case = fresh(intake.accept_pending(window_staff, submitted_case, submitted_case.lock_version,
                                       [("健康证明", due)]))
    cal = calendar.get_calendar()
    assert case.due_date == cal.add_workdays(due, 10)  # 10 working days from the 补交期限
    assert max(s.due_date for s in CaseStep.objects.filter(case=case)) == case.due_date


def test_supplying_the_last_material_starts_the_clock_and_tells_the_applicant(instant_case, window_staff, citizen,
                                                                             pdf):
    case = fresh(intake.accept_pending(window_staff, instant_case, instant_case.lock_version,
                                       [("健康证明", two_weeks())]))
    pending = case.pending_materials.get()
    cm = applying.upload_material(citizen, case, pdf(), name="健康证明")
    approval.supply_pending(citizen, case, pending, cm)
    case = fresh(case)
    today = timezone.localdate()
    assert case.due_date == today  # 即办: done the day the materials are complete
    assert all(s.due_date == today for s in CaseStep.objects.filter(case=case))
    event = CaseEvent.objects.filter(case=case, action="supply_pending").latest("pk")
    assert event.data["due_date"] == today.isoformat()
    body = Notification.objects.filter(case=case).latest("pk").body
    assert "容缺材料已补齐" in body and f"{today:%Y年%m月%d日}" in body


def test_the_notice_does_not_promise_a_date_before_the_material_is_due(instant_case, window_staff):
    due = two_weeks()
    intake.accept_pending(window_staff, instant_case, instant_case.lock_version, [("健康证明", due)])
    body = Notification.objects.filter(case=instant_case).latest("pk").body
    assert f"承诺办结日期：{timezone.localdate():%Y年%m月%d日}" not in body
    assert f"请于{due:%Y年%m月%d日}前补交容缺材料：健康证明。" in body
    assert "承诺时限自容缺材料补齐之日起计算" in body and f"最迟于{due:%Y年%m月%d日}办结" in body


def test_case_pages_say_how_the_due_date_is_counted(instant_case, window_staff, staff_client, citizen):
    from django.test import Client

    due = two_weeks()
    intake.accept_pending(window_staff, instant_case, instant_case.lock_version, [("健康证明", due)])
    staff = staff_client(window_staff).get(reverse("cases:staff_case", args=[instant_case.pk])).text
    assert f'id="case-due">{due:%Y-%m-%d}' in staff
    assert "自容缺材料补齐之日起计算" in staff
    client = Client()
    client.force_login(citizen)
    mine = client.get(reverse("cases:my_case", args=[instant_case.pk])).text
    assert "自容缺材料补齐之日起计算" in mine


@pytest.mark.skipif(__import__("shutil").which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_the_acceptance_notice_states_the_consistent_time_limit(instant_case, window_staff, tmp_path):
    import subprocess

    from zhengwu.cases.documents import acceptance_notice_pdf

    due = two_weeks()
    case = intake.accept_pending(window_staff, instant_case, instant_case.lock_version, [("健康证明", due)])
    path = tmp_path / "notice.pdf"
    path.write_bytes(acceptance_notice_pdf(fresh(case)).content.read())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "自容缺材料补齐之日起计算" in flat and f"{due:%Y年%m月%d日}" in flat


def test_migration_counts_open_tolerated_cases_from_completion(instant_case, window_staff, capsys):
    """A case accepted with 容缺 under the old count (due the day it was accepted) is counted again
    from the 补交期限, its steps with it, and the correction is in its history; run again, nothing."""
    import importlib

    from django.apps import apps

    due = two_weeks()
    case = fresh(intake.accept_pending(window_staff, instant_case, instant_case.lock_version, [("健康证明", due)]))
    today = timezone.localdate()
    Case.objects.filter(pk=case.pk).update(due_date=today)  # as the old rule left it
    CaseStep.objects.filter(case=case).update(due_date=today)
    module = importlib.import_module("zhengwu.cases.migrations.0015_tolerated_due_from_completion")
    module.forwards(apps, None)
    case = fresh(case)
    assert case.due_date == due and all(s.due_date == due for s in CaseStep.objects.filter(case=case))
    event = CaseEvent.objects.get(case=case, action="deadline_correction")
    assert event.visible_to_applicant and event.data["due_date"] == due.isoformat()
    assert "容缺受理的承诺时限自容缺材料补齐之日起计算" in event.opinion
    assert "1 件容缺受理办件" in capsys.readouterr().out
    module.forwards(apps, None)
    assert CaseEvent.objects.filter(case=case, action="deadline_correction").count() == 1
