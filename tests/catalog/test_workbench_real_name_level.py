"""最低实名等级 in the 事项管理员's workbench editor: shown with the model's choices (blank = 不限), saved
through the catalogue's write path with the other item fields, audited, and shown by the 办事指南."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.catalog.conftest import complete_guide
from tests.catalog.test_workbench_catalog_views import guide_post
from zhengwu.catalog.services import items as svc
from zhengwu.core.audit import AuditEvent

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"catalog:{name}", args=args)


@pytest.fixture
def admin_client(client, item_admin):
    client.force_login(item_admin)
    return client


def open_draft(admin_client, item):
    admin_client.post(url("wb_item_new_draft", item.pk), {"lock_version": item.lock_version, "note": "实名等级"})
    item.refresh_from_db()
    return item


def save(admin_client, item, level: str):
    return admin_client.post(url("wb_item_edit", item.pk), guide_post(
        name=item.name, lock_version=item.lock_version, min_real_name_level=level))


def test_the_editor_offers_the_model_choices_with_blank_as_unrestricted(admin_client, make_item):
    item = open_draft(admin_client, make_item())
    form = admin_client.get(url("wb_item_edit", item.pk)).context["form"]
    assert list(form.fields["min_real_name_level"].choices) == [
        ("", "不限"), ("L1", "L1 手机号实名"), ("L2", "L2 身份证核验"), ("L3", "L3 人脸识别")]
    page = admin_client.get(url("wb_item_edit", item.pk)).content.decode()
    assert 'name="min_real_name_level"' in page and "最低实名等级（网上申请）" in page
    assert admin_client.get(url("wb_item_new")).context["form"]["min_real_name_level"].value() in ("", None)


def test_saving_the_draft_sets_the_level_audits_it_and_the_guide_shows_it(admin_client, make_item):
    item = make_item()
    guide = reverse("catalog:item_guide", args=[item.pk])
    assert "实名等级要求" not in admin_client.get(guide).content.decode()
    item = open_draft(admin_client, item)
    response = save(admin_client, item, "L2")
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    item.refresh_from_db()
    assert item.min_real_name_level == "L2"
    event = AuditEvent.objects.filter(action="catalog.item.edit").latest("seq")
    assert event.before["min_real_name_level"] == "" and event.after["min_real_name_level"] == "L2"
    assert "L2 身份证核验" in admin_client.get(url("wb_item_detail", item.pk)).content.decode()
    form = admin_client.get(url("wb_item_edit", item.pk)).context["form"]
    assert form["min_real_name_level"].value() == "L2"  # the editor shows the saved value
    page = admin_client.get(guide).content.decode()
    assert "实名等级要求" in page and "网上申请须达到实名等级L2 身份证核验" in page
    # Back to 不限: the guide says nothing of it any more.
    assert save(admin_client, item, "").status_code == 302
    item.refresh_from_db()
    assert item.min_real_name_level == ""
    assert "实名等级要求" not in admin_client.get(guide).content.decode()
    event = AuditEvent.objects.filter(action="catalog.item.edit").latest("seq")
    assert event.before["min_real_name_level"] == "L2" and event.after["min_real_name_level"] == ""


def test_an_unknown_level_is_refused_next_to_the_field(admin_client, make_item):
    item = open_draft(admin_client, make_item())
    response = save(admin_client, item, "L9")
    assert response.status_code == 200
    assert response.context["form"].errors["min_real_name_level"] == ["最低实名等级不正确，请从列表中选择"]
    item.refresh_from_db()
    assert item.min_real_name_level == ""


def test_the_write_path_checks_and_records_the_level(city_item_admin, department):
    item = svc.create_item(city_item_admin, department=department, data=complete_guide(min_real_name_level="L3"))
    assert item.min_real_name_level == "L3"
    assert AuditEvent.objects.get(action="catalog.item.create").after["min_real_name_level"] == "L3"
    with pytest.raises(ValidationError) as exc:
        svc.edit_draft(city_item_admin, item, lock_version=item.lock_version, data={"min_real_name_level": "L4"})
    assert "最低实名等级不正确" in exc.value.message_dict["min_real_name_level"][0]
    item.refresh_from_db()
    assert item.min_real_name_level == "L3"
    svc.edit_draft(city_item_admin, item, lock_version=item.lock_version, data={"office_hours": "工作日全天"})
    item.refresh_from_db()
    assert item.min_real_name_level == "L3"  # a save that does not name it leaves it alone
