import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.datashare.dcat_fixtures import FIELDS, published, resource_data
from tests.datashare import dcat_fixtures
from zhengwu.core.models import AuditEvent
from zhengwu.datashare.models import DataResource, ResourceSnapshot
from zhengwu.datashare.services import catalogue

people = dcat_fixtures.people  # the fixture, used by name


def test_department_registers_its_own_resource_only(people):
    r = catalogue.create_resource(people.police_admin, resource_data(people.police), FIELDS)
    assert r.status == "draft" and r.version == 0 and r.provider == people.police
    assert list(r.fields.values_list("seq", "key", "personal")) == [(1, "id_number", True), (2, "name", True),
                                                                    (3, "gender", False)]
    with pytest.raises(PermissionDenied):
        catalogue.create_resource(people.market_admin, resource_data(people.police, "101001/000002"), FIELDS)
    with pytest.raises(PermissionDenied):
        catalogue.create_resource(people.window, resource_data(people.police, "101001/000003"), FIELDS)
    with pytest.raises(PermissionDenied):
        catalogue.update_resource(people.market_admin, r.pk, r.lock_version, resource_data(people.police), FIELDS)
    assert AuditEvent.objects.filter(action="datashare.resource.create", object_id=str(r.pk)).count() == 1


def test_validation_names_field_and_rule(people):
    with pytest.raises(ValidationError) as exc:
        catalogue.create_resource(people.data_admin, resource_data(people.police, "12/3", share_condition="",
                                                                   name=""), [{"key": "1x", "name": "a"}])
    errors = exc.value.message_dict
    assert "资源代码格式" in errors["code"][0]
    assert errors["name"] == ["资源名称不能为空"]
    assert errors["share_condition"] == ["有条件共享的资源必须写明共享条件"]
    assert "字段标识须以字母开头" in errors["fields"][0]
    with pytest.raises(ValidationError) as exc:
        catalogue.create_resource(people.data_admin, resource_data(people.police, share_type="none",
                                                                   no_share_basis=""), FIELDS)
    assert exc.value.message_dict["no_share_basis"] == ["不予共享的资源必须写明法律、行政法规或政策依据"]
    assert not DataResource.objects.exists()
    catalogue.create_resource(people.data_admin, resource_data(people.police), FIELDS)
    with pytest.raises(ValidationError) as exc:
        catalogue.create_resource(people.data_admin, resource_data(people.police), FIELDS)
    assert "已被使用" in exc.value.message_dict["code"][0]


def test_review_publish_withdraw_and_snapshots(people):
    r = catalogue.create_resource(people.police_admin, resource_data(people.police), FIELDS)
    r = catalogue.transition(people.police_admin, r.pk, r.lock_version, "submit")
    assert r.status == "review"
    with pytest.raises(PermissionDenied):  # a department cannot publish its own resource
        catalogue.transition(people.police_admin, r.pk, r.lock_version, "approve")
    with pytest.raises(ValidationError):  # no editing while under review
        catalogue.update_resource(people.police_admin, r.pk, r.lock_version, resource_data(people.police), FIELDS)
    with pytest.raises(ValidationError) as exc:
        catalogue.transition(people.data_admin, r.pk, r.lock_version, "reject")
    assert "原因" in exc.value.messages[0]
    r = catalogue.transition(people.data_admin, r.pk, r.lock_version, "approve")
    assert (r.status, r.version) == ("published", 1) and r.published_at
    snap = ResourceSnapshot.objects.get(resource=r)
    assert snap.version == 1 and snap.data["name"] == "人口基本信息" and len(snap.data["fields"]) == 3
    assert snap.published_by == people.data_admin

    # a revision: the working copy changes, the published snapshot stays frozen
    r = catalogue.update_resource(people.police_admin, r.pk, r.lock_version,
                                  resource_data(people.police, name="人口基本信息（新）"), FIELDS[:2])
    assert r.status == "draft" and r.version == 1
    snap.refresh_from_db()
    assert snap.data["name"] == "人口基本信息" and len(snap.data["fields"]) == 3
    r = catalogue.transition(people.police_admin, r.pk, r.lock_version, "submit")
    r = catalogue.transition(people.data_admin, r.pk, r.lock_version, "approve")
    assert r.version == 2 and ResourceSnapshot.objects.get(resource=r, version=2).data["name"] == "人口基本信息（新）"
    r = catalogue.transition(people.data_admin, r.pk, r.lock_version, "withdraw", "数据源停用")
    assert r.status == "withdrawn"
    actions = list(AuditEvent.objects.filter(object_type="datashare.dataresource", object_id=str(r.pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["datashare.resource.create", "datashare.resource.submit", "datashare.resource.approve",
                       "datashare.resource.update", "datashare.resource.submit", "datashare.resource.approve",
                       "datashare.resource.withdraw"]
    with pytest.raises(ValidationError):
        catalogue.transition(people.data_admin, r.pk, r.lock_version, "approve")


def test_lock_version_refuses_lost_update(people):
    r = catalogue.create_resource(people.police_admin, resource_data(people.police), FIELDS)
    stale = r.lock_version
    catalogue.update_resource(people.police_admin, r.pk, stale, resource_data(people.police, name="甲"), FIELDS)
    with pytest.raises(ValidationError) as exc:
        catalogue.update_resource(people.data_admin, r.pk, stale, resource_data(people.police, name="乙"), FIELDS)
    assert "已被他人修改" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        catalogue.transition(people.police_admin, r.pk, stale, "submit")
    assert DataResource.objects.get(pk=r.pk).name == "甲"


def test_submit_needs_fields(people):
    r = catalogue.create_resource(people.police_admin, resource_data(people.police), [])
    with pytest.raises(ValidationError) as exc:
        catalogue.transition(people.police_admin, r.pk, r.lock_version, "submit")
    assert "至少登记一个信息项" in exc.value.messages[0]


def test_published_helper(people):
    assert published(people.data_admin, people.police).version == 1
