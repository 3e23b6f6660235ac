"""共享申请 services: every transition and refusal, the grant and its key (shown once), revocation."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.datashare import sharing_factories as sf
from zhengwu.accounts import apikeys
from zhengwu.accounts.models import ApiKey
from zhengwu.core.audit import AuditEvent
from zhengwu.core.transitions import Stale
from zhengwu.datashare.models import NegativeEntry, ShareGrant, ShareRequest
from zhengwu.datashare.services import sharing

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(make_department, make_staff):
    provider = make_department(name="公安分局")
    consumer = make_department(name="人社局")
    return {
        "provider": provider, "consumer": consumer,
        "clerk": make_staff("approver", department=consumer),
        "provider_admin": make_staff("dept_admin", department=provider),
        "bureau": make_staff("data_admin"),
        "stranger": make_staff("dept_admin", department=make_department(name="教育局")),
    }


def test_submit_numbers_and_audits(org):
    res = sf.resource(org["provider"])
    req = sf.submit(org["clerk"], org["consumer"], res, fields=["id_number", "name"])
    assert req.state == "submitted"
    assert req.number == f"GX{timezone.localdate():%Y%m%d}{req.pk:06d}"
    assert req.fields_requested == ["name", "id_number"]
    assert AuditEvent.objects.filter(action="datashare.share.submit", object_id=str(req.pk)).exists()


def test_double_submit_does_not_duplicate(org):
    res = sf.resource(org["provider"])
    first = sf.submit(org["clerk"], org["consumer"], res)
    with pytest.raises(ValidationError, match=first.number):
        sf.submit(org["clerk"], org["consumer"], res)
    assert ShareRequest.objects.count() == 1


def test_refused_resource_shows_the_legal_reason(org):
    res = sf.resource(org["provider"], share_type="none", no_share_basis="《中华人民共和国保守国家秘密法》第九条")
    NegativeEntry.objects.create(department=org["provider"], resource=res, description="全部",
                                 legal_basis="《公安机关人口信息管理规定》")
    with pytest.raises(ValidationError) as exc:
        sf.submit(org["clerk"], org["consumer"], res)
    text = exc.value.message_dict["resource"][0]
    assert "不予共享" in text and "保守国家秘密法" in text and "人口信息管理规定" in text
    unpublished = sf.resource(org["provider"], status="draft")
    with pytest.raises(ValidationError, match="未发布"):
        sf.submit(org["clerk"], org["consumer"], unpublished)
    assert not ShareRequest.objects.exists()


def test_non_shareable_field_cannot_be_chosen(org):
    res = sf.resource(org["provider"], fields=[("name", "姓名", ""), ("religion", "宗教信仰", "none")])
    with pytest.raises(ValidationError) as exc:
        sf.submit(org["clerk"], org["consumer"], res, fields=["name", "religion"])
    assert "religion 为不予共享信息项" in exc.value.message_dict["fields"][0]


def test_bad_input_names_every_field(org):
    res = sf.resource(org["provider"])
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        sf.submit(org["clerk"], org["consumer"], res, purpose="", legal_basis=" ", daily_quota=0,
                  period_start=today, period_end=today - dt.timedelta(days=1))
    assert set(exc.value.message_dict) == {"purpose", "legal_basis", "period", "daily_quota"}


def test_only_the_consumers_staff_submit(org):
    res = sf.resource(org["provider"])
    with pytest.raises(PermissionDenied, match="人社局"):
        sf.submit(org["stranger"], org["consumer"], res)


def test_unconditional_approved_by_provider_issues_grant(org):
    res = sf.resource(org["provider"])
    req = sf.submit(org["clerk"], org["consumer"], res, fields=["name", "id_number", "address"])
    with pytest.raises(PermissionDenied):
        sharing.provider_approve(org["clerk"], req.pk, req.lock_version, ["name"])
    with pytest.raises(ValidationError, match="不在申请范围内"):
        sharing.provider_approve(org["provider_admin"], req.pk, req.lock_version, ["name", "phone"])
    req = sharing.provider_approve(org["provider_admin"], req.pk, req.lock_version, ["id_number", "name"])
    assert req.state == "approved"
    grant = ShareGrant.objects.get(request=req)
    assert grant.fields == ["name", "id_number"] and grant.consumer == org["consumer"]
    assert grant.daily_quota == 1000
    key = grant.api_key
    assert key.department == org["consumer"] and key.active
    assert set(key.scopes) == {"data:verify", "data:query"}
    assert timezone.localtime(key.expires_at).date() == req.period_end == timezone.localtime(grant.expires_at).date()


def test_stale_version_is_refused(org):
    req = sf.submit(org["clerk"], org["consumer"], sf.resource(org["provider"]))
    with pytest.raises(Stale):
        sharing.provider_approve(org["provider_admin"], req.pk, req.lock_version + 1, ["name"])


def test_conditional_needs_countersign(org):
    res = sf.resource(org["provider"], share_type="conditional")
    req = sf.submit(org["clerk"], org["consumer"], res)
    req = sharing.provider_approve(org["provider_admin"], req.pk, req.lock_version, ["name"])
    assert req.state == "provider_approved"
    assert not ShareGrant.objects.exists()
    with pytest.raises(PermissionDenied, match="仅数据管理员可以会签"):
        sharing.countersign(org["provider_admin"], req.pk, req.lock_version)
    req = sharing.countersign(org["bureau"], req.pk, req.lock_version)
    assert req.state == "approved" and req.countersigned_by == org["bureau"]
    assert ShareGrant.objects.get(request=req).fields == ["name"]


def test_conditional_field_on_unconditional_resource_needs_countersign(org):
    res = sf.resource(org["provider"], fields=[("name", "姓名", ""), ("id_number", "身份证号", "conditional")])
    req = sf.submit(org["clerk"], org["consumer"], res)
    assert sharing.provider_approve(org["provider_admin"], req.pk, None, ["name"]).state == "approved"
    req2 = sf.submit(org["clerk"], org["consumer"], sf.resource(org["provider"], fields=[
        ("name", "姓名", ""), ("id_number", "身份证号", "conditional")]))
    assert sharing.provider_approve(org["provider_admin"], req2.pk, None, ["id_number"]).state == "provider_approved"


def test_countersign_refuse_and_provider_refuse(org):
    res = sf.resource(org["provider"], share_type="conditional")
    req = sf.submit(org["clerk"], org["consumer"], res)
    with pytest.raises(ValidationError, match="不能少于4个字"):
        sharing.provider_refuse(org["provider_admin"], req.pk, None, "不行")
    req = sharing.provider_approve(org["provider_admin"], req.pk, None, ["name"])
    req = sharing.countersign_refuse(org["bureau"], req.pk, None, "用途超出事项范围")
    assert req.state == "refused" and req.reason == "用途超出事项范围"
    other = sf.submit(org["clerk"], org["consumer"], res)  # a closed request does not block a new one
    other = sharing.provider_refuse(org["provider_admin"], other.pk, None, "申请依据不充分")
    assert other.state == "refused" and other.provider_decided_by == org["provider_admin"]
    assert not ShareGrant.objects.exists()


def test_withdraw_only_while_submitted(org):
    res = sf.resource(org["provider"])
    req = sf.submit(org["clerk"], org["consumer"], res)
    with pytest.raises(PermissionDenied):
        sharing.withdraw(org["provider_admin"], req.pk, None)
    assert sharing.withdraw(org["clerk"], req.pk, None).state == "withdrawn"
    req2 = sf.submit(org["clerk"], org["consumer"], res)
    sharing.provider_approve(org["provider_admin"], req2.pk, None, ["name"])
    with pytest.raises(ValidationError, match="不能撤回申请"):
        sharing.withdraw(org["clerk"], req2.pk, None)


def _approved(org, **kw):
    req = sf.submit(org["clerk"], org["consumer"], sf.resource(org["provider"], **kw))
    return sharing.provider_approve(org["provider_admin"], req.pk, None, ["name"])


def test_key_is_shown_once(org):
    req = _approved(org)
    first_key = ShareGrant.objects.get(request=req).api_key
    with pytest.raises(PermissionDenied):
        sharing.collect_key(org["provider_admin"], req.pk)
    grant, secret = sharing.collect_key(org["clerk"], req.pk)
    assert apikeys.check(secret, "data:verify") == grant.api_key
    assert grant.api_key != first_key
    first_key.refresh_from_db()
    assert not first_key.active  # the approval-time key (nobody saw it) is retired
    assert secret not in str(list(AuditEvent.objects.values_list("after", flat=True)))
    with pytest.raises(ValidationError, match="不再显示"):
        sharing.collect_key(org["clerk"], req.pk)


def test_revocation_deactivates_the_key_at_once(org):
    req = _approved(org)
    _grant, secret = sharing.collect_key(org["clerk"], req.pk)
    with pytest.raises(PermissionDenied):
        sharing.revoke(org["clerk"], req.pk, None, "不再需要使用")
    req = sharing.revoke(org["provider_admin"], req.pk, None, "违规超范围使用数据")
    assert req.state == "revoked"
    grant = ShareGrant.objects.get(request=req)
    assert grant.revoked_at is not None and not grant.api_key.active
    assert apikeys.check(secret) is None


def test_revocation_keeps_a_key_that_serves_another_grant(org):
    req1, req2 = _approved(org), _approved(org)
    g1, g2 = ShareGrant.objects.get(request=req1), ShareGrant.objects.get(request=req2)
    ShareGrant.objects.filter(pk=g2.pk).update(api_key=g1.api_key)  # one key, two grants
    sharing.revoke(org["bureau"], req1.pk, None, "资源已停止共享")
    assert ApiKey.objects.get(pk=g1.api_key_id).active


def test_lists_and_counts(org):
    res = sf.resource(org["provider"], share_type="conditional")
    req = sf.submit(org["clerk"], org["consumer"], res)
    assert list(sharing.mine(org["clerk"])) == [req]
    assert list(sharing.awaiting_provider(org["provider_admin"])) == [req]
    assert not sharing.awaiting_provider(org["clerk"]).exists()
    assert sharing.waiting_count(org["provider_admin"], 1000) == 1
    assert sharing.waiting_count(org["bureau"], 1000) == 0
    sharing.provider_approve(org["provider_admin"], req.pk, None, ["name"])
    assert sharing.waiting_count(org["provider_admin"], 1000) == 0
    assert list(sharing.awaiting_countersign(org["bureau"])) == [req]
    assert sharing.waiting_count(org["bureau"], 1000) == 1
    assert not sharing.visible(org["stranger"]).exists()
