"""账户与安全 shows no card that does nothing: 实名等级 only for citizens and enterprises, 统一身份认证绑定
only with a linked identity or a provider of the user's role (then it offers 绑定)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from zhengwu.accounts.models import ExternalIdentity

ISSUER = "https://sso.example.gov.cn/oidc"  # the page only reads the setting: no provider is contacted
CITIZEN = {"display_name": "河南政务服务网统一身份认证", "issuer": ISSUER, "client_id": "zw", "client_secret": "s"}
STAFF = {"display_name": "政务外网统一认证", "role": "staff", "issuer": ISSUER + "/staff", "client_id": "zw-staff",
         "client_secret": "s"}


def page(client, user) -> str:
    client.force_login(user)
    resp = client.get("/accounts/security/")
    assert resp.status_code == 200
    return resp.content.decode()


@pytest.fixture
def citizen(make_citizen):
    return make_citizen(name="李四")


@pytest.fixture
def staff(make_staff):
    return make_staff()


def test_without_a_provider_the_staff_member_sees_neither_card(client, settings, staff):
    settings.ZHENGWU_OIDC_PROVIDERS = {}
    html = page(client, staff)
    assert 'id="real-name-level"' not in html and "实名等级" not in html
    assert 'id="identities"' not in html and "统一身份认证绑定" not in html
    assert "账户与安全" in html and "手机" in html  # the page itself is there


def test_without_a_provider_the_citizen_sees_the_level_but_no_binding(client, settings, citizen):
    settings.ZHENGWU_OIDC_PROVIDERS = {}
    html = page(client, citizen)
    assert 'id="real-name-level"' in html and "未认证" in html
    assert 'id="identities"' not in html and "绑定统一身份认证" not in html


def test_a_citizen_provider_offers_the_citizen_binding_and_not_the_staff_member(client, settings, citizen, staff):
    settings.ZHENGWU_OIDC_PROVIDERS = {"citizen": CITIZEN}
    html = page(client, citizen)
    assert 'id="identities"' in html and "绑定统一身份认证（河南政务服务网统一身份认证）" in html
    html = page(client, staff)
    assert 'id="identities"' not in html and "绑定统一身份认证" not in html and 'id="real-name-level"' not in html


def test_a_staff_provider_offers_the_staff_binding_and_not_the_citizen(client, settings, citizen, staff):
    settings.ZHENGWU_OIDC_PROVIDERS = {"staff": STAFF}
    html = page(client, staff)
    assert 'id="identities"' in html and "绑定统一身份认证（政务外网统一认证）" in html
    assert 'id="real-name-level"' not in html
    html = page(client, citizen)
    assert 'id="identities"' not in html and "绑定统一身份认证" not in html
    assert 'id="real-name-level"' in html


def test_an_enterprise_sees_the_level(db, client, settings):
    from zhengwu.accounts import services
    from zhengwu.core.identifiers import make_id_number, make_uscc

    settings.ZHENGWU_OIDC_PROVIDERS = {}
    enterprise = services.register_legal(
        name="郑州测试科技有限公司", uscc=make_uscc("9", "1", "410105", "MA9XKT5T"), legal_rep_name="王五",
        legal_rep_id_number=make_id_number("41010519800101123"), phone="13800000001",
        password=PASSWORD, password2=PASSWORD)
    html = page(client, enterprise)
    assert 'id="real-name-level"' in html and 'id="identities"' not in html


def test_a_linked_identity_is_shown_after_its_provider_is_removed(client, settings, citizen):
    ExternalIdentity.objects.create(user=citizen, provider="citizen", issuer=ISSUER, subject="opaque-1",
                                    real_name_level="L2")
    settings.ZHENGWU_OIDC_PROVIDERS = {}
    html = page(client, citizen)
    assert 'id="identities"' in html and "citizen（已停用）" in html and "解除绑定" in html
    assert "绑定统一身份认证（" not in html
