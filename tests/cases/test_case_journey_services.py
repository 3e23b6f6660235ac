"""A case from application to delivery through the write path, and what it refuses."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhengwu.cases.models import Case, CaseEvent, CaseStep, Notification, SmsMessage
from zhengwu.cases.services import applying, approval, intake
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def fresh(case):
    return Case.objects.get(pk=case.pk)


def test_apply_supplement_accept_parallel_approve_conclude_deliver(pdf, 
        submitted_case, window_staff, approver, fire_approver, fire_dept, item, citizen):
    case = submitted_case
    assert case.state == "submitted" and case.number.startswith("410105")
    assert case.form_data["applicant_name"] == "王小吃"  # prefilled from the applicant
    # 补正: one notice listing everything
    case = intake.request_supplement(window_staff, case, case.lock_version,
                                     [{"material": "营业执照", "reason": "复印件不清晰"}])
    assert fresh(case).state == "supplement"
    applying.upload_material(citizen, case, pdf("新执照.pdf"), name="营业执照")
    case = applying.resubmit(citizen, fresh(case), fresh(case).lock_version)
    # A two-department parallel process defined by the item manager.
    manager = type(window_staff).objects.create(username="mgr", kind="staff")
    from zhengwu.org.models import RoleGrant

    RoleGrant.objects.create(user=manager, role="item_admin", region=item.region)
    approval.save_process_definition(manager, item, [
        {"id": "market", "name": "市场监管审查", "role": "approver", "department": item.department_id, "share": 0.5,
         "parallel": "joint", "actions": ["pass", "reject"]},
        {"id": "fire", "name": "消防审查", "role": "approver", "department": fire_dept.pk, "share": 0.5,
         "parallel": "joint", "actions": ["pass", "reject"]},
    ])
    case = intake.accept(window_staff, fresh(case), fresh(case).lock_version)
    case = fresh(case)
    assert case.state == "in_review" and case.accepted_on and case.due_date > case.accepted_on
    assert set(CaseStep.objects.filter(case=case, status="active").values_list("step_id", flat=True)) == {"market", "fire"}
    # Each department approves its own step only.
    with pytest.raises(PermissionDenied):
        approval.act_on_step(approver, case, "fire", "pass", case.lock_version)
    approval.act_on_step(approver, case, "market", "pass", case.lock_version, "符合条件")
    case = fresh(case)
    assert case.state == "in_review"
    approval.act_on_step(fire_approver, case, "fire", "pass", case.lock_version, "消防合格")
    case = fresh(case)
    assert case.state == "concluded" and case.outcome == "approved" and case.concluded_on_time
    result = case.result
    assert result.decision_file.read().startswith(b"%PDF") and result.licence_payload["licence_name"] == "食品经营许可证"
    case = approval.deliver(window_staff, case, case.lock_version, "mail", address="金水路1号", carrier="中国邮政EMS",
                            tracking_number="EMS123")
    assert fresh(case).state == "delivered"
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions[:4] == ["create", "upload", "upload", "submit"]
    assert actions[-2:] == ["conclude", "deliver"]
    assert AuditEvent.objects.filter(action="case.conclude", object_id=str(case.pk)).exists()
    assert Notification.objects.filter(recipient=citizen, case=case).count() >= 5
    assert SmsMessage.objects.filter(case=case).exists()  # queued for the gateway, masked on screen


def test_double_submit_returns_the_same_case(submitted_case, citizen):
    again = applying.submit(citizen, submitted_case, submitted_case.lock_version - 1)
    assert again.pk == submitted_case.pk and Case.objects.count() == 1


def test_idempotency_key_makes_one_case(item, citizen):
    a = applying.create_draft(citizen, item, idempotency_key="k-1")
    b = applying.create_draft(citizen, item, idempotency_key="k-1")
    assert a.pk == b.pk and Case.objects.count() == 1


def test_stale_version_is_refused(submitted_case, window_staff):
    with pytest.raises(ValidationError, match="已被他人处理"):
        intake.accept(window_staff, submitted_case, submitted_case.lock_version - 1)


def test_submit_needs_form_fields_and_required_materials(item, citizen):
    case = applying.create_draft(citizen, item, form_data={"shop_name": "王"})
    with pytest.raises(ValidationError) as exc:
        applying.submit(citizen, case, case.lock_version)
    errors = exc.value.message_dict
    assert errors["shop_name"] == ["店铺名称：至少2个字"]
    assert errors["area"] == ["经营面积（平方米）：必填"]
    assert "食品经营许可申请书" in errors["materials"][0]
    assert fresh(case).state == "draft" and not fresh(case).number


def test_missing_required_materials_in_guide_order_until_uploaded(pdf, item, citizen):
    case = applying.create_draft(citizen, item, form_data={"shop_name": "老王小吃", "area": 30})
    assert applying.missing_required(case) == ["食品经营许可申请书", "营业执照"]  # 容缺 健康证明 is not asked
    applying.upload_material(citizen, case, pdf(), name="营业执照")
    assert applying.missing_required(case) == ["食品经营许可申请书"]
    # A replaced upload still counts through its replacement; a material of another name does not.
    applying.upload_material(citizen, case, pdf("新.pdf"), name="营业执照")
    applying.upload_material(citizen, case, pdf(), name="其他说明")
    assert applying.missing_required(case) == ["食品经营许可申请书"]
    applying.upload_material(citizen, case, pdf(), name="食品经营许可申请书")
    assert applying.missing_required(case) == []


def test_a_guide_without_required_materials_costs_no_material_query(
        publish_item, dept, citizen, django_assert_num_queries):
    plain = publish_item(dept, "无材料事项", materials=[("身份证复印件", "tolerated")])
    case = applying.create_draft(citizen, plain)
    assert applying.missing_required(case) == []  # reads the guide's list once…
    with django_assert_num_queries(0):
        assert applying.missing_required(case) == []  # … then neither the guide's nor the case's


def test_upload_refuses_unknown_types_and_accepts_png(pdf, png_bytes, item, citizen):
    case = applying.create_draft(citizen, item)
    with pytest.raises(ValidationError, match="只接受PDF、JPG、PNG、OFD"):
        applying.upload_material(citizen, case, pdf("x.pdf", b"MZ\x90\x00 not a pdf"), name="营业执照")
    cm = applying.upload_material(citizen, case, pdf("x.png", png_bytes), name="营业执照")
    assert cm.content_type == "image/png" and len(cm.sha256) == 64


def test_another_applicant_cannot_touch_the_case(submitted_case, make_citizen):
    other = make_citizen(name="李四")
    with pytest.raises(PermissionDenied):
        applying.withdraw(other, submitted_case, submitted_case.lock_version)


def test_tolerated_case_cannot_conclude_until_material_supplied(pdf, submitted_case, window_staff, approver, citizen):
    case = intake.accept_pending(window_staff, submitted_case, submitted_case.lock_version,
                                 [("健康证明", dt.date.today() + dt.timedelta(days=10))])
    case = fresh(case)
    approval.act_on_step(approver, case, "review", "pass", case.lock_version)
    case = fresh(case)
    with pytest.raises(ValidationError, match="容缺受理的材料尚有1项未补齐"):
        approval.act_on_step(approver, case, "decide", "pass", case.lock_version)
    pending = case.pending_materials.get()
    cm = applying.upload_material(citizen, case, pdf(), name="健康证明")
    approval.supply_pending(citizen, case, pending, cm)
    approval.act_on_step(approver, fresh(case), "decide", "pass", fresh(case).lock_version)
    assert fresh(case).state == "concluded"


def test_suspension_stops_the_clock_and_is_visible(submitted_case, window_staff, approver):
    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    case = approval.suspend(approver, fresh(case), fresh(case).lock_version, "expert", "需专家评审", 5)
    assert fresh(case).state == "suspended"
    event = CaseEvent.objects.filter(case=case, action="suspend").get()
    assert event.visible_to_applicant and event.data["kind"] == "专家评审"
    with pytest.raises(ValidationError, match="不能办理审批环节"):
        approval.act_on_step(approver, fresh(case), "review", "pass", fresh(case).lock_version)
    case = approval.resume(approver, fresh(case), fresh(case).lock_version)
    assert fresh(case).state == "in_review"


def test_refuse_needs_reason_and_basis(submitted_case, window_staff):
    with pytest.raises(ValidationError) as exc:
        intake.refuse(window_staff, submitted_case, submitted_case.lock_version, "", "")
    assert set(exc.value.message_dict) == {"reason"}
    case = intake.refuse(window_staff, submitted_case, submitted_case.lock_version, "不属于本部门职权",
                         "《行政许可法》第三十二条")
    assert fresh(case).state == "refused" and "第三十二条" in fresh(case).refusal_reason


def test_withdraw_before_conclusion_only(submitted_case, citizen):
    case = applying.withdraw(citizen, submitted_case, submitted_case.lock_version, "不办了")
    assert fresh(case).state == "withdrawn"
    with pytest.raises(ValidationError, match="不能撤回申请"):
        applying.withdraw(citizen, fresh(case), fresh(case).lock_version)


def test_reject_concludes_with_denial_and_decision(submitted_case, window_staff, approver):
    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    with pytest.raises(ValidationError, match="须填写意见"):
        approval.act_on_step(approver, fresh(case), "review", "reject", fresh(case).lock_version)
    approval.act_on_step(approver, fresh(case), "review", "reject", fresh(case).lock_version, "场所不符合要求")
    case = fresh(case)
    assert case.state == "concluded" and case.outcome == "denied"
    assert case.result.licence_payload == {}
