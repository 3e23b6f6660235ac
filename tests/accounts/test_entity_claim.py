"""账号认领: an entity made by a 设立登记 准予 (login ``e-<USCC>``, no usable password) is claimed through
法人注册 by its 法定代表人/经营者: the name and 身份证号 typed must match the entity's record, the phone
passes the SMS code. Nothing is written on a mismatch; a claimed account is 已注册 as any other."""

from __future__ import annotations

import pytest

from tests.helpers import sms_code
from zhengwu.core.identifiers import make_id_number, make_uscc

pytestmark = pytest.mark.django_db

PW = "Claim#Pass2026"
NAME = "金水区老王小吃店"
CODE = make_uscc("9", "2", "410105", "MA9XKC1Q")
PHONE = "13803719901"


@pytest.fixture
def operator(make_citizen):
    return make_citizen(name="王小吃", id_body="41010519880415123", phone="13803719900")


@pytest.fixture
def entity(operator):
    from zhengwu.accounts import entities

    applicant, grant = entities.register_entity(None, name=NAME, uscc=CODE, registrant=operator.applicant)
    assert grant is not None and not applicant.user.has_usable_password()
    return applicant


def _form(client, **kw):
    data = {"name": NAME, "uscc": CODE, "legal_rep_name": "王小吃",
            "legal_rep_id_number": make_id_number("41010519880415123"), "phone": PHONE,
            "password": PW, "password2": PW}
    data.update(kw)
    if "sms_code" not in data:
        data["sms_code"] = sms_code(client, data["phone"])
    return data


def _unchanged(entity):
    from zhengwu.accounts.models import Applicant
    from zhengwu.core.models import AuditEvent

    fresh = Applicant.objects.select_related("user").get(pk=entity.pk)
    assert not fresh.user.has_usable_password() and fresh.user.password == entity.user.password
    assert not fresh.user.phone and fresh.phone.reveal_unaudited() == "13803719900"
    assert not AuditEvent.objects.filter(action="accounts.entity_claimed").exists()
    assert Applicant.objects.filter(uscc=CODE).count() == 1


def test_the_operator_claims_the_entity_account_and_logs_in_with_its_code(client, operator, entity):
    from zhengwu.accounts.models import Applicant, EnterpriseAgent
    from zhengwu.core.models import AuditEvent

    resp = client.post("/accounts/register/legal/", _form(client))
    assert resp.status_code == 302, resp.content.decode()
    claimed = Applicant.objects.select_related("user").get(pk=entity.pk)
    assert claimed.user.has_usable_password() and claimed.user.check_password(PW)
    assert claimed.user.phone.reveal_unaudited() == PHONE and claimed.phone.reveal_unaudited() == PHONE
    assert not claimed.awaiting_claim and claimed.name == NAME
    assert Applicant.objects.filter(uscc=CODE).count() == 1
    event = AuditEvent.objects.get(action="accounts.entity_claimed")
    text = str(event.after)
    assert CODE in text and "4101****" in text and "41010519880415123" not in text and PHONE not in text
    grant = EnterpriseAgent.objects.get(enterprise=entity)
    assert grant.agent_id == operator.pk and grant.active  # the registrant still acts for it
    client.logout()
    assert client.post("/accounts/login/", {"username": CODE, "password": PW}).status_code == 302


def test_a_wrong_id_number_is_refused_and_nothing_is_written(client, entity):
    from zhengwu.accounts.models import PhoneCode

    resp = client.post("/accounts/register/legal/",
                       _form(client, legal_rep_id_number=make_id_number("41010519880415456")))
    assert resp.status_code == 200
    assert "法定代表人身份证号与登记信息不一致" in resp.content.decode()
    _unchanged(entity)
    code = PhoneCode.objects.latest("pk")
    assert code.used_at is None and code.attempts == 1  # the mismatch counts against the code's tries


def test_a_wrong_name_is_refused_naming_the_field(client, entity):
    resp = client.post("/accounts/register/legal/", _form(client, legal_rep_name="李冒名"))
    assert resp.status_code == 200 and "法定代表人姓名与登记信息不一致" in resp.content.decode()
    _unchanged(entity)


def test_without_a_valid_code_the_representative_is_not_compared(client, entity):
    sms_code(client, PHONE)
    resp = client.post("/accounts/register/legal/",
                       _form(client, sms_code="000000", legal_rep_id_number=make_id_number("41010519880415456")))
    page = resp.content.decode()
    assert resp.status_code == 200 and "验证码不正确" in page
    assert "与登记信息不一致" not in page and "已注册" not in page
    _unchanged(entity)


def test_five_mismatches_spend_the_code(client, entity):
    data = _form(client, legal_rep_id_number=make_id_number("41010519880415456"))
    for _ in range(5):
        client.post("/accounts/register/legal/", data)
    resp = client.post("/accounts/register/legal/", {**data, "legal_rep_id_number": make_id_number("41010519880415123")})
    assert "验证码错误次数过多" in resp.content.decode()
    _unchanged(entity)


