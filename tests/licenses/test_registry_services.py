"""The registry's write path: issue on 准予 (same transaction), 变更, 注销/吊销, expiry."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.core.identifiers import validate_license_identifier
from zhengwu.core.models import AuditEvent

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FIELDS = [{"key": "name", "label": "名称", "type": "string", "required": True},
          {"key": "shop_name", "label": "店铺名称", "type": "string", "required": True},
          {"key": "area", "label": "经营面积", "type": "number", "required": False},
          {"key": "issued_on", "label": "发证日期", "type": "date", "required": False}]


@pytest.fixture
def licence_type(dept):
    from zhengwu.licenses.services import types

    return types.create_type(None, {
        "name": "食品经营许可证", "code": dept.uscc + "001", "holder_kind": "person", "departments": [dept.pk],
        "validity_years": "5", "fields_schema": FIELDS, "title": "食品经营许可证（电子证照）",
        "field_order": ["shop_name", "name"], "seal_x": 380, "seal_y": 160})


@pytest.fixture
def item(publish_item, dept):
    return publish_item(
        dept, "食品经营许可证核发", promised_days=10, item_fields={"implementation_code": "X"},
        results=[{"name": "食品经营许可证（电子证照）", "type": "证照"}],
        form_schema={"type": "object", "required": ["shop_name"], "properties": {
            "shop_name": {"type": "string", "title": "店铺名称"}, "area": {"type": "number", "title": "面积"}}},
        materials=[("食品经营许可申请书", "required")])


@pytest.fixture
def citizen(make_citizen):
    return make_citizen(name="王小吃")


@pytest.fixture
def window_staff(make_staff):
    return make_staff("window")


@pytest.fixture
def decide(item, citizen, window_staff, approver):
    """decide(outcome="pass", form=…) → the case after 受理 and both steps (准予 or 不予)."""
    from zhengwu.cases.models import Case
    from zhengwu.cases.services import applying, approval, intake

    def run(action="pass", form=None):
        case = applying.create_draft(citizen, item, form_data=form or {"shop_name": "老王小吃", "area": 30})
        applying.upload_material(citizen, case, SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
                                 name="食品经营许可申请书")
        case.refresh_from_db()
        case = applying.submit(citizen, case, case.lock_version)
        intake.accept(window_staff, case, case.lock_version)
        case = Case.objects.get(pk=case.pk)
        if action == "reject":
            approval.act_on_step(approver, case, "review", "reject", case.lock_version, "场所不符合要求")
        else:
            approval.act_on_step(approver, case, "review", "pass", case.lock_version)
            case = Case.objects.get(pk=case.pk)
            approval.act_on_step(approver, case, "decide", "pass", case.lock_version, "符合条件")
        return Case.objects.get(pk=case.pk)

    return run


def test_type_for_item_by_reference_then_by_name(licence_type, item):
    from zhengwu.licenses.services.issuing import licence_type_for_item

    version = item.published_version
    assert licence_type_for_item(version) == licence_type  # 食品经营许可证（电子证照） → 食品经营许可证
    version.result_licence_type_id = licence_type.pk
    assert licence_type_for_item(version) == licence_type
    version.result_licence_type_id = None
    version.results = [{"name": "食品经营许可证", "type": "批文"}]
    assert licence_type_for_item(version) is None


def test_approval_issues_a_sealed_signed_licence(licence_type, decide, citizen, dept):
    from zhengwu.licenses.models import Licence

    case = decide()
    assert case.state == "concluded" and case.outcome == "approved"
    licence = Licence.objects.get(case=case)
    assert validate_license_identifier(licence.identifier) == licence.identifier
    assert licence.identifier.startswith(f"1.2.156.3005.2.{licence_type.code}.{dept.uscc}.{licence.serial}.001.")
    assert licence.status == "valid" and licence.version == 1 and licence.holder_name == "王小吃"
    assert licence.holder_id_number.reveal_unaudited() == citizen.applicant.id_number.reveal_unaudited()
    assert licence.valid_until == licence.issued_on.replace(year=licence.issued_on.year + 5)
    data = json.loads(licence.data.reveal_unaudited())
    assert data == {"name": "王小吃", "shop_name": "老王小吃", "area": 30, "issued_on": licence.issued_on.isoformat()}
    assert licence.pdf_file and len(licence.pdf_sha256) == 64
    with licence.pdf_file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert licence.signature_algorithm  # what sealing.sign_data answered
    assert list(licence.events.values_list("kind", flat=True)) == ["issue"]
    assert AuditEvent.objects.filter(action="licenses.issue", object_id=str(licence.pk)).exists()


def test_denial_issues_nothing(licence_type, decide):
    from zhengwu.licenses.models import Licence

    case = decide("reject")
    assert case.outcome == "denied" and not Licence.objects.exists()


def test_failure_to_issue_rolls_back_the_conclusion(licence_type, decide, dept):
    """A required field nobody supplies: the conclusion is refused, nothing half-written."""
    from zhengwu.cases.models import Case, CaseResult
    from zhengwu.licenses.models import Licence

    licence_type.fields_schema = [*FIELDS, {"key": "permit_scope", "label": "经营项目", "type": "string",
                                            "required": True}]
    licence_type.save()
    with pytest.raises(ValidationError, match="照面信息“经营项目”缺少"):
        decide()
    case = Case.objects.get()
    assert case.state == "in_review" and case.outcome == ""
    assert not CaseResult.objects.exists() and not Licence.objects.exists()


def test_issuer_without_uscc_concludes_without_licence_and_says_why(licence_type, decide, dept):
    from zhengwu.licenses.models import Licence
    from zhengwu.org.models import Department

    Department.objects.filter(pk=dept.pk).update(uscc=None)
    case = decide()
    assert case.state == "concluded" and not Licence.objects.exists()
    event = AuditEvent.objects.get(action="licenses.not_issued", object_id=str(case.pk))
    assert "未登记统一社会信用代码" in event.after["reason"]


def test_department_not_issuing_the_type_concludes_without_licence(licence_type, decide, make_department):
    from zhengwu.licenses.models import Licence

    licence_type.departments.set([make_department()])
    case = decide()
    assert case.state == "concluded" and not Licence.objects.exists()
    event = AuditEvent.objects.get(action="licenses.not_issued", object_id=str(case.pk))
    assert "不是“食品经营许可证”的颁发部门" in event.after["reason"]


def test_second_approval_is_a_change_to_version_two(licence_type, decide):
    from zhengwu.licenses.models import Licence

    first = Licence.objects.get(case=decide())
    case2 = decide(form={"shop_name": "老王小吃（新店）", "area": 60})
    second = Licence.objects.get(case=case2)
    first.refresh_from_db()
    assert second.version == 2 and second.previous == first and second.serial == first.serial
    assert second.number == first.number and second.identifier != first.identifier and ".002." in second.identifier
    assert first.status == "superseded" and second.status == "valid"
    assert sorted(first.events.values_list("kind", flat=True)) == ["change", "issue"]
    assert json.loads(second.data.reveal_unaudited())["shop_name"] == "老王小吃（新店）"


def test_staff_change_revoke_and_terminal_refusal(licence_type, decide, approver, make_staff, dept):
    from zhengwu.licenses.models import Licence
    from zhengwu.licenses.services import StaleLicence, issuing, status

    licence = Licence.objects.get(case=decide())
    other = make_staff("approver", department=None)  # region-wide approver: may act too
    outsider = make_staff("window")
    with pytest.raises(PermissionDenied):
        status.revoke(outsider, licence.pk, licence.lock_version, "违法经营被处罚")
    with pytest.raises(ValidationError, match="吊销原因不能少于4个字"):
        status.revoke(approver, licence.pk, licence.lock_version, "违法")
    with pytest.raises(StaleLicence):
        status.revoke(approver, licence.pk, licence.lock_version + 1, "违法经营被处罚")
    new = issuing.change(approver, licence.pk, licence.lock_version, {"area": 80}, "经营面积变更")
    licence.refresh_from_db()
    assert licence.status == "superseded" and new.version == 2
    assert json.loads(new.data.reveal_unaudited())["area"] == 80
    with pytest.raises(ValidationError, match="该证照已变更，不能再吊销"):
        status.revoke(approver, licence.pk, licence.lock_version, "违法经营被处罚")
    status.revoke(other, new.pk, new.lock_version, "违法经营被处罚，吊销许可证")
    new.refresh_from_db()
    assert new.status == "revoked" and new.status_reason == "违法经营被处罚，吊销许可证"
    assert new.events.filter(kind="revoke", reason__contains="违法经营").exists()
    assert AuditEvent.objects.filter(action="licenses.revoke", object_id=str(new.pk)).exists()
    with pytest.raises(ValidationError, match="该证照已吊销，不能再注销"):
        status.cancel(approver, new.pk, new.lock_version, "申请人申请注销")


def test_cancel_for_case_by_the_issuing_department_only(licence_type, decide, make_department):
    from zhengwu.licenses.models import Licence
    from zhengwu.licenses.services import status

    case = decide()
    licence = Licence.objects.get(case=case)
    status.cancel_for_case(case, licence, "申请人申请注销")
    licence.refresh_from_db()
    assert licence.status == "cancelled" and licence.events.filter(kind="cancel", case=case).exists()
    case.department = make_department()
    with pytest.raises(PermissionDenied):
        status.revoke_for_case(case, licence, "违法经营被处罚")


def test_expiry_job_marks_past_licences_in_batches(licence_type, decide):
    from zhengwu.core import schedule
    from zhengwu.licenses.models import Licence
    from zhengwu.licenses.services import status

    for _ in range(3):
        decide()
    rows = list(Licence.objects.order_by("pk"))
    assert [r.status for r in rows] == ["superseded", "superseded", "valid"]
    Licence.objects.filter(pk=rows[2].pk).update(valid_until=dt.date(2020, 1, 1))
    extra = Licence.objects.get(pk=rows[2].pk)
    assert status.expire_due(batch=1) == "已过期 1 件"
    extra.refresh_from_db()
    assert extra.status == "expired" and extra.events.filter(kind="expire").exists()
    assert status.expire_due() == "已过期 0 件"
    assert schedule.job("licenses.expire") is not None
