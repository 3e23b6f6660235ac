"""企业经办人: the enterprise grants a registered person a scope, the person switches to 以企业身份办事
and applies for the enterprise; a revocation takes effect at the agent's next click."""

import re

import pytest
from django.urls import reverse

from zhengwu.accounts import services
from zhengwu.accounts.models import EnterpriseAgent
from zhengwu.cases.models import Case
from zhengwu.core.audit import AuditEvent
from zhengwu.core.identifiers import make_id_number, make_uscc

pytestmark = pytest.mark.django_db
PW = "Good#Pass2026"


@pytest.fixture
def enterprise():
    return services.register_legal(name="示范餐饮有限公司", uscc=make_uscc("9", "1", "410105", "MA9XKT3Q"),
                                   legal_rep_name="刘企业", legal_rep_id_number=make_id_number("41010519850612234"),
                                   phone="13803710002", password=PW, password2=PW)


@pytest.fixture
def agent_person(make_citizen):
    return make_citizen(name="李经办", id_body="41010519920101123")


def grant(client, person, scope=("apply", "view"), name=None):
    return client.post(reverse("accounts:agents"), {
        "name": name or person.applicant.name, "id_number": person.applicant.id_number.reveal_unaudited(),
        "scope": list(scope)})


def act_for(client, enterprise):
    return client.post(reverse("accounts:acting"), {"enterprise": enterprise.applicant.pk})


def key_of(response) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def apply_post(item, pdf, key):
    data = {"idempotency_key": key, "action": "submit", "f_shop_name": "老王小吃", "f_area": "30"}
    for name in ("食品经营许可申请书", "营业执照"):
        data[f"m_{item.published_version.materials.get(name=name).pk}"] = pdf(f"{name}.pdf")
    return data


def test_enterprise_adds_an_agent_by_id_number_and_name(login, enterprise, agent_person):
    client = login(enterprise)
    assert "企业经办人管理" in client.get(reverse("accounts:agents")).content.decode()
    resp = grant(client, agent_person, name="王冒名")
    assert "未找到该经办人的个人账号" in resp.content.decode()
    resp = client.post(reverse("accounts:agents"), {"name": "李经办", "id_number": make_id_number("41010519800101111"),
                                                     "scope": ["apply"]})
    assert "未找到该经办人的个人账号" in resp.content.decode()
    resp = client.post(reverse("accounts:agents"), {"name": "李经办", "id_number": "123", "scope": ["apply"]})
    assert "经办人身份证号不正确" in resp.content.decode()
    resp = grant(client, agent_person, scope=())
    assert "授权范围不正确" in resp.content.decode()
    assert not EnterpriseAgent.objects.exists()
    assert grant(client, agent_person).status_code == 302
    agent = EnterpriseAgent.objects.get()
    assert agent.agent == agent_person and agent.scope == ["apply", "view"] and agent.granted_by == enterprise
    assert "该人员已是本企业经办人" in grant(client, agent_person).content.decode()
    event = AuditEvent.objects.get(action="accounts.agent_grant")
    assert agent_person.applicant.id_number.reveal_unaudited() not in str(event.after)


def test_only_an_enterprise_manages_agents(login, agent_person):
    assert login(agent_person).get(reverse("accounts:agents")).status_code == 403