def test_a_claimed_account_is_already_registered(client, entity):
    assert client.post("/accounts/register/legal/", _form(client)).status_code == 302
    client.logout()
    resp = client.post("/accounts/register/legal/", _form(client, phone="13803719902", password="Other#Pass2026",
                                                           password2="Other#Pass2026"))
    assert resp.status_code == 200 and "该统一社会信用代码已注册" in resp.content.decode()
    entity.user.refresh_from_db()
    assert entity.user.check_password(PW)


def test_an_entity_without_a_representative_id_is_claimed_at_a_window(client, db):
    from zhengwu.accounts import entities
    from zhengwu.accounts.services import register_legal

    founder = register_legal(name="金水示范餐饮有限公司", uscc=make_uscc("9", "1", "410105", "MA9XKT7Q"),
                             legal_rep_name="刘企业", legal_rep_id_number=make_id_number("41010519850612234"),
                             phone="13803710002", password="Zw@test-2026x", password2="Zw@test-2026x")
    company, grant = entities.register_entity(None, name="郑州老王餐饮管理有限公司", uscc=CODE,
                                              registrant=founder.applicant, legal_rep_name="李法人")
    assert grant is None and not company.legal_rep_id_number
    resp = client.post("/accounts/register/legal/", _form(client, name="郑州老王餐饮管理有限公司", legal_rep_name="李法人"))
    page = resp.content.decode()
    assert resp.status_code == 200 and "无法在线认领" in page and "营业执照" in page and "窗口" in page
    company.user.refresh_from_db()
    assert not company.user.has_usable_password()


def test_window_registration_still_says_registered(entity):
    """Only the online 法人注册 with its SMS code claims; other paths are refused as before."""
    from django.core.exceptions import ValidationError

    from zhengwu.accounts.services import register_legal

    with pytest.raises(ValidationError, match="已注册"):
        register_legal(name=NAME, uscc=CODE, legal_rep_name="王小吃",
                       legal_rep_id_number=make_id_number("41010519880415123"), phone=PHONE,
                       password=PW, password2=PW, temporary=True)


def test_the_registrant_is_told_the_entity_can_be_claimed(client, operator, entity):
    client.force_login(operator)
    page = client.get("/accounts/security/").content.decode()
    assert "尚未认领" in page and "/accounts/register/legal/" in page
    client.logout()
    assert client.post("/accounts/register/legal/", _form(client)).status_code == 302
    client.logout()
    client.force_login(operator)
    page = client.get("/accounts/security/").content.decode()
    assert NAME in page and "尚未认领" not in page


def test_a_company_whose_representative_is_another_is_claimed_at_a_window(client, operator):
    """A citizen founds a company naming another as 法定代表人: the record has no representative ID,
    so its registrant is told to have it claimed at a window, and 法人注册 says so."""
    from zhengwu.accounts import entities

    company, grant = entities.register_entity(None, name="郑州老王餐饮管理有限公司", uscc=CODE,
                                              registrant=operator.applicant, legal_rep_name="李法人")
    assert grant is not None and not company.legal_rep_id_number
    client.force_login(operator)
    page = client.get("/accounts/security/").content.decode()
    assert "尚未认领" in page and "持营业执照到政务服务窗口" in page
    client.logout()
    resp = client.post("/accounts/register/legal/", _form(client, name="郑州老王餐饮管理有限公司", legal_rep_name="李法人"))
    assert "无法在线认领" in resp.content.decode()
    company.user.refresh_from_db()
    assert not company.user.has_usable_password()


def test_migration_marks_entities_made_before_it(entity, client):
    """accounts 0006: an entity made by a 设立登记 before the mark existed awaits its claim; an
    enterprise that registered itself, or an entity already given a password, does not."""
    import importlib

    from django.apps import apps

    from zhengwu.accounts.models import Applicant
    from zhengwu.accounts.services import register_legal

    migration = importlib.import_module("zhengwu.accounts.migrations.0006_applicant_awaiting_claim")
    own = register_legal(name="金水示范餐饮有限公司", uscc=make_uscc("9", "1", "410105", "MA9XKT7Q"),
                         legal_rep_name="刘企业", legal_rep_id_number=make_id_number("41010519850612234"),
                         phone="13803710002", password="Zw@test-2026x", password2="Zw@test-2026x").applicant
    Applicant.objects.update(awaiting_claim=False)
    migration.mark_unclaimed_entities(apps, None)
    assert set(Applicant.objects.filter(awaiting_claim=True).values_list("pk", flat=True)) == {entity.pk}
    assert not Applicant.objects.get(pk=own.pk).awaiting_claim
    entity.user.set_password(PW)
    entity.user.save()
    Applicant.objects.update(awaiting_claim=False)
    migration.mark_unclaimed_entities(apps, None)
    assert not Applicant.objects.filter(awaiting_claim=True).exists()
