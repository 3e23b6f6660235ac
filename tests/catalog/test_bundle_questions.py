"""情形引导 of a 一件事: the pure rule and the write path (permissions, lock, audit, items of the bundle)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhengwu.catalog import rules
from zhengwu.catalog.services import bundle_questions as svc
from zhengwu.catalog.services import bundles as bundle_svc
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text, options, field, message", [
    ("", [{"label": "是"}, {"label": "否"}], "text", "问题：必填"),
    ("是否？", [{"label": "是"}], "options", "选项：至少设置两个选项（如“是”“否”）"),
    ("是否？", [{"label": "是"}, {"label": ""}], "option-2", "第2个选项：名称必填"),
    ("是否？", [{"label": "是"}, {"label": "是"}], "option-2", "第2个选项：与第1个选项同名"),
    ("是否？", [{"label": "是", "select": [9]}, {"label": "否"}], "option-1", "第1个选项：所选事项不属于本一件事"),
    ("是否？", [{"label": "是", "select": [1], "skip": [1]}, {"label": "否"}], "option-1",
     "第1个选项：同一事项不能既“需要办理”又“无需办理”"),
])
def test_rule(text, options, field, message):
    assert rules.scenario_question_problems(text, options, {1, 2}).get(field) == message


def test_rule_accepts_a_good_question():
    assert rules.scenario_question_problems("是否属于公众聚集场所？", [
        {"label": "是", "select": [1]}, {"label": "否", "skip": [1], "waive": "消防安全制度"}], {1, 2}) == {}


@pytest.fixture
def bundle(item_admin, district, make_item):
    a, b = make_item(name="食品经营许可（新办）"), make_item(name="户外招牌设置")
    bundle = bundle_svc.create_bundle(item_admin, region=district, data={"name": "开办小吃店一件事"},
                                      items=[{"service_item": a}, {"service_item": b, "optional": True}])
    return bundle, a, b


def test_add_edit_delete_with_lock_and_audit(item_admin, bundle, make_item):
    bundle, a, b = bundle
    q = svc.save_question(item_admin, bundle.pk, lock_version=bundle.lock_version, text="是否设置户外招牌？",
                          options=[{"label": "是", "select": [b.pk]}, {"label": "否", "skip": [b.pk], "waive": "招牌设计效果图"}])
    assert [(o.label, list(o.select_items.all()), list(o.skip_items.all()), o.waived_names) for o in q.options.all()] == [
        ("是", [b], [], []), ("否", [], [b], ["招牌设计效果图"])]
    with pytest.raises(ValidationError) as stale:  # the version read before the change
        svc.save_question(item_admin, bundle.pk, lock_version=bundle.lock_version, text="x", options=[], question_id=q.pk)
    assert stale.value.code == "stale"
    bundle.refresh_from_db()
    outsider = make_item(name="从业人员健康证明")
    with pytest.raises(ValidationError) as bad:
        svc.save_question(item_admin, bundle.pk, lock_version=bundle.lock_version, text="是否？", question_id=q.pk,
                          options=[{"label": "是", "select": [outsider.pk]}, {"label": "否"}])
    assert bad.value.message_dict == {"option-1": ["第1个选项：所选事项不属于本一件事"]}
    assert q.options.count() == 2  # nothing half-written
    svc.delete_question(item_admin, bundle.pk, lock_version=bundle.lock_version, question_id=q.pk)
    assert not bundle.questions.exists()
    assert list(AuditEvent.objects.filter(action__startswith="catalog.bundle.question.").values_list("action", flat=True)
                .order_by("pk")) == ["catalog.bundle.question.create", "catalog.bundle.question.delete"]


def test_only_item_admins_of_the_region_edit(dept_admin, bundle):
    bundle = bundle[0]
    with pytest.raises(PermissionDenied):
        svc.save_question(dept_admin, bundle.pk, lock_version=bundle.lock_version, text="是否？",
                          options=[{"label": "是"}, {"label": "否"}])