def test_agent_applies_for_the_enterprise_and_sees_its_cases(login, enterprise, agent_person, item, pdf):
    grant(login(enterprise), agent_person)
    client = login(agent_person)
    assert "以该企业身份办事" in client.get(reverse("accounts:security")).content.decode()
    resp = act_for(client, enterprise)
    assert resp.status_code == 302 and resp["Location"] == reverse("cases:my_cases")
    page = client.get(reverse("cases:apply", args=[item.pk]))
    assert page.status_code == 200 and "示范餐饮有限公司" in page.content.decode()
    resp = client.post(reverse("cases:apply", args=[item.pk]), apply_post(item, pdf, key_of(page)))
    case = Case.objects.get()
    assert resp.status_code == 302 and case.applicant_id == enterprise.applicant.pk
    assert case.form_data["applicant_name"] == "示范餐饮有限公司"
    assert case.number in client.get(reverse("cases:my_cases")).content.decode()
    assert client.get(reverse("cases:my_case", args=[case.pk])).status_code == 200
    # Back to 个人身份: the enterprise's case is not the person's.
    client.post(reverse("accounts:acting"), {"stop": "1"})
    assert case.number not in client.get(reverse("cases:my_cases")).content.decode()
    assert client.get(reverse("cases:my_case", args=[case.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="accounts.agent_act").count() == 1


def test_scope_limits_what_the_agent_may_do(login, enterprise, agent_person, item):
    grant(login(enterprise), agent_person, scope=("view",))
    client = login(agent_person)
    act_for(client, enterprise)
    assert client.get(reverse("cases:my_cases")).status_code == 200
    resp = client.get(reverse("cases:apply", args=[item.pk]))
    assert resp.status_code == 403 and "未获得“办件申请”授权" in resp.content.decode()


def test_revoked_agent_is_refused_at_the_next_click(login, enterprise, agent_person, item):
    ent = login(enterprise)
    grant(ent, agent_person)
    client = login(agent_person)
    act_for(client, enterprise)
    assert client.get(reverse("cases:apply", args=[item.pk])).status_code == 200
    agent = EnterpriseAgent.objects.get()
    assert ent.post(reverse("accounts:agent_revoke", args=[agent.pk])).status_code == 302
    agent.refresh_from_db()
    assert agent.revoked_at is not None
    resp = client.get(reverse("cases:apply", args=[item.pk]))
    assert resp.status_code == 403 and "经办授权已撤销" in resp.content.decode()
    # acting-for ended: the person is themselves again, and cannot switch back
    assert client.get(reverse("cases:my_cases")).status_code == 200
    resp = act_for(client, enterprise)
    assert resp.status_code == 302 and resp["Location"] == reverse("accounts:security")
    assert client.session.get("_zw_acting_for") is None
    assert AuditEvent.objects.filter(action="accounts.agent_revoke").count() == 1


def test_a_person_not_granted_cannot_act_for_the_enterprise(login, enterprise, agent_person):
    client = login(agent_person)
    act_for(client, enterprise)
    assert client.session.get("_zw_acting_for") is None


def test_another_enterprise_cannot_revoke_my_agent(login, enterprise, agent_person):
    grant(login(enterprise), agent_person)
    other = services.register_legal(name="另一家公司", uscc=make_uscc("9", "1", "410105", "MA9XKT4R"),
                                    legal_rep_name="赵法人", legal_rep_id_number=make_id_number("41010519750101222"),
                                    phone="13803710003", password=PW, password2=PW)
    agent = EnterpriseAgent.objects.get()
    login(other).post(reverse("accounts:agent_revoke", args=[agent.pk]))
    agent.refresh_from_db()
    assert agent.revoked_at is None


def test_rating_the_enterprise_case_needs_the_rate_scope(login, enterprise, agent_person, item):
    from zhengwu.cases.services import applying

    case = applying.create_draft(enterprise, item)
    ent = login(enterprise)
    grant(ent, agent_person, scope=("apply", "view"))
    client = login(agent_person)
    act_for(client, enterprise)
    resp = client.get(reverse("ratings:rate_case", args=[case.pk]))
    assert resp.status_code == 403 and "未获得“评价”授权" in resp.content.decode()
    ent.post(reverse("accounts:agent_revoke", args=[EnterpriseAgent.objects.get().pk]))
    grant(ent, agent_person, scope=("view", "rate"))
    act_for(client, enterprise)
    assert client.get(reverse("ratings:rate_case", args=[case.pk])).status_code == 200
    client.post(reverse("accounts:acting"), {"stop": "1"})
    assert client.get(reverse("ratings:rate_case", args=[case.pk])).status_code == 404
