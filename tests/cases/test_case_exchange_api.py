"""A department's own system files and follows 办件 with its 应用密钥 (/api/v1/cases/exchange/):
create (the applicant in the body), upload, submit, read the timeline after a clerk accepts;
each refusal (another department, wrong scope, disabled/expired key) writes nothing; a retried
create answers the same case; every write is audited with the key as actor."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from zhengwu.accounts import apikeys
from zhengwu.accounts.models import Applicant
from zhengwu.cases.models import Case, CaseEvent, CaseMaterial
from zhengwu.core.identifiers import make_id_number, make_uscc
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases/exchange/"
NEW_PERSON_ID = make_id_number("41010519880512123")


@pytest.fixture
def key(dept):
    return apikeys.issue("市场监管审批系统", ["cases:write", "cases:read"], department=dept).secret


@pytest.fixture
def client():
    return Client()


def call(client, method, path, secret, data=None, **extra):
    kw = {"HTTP_X_API_KEY": secret} if secret else {}
    url = BASE + path
    if method == "get":
        return client.get(url, data or {}, **kw)
    if method == "upload":
        return client.post(url, data, **kw)
    return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json", **kw)


def body(item, ref="SJ-2026-0001", **over):
    b = {"external_ref": ref, "item_id": item.pk, "form_data": {"shop_name": "老王小吃", "area": 30},
         "applicant": {"kind": "person", "name": "李新办", "id_number": NEW_PERSON_ID, "phone": "13800001111"}}
    b.update(over)
    return b


def test_a_department_system_files_and_follows_a_case(client, key, item, window_staff, pdf):
    r = call(client, "post", "", key, body(item))
    assert r.status_code == 201, r.content
    c = r.json()
    assert c["external_ref"] == "SJ-2026-0001" and c["state"] == "draft"
    # Personal data answered masked; stored encrypted with the PII fields (an applicant registered).
    assert c["applicant"]["name"] == "李新办" and NEW_PERSON_ID not in r.content.decode()
    assert c["applicant"]["id_number"] == NEW_PERSON_ID[:4] + "*" * 10 + NEW_PERSON_ID[-4:]
    applicant = Applicant.objects.get(name="李新办")
    assert applicant.id_number.reveal_unaudited() == NEW_PERSON_ID
    case = Case.objects.get(pk=c["id"])
    assert case.api_key.name == "市场监管审批系统" and case.filed_by_id is None

    for name in ("食品经营许可申请书", "营业执照"):
        up = call(client, "upload", f"{c['id']}/materials", key, {"file": pdf(), "name": name})
        assert up.status_code == 201, up.content
    c = call(client, "get", f"{c['id']}", key).json()
    r = call(client, "post", f"{c['id']}/submit", key, {"lock_version": c["lock_version"]})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "submitted" and r.json()["number"]
    again = call(client, "post", f"{c['id']}/submit", key, {"lock_version": c["lock_version"]})
    assert again.status_code == 200 and again.json()["number"] == r.json()["number"]  # a retry: same case

    from zhengwu.cases.services import intake

    case = Case.objects.get(pk=c["id"])
    intake.accept(window_staff, case, case.lock_version)  # a clerk accepts on the platform
    followed = call(client, "get", "ref/SJ-2026-0001", key).json()
    assert followed["state"] == "in_review" and followed["accepted_on"]
    actions = [e["action"] for e in followed["timeline"]]
    assert actions[:1] == ["create"] and "upload" in actions and actions[-2:] == ["submit", "accept"]
    assert "应用密钥" in followed["timeline"][0]["actor_name"]

    # Every machine write is audited with the key as actor (no user id).
    prefix = apikeys.ApiKey.objects.get(name="市场监管审批系统").prefix
    done = set(AuditEvent.objects.filter(actor=f"apikey:{prefix}").values_list("action", flat=True))
    assert {"cases.exchange_register", "cases.exchange_create", "cases.exchange_upload", "case.submit"} <= done
    assert not AuditEvent.objects.filter(actor=f"apikey:{prefix}", actor_id__isnull=False).exists()

    page = call(client, "get", "", key, {"limit": 10}).json()
    assert [row["external_ref"] for row in page["items"]] == ["SJ-2026-0001"] and page["next"] is None


def test_the_change_list_pages_by_cursor_and_only_later_changes_come_after(client, key, item, window_staff):
    ids = [call(client, "post", "", key, body(item, ref=f"R{i}")).json()["id"] for i in range(3)]
    first = call(client, "get", "", key, {"limit": 2}).json()
    assert [r["id"] for r in first["items"]] == ids[:2] and first["next"]
    rest = call(client, "get", "", key, {"limit": 2, "cursor": first["next"]}).json()
    assert [r["id"] for r in rest["items"]] == ids[2:]
    Case.objects.filter(pk=ids[0]).update(updated_at=timezone.now() + dt.timedelta(seconds=5))
    later = call(client, "get", "", key, {"limit": 2, "cursor": first["next"]}).json()
    assert [r["id"] for r in later["items"]] == [ids[2], ids[0]]
    assert call(client, "get", "", key, {"limit": 1000}).status_code == 400  # bounded


def _nothing_written(before_cases: int, before_people: int) -> None:
    assert Case.objects.count() == before_cases and Applicant.objects.count() == before_people


def test_refusals_name_why_and_write_nothing(client, key, item, dept, fire_dept, publish_item):
    fire_item = publish_item(fire_dept, "公众聚集场所投入使用前消防安全检查")
    fire_key = apikeys.issue("消防业务系统", ["cases:write", "cases:read"], department=fire_dept).secret
    read_only = apikeys.issue("只读", ["cases:read"], department=dept).secret
    no_dept = apikeys.issue("无部门", ["cases:write", "cases:read"]).secret
    cases, people = Case.objects.count(), Applicant.objects.count()

    r = call(client, "post", "", key, body(fire_item))  # an item of another department
    assert r.status_code == 403 and "不属于本应用密钥所属部门（市场监管局）" in r.json()["detail"]
    r = call(client, "post", "", read_only, body(item))  # missing scope
    assert r.status_code == 403 and "cases:write" in r.json()["detail"]
    r = call(client, "post", "", no_dept, body(item))
    assert r.status_code == 403 and "未绑定部门" in r.json()["detail"]
    assert call(client, "post", "", None, body(item)).status_code == 401
    _nothing_written(cases, people)

    c = call(client, "post", "", key, body(item)).json()
    cases, people = Case.objects.count(), Applicant.objects.count()
    r = call(client, "get", f"{c['id']}", fire_key)  # another department's key reading
    assert r.status_code == 403 and "不属于本应用密钥所属部门（消防救援大队）" in r.json()["detail"]
    r = call(client, "patch", f"{c['id']}/form", fire_key, {"form_data": {"x": 1}, "lock_version": c["lock_version"]})
    assert r.status_code == 403
    assert call(client, "get", "", fire_key).json()["items"] == []
    assert Case.objects.get(pk=c["id"]).lock_version == c["lock_version"]

    stored = apikeys.ApiKey.objects.get(name="市场监管审批系统")
    apikeys.revoke(stored)
    r = call(client, "get", f"{c['id']}", key)
    assert r.status_code == 401 and "已停用" in r.json()["detail"]
    apikeys.ApiKey.objects.filter(pk=stored.pk).update(active=True, expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert call(client, "post", "", key, body(item, ref="X2")).status_code == 401
    _nothing_written(cases, people)


def test_bad_applicant_data_is_named_and_nothing_is_half_written(client, key, item):
    cases, people = Case.objects.count(), Applicant.objects.count()
    bad = body(item, applicant={"kind": "person", "name": "李新办", "id_number": "4101051988051212"})
    r = call(client, "post", "", key, bad)
    assert r.status_code == 400 and "applicant.id_number" in r.json()["errors"]
    no_phone = body(item, applicant={"kind": "person", "name": "李新办", "id_number": NEW_PERSON_ID})
    r = call(client, "post", "", key, no_phone)
    assert r.status_code == 400 and "首次办件须提供联系电话" in r.json()["errors"]["applicant.phone"][0]
    # The person is registered, then the draft refused (a bad channel): both roll back.
    r = call(client, "post", "", key, body(item, channel="fax"))
    assert r.status_code == 400 and "channel" in r.json()["errors"]
    _nothing_written(cases, people)
    firm = body(item, ref="F1", applicant={"kind": "legal", "name": "金水示范餐饮有限公司",
                                          "uscc": make_uscc("9", "1", "410105", "MA9XKT7Q")})
    r = call(client, "post", "", key, firm)
    assert r.status_code == 400 and "法定代表人" in r.json()["errors"]["applicant"][0]
    firm["applicant"].update(legal_rep_name="刘企业", legal_rep_id_number=make_id_number("41010519850612234"),
                             phone="13803710002")
    r = call(client, "post", "", key, firm)
    assert r.status_code == 201 and r.json()["applicant"]["uscc"] == firm["applicant"]["uscc"]


def test_a_retried_create_returns_the_same_case(client, key, item, citizen):
    known = {"kind": "person", "name": "王小吃", "id_number": citizen.applicant.id_number.reveal_unaudited()}
    first = call(client, "post", "", key, body(item, applicant=known))
    assert first.status_code == 201
    again = call(client, "post", "", key, body(item, applicant=known))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Case.objects.filter(external_ref="SJ-2026-0001").count() == 1
    assert CaseEvent.objects.filter(case_id=first.json()["id"], action="create").count() == 1
    other = call(client, "post", "", key, body(item, ref="SJ-2026-0002", applicant={**known, "name": "王大吃"}))
    assert other.status_code == 400 and "不一致" in other.json()["errors"]["applicant.name"][0]


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_with_one_reference_make_one_case(key, item, citizen):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race is PostgreSQL's")
    known = {"kind": "person", "name": "王小吃", "id_number": citizen.applicant.id_number.reveal_unaudited()}
    statuses, barrier = [], threading.Barrier(4)

    def create():
        try:
            barrier.wait()
            statuses.append(call(Client(), "post", "", key, body(item, ref="RACE-1", applicant=known)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 200, 200, 201]
    assert Case.objects.filter(external_ref="RACE-1").count() == 1


def test_materials_and_form_go_through_the_one_write_path(client, key, item):
    c = call(client, "post", "", key, body(item)).json()
    r = call(client, "upload", f"{c['id']}/materials", key, {"file": _text_file(), "name": "营业执照"})
    assert r.status_code == 400 and "文件格式不支持" in json.dumps(r.json(), ensure_ascii=False)
    assert not CaseMaterial.objects.filter(case_id=c["id"]).exists()
    r = call(client, "patch", f"{c['id']}/form", key, {"form_data": {"shop_name": "新名字", "area": 40},
                                                          "lock_version": c["lock_version"]})
    assert r.status_code == 200 and r.json()["form_data"]["shop_name"] == "新名字"
    stale = call(client, "patch", f"{c['id']}/form", key, {"form_data": {}, "lock_version": c["lock_version"]})
    assert stale.status_code == 409
    r = call(client, "post", f"{c['id']}/submit", key, {"lock_version": r.json()["lock_version"]})
    assert r.status_code == 400 and "缺少必要材料" in json.dumps(r.json(), ensure_ascii=False)


def _text_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.txt", b"plain text, not a PDF", content_type="text/plain")


def test_the_demo_key_files_for_the_demo_market_regulator(client, make_department, publish_item):
    import io

    from zhengwu.cases import demo

    market = make_department(name="郑州市金水区市场监督管理局", short_name="市场监管局")
    item = publish_item(market, "食品经营许可证核发")
    demo.load(io.StringIO())
    demo.load(io.StringIO())  # idempotent
    assert apikeys.ApiKey.objects.filter(department=market).count() == 1
    r = call(client, "post", "", demo.DEMO_EXCHANGE_KEY, body(item, form_data={}))
    assert r.status_code == 201 and r.json()["department"]["id"] == market.pk
