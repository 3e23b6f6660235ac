"""告知承诺 后核查: acceptance on commitment creates the check (once); 不属实 revokes the decision
and the licence the case issued; the job creates missing checks and warns of overdue ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.licenses import factories as lf

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def item(publish_item, dept):
    return publish_item(dept, "食品经营许可证核发", promised_days=10, allows_commitment=True,
                        materials=[("食品经营许可申请书", "required")])


@pytest.fixture
def window_staff(make_staff):
    return make_staff("window")


@pytest.fixture
def submitted_case(item, make_citizen):
    from zhengwu.cases.services import applying

    citizen = make_citizen(name="王小吃")
    case = applying.create_draft(citizen, item, form_data={})
    applying.upload_material(citizen, case, SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
                             name="食品经营许可申请书")
    case.refresh_from_db()
    return applying.submit(citizen, case, case.lock_version)


def _accept_on_commitment(window_staff, case):
    from zhengwu.cases.models import Case
    from zhengwu.cases.services import intake

    intake.accept_commitment(window_staff, case, case.lock_version, "本人承诺已具备经营场所和设施", True)
    return Case.objects.get(pk=case.pk)


def test_acceptance_on_commitment_creates_one_check(submitted_case, window_staff):
    from zhengwu.core import calendar
    from zhengwu.inspections.models import CommitmentCheck
    from zhengwu.inspections.services import verification as svc

    case = _accept_on_commitment(window_staff, submitted_case)
    check = CommitmentCheck.objects.get(case=case)
    assert check.department_id == case.department_id and check.state == "pending"
    assert check.due_date == calendar.add_workdays(case.accepted_on, 30)
    # Idempotent: the hook, the job or a second call never make a second check.
    assert svc.ensure_check(case) == (check, False)
    assert svc.create_missing() == 0
    assert CommitmentCheck.objects.filter(case=case).count() == 1


def test_normal_acceptance_creates_no_check(submitted_case, window_staff):
    from zhengwu.cases.services import intake
    from zhengwu.inspections.models import CommitmentCheck

    intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    assert not CommitmentCheck.objects.exists()


def test_department_override_of_the_days(submitted_case, window_staff, dept):
    from zhengwu.core import calendar
    from zhengwu.inspections.models.verification import CommitmentCheckDays

    CommitmentCheckDays.objects.create(department=dept, days=10)
    case = _accept_on_commitment(window_staff, submitted_case)
    assert case.commitment_check.due_date == calendar.add_workdays(case.accepted_on, 10)


def test_failed_check_revokes_the_licence_and_records_it_on_the_case(submitted_case, window_staff, approver, dept):
    from zhengwu.cases.models import CaseEvent, Notification
    from zhengwu.inspections.services import verification as svc
    from zhengwu.licenses.models import Licence

    case = _accept_on_commitment(window_staff, submitted_case)
    lic = lf.licence(lf.licence_type(dept), dept, holder_name="王小吃", with_pdf=False)
    Licence.objects.filter(pk=lic.pk).update(case=case)
    check = case.commitment_check
    done = svc.record_finding(approver, check.pk, check.lock_version, "failed", "现场核查：无经营场所，承诺不实")
    assert done.state == "failed" and done.revocation_started_at is not None
    assert lic.number in done.revocation_note
    lic.refresh_from_db()
    assert lic.status == "revoked" and "告知承诺后核查不属实" in lic.status_reason
    event = CaseEvent.objects.get(case=case, action="commitment_revoke")
    assert event.data["licences_revoked"] == [lic.number]
    assert Notification.objects.filter(case=case, title="告知承诺核查不属实").exists()
    # A second finding is refused, with the field named.
    with pytest.raises(ValidationError) as exc:
        svc.record_finding(approver, check.pk, done.lock_version, "passed", "再次核查属实情况")
    assert "不能重复记录" in exc.value.message_dict["outcome"][0]


def test_passed_check_leaves_the_licence(submitted_case, window_staff, approver, dept):
    from zhengwu.inspections.services import verification as svc
    from zhengwu.licenses.models import Licence

    case = _accept_on_commitment(window_staff, submitted_case)
    lic = lf.licence(lf.licence_type(dept), dept, with_pdf=False)
    Licence.objects.filter(pk=lic.pk).update(case=case)
    check = case.commitment_check
    svc.record_finding(approver, check.pk, check.lock_version, "passed", "现场核查，与承诺一致")
    lic.refresh_from_db()
    assert lic.status == "valid"


def test_stale_version_and_other_departments_are_refused(submitted_case, window_staff, make_staff, make_department):
    from zhengwu.inspections.services import verification as svc

    case = _accept_on_commitment(window_staff, submitted_case)
    check = case.commitment_check
    other = make_staff("approver", department=make_department(name="卫健委"))
    with pytest.raises(PermissionDenied):
        svc.record_finding(other, check.pk, check.lock_version, "passed", "现场核查，与承诺一致")
    with pytest.raises(svc.StaleCheck):
        svc.record_finding(window_staff, check.pk, check.lock_version + 1, "passed", "现场核查，与承诺一致")


def test_job_creates_missing_checks_and_warns_of_overdue_once(submitted_case, window_staff, approver):
    from zhengwu.cases.models import Notification
    from zhengwu.inspections.models import CommitmentCheck
    from zhengwu.inspections.services import verification as svc

    case = _accept_on_commitment(window_staff, submitted_case)
    CommitmentCheck.objects.filter(case=case).delete()  # as if accepted before the hook existed
    assert "补建告知承诺核查 1 件" in svc.run_job()
    check = CommitmentCheck.objects.get(case=case)
    CommitmentCheck.objects.filter(pk=check.pk).update(due_date=dt.date(2020, 1, 2))
    assert svc.notify_overdue() == 1 and svc.notify_overdue() == 0
    assert Notification.objects.filter(recipient=approver, title="告知承诺核查已超期").count() == 1


def test_pages_queue_record_and_case_panel(submitted_case, window_staff, approver, client):
    case = _accept_on_commitment(window_staff, submitted_case)
    check = case.commitment_check
    client.force_login(approver)
    page = client.get("/workbench/inspections/commitments/?tab=pending")
    assert page.status_code == 200 and case.number in page.content.decode()
    bad = client.post(f"/workbench/inspections/commitments/{check.pk}/record/",
                      {"lock_version": check.lock_version, "outcome": "failed", "finding": ""})
    assert bad.status_code == 400 and "核查情况须填写" in bad.content.decode()
    ok = client.post(f"/workbench/inspections/commitments/{check.pk}/record/",
                     {"lock_version": check.lock_version, "outcome": "failed", "finding": "现场核查：无经营场所"})
    assert ok.status_code == 302
    from django.urls import reverse

    client.force_login(window_staff)  # the case page of a staff member who handled it
    detail = client.get(reverse("cases:staff_case", args=[case.pk]))
    body = detail.content.decode()
    assert detail.status_code == 200 and 'id="commitment-check"' in body and "核查不属实" in body


def test_api_finding_errors_are_json(submitted_case, window_staff, approver, client):
    case = _accept_on_commitment(window_staff, submitted_case)
    check = case.commitment_check
    client.force_login(approver)
    r = client.post(f"/api/v1/inspections/commitment-checks/{check.pk}/finding",
                    {"version": check.lock_version, "outcome": "x", "finding": ""}, content_type="application/json")
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("application/json")
    r = client.post(f"/api/v1/inspections/commitment-checks/{check.pk}/finding",
                    {"version": check.lock_version + 5, "outcome": "passed", "finding": "现场核查一致"},
                    content_type="application/json")
    assert r.status_code == 409
    assert client.get("/api/v1/inspections/commitment-checks?tab=pending").json()[0]["case_number"] == case.number


def test_the_items_own_days_come_before_the_departments(submitted_case, window_staff, dept):
    from zhengwu.core import calendar
    from zhengwu.inspections.models.verification import CommitmentCheckDays

    CommitmentCheckDays.objects.create(department=dept, days=10)
    version = submitted_case.item_version
    version.commitment_check_days = 15
    version.save(update_fields=["commitment_check_days"])
    case = _accept_on_commitment(window_staff, submitted_case)
    assert case.commitment_check.due_date == calendar.add_workdays(case.accepted_on, 15)


def test_the_guide_rule_on_the_days():
    from zhengwu.catalog import rules

    assert not rules.check_guide({"allows_commitment": True, "commitment_check_days": 20}).errors
    too_many = rules.check_guide({"allows_commitment": True, "commitment_check_days": 400}).errors
    assert "1至365" in too_many["commitment_check_days"][0]
    without = rules.check_guide({"allows_commitment": False, "commitment_check_days": 20}).errors
    assert "可告知承诺" in without["commitment_check_days"][0]


def test_department_admin_sets_the_days_on_the_queue_page(client, make_staff, dept, approver):
    from zhengwu.inspections.models.verification import CommitmentCheckDays

    admin = make_staff("dept_admin", department=dept)
    client.force_login(admin)
    page = client.get("/workbench/inspections/commitments/")
    body = page.content.decode()
    assert page.status_code == 200 and body.count('id="verification-days"') == 1
    title = body.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("告知承诺核查") and "<" not in title
    r = client.post("/workbench/inspections/commitments/days/", {"department": dept.pk, "days": "0"}, follow=True)
    assert "1 至 365" in r.content.decode() and not CommitmentCheckDays.objects.exists()
    r = client.post("/workbench/inspections/commitments/days/", {"department": dept.pk, "days": "abc"}, follow=True)
    assert "整数" in r.content.decode() and not CommitmentCheckDays.objects.exists()
    client.post("/workbench/inspections/commitments/days/", {"department": dept.pk, "days": "12"})
    assert CommitmentCheckDays.objects.get(department=dept).days == 12
    client.post("/workbench/inspections/commitments/days/", {"department": dept.pk, "days": ""})
    assert not CommitmentCheckDays.objects.exists()  # blank: back to the default
    client.force_login(approver)  # not a 部门管理员: no form, and the post is refused
    assert 'id="verification-days"' not in client.get("/workbench/inspections/commitments/").content.decode()
    assert client.post("/workbench/inspections/commitments/days/", {"department": dept.pk, "days": "5"}).status_code == 403


def test_the_queue_opens_on_the_most_urgent_tab_with_counts(submitted_case, window_staff, approver, client):
    case = _accept_on_commitment(window_staff, submitted_case)
    client.force_login(approver)
    body = client.get("/workbench/inspections/commitments/").content.decode()
    assert case.number in body  # 待核查 (the only non-empty tab) is the one shown
    assert 'aria-current="page">待核查 <span' in body
