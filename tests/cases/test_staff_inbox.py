"""待办 and the approval page: scoping by step role and department, time status, actions,
特别程序, conclusion and delivery."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengwu.cases import queries
from zhengwu.cases.models import Case, CaseStep
from zhengwu.cases.services import applying, intake
from zhengwu.core import calendar

pytestmark = pytest.mark.django_db

INBOX = "cases:staff_inbox"


def fresh(case):
    return Case.objects.get(pk=case.pk)


def act(client, case, step_id, action, opinion="", lock=None):
    return client.post(reverse("cases:staff_step_act", args=[case.pk, step_id]), {
        "lock_version": fresh(case).lock_version if lock is None else lock, "action": action, "opinion": opinion})


def test_inbox_shows_the_steps_of_my_department_and_role(staff_client, accepted_case, approver, fire_approver, window_staff):
    page = staff_client(approver).get(reverse(INBOX))
    assert page.status_code == 200 and accepted_case.number in page.text and "审查" in page.text
    assert reverse("cases:staff_step", args=[accepted_case.pk, "review"]) in page.text
    assert accepted_case.number not in staff_client(fire_approver).get(reverse(INBOX)).text
    # A window clerk covers the department but the step is an approver's.
    assert accepted_case.number not in staff_client(window_staff).get(reverse(INBOX)).text
    assert list(queries.inbox(approver).values_list("step_id", flat=True)) == ["review"]


def test_parallel_steps_reach_both_departments_and_the_case_page_shows_blocks(
        staff_client, joint_process, submitted_case, window_staff, approver, fire_approver):
    intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    case = fresh(submitted_case)
    assert [s.step_id for s in queries.inbox(approver)] == ["market"]
    assert [s.step_id for s in queries.inbox(fire_approver)] == ["fire"]
    # The fire brigade may open the market department's case because it holds a step of it.
    client = staff_client(fire_approver)
    page = client.get(reverse("cases:staff_step", args=[case.pk, "fire"]))
    assert page.status_code == 200 and 'id="btn-step-fire"' in page.text and 'id="btn-step-market"' not in page.text
    assert page.text.count("并联") >= 1 and 'data-step="decide"' in page.text
    assert act(client, case, "fire", "pass", "消防合格").status_code == 302
    assert CaseStep.objects.get(case=case, step_id="fire").status == "passed"
    assert act(staff_client(approver), case, "market", "pass").status_code == 302
    assert [s.step_id for s in queries.inbox(approver)] == ["decide"]


def test_conditional_step_is_marked_and_skipped_when_the_condition_fails(staff_client, item, item_admin, submitted_case,
                                                                         window_staff, approver):
    from zhengwu.cases.services import approval

    approval.save_process_definition(item_admin, item, [
        {"id": "review", "name": "审查", "role": "approver", "department": item.department_id, "share": 0.5},
        {"id": "site", "name": "现场核查", "role": "approver", "department": item.department_id, "share": 0.2,
         "condition": {"field": "area", "op": ">=", "value": 100}},
        {"id": "decide", "name": "决定", "role": "approver", "department": item.department_id, "share": 0.3},
    ])
    intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    page = staff_client(approver).get(reverse("cases:staff_case", args=[submitted_case.pk]))
    assert 'data-step="site" data-status="skipped"' in page.text and "条件：area &gt;= 100" in page.text


def test_time_status_badges_and_filters(staff_client, accepted_case, approver):
    cal = calendar.get_calendar()
    today = dt.date.today()
    client = staff_client(approver)
    step = CaseStep.objects.get(case=accepted_case, step_id="review")
    assert 'data-time-status="normal"' in client.get(reverse(INBOX)).text
    # Overdue: due yesterday.
    CaseStep.objects.filter(pk=step.pk).update(due_date=today - dt.timedelta(days=1))
    page = client.get(reverse(INBOX), {"time": "overdue"})
    assert 'data-time-status="overdue"' in page.text and "超期" in page.text
    assert accepted_case.number not in client.get(reverse(INBOX), {"time": "normal"}).text
    # 预警: accepted 20 working days ago, due in 2 working days (under 20% left).
    accepted = cal.add_workdays(today, -20)
    Case.objects.filter(pk=accepted_case.pk).update(accepted_on=accepted)
    CaseStep.objects.filter(pk=step.pk).update(due_date=cal.add_workdays(today, 2))
    page = client.get(reverse(INBOX), {"time": "warning"})
    assert accepted_case.number in page.text and 'data-time-status="warning"' in page.text
    assert accepted_case.number not in client.get(reverse(INBOX), {"time": "overdue"}).text
    assert accepted_case.number not in client.get(reverse(INBOX), {"time": "normal"}).text


def test_inbox_sorts_and_queries_do_not_grow_with_rows(staff_client, item, citizen, window_staff, approver, pdf):
    client = staff_client(approver)

    def accepted_one(n):
        case = applying.create_draft(citizen, item, form_data={"shop_name": f"小吃{n}号", "area": 20})
        for m in ("食品经营许可申请书", "营业执照"):
            applying.upload_material(citizen, case, pdf(), name=m)
        case = applying.submit(citizen, case, fresh(case).lock_version)
        intake.accept(window_staff, case, fresh(case).lock_version)
        return fresh(case)

    first = accepted_one(1)
    client.get(reverse(INBOX))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(INBOX))
    cases = [first] + [accepted_one(n) for n in range(2, 6)]
    CaseStep.objects.filter(case=cases[0]).update(due_date=dt.date.today() + dt.timedelta(days=60))
    with CaptureQueriesContext(connection) as five:
        page = client.get(reverse(INBOX))
    assert page.text.count("data-step=") == 5 and len(five) == len(one)
    assert not any("COUNT(" in q["sql"].upper() for q in five.captured_queries)
    assert page.text.index(cases[1].number) < page.text.index(cases[0].number)  # by due date
    newest_first = client.get(reverse(INBOX), {"sort": "-submitted"}).text
    assert newest_first.index(cases[4].number) < newest_first.index(cases[1].number)


def test_pass_return_reject_through_the_page(staff_client, accepted_case, approver):
    client = staff_client(approver)
    assert act(client, accepted_case, "review", "pass", "符合").status_code == 302
    # 决定 may return to 审查; an opinion is required.
    response = act(client, accepted_case, "decide", "return")
    assert "退回或不予通过时必填" in response.text
    assert act(client, accepted_case, "decide", "return", "补充核查").status_code == 302
    assert CaseStep.objects.get(case=accepted_case, step_id="review").status == "active"
    # 审查 does not offer 退回 (first step); 不予通过 concludes with a denial.
    response = act(client, accepted_case, "review", "return", "x")
    assert "审批决定：该环节不允许此操作" in response.text
    assert act(client, accepted_case, "review", "reject", "场所不符合要求").status_code == 302
    case = fresh(accepted_case)
    assert case.state == "concluded" and case.outcome == "denied"


def test_stale_step_action_is_refused(staff_client, accepted_case, approver):
    response = act(staff_client(approver), accepted_case, "review", "pass", lock=accepted_case.lock_version - 1)
    assert "该办件已被他人处理或已更新，请刷新页面后重试" in response.text
    assert CaseStep.objects.get(case=accepted_case, step_id="review").status == "active"


def test_suspend_and_resume_through_the_page(staff_client, accepted_case, approver):
    client = staff_client(approver)
    url = reverse("cases:staff_suspend", args=[accepted_case.pk])
    response = client.post(url, {"lock_version": accepted_case.lock_version, "kind": "expert", "reason": ""})
    assert "启动原因：必填" in response.text
    client.post(url, {"lock_version": accepted_case.lock_version, "kind": "expert", "reason": "需专家评审",
                      "planned_days": 5})
    case = fresh(accepted_case)
    assert case.state == "suspended"
    page = client.get(reverse(INBOX), {"time": "paused"})
    assert case.number in page.text and 'data-time-status="paused"' in page.text
    assert 'id="btn-resume"' in client.get(reverse("cases:staff_case", args=[case.pk])).text
    client.post(reverse("cases:staff_resume", args=[case.pk]), {"lock_version": case.lock_version, "note": "评审完毕"})
    assert fresh(case).state == "in_review"


def test_conclusion_decision_and_mail_delivery(staff_client, accepted_case, approver, window_staff):
    client = staff_client(approver)
    act(client, accepted_case, "review", "pass")
    act(client, accepted_case, "decide", "pass", "准予许可")
    case = fresh(accepted_case)
    assert case.state == "concluded" and case.outcome == "approved"
    page = client.get(reverse("cases:staff_case", args=[case.pk]))
    assert 'id="decision-link"' in page.text and 'id="btn-deliver"' in page.text
    pdf = client.get(reverse("cases:staff_decision", args=[case.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    clerk = staff_client(window_staff)
    url = reverse("cases:staff_deliver", args=[case.pk])
    response = clerk.post(url, {"lock_version": case.lock_version, "method": "mail", "address": "金水路1号"})
    assert "运单号：邮寄送达时必填" in response.text and fresh(case).state == "concluded"
    assert clerk.post(url, {"lock_version": case.lock_version, "method": "mail", "address": "金水路1号",
                            "carrier": "中国邮政EMS", "tracking_number": "EMS123"}).status_code == 302
    case = fresh(case)
    assert case.state == "delivered" and case.result.tracking_number == "EMS123"
    assert "EMS123" in clerk.get(reverse("cases:staff_case", args=[case.pk])).text


def test_case_page_is_404_outside_scope(staff_client, accepted_case, make_staff, other_district):
    stranger = make_staff("approver", region=other_district)
    assert staff_client(stranger).get(reverse("cases:staff_case", args=[accepted_case.pk])).status_code == 404
    assert accepted_case.number not in staff_client(stranger).get(reverse(INBOX)).text


def test_case_page_shows_the_whole_record(staff_client, submitted_case, window_staff, approver, citizen, pdf):
    """The read-only cards (Jinja2 fragments, ADR 17): 办件信息, materials, 补正 and 特别程序,
    the process blocks and the history with opinions and internal entries."""
    from zhengwu.cases.services import approval

    case = intake.request_supplement(window_staff, submitted_case, submitted_case.lock_version,
                                     [{"material": "营业执照", "reason": "复印件不清晰"}], note="请上传原件扫描件")
    applying.upload_material(citizen, fresh(case), pdf(), name="营业执照")
    case = applying.resubmit(citizen, fresh(case), fresh(case).lock_version, note="已重新上传")
    case = intake.accept(window_staff, fresh(case), fresh(case).lock_version, opinion="材料齐全")
    case = approval.act_on_step(approver, fresh(case), "review", "pass", fresh(case).lock_version, opinion="同意 <b>")
    case = approval.suspend(approver, fresh(case), fresh(case).lock_version, "expert", "需专家评审", 5)
    case = approval.resume(approver, fresh(case), fresh(case).lock_version, "评审完毕")
    page = staff_client(approver).get(reverse("cases:staff_case", args=[case.pk])).text
    case = fresh(case)
    # 办件信息: channel, due date with the time badge, the process version.
    assert "网上申报" in page and f'id="case-due">{case.due_date:%Y-%m-%d}' in page
    assert 'data-time-status="normal"' in page and f"第{case.process.version}版" in page
    # Materials: size, the hash's first 12 digits, the replaced upload greyed, the catalogue ticked.
    upload = case.materials.exclude(status="replaced").first()
    assert upload.sha256[:12] + "…" in page and "text-muted" in page and '#check-lg"></use></svg> 营业执照' in page
    assert "\xa0" in page.split('id="materials"')[1].split("</table>")[0]  # Django's filesizeformat
    # 补正 resolved, 特别程序 ended with its working days.
    assert "补正告知（" in page and "营业执照——复印件不清晰。请上传原件扫描件" in page and "补正）" in page
    assert "特别程序：专家评审，" in page and "预计 5 个工作日" in page and "结束，用时" in page
    # The blocks: review passed by the approver with the opinion escaped, decide active.
    assert 'data-step="review" data-status="passed"' in page and 'data-step="decide" data-status="active"' in page
    assert "同意 &lt;b&gt;" in page and "同意 <b>" not in page
    # The history in order, the supplement's items listed, internal entries marked.
    history = page.split('id="history"')[1].split("</ol>")[0]
    labels = [e.label for e in case.events.order_by("at", "pk")]
    at = 0
    for label in labels:  # each entry after the one before
        at = history.index(f'<span class="fw-semibold">{label}</span>', at) + 1
    assert len(labels) >= 7
    assert "营业执照：复印件不清晰" in history and "需专家评审" in history
    if case.events.filter(visible_to_applicant=False).exists():
        assert "内部" in history


def _suspend(client, case):
    client.post(reverse("cases:staff_suspend", args=[case.pk]), {
        "lock_version": fresh(case).lock_version, "kind": "expert", "reason": "需专家评审", "planned_days": 5})
    return fresh(case)


def test_resume_after_no_working_day_says_the_due_date_did_not_move(staff_client, accepted_case, approver):
    from zhengwu.cases.models import Notification

    client = staff_client(approver)
    case = _suspend(client, accepted_case)
    due = case.due_date
    response = client.post(reverse("cases:staff_resume", args=[case.pk]),
                           {"lock_version": case.lock_version, "note": "评审完毕"}, follow=True)
    assert fresh(case).due_date == due
    assert "承诺办结日期不变" in response.text and "已顺延" not in response.text
    bodies = list(Notification.objects.filter(case=case).values_list("body", flat=True))
    assert any("）特别程序已结束，恢复计时，当前状态：审批中" in b for b in bodies), bodies
    assert any("）已启动特别程序，暂停计时，当前状态：" in b for b in bodies), bodies
    assert not any("已特别程序" in b for b in bodies)


def test_resume_after_working_days_says_to_which_date_the_due_date_moved(staff_client, accepted_case, approver):
    from zhengwu.cases.models.process import Suspension

    client = staff_client(approver)
    case = _suspend(client, accepted_case)
    due = case.due_date
    Suspension.objects.filter(case=case).update(started_on=dt.date.today() - dt.timedelta(days=14))
    response = client.post(reverse("cases:staff_resume", args=[case.pk]),
                           {"lock_version": case.lock_version, "note": "评审完毕"}, follow=True)
    moved = fresh(case).due_date
    assert moved > due
    assert f"承诺办结日期已顺延至{moved:%Y年%m月%d日}" in response.text
