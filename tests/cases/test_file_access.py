"""A case's files follow exactly the case's own access rule (cases.access), and every download of
a file holding personal data is audited."""

import pytest
from django.urls import reverse

from zhengwu.cases.models import Case
from zhengwu.cases.services import applying, approval, intake
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ID_SCAN = b"%PDF-1.4\n% ID scan of 410105199001011234\n%%EOF\n"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def reads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="case.file_read").order_by("seq"))


@pytest.fixture
def concluded_case(submitted_case, window_staff, approver):
    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    for step in ("review", "decide"):
        case = Case.objects.get(pk=case.pk)
        approval.act_on_step(approver, case, step, "pass", case.lock_version)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def outsiders(make_staff, make_citizen, fire_approver, dept):
    """Everyone who may not see a case of 市场监管局: 督办 and 领导 of the whole district, staff of
    another department, 热线 of the same department, another citizen."""
    return {
        "督办": make_staff("supervisor"),
        "督办（本部门）": make_staff("supervisor", department=dept),
        "领导": make_staff("leader"),
        "其他部门审批人员": fire_approver,
        "本部门热线坐席": make_staff("hotline", department=dept),
        "其他申请人": make_citizen(name="李四"),
    }


def file_urls(case) -> list[str]:
    urls = [reverse("cases:case_file", args=[case.pk, m.pk]) for m in case.materials.all()]
    urls += [reverse("cases:decision_pdf", args=[case.pk]), reverse("cases:receipt_pdf", args=[case.pk]),
             f"/api/v1/cases/{case.pk}/decision.pdf", f"/api/v1/cases/{case.pk}/receipt.pdf"]
    return urls


def test_those_refused_the_case_are_refused_its_files(login, concluded_case, outsiders):
    urls = file_urls(concluded_case)
    for who, user in outsiders.items():
        client = login(user)
        assert client.get(f"/api/v1/cases/{concluded_case.pk}").status_code == 404, who
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
    assert reads() == []


def test_the_applicant_and_the_handling_staff_get_every_file_each_read_audited(login, citizen, approver,
                                                                                 concluded_case):
    urls = file_urls(concluded_case)
    for user in (citizen, approver):
        client = login(user)
        for url in urls:
            before = len(reads())
            response = client.get(url)
            assert response.status_code == 200, url
            assert body(response).startswith(b"%PDF"), url
            assert len(reads()) == before + 1, url
    events = reads()
    assert {e.actor_id for e in events} == {citizen.pk, approver.pk}
    assert {e.object_id for e in events} == {str(concluded_case.pk)}
    assert {e.object_type for e in events} == {"cases.case"}
    kinds = {e.after["file"] for e in events}
    assert kinds == {"material", "decision", "receipt"}
    material = concluded_case.materials.get(name="营业执照")
    one = next(e for e in events if e.after.get("material_id") == material.pk)
    assert one.after == {"file": "material", "name": "营业执照", "material_id": material.pk,
                         "case_number": concluded_case.number}


def test_the_staff_decision_page_follows_the_same_rule_and_is_audited(login, approver, fire_approver, make_staff,
                                                                      concluded_case):
    url = reverse("cases:staff_decision", args=[concluded_case.pk])
    assert login(fire_approver).get(url).status_code == 404
    assert login(make_staff("supervisor")).get(url).status_code in (403, 404)
    assert reads() == []
    response = login(approver).get(url)
    assert response.status_code == 200 and body(response).startswith(b"%PDF")
    [event] = reads()
    assert event.actor_id == approver.pk and event.after["file"] == "decision"
    assert event.after["name"] == concluded_case.result.decision_number


def test_a_drafts_files_are_the_applicants_only(login, citizen, item, pdf, approver, window_staff, outsiders):
    draft = applying.create_draft(citizen, item)
    scan = applying.upload_material(citizen, draft, pdf("身份证.pdf", ID_SCAN), name="营业执照")
    url = reverse("cases:case_file", args=[draft.pk, scan.pk])
    for who, user in {**outsiders, "本部门审批人员": approver, "窗口人员": window_staff}.items():
        client = login(user)
        assert client.get(url).status_code == 404, who
        assert client.get(f"/api/v1/cases/{draft.pk}").status_code == 404, who
    assert reads() == []
    response = login(citizen).get(url)
    assert response.status_code == 200 and body(response) == ID_SCAN
    [event] = reads()
    # The uploader's file name may carry personal data: it is never in the record.
    assert "身份证" not in str(event.after) and "410105" not in str(event.after)


def test_a_draft_filed_at_the_window_is_seen_by_the_clerk_who_filed_it(login, citizen, item, pdf, window_staff,
                                                                         make_staff):
    draft = applying.create_draft(window_staff, item, applicant=citizen.applicant, channel="window")
    scan = applying.upload_material(window_staff, draft, pdf(body=ID_SCAN), name="营业执照")
    url = reverse("cases:case_file", args=[draft.pk, scan.pk])
    assert login(window_staff).get(url).status_code == 200
    assert login(citizen).get(url).status_code == 200
    assert login(make_staff("window")).get(url).status_code == 404  # another clerk
    assert len(reads()) == 2


def test_a_material_of_a_case_in_review_for_a_parallel_step_is_still_refused_to_the_supervisor(
        login, submitted_case, window_staff, make_staff):
    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    material = case.materials.first()
    url = reverse("cases:case_file", args=[case.pk, material.pk])
    assert login(make_staff("supervisor")).get(url).status_code == 404
    assert login(window_staff).get(url).status_code == 200
