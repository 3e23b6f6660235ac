"""政策管理 pages (rules editor, publish, run, masked results, export) and 我可享受的政策 (确认享受)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from zhengwu.benefits.models import Entitlement, Policy
from zhengwu.benefits.services import runs
from zhengwu.core.identifiers import make_id_number
from zhengwu.core.models import AuditEvent

D = dt.date
pytestmark = pytest.mark.django_db


def _form(dept, **kw):
    data = {"name": "高龄津贴", "department": dept.pk, "kind": "person", "mode": "confirm", "amount_text": "每月200元",
            "description": "", "legal_basis": "", "lock_version": "",
            "cond-0-what": "age:gte", "cond-0-value": "80", "cond-1-what": "region:prefix", "cond-1-value": "410105",
            "cond-2-what": "", "cond-2-value": "ignored"}
    data.update(kw)
    return data


def test_staff_creates_edits_publishes_and_runs(client, policy_admin, dept, make_person):
    client.force_login(policy_admin)
    assert client.get(reverse("benefits:staff_policies")).status_code == 200
    assert "cond-2-what" in client.get(reverse("benefits:staff_policy_new")).content.decode()
    r = client.post(reverse("benefits:staff_policy_new"), _form(dept))
    policy = Policy.objects.get(name="高龄津贴")
    assert r.status_code == 302 and policy.rules == [{"field": "age", "op": "gte", "value": 80},
                                                       {"field": "region", "op": "prefix", "value": "410105"}]
    assert policy.state == "draft"
    # a stale edit (someone saved in between) is refused, nothing changes
    r = client.post(reverse("benefits:staff_policy_edit", args=[policy.pk]), _form(dept, name="改名", lock_version="7"))
    assert r.status_code == 400 and "已被他人修改" in r.content.decode()
    r = client.post(reverse("benefits:staff_policy_edit", args=[policy.pk]),
                    _form(dept, lock_version=str(policy.lock_version), **{"cond-0-value": "90"}))
    assert r.status_code == 302
    policy.refresh_from_db()
    assert policy.rules[0]["value"] == 90 and policy.lock_version == 1
    r = client.post(reverse("benefits:staff_policy_state", args=[policy.pk, "published"]),
                    {"lock_version": policy.lock_version})
    assert r.status_code == 302
    make_person(D(1930, 5, 1), name="赵大爷")
    client.post(reverse("benefits:staff_policy_run", args=[policy.pk]))
    assert "排队中" in client.get(reverse("benefits:staff_policy", args=[policy.pk])).content.decode()
    runs.run_queued()
    page = client.get(reverse("benefits:staff_policy", args=[policy.pk])).content.decode()
    assert "赵**" in page and "赵大爷" not in page and "年龄 ≥ 90 周岁" in page
    assert AuditEvent.objects.filter(action="benefits.results_view").exists()


def test_bad_rules_are_named_in_chinese_and_nothing_is_saved(client, policy_admin, dept):
    client.force_login(policy_admin)
    r = client.post(reverse("benefits:staff_policy_new"),
                    _form(dept, **{"cond-0-value": "八十", "cond-1-what": "kind:contains"}))
    body = r.content.decode()
    assert r.status_code == 400
    assert "第1条条件（年龄）：年龄应为 0–150 的整数" in body
    assert "第2条条件（未选择条件项）" in body  # a legal field on a person policy
    assert not Policy.objects.exists()


def test_other_roles_and_departments_are_refused(client, make_staff, make_department, approver, make_policy):
    policy = make_policy([{"field": "age", "op": "gte", "value": 80}])
    client.force_login(approver)
    assert client.get(reverse("benefits:staff_policies")).status_code == 403
    other = make_staff("item_admin", department=make_department())
    client.force_login(other)
    assert client.get(reverse("benefits:staff_policy", args=[policy.pk])).status_code == 404
    assert client.post(reverse("benefits:staff_policy_run", args=[policy.pk])).status_code == 404


def test_export_is_masked_by_default_and_audited(client, policy_admin, make_staff, dept, make_person, make_policy,
                                                 run_now):
    from openpyxl import load_workbook

    make_person(D(1930, 5, 1), name="赵大爷")
    policy = make_policy([{"field": "age", "op": "gte", "value": 80}])
    run_now(policy)
    client.force_login(policy_admin)
    r = client.get(reverse("benefits:staff_policy_export", args=[policy.pk]))
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[2][1] == "赵**" and rows[2][2].count("*") == 10 and "年龄 ≥ 80 周岁" in rows[2][5]
    assert AuditEvent.objects.filter(action="benefits.export").count() == 1
    assert client.get(reverse("benefits:staff_policy_export", args=[policy.pk]) + "?full=1").status_code == 403
    admin = make_staff("dept_admin", department=dept)
    client.force_login(admin)
    r = client.get(reverse("benefits:staff_policy_export", args=[policy.pk]) + "?full=1")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[2][1] == "赵大爷"
    assert AuditEvent.objects.filter(action="benefits.export", after__full=True).count() == 1


def test_citizen_sees_why_and_confirms_once(client, make_citizen, make_person, make_policy, run_now):
    number = make_id_number("41010519400101123")
    user = make_citizen(name="李老", id_body=number[:17])
    make_person(D(1940, 1, 1), id_number=number)
    policy = make_policy([{"field": "age", "op": "gte", "value": 80}], name="高龄津贴")
    run_now(policy)
    client.force_login(user)
    page = client.get(reverse("benefits:mine")).content.decode()
    assert "高龄津贴" in page and "年龄 ≥ 80 周岁：您的信息为" in page and "确认享受" in page
    assert 'id="nav-my-benefits"' in page
    ent = Entitlement.objects.get(policy=policy)
    url = reverse("benefits:decide", args=[ent.pk, "confirm"])
    assert client.post(url, {"lock_version": ent.lock_version}).status_code == 302
    assert client.post(url, {"lock_version": ent.lock_version}).status_code == 302  # double tap: no error
    ent.refresh_from_db()
    assert ent.state == "confirmed" and ent.lock_version == 1
    assert AuditEvent.objects.filter(action="benefits.entitlement_confirm").count() == 1
    # a stale page (another tab waived meanwhile): refused with a message, no change
    waive = reverse("benefits:decide", args=[ent.pk, "waive"])
    r = client.post(waive, {"lock_version": 0})
    assert r.status_code == 400 and "状态已变化" in r.content.decode()


def test_direct_policy_shows_granted_and_others_cannot_act(client, make_citizen, make_person, make_policy, run_now):
    number = make_id_number("41010519400101123")
    user = make_citizen(name="李老", id_body=number[:17])
    make_person(D(1940, 1, 1), id_number=number)
    policy = make_policy([{"field": "age", "op": "gte", "value": 80}], mode="direct")
    run_now(policy)
    client.force_login(user)
    page = client.get(reverse("benefits:mine")).content.decode()
    assert "已为您兑现" in page and "benefit-confirm" not in page
    ent = Entitlement.objects.get(policy=policy)
    r = client.post(reverse("benefits:decide", args=[ent.pk, "confirm"]), {"lock_version": ent.lock_version})
    assert r.status_code == 400 and "已直接兑现" in r.content.decode()
    client.force_login(make_citizen(name="王五"))
    assert client.post(reverse("benefits:decide", args=[ent.pk, "waive"]), {"lock_version": 0}).status_code == 404
    assert "暂无可享受的政策" in client.get(reverse("benefits:mine")).content.decode()


def test_api_lists_and_decides(client, make_citizen, make_person, make_policy, run_now):
    number = make_id_number("41010519400101123")
    user = make_citizen(name="李老", id_body=number[:17])
    make_person(D(1940, 1, 1), id_number=number)
    policy = make_policy([{"field": "age", "op": "gte", "value": 80}], name="高龄津贴")
    run_now(policy)
    assert client.get("/api/v1/benefits/mine").status_code == 401
    client.force_login(user)
    [row] = client.get("/api/v1/benefits/mine").json()
    assert row["policy"] == "高龄津贴" and row["state"] == "pending" and row["explanation"][0]["ok"] is True
    url = f"/api/v1/benefits/mine/{row['id']}/confirm"
    r = client.post(url, {"lock_version": 0}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "confirmed"
    assert client.post(url, {"lock_version": 0}, content_type="application/json").status_code == 200  # repeat
    r = client.post(f"/api/v1/benefits/mine/{row['id']}/waive", {"lock_version": 0}, content_type="application/json")
    assert r.status_code == 409 and "状态已变化" in r.json()["detail"]
    assert client.post(f"/api/v1/benefits/mine/{row['id']}/grant", {"lock_version": 1},
                       content_type="application/json").status_code in (400, 422)
    client.force_login(make_citizen(name="王五"))
    assert client.get("/api/v1/benefits/mine").json() == []
    assert client.post(url, {"lock_version": 1}, content_type="application/json").status_code == 404
