"""Versioned editing of 实施清单事项: draft → review → publish, new drafts, locks, permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhengwu.catalog.models import ItemVersion, ServiceItem
from zhengwu.catalog.services import items as svc
from zhengwu.core.models import AuditEvent
from zhengwu.org.models import Role

pytestmark = pytest.mark.django_db


def messages(exc_info) -> str:
    return " ".join(exc_info.value.messages)


def test_create_item_makes_draft_version_one(item_admin, department, guide, materials):
    item = svc.create_item(item_admin, department=department, data=guide(), materials=materials)
    item.refresh_from_db()
    assert item.status == "draft"
    assert item.published_version is None
    (version,) = item.versions.all()
    assert (version.number, version.state) == (1, "draft")
    assert [m.name for m in version.materials.all()] == ["食品经营许可申请书", "营业执照", "法定代表人身份证"]
    # Before first publication the list columns show the draft.
    assert item.name == "食品经营许可（新办）" and item.promised_days == 5
    assert AuditEvent.objects.filter(action="catalog.item.create", object_id=str(item.pk)).exists()


def test_creating_the_same_item_twice_is_refused_not_duplicated(item_admin, department, guide):
    svc.create_item(item_admin, department=department, data=guide())
    with pytest.raises(ValidationError) as exc:
        svc.create_item(item_admin, department=department, data=guide())
    assert "已有名为“食品经营许可（新办）”的事项" in messages(exc)
    assert ServiceItem.objects.count() == 1


def test_full_cycle_publishes_and_copies_headline(item_admin, reviewer, department, guide, materials):
    item = svc.create_item(item_admin, department=department, data=guide(), materials=materials)
    svc.submit_for_review(item_admin, item, lock_version=item.lock_version, note="首次发布")
    item.refresh_from_db()
    assert item.status == "pending"
    v1 = svc.approve_and_publish(reviewer, item, lock_version=item.lock_version, note="同意")
    item.refresh_from_db()
    assert item.status == "published" and item.published_version == v1
    assert v1.state == "published" and v1.reviewed_by == reviewer and v1.published_at
    assert v1.submitted_by == item_admin and v1.edited_by == item_admin
    assert item.online_depth == 4 and item.visits == 0


def test_new_version_supersedes_previous_and_old_one_stays_readable(make_item, item_admin, reviewer):
    item = make_item(promised_days=5)
    v1 = item.published_version
    draft = svc.start_new_draft(item_admin, item, lock_version=item.lock_version, change_note="压缩时限")
    assert draft.number == 2 and draft.state == "draft"
    assert [m.name for m in draft.materials.all()] == [m.name for m in v1.materials.all()]
    item.refresh_from_db()
    svc.edit_draft(item_admin, item, lock_version=item.lock_version, data={"promised_days": 2})
    item.refresh_from_db()
    # While version 2 is being edited, the public still sees version 1.
    assert item.status == "published" and item.promised_days == 5
    svc.submit_for_review(item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    assert item.status == "published"
    svc.approve_and_publish(reviewer, item, lock_version=item.lock_version)
    item.refresh_from_db()
    v1.refresh_from_db()
    assert item.published_version.number == 2 and item.promised_days == 2
    assert v1.state == "superseded" and v1.promised_days == 5
    assert v1.materials.count() == 3  # the old version keeps its own materials


def test_stale_lock_version_is_refused_and_nothing_is_lost(make_item, item_admin, dept_admin):
    item = make_item(publish=False)
    loaded = item.lock_version
    svc.edit_draft(dept_admin, item, lock_version=loaded, data={"office_hours": "全天"})
    with pytest.raises(ValidationError) as exc:
        svc.edit_draft(item_admin, item, lock_version=loaded, data={"locations": "另一个地点"})
    assert messages(exc) == "该事项已被他人修改，请刷新后重试"
    version = ItemVersion.objects.get(service_item=item)
    assert version.office_hours == "全天" and version.locations == "金水区政务服务中心B区"


def test_double_submit_does_not_submit_twice(make_item, item_admin):
    item = make_item(publish=False)
    lock = item.lock_version
    svc.submit_for_review(item_admin, item, lock_version=lock)
    with pytest.raises(ValidationError):
        svc.submit_for_review(item_admin, item, lock_version=lock)
    assert AuditEvent.objects.filter(action="catalog.item.submit", object_id=str(item.pk)).count() == 1


@pytest.mark.parametrize("state,action,message", [
    ("draft", "approve", "尚未提交审核，不能发布"),
    ("pending", "edit", "已提交审核，不能修改"),
    ("rejected", "approve", "需重新提交审核"),
])
def test_refused_transitions_have_chinese_reasons(make_item, item_admin, state, action, message):
    item = make_item(publish=False)
    if state in ("pending", "rejected"):
        svc.submit_for_review(item_admin, item, lock_version=item.lock_version)
        item.refresh_from_db()
    if state == "rejected":
        svc.reject(item_admin, item, lock_version=item.lock_version, note="材料不全")
        item.refresh_from_db()
    call = {
        "approve": lambda: svc.approve_and_publish(item_admin, item, lock_version=item.lock_version),
        "edit": lambda: svc.edit_draft(item_admin, item, lock_version=item.lock_version, data={"name": "新名称"}),
    }[action]
    with pytest.raises(ValidationError) as exc:
        call()
    assert message in messages(exc)


def test_reject_needs_a_note_and_returns_the_draft_for_editing(make_item, item_admin):
    item = make_item(publish=False)
    svc.submit_for_review(item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        svc.reject(item_admin, item, lock_version=item.lock_version, note="  ")
    assert "须填写审核意见" in messages(exc)
    version = svc.reject(item_admin, item, lock_version=item.lock_version, note="受理条件写得不清楚")
    item.refresh_from_db()
    assert version.state == "rejected" and item.status == "draft"
    version = svc.edit_draft(item_admin, item, lock_version=item.lock_version,
                             data={"acceptance_conditions": "已取得营业执照的食品经营者"})
    assert version.state == "draft" and version.review_note == "受理条件写得不清楚"


def test_withdraw_lets_the_editor_change_a_pending_version(make_item, dept_admin):
    item = make_item(publish=False)
    svc.submit_for_review(dept_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    svc.withdraw(dept_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    assert item.status == "draft"
    svc.edit_draft(dept_admin, item, lock_version=item.lock_version, data={"office_hours": "工作日"})


def test_submission_requires_the_elements_of_a_guide(item_admin, department, guide):
    item = svc.create_item(item_admin, department=department,
                           data=guide(acceptance_conditions="", consult_phone="", locations="", channels=["window"],
                                      online_depth=1))
    with pytest.raises(ValidationError) as exc:
        svc.submit_for_review(item_admin, item, lock_version=item.lock_version)
    errors = exc.value.message_dict
    assert "发布前须填写受理条件" in errors["acceptance_conditions"]
    assert "发布前须填写咨询电话" in errors["consult_phone"]
    assert "办理地点" in errors["locations"][0]
    assert "至少填写一项申请材料" in errors["materials"][0]
    item.refresh_from_db()
    assert item.versions.get().state == "draft"


def test_explicit_no_materials_allows_submission(item_admin, department, guide):
    item = svc.create_item(item_admin, department=department, data=guide(no_materials=True))
    version = svc.submit_for_review(item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    assert (version.state, item.status) == ("pending", "pending")
    assert version.no_materials and not version.materials.exists()


def test_promised_over_statutory_is_refused_on_save(make_item, item_admin):
    item = make_item(publish=False)
    with pytest.raises(ValidationError) as exc:
        svc.edit_draft(item_admin, item, lock_version=item.lock_version, data={"promised_days": 30})
    assert exc.value.message_dict["promised_days"] == ["承诺时限（30个工作日）不能超过法定时限（20个工作日）"]


def test_replace_materials_keeps_rows_by_id_and_refuses_duplicates(make_item, item_admin):
    item = make_item(publish=False)
    version = item.versions.get()
    first = version.materials.get(name="营业执照")
    rows = [{"id": first.pk, "name": "营业执照（副本）", "necessity": "required", "form": "copy", "copies": 1,
             "source": "government", "license_type": "营业执照"},
            {"name": "场所平面图", "necessity": "optional", "form": "original", "copies": 1, "source": "applicant"}]
    svc.replace_materials(item_admin, item, lock_version=item.lock_version, materials=rows)
    version.refresh_from_db()
    assert [(m.pk == first.pk, m.name) for m in version.materials.all()] == [(True, "营业执照（副本）"), (False, "场所平面图")]
    item.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        svc.replace_materials(item_admin, item, lock_version=item.lock_version,
                              materials=[{"name": "场所平面图"}, {"name": "场所 平面图"}])
    assert "重复" in messages(exc)
    assert version.materials.count() == 2


def test_start_new_draft_is_refused_while_one_is_open(make_item, item_admin):
    item = make_item()
    svc.start_new_draft(item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        svc.start_new_draft(item_admin, item, lock_version=item.lock_version)
    assert "已有未发布的第2版" in messages(exc)


def test_published_version_cannot_be_edited_without_new_draft(make_item, item_admin):
    item = make_item()
    with pytest.raises(ValidationError) as exc:
        svc.edit_draft(item_admin, item, lock_version=item.lock_version, data={"office_hours": "x"})
    assert "新建草稿" in messages(exc)


def test_department_admin_edits_own_department_but_cannot_publish(make_item, dept_admin, make_department):
    item = make_item(publish=False)
    svc.edit_draft(dept_admin, item, lock_version=item.lock_version, data={"office_hours": "工作日"})
    item.refresh_from_db()
    svc.submit_for_review(dept_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    with pytest.raises(PermissionDenied) as exc:
        svc.approve_and_publish(dept_admin, item, lock_version=item.lock_version)
    assert "仅事项管理员" in str(exc.value)
    other = make_department(name="公安分局")
    with pytest.raises(PermissionDenied):
        svc.create_item(dept_admin, department=other, data={"name": "户口迁移"})


def test_staff_without_catalogue_role_cannot_edit(make_item, make_staff):
    item = make_item(publish=False)
    window = make_staff(Role.WINDOW)
    with pytest.raises(PermissionDenied):
        svc.edit_draft(window, item, lock_version=item.lock_version, data={"office_hours": "x"})


def test_disable_and_enable(make_item, item_admin):
    item = make_item()
    with pytest.raises(ValidationError):
        svc.disable(item_admin, item, lock_version=item.lock_version, reason="")
    svc.disable(item_admin, item, lock_version=item.lock_version, reason="职能划转")
    item.refresh_from_db()
    assert item.status == "disabled"
    with pytest.raises(ValidationError) as exc:
        svc.disable(item_admin, item, lock_version=item.lock_version, reason="再次")
    assert "已停用" in messages(exc)
    svc.enable(item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    assert item.status == "published"


def test_disabled_item_cannot_publish_a_new_version(make_item, item_admin, reviewer):
    item = make_item()
    svc.start_new_draft(item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    svc.submit_for_review(item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    svc.disable(item_admin, item, lock_version=item.lock_version, reason="暂停办理")
    item.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        svc.approve_and_publish(reviewer, item, lock_version=item.lock_version)
    assert "请先启用" in messages(exc)


def test_history_lists_versions_and_audit_with_before_after(make_item, item_admin):
    item = make_item(promised_days=5)
    svc.start_new_draft(item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    svc.edit_draft(item_admin, item, lock_version=item.lock_version, data={"promised_days": 3})
    versions, events = svc.history(item)
    assert [(v.number, v.state) for v in versions] == [(2, "draft"), (1, "published")]
    edit = next(e for e in events if e.action == "catalog.item.edit")
    assert edit.before["promised_days"] == 5 and edit.after["promised_days"] == 3
    assert [e.action for e in events][-3:] == ["catalog.item.publish", "catalog.item.submit", "catalog.item.create"]


def test_failed_publication_leaves_nothing_half_written(make_item, item_admin, reviewer, department):
    """A name clash at publication rolls back the superseding of the previous version."""
    make_item(name="个体工商户登记")
    item = make_item(name="个体工商户设立登记")
    svc.start_new_draft(item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    svc.edit_draft(item_admin, item, lock_version=item.lock_version, data={"name": "个体工商户登记"})
    item.refresh_from_db()
    svc.submit_for_review(item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        svc.approve_and_publish(reviewer, item, lock_version=item.lock_version)
    assert "已有名为“个体工商户登记”的事项" in messages(exc)
    item.refresh_from_db()
    assert item.published_version.number == 1 and item.published_version.state == "published"
    assert item.name == "个体工商户设立登记"


def test_codes_are_checked_and_provincial_shapes_flagged(item_admin, department, guide):
    with pytest.raises(ValidationError) as exc:
        svc.create_item(item_admin, department=department, data=guide(base_code="009912345000"))
    assert "不是有效的事项类型代码" in exc.value.message_dict["base_code"][0]
    item = svc.create_item(item_admin, department=department,
                           data=guide(implementation_code="511A0138000000-511602000000-000-X-1-00"))
    item.refresh_from_db()
    assert item.code_recognised is False
    assert item.implementation_code == "511A0138000000-511602000000-000-X-1-00"
    good = svc.create_item(item_admin, department=department, data=guide(name="食品经营许可（变更）", base_code="000120001000"))
    good.refresh_from_db()
    assert good.code_recognised and good.base_item.code == "000120001000"


def test_statutory_days_over_the_import_bound_are_refused_on_save(make_item, item_admin):
    item = make_item(publish=False)
    with pytest.raises(ValidationError) as exc:
        svc.edit_draft(item_admin, item, lock_version=item.lock_version, data={"statutory_days": 99999})
    assert exc.value.message_dict["statutory_days"] == ["法定时限不能超过3650个工作日（填写的是99999个工作日）"]
