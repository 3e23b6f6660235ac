"""The registers' JSON API: pages of inspectors (masked) and objects, 注册率, 回避 — errors as JSON."""

from __future__ import annotations

import pytest

from tests.helpers import ApiClient
from zhengwu.core.schedule import job

from .test_registers_services import make_inspector, make_object

BASE = "/api/v1/inspections/"


@pytest.fixture
def admin(make_staff, dept):
    return make_staff("dept_admin", department=dept)


def test_lists_and_rates(admin, dept, make_staff):
    make_inspector(dept, "API-1", name="王小明")
    make_object("甲公司")
    api = ApiClient(admin, base=BASE)
    r = api.get("inspectors")
    assert r.status_code == 200
    [row] = r.json()["items"]
    assert row["cert_number"] == "API-1" and row["name"] != "王小明" and r.json()["next"] == ""
    assert api.get("objects", q="甲").json()["items"][0]["name"] == "甲公司"
    [rate] = api.get("inspectors/rates").json()
    assert rate["total"] == 1 and rate["valid_rate"] == 100.0 and rate["account_rate"] == 0.0
    r = ApiClient(make_staff("hotline"), base=BASE).get("inspectors")
    assert r.status_code == 403 and "仅部门管理员" in r.json()["detail"]
    assert ApiClient(None, base=BASE).get("objects").status_code == 401


def test_declare_conflict(admin, dept):
    inspector = make_inspector(dept, "API-2")
    obj = make_object()
    api = ApiClient(admin, base=BASE)
    r = api.post(f"inspectors/{inspector.pk}/conflicts", {"inspected": obj.uscc, "reason": ""})
    assert r.status_code == 400 and "请填写回避原因" in str(r.json())
    r = api.post(f"inspectors/{inspector.pk}/conflicts", {"inspected": "91410105MA0000000X", "reason": "亲属"})
    assert r.status_code == 400 and "检查对象" in str(r.json())
    r = api.post(f"inspectors/{inspector.pk}/conflicts", {"inspected": obj.uscc, "reason": "亲属"})
    assert r.status_code == 201 and r.json()["inspected_id"] == obj.pk
    r = api.post(f"inspectors/{inspector.pk}/conflicts", {"inspected": str(obj.pk), "reason": "再报"})
    assert r.status_code == 400  # once


def test_expiry_job_registered():
    j = job("inspections.expiry")
    assert j is not None and j.target.endswith("registers.notify_expiring")
