"""我的数据使用记录: a citizen sees the uses of their own data only, newest first, paged."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.datashare import verify_factories as vf
from zhengwu.core.identifiers import make_uscc
from zhengwu.datashare import views_verify
from zhengwu.datashare.models import QueryCall


def login(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def world(make_department, make_citizen):
    provider = make_department(name="公安局")
    consumer = make_department(name="住房公积金中心")
    res = vf.resource(provider, "person")
    key, secret = vf.key(department=consumer)
    vf.grant(key, res, consumer)
    me = make_citizen(name="张三")
    other = make_citizen(name="李四")
    for u in (me, other):
        vf.person(u.applicant.id_number.reveal_unaudited(), u.applicant.name)
    return {"secret": secret, "me": me, "other": other, "consumer": consumer}


def call(secret, id_number, name, purpose):
    return Client().post("/api/v1/data/verify/person", json.dumps({"id_number": id_number, "name": name,
                                                                  "purpose": purpose}),
                         content_type="application/json", HTTP_X_API_KEY=secret)


def test_own_uses_only(world):
    me, other = world["me"], world["other"]
    assert call(world["secret"], me.applicant.id_number.reveal_unaudited(), "张三", "公积金提取核验").status_code == 200
    assert call(world["secret"], other.applicant.id_number.reveal_unaudited(), "李四", "他人的用途").status_code == 200
    page = login(me).get(reverse("datashare:my_data_uses"))
    assert page.status_code == 200
    assert "住房公积金中心" in page.text and "公积金提取核验" in page.text and "一致" in page.text
    assert "他人的用途" not in page.text
    assert 'id="nav-my-data-uses"' in page.text
    assert login(other).get(reverse("datashare:my_data_uses")).text.count("data-use-row") == 1


def test_refused_calls_are_not_uses(world):
    me = world["me"]
    assert call(world["secret"], me.applicant.id_number.reveal_unaudited(), "张三", "").status_code == 400
    assert QueryCall.objects.count() == 1
    assert 'id="no-data-uses"' in login(me).get(reverse("datashare:my_data_uses")).text


def test_keyset_pages(world, monkeypatch):
    monkeypatch.setattr(views_verify, "PAGE", 2)
    me = world["me"]
    for i in range(5):
        call(world["secret"], me.applicant.id_number.reveal_unaudited(), "张三", f"用途{i}")
    c = login(me)
    page = c.get(reverse("datashare:my_data_uses"))
    assert "用途4" in page.text and "用途3" in page.text and "用途2" not in page.text
    before = page.text.split('href="?before=')[1].split('"')[0]
    page = c.get(reverse("datashare:my_data_uses") + f"?before={before}")
    assert "用途2" in page.text and "用途1" in page.text and "用途4" not in page.text
    assert c.get(reverse("datashare:my_data_uses") + "?before=abc").status_code == 200


def test_enterprise_sees_its_uscc_rows(world, make_department):
    from zhengwu.accounts import services

    uscc = make_uscc("9", "1", "410105", "MA9XKT3Q")
    user = services.register_legal(name="示例公司", uscc=uscc, legal_rep_name="王五",
                                   legal_rep_id_number=world["me"].applicant.id_number.reveal_unaudited(),
                                   phone="13800000001", password="Test@2026pw", password2="Test@2026pw")
    QueryCall.objects.create(kind="verify", consumer=world["consumer"], registry="legal", purpose="企业核验",
                             subject_index=uscc, result="match")
    QueryCall.objects.create(kind="verify", consumer=world["consumer"], registry="legal", purpose="别家",
                             subject_index="91410105MA00000000", result="match")
    text = login(user).get(reverse("datashare:my_data_uses")).text
    assert "企业核验" in text and "别家" not in text


def test_staff_and_anonymous(world, make_staff):
    assert Client().get(reverse("datashare:my_data_uses")).status_code == 302
    assert login(make_staff("window")).get(reverse("datashare:my_data_uses")).status_code == 403
