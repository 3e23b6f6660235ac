"""共享申请 pages: who may open what, the form's refusals in Chinese, the key shown once."""

import pytest
from django.utils import timezone

from tests.datashare import sharing_factories as sf
from zhengwu.datashare.models import ShareRequest
from zhengwu.datashare.services import sharing
from zhengwu.workbench.menu import entries_for, with_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(make_department, make_staff):
    provider, consumer = make_department(name="公安分局"), make_department(name="人社局")
    return {"provider": provider, "consumer": consumer,
            "clerk": make_staff("approver", department=consumer),
            "provider_admin": make_staff("dept_admin", department=provider),
            "bureau": make_staff("data_admin"),
            "window": make_staff("window"),
            "stranger": make_staff("dept_admin", department=make_department(name="教育局"))}


def _form(res, consumer, **kw):
    start, end = sf.period()
    return {"resource": res.pk, "consumer": consumer.pk, "fields": ["name", "id_number"], "purpose": "社保待遇资格认证",
            "legal_basis": "《社会保险法》第七十五条", "period_start": start.isoformat(), "period_end": end.isoformat(),
            "daily_quota": "500", **kw}


def test_page_permissions(client, org):
    req = sf.submit(org["clerk"], org["consumer"], sf.resource(org["provider"]))
    client.force_login(org["window"])
    assert client.get("/workbench/data/share-requests/").status_code == 403
    client.force_login(org["stranger"])
    assert client.get(f"/workbench/data/share-requests/{req.pk}/").status_code == 404
    assert client.post(f"/workbench/data/share-requests/{req.pk}/withdraw/").status_code == 404
    client.force_login(org["bureau"])
    assert client.get("/workbench/data/share-requests/new/").status_code == 403  # no department to ask for
    for who in ("clerk", "provider_admin", "bureau"):
        client.force_login(org[who])
        assert client.get(f"/workbench/data/share-requests/{req.pk}/").status_code == 200


def test_request_form_submits_once(client, org):
    res = sf.resource(org["provider"], fields=[("name", "姓名", ""), ("id_number", "身份证号", ""),
                                               ("religion", "宗教信仰", "none")])
    client.force_login(org["clerk"])
    page = client.get("/workbench/data/share-requests/new/", {"resource": res.pk}).content.decode()
    assert 'value="religion" id="field-religion" disabled' in page and "不予共享，不可申请" in page
    r = client.post("/workbench/data/share-requests/new/", _form(res, org["consumer"]))
    req = ShareRequest.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/share-requests/{req.pk}/")
    again = client.post("/workbench/data/share-requests/new/", _form(res, org["consumer"]))
    assert again.status_code == 400 and "请勿重复提交" in again.content.decode()
    assert ShareRequest.objects.count() == 1


def test_request_form_ticks_no_field_by_default(client, org):
    """最小必要原则: the requester ticks the fields they need; none is ticked for them."""
    from zhengwu.datashare.models import ResourceField

    res = sf.resource(org["provider"], fields=[("name", "姓名", ""), ("id_number", "身份证号", ""),
                                               ("address", "户籍地址", "conditional"), ("religion", "宗教信仰", "none")])
    ResourceField.objects.filter(resource=res).update(personal=True)
    client.force_login(org["clerk"])
    page = client.get("/workbench/data/share-requests/new/", {"resource": res.pk}).content.decode()
    for key in ("name", "id_number", "address", "religion"):
        assert f'id="field-{key}"' in page
    assert " checked" not in page.split('id="share-fields"')[1].split("</fieldset>")[0]
    assert "最小必要" in page
    # Submitted without a field: refused with the field named, nothing saved, still nothing ticked.
    r = client.post("/workbench/data/share-requests/new/", _form(res, org["consumer"], fields=[]))
    html = r.content.decode()
    assert r.status_code == 400 and "申请信息项：至少选择一项" in html
    assert " checked" not in html.split('id="share-fields"')[1].split("</fieldset>")[0]
    assert not ShareRequest.objects.exists()
    # What was ticked stays ticked when the form comes back with another error.
    r = client.post("/workbench/data/share-requests/new/", _form(res, org["consumer"], fields=["name"], purpose=""))
    fieldset = r.content.decode().split('id="share-fields"')[1].split("</fieldset>")[0]
    assert 'id="field-name" checked' in fieldset and fieldset.count(" checked") == 1


