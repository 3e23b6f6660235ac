"""The read-only case page: a leader (or anyone who may see the 办件指标) drilling into a number
opens each listed case — its facts, steps, history and deadlines, within the figures' scope —
with no action, no file, and personal data masked; the case's handlers keep their full page."""

import re

import pytest
from django.urls import reverse

from zhengwu.cases.models import Case
from zhengwu.cases.services import approval, intake
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(make_staff, district):
    return make_staff("leader", region=district)


@pytest.fixture
def concluded_case(submitted_case, window_staff, approver):
    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    for step in ("review", "decide"):
        case = Case.objects.get(pk=case.pk)
        approval.act_on_step(approver, case, step, "pass", case.lock_version)
    return Case.objects.get(pk=case.pk)


def case_url(case):
    return reverse("cases:staff_case", args=[case.pk])


def test_the_leader_reads_a_case_of_the_region_without_actions(login, leader, accepted_case, citizen):
    page = login(leader).get(case_url(accepted_case))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="case-readonly"' in html and accepted_case.number in html
    assert "食品经营许可证核发" in html and 'id="case-due"' in html and 'id="history"' in html
    assert 'id="process-blocks"' in html  # the steps
    assert 'aria-label="工作台导航"' in html  # the workbench layout with its menu
    # Personal data masked, and no way to reveal it on this page.
    applicant = citizen.applicant
    assert applicant.id_number.masked in html and applicant.id_number.reveal_unaudited() not in html
    assert "138****0000" in html and "13800000000" not in html
    assert "查看完整信息" not in html and reverse("cases:staff_case_reveal", args=[accepted_case.pk]) not in html
    # No action and no file: the only forms are the navbar's (退出, 大字模式).
    forms = re.findall(r'<form[^>]*action="([^"]*)"', html)
    assert set(forms) == {reverse("accounts:logout"), "/accounts/font/"}
    for m in accepted_case.materials.all():
        assert reverse("cases:case_file", args=[accepted_case.pk, m.pk]) not in html
    # Each opening is in the audit log.
    event = AuditEvent.objects.filter(action="case.read").latest("seq")
    assert event.actor_id == leader.pk and event.object_id == str(accepted_case.pk)


def test_the_concluded_case_shows_its_result_but_not_the_decision_file(login, leader, concluded_case):
    html = login(leader).get(case_url(concluded_case)).content.decode()
    assert concluded_case.result.decision_number in html
    assert reverse("cases:staff_decision", args=[concluded_case.pk]) not in html


def test_the_leader_may_still_not_act_reveal_or_download(login, leader, accepted_case):
    client = login(leader)
    assert client.post(reverse("cases:staff_case_reveal", args=[accepted_case.pk]),
                       {"field": "id_number"}).status_code == 403
    assert client.post(reverse("cases:staff_suspend", args=[accepted_case.pk]), {}).status_code == 403
    material = accepted_case.materials.first()
    assert client.get(reverse("cases:case_file", args=[accepted_case.pk, material.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="pii.reveal").exists()


def test_outside_the_figures_scope_the_case_is_not_found(login, make_staff, other_district, fire_dept,
                                                         accepted_case, submitted_case, item, citizen):
    from zhengwu.cases.services import applying

    assert login(make_staff("leader", region=other_district)).get(case_url(accepted_case)).status_code == 404
    assert login(make_staff("dept_admin", department=fire_dept)).get(case_url(accepted_case)).status_code == 404
    draft = applying.create_draft(citizen, item)
    assert login(make_staff("leader")).get(case_url(draft)).status_code == 404  # a draft is the applicant's


def test_a_department_admin_of_the_department_reads_it_too(login, make_staff, dept, accepted_case):
    page = login(make_staff("dept_admin", department=dept)).get(case_url(accepted_case))
    assert page.status_code == 200 and 'id="case-readonly"' in page.content.decode()


def test_the_handlers_keep_the_full_page(login, window_staff, accepted_case):
    html = login(window_staff).get(case_url(accepted_case)).content.decode()
    assert 'id="case-readonly"' not in html and 'id="applicant-card"' in html
    assert not AuditEvent.objects.filter(action="case.read").exists()


def test_a_role_without_figures_gets_the_403_page_in_the_workbench_layout(login, make_staff, accepted_case):
    page = login(make_staff("hotline")).get(case_url(accepted_case))
    assert page.status_code == 403
    html = page.content.decode()
    assert "无权访问" in html and 'aria-label="工作台导航"' in html


def test_every_case_of_the_leaders_drill_down_opens(login, leader, concluded_case):
    client = login(leader)
    html = client.get("/workbench/cases/figures/cases/", {"what": "concluded"}).content.decode()
    links = re.findall(r'<tr class="drill-row"><td><a href="([^"]+)"', html)
    assert links == [case_url(concluded_case)]
    for link in links:
        assert client.get(link).status_code == 200, link


def received_row(html: str) -> str:
    return re.search(r'id="case-received">(.*?)</dd>', html, re.S).group(1)


def test_the_received_row_prints_nothing_stray_after_the_acceptance_deadline(login, leader, window_staff,
                                                                              accepted_case):
    """Once accepted there is no time left to show for 受理期限: the row ends with the date, on the
    read-only page as on the handler's page (one fragment, case_info.html)."""
    due = f"受理期限 {accepted_case.acceptance_due:%Y-%m-%d}"
    for user in (leader, window_staff):
        row = received_row(login(user).get(case_url(accepted_case)).content.decode())
        assert row.strip().endswith(due) and "—" not in row, row
