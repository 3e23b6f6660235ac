"""Case files are streamed by a permission-checked view, never from a guessable URL."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from zhengwu.cases.models import Case
from zhengwu.cases.services import approval, intake

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def material(submitted_case):
    return submitted_case.materials.get(name="营业执照")


def file_url(case, material):
    return reverse("cases:case_file", args=[case.pk, material.pk])


def test_applicant_gets_the_file_with_chinese_name_and_safe_headers(login, citizen, submitted_case, material):
    response = login(citizen).get(file_url(submitted_case, material))
    assert response.status_code == 200
    assert body(response) == material.file.open("rb").read()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quote('营业执照.pdf')}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "sandbox" in response["Content-Security-Policy"]
    download = login(citizen).get(file_url(submitted_case, material) + "?download=1")
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_stored_name_is_not_guessable_nor_served_directly(submitted_case, material, client):
    assert material.sha256 in material.file.name and "营业执照" not in material.file.name
    assert client.get("/media/" + material.file.name).status_code == 404


def test_others_get_404_and_anonymous_must_log_in(client, login, make_citizen, submitted_case, material):
    assert login(make_citizen(name="李四")).get(file_url(submitted_case, material)).status_code == 404
    response = client.get(file_url(submitted_case, material))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_material_of_another_case_is_404(login, citizen, submitted_case, item, pdf):
    from zhengwu.cases.services import applying

    other = applying.create_draft(citizen, item)
    foreign = applying.upload_material(citizen, other, pdf(), name="营业执照")
    assert login(citizen).get(reverse("cases:case_file", args=[submitted_case.pk, foreign.pk])).status_code == 404


def test_staff_of_the_department_may_read_others_may_not(login, make_staff, approver, fire_approver, submitted_case,
                                                         material):
    assert login(approver).get(file_url(submitted_case, material)).status_code == 200
    assert login(fire_approver).get(file_url(submitted_case, material)).status_code == 404
    hotline = make_staff("hotline", department=submitted_case.department)
    assert login(hotline).get(file_url(submitted_case, material)).status_code == 404


def test_staff_of_a_parallel_step_department_may_read(login, window_staff, fire_approver, fire_dept, item,
                                                      submitted_case, material):
    manager = type(window_staff).objects.create(username="mgr", kind="staff")
    from zhengwu.org.models import RoleGrant

    RoleGrant.objects.create(user=manager, role="item_admin", region=item.region)
    approval.save_process_definition(manager, item, [
        {"id": "market", "name": "市场监管审查", "role": "approver", "department": item.department_id, "share": 0.5,
         "parallel": "joint", "actions": ["pass", "reject"]},
        {"id": "fire", "name": "消防审查", "role": "approver", "department": fire_dept.pk, "share": 0.5,
         "parallel": "joint", "actions": ["pass", "reject"]},
    ])
    intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    assert login(fire_approver).get(file_url(submitted_case, material)).status_code == 200


def test_decision_pdf_for_applicant_and_staff_only_once_concluded(login, citizen, window_staff, approver,
                                                                  fire_approver, submitted_case):
    url = reverse("cases:decision_pdf", args=[submitted_case.pk])
    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    assert login(citizen).get(url).status_code == 404
    for step in ("review", "decide"):
        case = Case.objects.get(pk=case.pk)
        approval.act_on_step(approver, case, step, "pass", case.lock_version)
    case = Case.objects.get(pk=case.pk)
    response = login(citizen).get(url)
    assert response.status_code == 200 and body(response).startswith(b"%PDF")
    number = case.result.decision_number
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(number + '.pdf')}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert login(approver).get(url).status_code == 200
    assert login(fire_approver).get(url).status_code == 404
