from __future__ import annotations

import datetime as dt
import itertools

import pytest

from zhengwu.core.identifiers import make_id_number

_n = itertools.count(1)


@pytest.fixture
def make_person(db):
    from zhengwu.datashare.models import PersonRecord

    def make(birth: dt.date, *, region="410105001000", gender="男", alive=True, nation="汉族", id_number=None,
             name="王测试"):
        k = next(_n)
        number = id_number or make_id_number(f"{region[:6]}{birth:%Y%m%d}{k % 1000:03d}")
        return PersonRecord.objects.create(id_number=number, name=name, gender=gender, birth_date=birth, nation=nation,
                                           household_address="郑州市测试路1号", region_code=region,
                                           phone="13800000001", alive=alive)

    return make


@pytest.fixture
def policy_admin(make_staff, dept):
    return make_staff("item_admin", department=dept)


@pytest.fixture
def make_policy(dept):
    from zhengwu.benefits.services import policies

    def make(rules, *, kind="person", mode="confirm", name=None, publish=True):
        p = policies.create_policy(None, {"name": name or f"政策{next(_n)}", "department": dept.pk, "kind": kind,
                                          "mode": mode, "rules": rules, "amount_text": "每月200元"})
        if publish:
            p = policies.set_state(None, p.pk, p.lock_version, "published")
        return p

    return make


@pytest.fixture
def run_now():
    from zhengwu.benefits.services import runs

    def run(policy, ref=None):
        r = runs.request_run(None, policy.pk, ref)
        return runs.execute(r.pk)

    return run
