"""Deadlines as 行政许可法 says (issue 30 items 1–4): each rule with a worked example.

- 第四十五条: only 听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审 stop the clock;
- 第三十二条第一款第（四）项: five working days from receipt to accept, refuse or tell what is missing,
  once (一次性告知); not told in time, the application is accepted from the day of receipt;
- 第四十二条第一款: +10 working days, once, approved by 本行政机关负责人, reason told to the applicant;
- 第八十二条: the days are working days (the platform calendar: 节假日 and 调休).
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from zhengwu.cases import rules
from zhengwu.cases.models import Case, CaseEvent, Extension, Notification, SupplementNotice, Suspension
from zhengwu.cases.services import applying, approval, deadlines, intake
from zhengwu.core import calendar
from zhengwu.core.calendar import WorkCalendar, _library_data

D = dt.date


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar(*_library_data())


# -- pure rules ----------------------------------------------------------------------------------
def test_acceptance_due_is_five_working_days_after_receipt_across_national_day(cal):
    # Received Wed 2026-09-30. Oct 1–7 国庆 off; working days: Thu 8, Fri 9, Sat 10 (调休), Mon 12, Tue 13.
    due = rules.acceptance_due(cal, D(2026, 9, 30))
    assert due == D(2026, 10, 13)
    assert not rules.deemed_accepted(D(2026, 10, 13), due)  # the last day: still in time
    assert rules.deemed_accepted(D(2026, 10, 14), due)  # the day after: accepted by law


def test_extension_adds_ten_working_days(cal):
    # Accepted Mon 2026-03-02, 10 working days → due Mon 03-16; +10 working days → Mon 03-30
    # (17, 18, 19, 20, 23, 24, 25, 26, 27, 30).
    assert rules.due_date(cal, D(2026, 3, 2), 10) == D(2026, 3, 16)
    assert rules.due_date(cal, D(2026, 3, 2), 10, 0, rules.EXTENSION_WORKDAYS) == D(2026, 3, 30)
    # With 2 working days of 检测 as well: 12 + 10 → Wed 04-01.
    assert rules.due_date(cal, D(2026, 3, 2), 10, 2, 10) == D(2026, 4, 1)


def test_extension_rules():
    due = D(2026, 3, 16)
    assert rules.extension_refusal(D(2026, 3, 16), due, 0, "需实地勘验后集体研究") is None
    assert "只能延长一次" in rules.extension_refusal(D(2026, 3, 10), due, 1, "理由")
    assert "逾期后不能再延长" in rules.extension_refusal(D(2026, 3, 17), due, 0, "理由")
    assert "须写明理由" in rules.extension_refusal(D(2026, 3, 10), due, 0, " ")


def test_only_the_procedures_of_article_45_stop_the_clock():
    assert list(rules.LAWFUL_SUSPENSIONS.values()) == ["听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审"]
    for kind in ("inspection", "publicity", "other"):
        message = rules.suspension_refusal(kind, "原因")["kind"]
        assert "第四十五条" in message and "计入办理期限" in message
    assert "种类不正确" in rules.suspension_refusal("holiday", "原因")["kind"]
    assert rules.suspension_refusal("testing", "") == {"reason": "启动特别程序须写明原因"}
    assert rules.suspension_refusal("testing", "抽样检测") == {}


def test_one_supplement_notice_unless_the_first_could_not_have_known():
    assert rules.supplement_refusal(0, "") == {}
    assert "一次告知需要补正的全部内容" in rules.supplement_refusal(1, "")["additional_reason"]
    assert rules.supplement_refusal(1, "补正时新提交的租赁合同缺页") == {}


# -- 特别程序 ------------------------------------------------------------------------------------
def test_suspend_refuses_site_inspection_and_records_the_basis_of_a_lawful_one(accepted_case, approver):
    with pytest.raises(ValidationError) as exc:
        approval.suspend(approver, accepted_case, accepted_case.lock_version, "inspection", "现场核查经营场所")
    assert "现场核查" in exc.value.message_dict["kind"][0]
    assert Case.objects.get(pk=accepted_case.pk).state == "in_review"
    approval.suspend(approver, accepted_case, accepted_case.lock_version, "testing", "抽样送检",
                     legal_basis="《食品安全法》第八十七条")
    s = Suspension.objects.get(case=accepted_case)
    assert (s.kind, s.stops_clock) == ("testing", True)
    assert s.legal_basis == "《中华人民共和国行政许可法》第四十五条；《食品安全法》第八十七条"


def test_api_refuses_an_unlawful_kind_with_a_field_message(api, accepted_case, approver):
    r = api(approver).post(f"{accepted_case.pk}/suspend", {"lock_version": accepted_case.lock_version,
                                                           "kind": "publicity", "reason": "公示七日"})
    assert r.status_code == 400
    assert "公示" in str(r.json())


def test_migration_turns_unlawful_suspensions_into_counted_time(accepted_case, approver, capsys):
    """A 现场核查 of 3 working days had moved the due date 3 days; a 公示 is still running. The data
    migration gives the days back, ends the 公示 (the case is in review again) and records it."""
    import importlib

    from django.apps import apps

    cal = calendar.get_calendar()
    case = accepted_case
    Case.objects.filter(pk=case.pk).update(suspended_workdays=3, state="suspended",
                                           due_date=rules.due_date(cal, case.accepted_on, case.promised_days, 3))
    today = timezone.localdate()
    done = Suspension.objects.create(case=case, kind="inspection", reason="现场核查", started_on=today,
                                     ended_on=today, workdays=3)
    running = Suspension.objects.create(case=case, kind="publicity", reason="公示", started_on=today)
    lawful = Suspension.objects.create(case=case, kind="expert", reason="专家评审", started_on=today, ended_on=today)
    module = importlib.import_module("zhengwu.cases.migrations.0009_lawful_suspensions_and_receipt")
    module.forwards(apps, None)

    case.refresh_from_db()
    assert (case.state, case.suspended_workdays) == ("in_review", 0)
    assert case.due_date == rules.due_date(cal, case.accepted_on, case.promised_days)
    done.refresh_from_db()
    running.refresh_from_db()
    lawful.refresh_from_db()
    assert (done.stops_clock, done.workdays) == (False, 3)  # its duration stays on record; it counts now
    assert (running.stops_clock, running.ended_on) == (False, today)
    assert (lawful.stops_clock, lawful.legal_basis) == (True, "《中华人民共和国行政许可法》第四十五条")
    event = CaseEvent.objects.get(case=case, action="deadline_correction")
    assert event.data["suspended_workdays_before"] == 3 and event.visible_to_applicant
    assert "不属于《中华人民共和国行政许可法》第四十五条规定的特别程序" in event.opinion
    assert "2 项特别程序" in capsys.readouterr().out
    module.forwards(apps, None)  # run again: nothing more to change
    assert CaseEvent.objects.filter(case=case, action="deadline_correction").count() == 1


# -- 受理 within five working days -----------------------------------------------------------------
def _received_long_ago(case):
    """Receipt moved 10 calendar days back: the five working days are over (holidays allowing)."""
    cal = calendar.get_calendar()
    received = timezone.localdate() - dt.timedelta(days=30)
    Case.objects.filter(pk=case.pk).update(received_on=received, acceptance_due=rules.acceptance_due(cal, received))
    case.refresh_from_db()
    return received


def test_submission_starts_the_five_working_days(submitted_case):
    today = timezone.localdate()
    assert submitted_case.received_on == today
    assert submitted_case.acceptance_due == rules.acceptance_due(calendar.get_calendar(), today)


def test_late_acceptance_runs_from_receipt(submitted_case, window_staff):
    """Not answered within five working days: accepted from the day of receipt; the statutory
    time (10 working days) runs from then, not from the day the window clicks 受理."""
    received = _received_long_ago(submitted_case)
    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    case.refresh_from_db()
    assert (case.accepted_on, case.deemed_accepted) == (received, True)
    assert case.due_date == rules.due_date(calendar.get_calendar(), received, 10)
    event = CaseEvent.objects.get(case=case, action="accept")
    assert event.data["deemed"] and event.data["due_date"] == case.due_date.isoformat()


def test_no_supplement_or_refusal_after_the_five_days(submitted_case, window_staff):
    _received_long_ago(submitted_case)
    with pytest.raises(ValidationError) as exc:
        intake.request_supplement(window_staff, submitted_case, submitted_case.lock_version,
                                  [{"material": "营业执照", "reason": "不清晰"}])
    assert "视为受理" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        intake.refuse(window_staff, submitted_case, submitted_case.lock_version, "不符合条件", "某条例第三条")
    assert Case.objects.get(pk=submitted_case.pk).state == "submitted"


def test_the_scheduled_job_deems_overdue_applications_accepted(submitted_case, item, citizen, pdf):
    received = _received_long_ago(submitted_case)
    fresh = applying.create_draft(citizen, item, form_data={"shop_name": "老李面馆", "area": 20})
    for m in ("食品经营许可申请书", "营业执照"):
        applying.upload_material(citizen, fresh, pdf(), name=m)
    fresh.refresh_from_db()
    applying.submit(citizen, fresh, fresh.lock_version)
    assert deadlines.deem_overdue_acceptances() == "逾期视为受理 1 件"
    case = Case.objects.get(pk=submitted_case.pk)
    assert (case.state, case.accepted_on, case.deemed_accepted) == ("in_review", received, True)
    event = CaseEvent.objects.get(case=case, action="deem_accept")
    assert event.actor_name == "系统" and event.data["received_on"] == received.isoformat()
    assert case.steps.filter(status="active").exists()  # the process started
    assert Case.objects.get(pk=fresh.pk).state == "submitted"  # still within its five days


def test_intake_queue_and_case_page_show_the_acceptance_limit(submitted_case, window_staff, staff_client):
    client = staff_client(window_staff)
    page = client.get(reverse("cases:staff_intake")).content.decode()
    assert "受理期限" in page
    assert f'data-acceptance-due="{submitted_case.acceptance_due:%Y-%m-%d}"' in page
    _received_long_ago(submitted_case)
    page = client.get(reverse("cases:staff_intake")).content.decode()
    assert 'data-time-status="overdue"' in page
    page = client.get(reverse("cases:staff_case", args=[submitted_case.pk])).content.decode()
    assert 'id="case-received"' in page and 'data-time-status="overdue"' in page
    assert 'id="acceptance-overdue"' in page


# -- 一次性告知 --------------------------------------------------------------------------------------
def test_a_second_supplement_notice_needs_its_reason(submitted_case, window_staff, citizen, pdf):
    case = intake.request_supplement(window_staff, submitted_case, submitted_case.lock_version,
                                     [{"material": "营业执照", "reason": "复印件不清晰"}])
    applying.upload_material(citizen, case, pdf("清晰执照.pdf"), name="营业执照")  # 补正 replaces the file
    case = applying.resubmit(citizen, case, Case.objects.get(pk=case.pk).lock_version)
    case = Case.objects.get(pk=case.pk)
    assert case.received_on == timezone.localdate() and case.acceptance_due is not None
    with pytest.raises(ValidationError) as exc:
        intake.request_supplement(window_staff, case, case.lock_version, [{"material": "租赁合同", "reason": "缺页"}])
    assert "additional_reason" in exc.value.message_dict
    assert SupplementNotice.objects.filter(case=case).count() == 1
    intake.request_supplement(window_staff, case, case.lock_version, [{"material": "租赁合同", "reason": "缺页"}],
                              additional_reason="补正时新提交的租赁合同缺第2页，首次告知时尚未提交")
    second = SupplementNotice.objects.filter(case=case).order_by("-pk").first()
    assert second.additional_reason.startswith("补正时新提交")


def test_second_supplement_through_the_page_shows_the_rule(submitted_case, window_staff, citizen, staff_client, pdf):
    intake.request_supplement(window_staff, submitted_case, submitted_case.lock_version,
                              [{"material": "营业执照", "reason": "复印件不清晰"}])
    applying.upload_material(citizen, submitted_case, pdf("清晰执照.pdf"), name="营业执照")
    case = Case.objects.get(pk=submitted_case.pk)
    applying.resubmit(citizen, case, case.lock_version)
    case = Case.objects.get(pk=case.pk)
    client = staff_client(window_staff)
    url = reverse("cases:staff_intake_action", args=[case.pk, "supplement"])
    r = client.post(url, {"lock_version": case.lock_version, "other_name": "租赁合同", "other_reason": "缺页"})
    assert r.status_code == 200
    assert "一次告知需要补正的全部内容" in r.content.decode()
    r = client.post(url, {"lock_version": case.lock_version, "other_name": "租赁合同", "other_reason": "缺页",
                          "additional_reason": "补正时新提交的材料缺页"})
    assert r.status_code == 302
    assert SupplementNotice.objects.filter(case=case).exclude(additional_reason="").count() == 1


# -- 延长办理期限 --------------------------------------------------------------------------------------
@pytest.fixture
def leader(make_staff, dept):
    return make_staff("leader", department=dept)


def test_extension_requested_approved_and_told_to_the_applicant(accepted_case, approver, leader, citizen):
    cal = calendar.get_calendar()
    before = accepted_case.due_date
    deadlines.request_extension(approver, accepted_case, accepted_case.lock_version, "需集体研究，二十日内不能作出决定")
    case = Case.objects.get(pk=accepted_case.pk)
    assert case.due_date == before  # not before the 负责人 approves
    with pytest.raises(PermissionDenied):
        deadlines.decide_extension(approver, case, case.lock_version, True)
    deadlines.decide_extension(leader, case, case.lock_version, True, "同意")
    case = Case.objects.get(pk=case.pk)
    assert case.extension_workdays == 10
    assert case.due_date == rules.due_date(cal, case.accepted_on, 10, 0, 10) == cal.add_workdays(before, 10)
    e = Extension.objects.get(case=case)
    assert (e.status, e.due_before, e.due_after, e.decided_by) == ("approved", before, case.due_date, leader)
    note = Notification.objects.get(recipient=citizen, title__startswith="办理期限延长")
    assert "需集体研究" in note.body and "第四十二条" in note.body
    assert CaseEvent.objects.get(case=case, action="approve_extension").visible_to_applicant
    assert not CaseEvent.objects.get(case=case, action="request_extension").visible_to_applicant
    assert case.steps.order_by("-block").first().due_date == case.due_date
    with pytest.raises(ValidationError) as exc:  # only once
        deadlines.request_extension(approver, case, case.lock_version, "再延一次")
    assert "只能延长一次" in exc.value.messages[0]


def test_extension_only_within_the_deadline(accepted_case, approver, leader):
    deadlines.request_extension(approver, accepted_case, accepted_case.lock_version, "需集体研究")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Case.objects.filter(pk=accepted_case.pk).update(due_date=yesterday)
    case = Case.objects.get(pk=accepted_case.pk)
    with pytest.raises(ValidationError) as exc:
        deadlines.decide_extension(leader, case, case.lock_version, True)
    assert "不能再批准延长" in exc.value.messages[0]
    assert Case.objects.get(pk=case.pk).due_date == yesterday


def test_extension_late_request_refused(accepted_case, approver):
    Case.objects.filter(pk=accepted_case.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    case = Case.objects.get(pk=accepted_case.pk)
    with pytest.raises(ValidationError) as exc:
        deadlines.request_extension(approver, case, case.lock_version, "需集体研究")
    assert "逾期后不能再延长" in exc.value.message_dict["reason"][0]


def test_leader_of_another_department_may_not_approve(accepted_case, approver, make_staff, fire_dept):
    other = make_staff("leader", department=fire_dept)
    deadlines.request_extension(approver, accepted_case, accepted_case.lock_version, "需集体研究")
    case = Case.objects.get(pk=accepted_case.pk)
    with pytest.raises(PermissionDenied):
        deadlines.decide_extension(other, case, case.lock_version, True)


def test_extension_through_the_pages(accepted_case, approver, leader, citizen, staff_client, login):
    staff = staff_client(approver)
    page = staff.get(reverse("cases:staff_case", args=[accepted_case.pk])).content.decode()
    assert 'id="form-extension"' in page
    r = staff.post(reverse("cases:staff_extension_request", args=[accepted_case.pk]),
                   {"lock_version": accepted_case.lock_version, "reason": "需集体研究"})
    assert r.status_code == 302
    boss = staff_client(leader)
    page = boss.get(reverse("cases:staff_extensions")).content.decode()
    e = Extension.objects.get(case=accepted_case)
    assert f'id="extension-{e.pk}"' in page and "需集体研究" in page
    case = Case.objects.get(pk=accepted_case.pk)
    r = boss.post(reverse("cases:staff_extension_decide", args=[e.pk]),
                  {"lock_version": case.lock_version, "decision": "approve"})
    assert r.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.extension_workdays == 10
    page = login(citizen).get(reverse("cases:my_case", args=[case.pk])).content.decode()
    assert "办理期限延长10个工作日" in page and "需集体研究" in page


def test_extension_through_the_api(api, accepted_case, approver, leader):
    r = api(approver).post(f"{accepted_case.pk}/extension", {"lock_version": accepted_case.lock_version,
                                                             "reason": "需集体研究"})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["extensions"][0]["status"] == "requested"
    r = api(leader).post(f"{accepted_case.pk}/extension/decide", {"lock_version": body["lock_version"],
                                                                  "approve": True})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "approved"
    detail = api(approver).get(f"{accepted_case.pk}").json()
    assert detail["extension_workdays"] == 10 and detail["due_date"] == r.json()["due_after"]
    r = api(approver).post(f"{accepted_case.pk}/extension", {"lock_version": detail["lock_version"],
                                                             "reason": "再延"})
    assert r.status_code == 400


def test_acceptance_warning_starts_the_day_before_the_last_day(submitted_case):
    from zhengwu.cases import queries
    from zhengwu.cases.rules import TimeStatus

    cal = calendar.get_calendar()
    received = D(2026, 9, 30)  # due Tue 10-13 (国庆 in between, Sat 10-10 a 调休 working day)
    submitted_case.received_on, submitted_case.acceptance_due = received, rules.acceptance_due(cal, received)
    status = {day: queries.acceptance_time_left(submitted_case, D(2026, 10, day), cal).status for day in (8, 10, 12, 13, 14)}
    assert status == {8: TimeStatus.NORMAL, 10: TimeStatus.NORMAL, 12: TimeStatus.WARNING, 13: TimeStatus.WARNING,
                      14: TimeStatus.OVERDUE}