def test_request_form_errors_in_chinese(client, org):
    res = sf.resource(org["provider"])
    client.force_login(org["clerk"])
    r = client.post("/workbench/data/share-requests/new/",
                    _form(res, org["consumer"], fields=[], purpose="", period_end="2020-01-01", daily_quota="abc"))
    html = r.content.decode()
    assert r.status_code == 400
    for text in ("申请信息项：至少选择一项", "用途：必填", "使用期限止：不能早于使用期限起", "每日调用上限：请填写正整数"):
        assert text in html
    closed = sf.resource(org["provider"], share_type="none", no_share_basis="《统计法》第三十九条")
    page = client.get("/workbench/data/share-requests/new/", {"resource": closed.pk}).content.decode()
    assert "不予共享资源，依据：《统计法》第三十九条" in page and "share-form" not in page
    assert not ShareRequest.objects.exists()


def test_approve_countersign_and_key_once(client, org):
    res = sf.resource(org["provider"], share_type="conditional")
    req = sf.submit(org["clerk"], org["consumer"], res)
    client.force_login(org["clerk"])
    r = client.post(f"/workbench/data/share-requests/{req.pk}/provider_approve/",
                    {"fields": ["name"], "lock_version": req.lock_version})
    assert r.status_code == 403
    client.force_login(org["provider_admin"])
    home = {e["label"]: e for e in with_counts(entries_for(org["provider_admin"]), org["provider_admin"])}
    assert home["共享申请"]["count"] == 1
    r = client.post(f"/workbench/data/share-requests/{req.pk}/provider_approve/",
                    {"fields": ["name"], "lock_version": req.lock_version})
    assert r.status_code == 302
    req.refresh_from_db()
    client.force_login(org["bureau"])
    r = client.post(f"/workbench/data/share-requests/{req.pk}/countersign/", {"lock_version": req.lock_version})
    assert r.status_code == 302
    client.force_login(org["clerk"])
    page = client.get(f"/workbench/data/share-requests/{req.pk}/").content.decode()
    assert "领取应用密钥" in page and "zw_" not in page
    shown = client.post(f"/workbench/data/share-requests/{req.pk}/key/")
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    assert 'id="key-secret"' in shown.content.decode()
    again = client.get(f"/workbench/data/share-requests/{req.pk}/").content.decode()
    assert 'id="key-secret"' not in again and "不再显示" in again
    assert client.post(f"/workbench/data/share-requests/{req.pk}/key/").status_code == 400


def test_refusal_reason_errors_and_revocation_page(client, org):
    req = sf.submit(org["clerk"], org["consumer"], sf.resource(org["provider"]))
    client.force_login(org["provider_admin"])
    r = client.post(f"/workbench/data/share-requests/{req.pk}/provider_refuse/", {"reason": "否", "lock_version": 0})
    assert r.status_code == 400 and "拒绝理由：不能少于4个字" in r.content.decode()
    sharing.provider_approve(org["provider_admin"], req.pk, None, ["name"])
    r = client.post(f"/workbench/data/share-requests/{req.pk}/revoke/", {"reason": "违规超范围使用", "lock_version": 0})
    assert r.status_code == 400 and "该共享申请已被他人处理" in r.content.decode()  # a stale page
    req.refresh_from_db()
    r = client.post(f"/workbench/data/share-requests/{req.pk}/revoke/",
                    {"reason": "违规超范围使用", "lock_version": req.lock_version})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.state == "revoked" and req.grant.revoked_at <= timezone.now()


def test_workbench_home_shows_the_cards_with_counts(client, org):
    res = sf.resource(org["provider"], share_type="conditional")
    req = sf.submit(org["clerk"], org["consumer"], res)
    sharing.provider_approve(org["provider_admin"], req.pk, None, ["name"])
    client.force_login(org["bureau"])
    html = client.get("/workbench/").content.decode()
    assert "共享申请" in html and "交换监控" in html and 'data-count="1"' in html
    client.force_login(org["clerk"])
    html = client.get("/workbench/").content.decode()
    assert "共享申请" in html and "交换监控" not in html
