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


# -- finished steps and the licence issued (user walk) ------------------------------------------------
LICENCE_FIELDS = [{"key": "name", "label": "经营者名称", "type": "string", "required": True},
                  {"key": "shop_name", "label": "经营场所", "type": "string", "required": True}]


@pytest.fixture
def licensed_case(dept, submitted_case, window_staff, approver):
    """A concluded 准予 whose result is an e-licence (食品经营许可证)."""
    from zhengwu.licenses.services import types

    types.create_type(None, {
        "name": "食品经营许可证", "code": dept.uscc + "002", "holder_kind": "person", "departments": [dept.pk],
        "validity_years": "5", "fields_schema": LICENCE_FIELDS, "title": "食品经营许可证",
        "field_order": [f["key"] for f in LICENCE_FIELDS]})
    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    for step in ("review", "decide"):
        case = Case.objects.get(pk=case.pk)
        approval.act_on_step(approver, case, step, "pass", case.lock_version)
    case = Case.objects.get(pk=case.pk)
    assert case.licences.exists()
    return case


def test_the_read_only_page_lists_no_actions_for_any_step(login, leader, concluded_case):
    html = login(leader).get(case_url(concluded_case)).content.decode()
    assert 'id="process-blocks"' in html and "可用操作" not in html


def test_the_handlers_page_lists_no_actions_under_finished_steps(login, approver, concluded_case):
    html = login(approver).get(case_url(concluded_case)).content.decode()
    blocks = html[html.index('id="process-blocks"'):html.index('id="history"')]
    assert 'data-status="passed"' in blocks and "可用操作" not in blocks


def test_the_read_only_result_names_the_licence_issued(login, leader, make_staff, district, licensed_case):
    lic = licensed_case.licences.get()
    html = login(leader).get(case_url(licensed_case)).content.decode()
    result = html[html.index('id="panel-result"'):]
    assert f'id="issued-licence-{lic.pk}"' in result and f"证照编号 {lic.number}" in result
    line = re.search(rf'id="issued-licence-{lic.pk}">(.*?)</div>', result, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", line).startswith(f"电子证照：食品经营许可证（证照编号 {lic.number}）")
    # Linked to the registry's page only where the viewer's scope opens the licence.
    from zhengwu.licenses.queries import licences_for

    link = reverse("licenses:staff_licence", args=[lic.pk])
    assert (link in line) == licences_for(leader).filter(pk=lic.pk).exists()


def test_staff_case_page_before_acceptance_prints_no_stray_dash(login, window_staff, submitted_case):
    html = login(window_staff).get(case_url(submitted_case)).content.decode()
    due = re.search(r'id="case-due">(.*?)</dd>', html, re.S).group(1)
    assert due.strip() == "受理后计算", due
