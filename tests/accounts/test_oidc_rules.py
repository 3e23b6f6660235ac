"""统一身份认证: provider settings, claim mapping, 实名等级 and the linking rules (no provider needed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhengwu.accounts import services_identity
from zhengwu.accounts.models import ExternalIdentity, User
from zhengwu.accounts.oidc_rules import (
    IdentityRefused,
    level_at_least,
    level_rank,
    map_claims,
    map_level,
    parse_providers,
    same_name,
)
from zhengwu.core.audit import AuditEvent
from zhengwu.core.identifiers import make_id_number, make_uscc
from zhengwu.org.models import Role

ID = make_id_number("41010519900307123")
BASE = {"issuer": "https://sso.example.invalid/o", "client_id": "c", "client_secret": "s"}


def provider(**kw):
    return parse_providers({"citizen": {**BASE, **kw}})["citizen"]


def test_providers_are_parsed_with_defaults():
    found = parse_providers({"citizen": BASE, "staff": {**BASE, "scopes": ["profile"]}})
    assert found["citizen"].role == "citizen" and found["staff"].role == "staff"
    assert found["citizen"].discovery_url == "https://sso.example.invalid/o/.well-known/openid-configuration"
    assert found["staff"].scopes == "openid profile"
    assert found["citizen"].claim("id_number") == "id_number"


@pytest.mark.parametrize("bad", [
    {"citizen": {"client_id": "c", "client_secret": "s"}},  # no issuer
    {"citizen": {**BASE, "client_secret": ""}},
    {"citizen": {**BASE, "role": "admin"}},
    {"citizen": {**BASE, "claims": {"idcard": "x"}}},
    {"citizen": {**BASE, "level_map": {"3": "L4"}}},
    {"bad name": BASE},
    [],
])
def test_unusable_provider_settings_are_refused(bad):
    with pytest.raises(ValueError):
        parse_providers(bad)


def test_claims_are_mapped_by_configured_names():
    p = provider(claims={"name": "xm", "id_number": "sfzh", "level": "smdj"}, level_map={"3": "L3", "2": "L2"})
    claims = map_claims(p, {"sub": "u1", "xm": "张小民", "sfzh": ID.lower(), "smdj": 3, "phone_number": "138 0371 0001"})
    assert (claims.kind, claims.name, claims.id_number, claims.level) == ("person", "张小民", ID, "L3")
    legal = map_claims(p, {"sub": "u2", "xm": "某公司", "uscc": make_uscc("9", "1", "410105", "MA9XNEW1")})
    assert legal.kind == "legal" and legal.uscc and legal.level == ""


@pytest.mark.parametrize("claims, reason", [
    ({"name": "张小民", "id_number": ID}, "bad_sub"),
    ({"sub": "u", "id_number": ID}, "missing_name"),
    ({"sub": "u", "name": "张小民"}, "missing_id_number"),
    ({"sub": "u", "name": "张小民", "id_number": "410105199003071234"}, "bad_id_number"),
    ({"sub": "u", "name": "某公司", "uscc": "91410105MA9XNEW1XX"}, "bad_uscc"),
])
def test_claims_a_citizen_account_cannot_use_are_refused(claims, reason):
    with pytest.raises(IdentityRefused) as exc:
        map_claims(provider(), claims)
    assert exc.value.reason == reason and exc.value.message


def test_levels():
    p = provider()
    assert [map_level(p, v) for v in ("L1", "2", 3, "", None, "L9")] == ["L1", "L2", "L3", "", "", ""]
    assert level_rank("") == 0 < level_rank("L1") < level_rank("L3")
    assert level_at_least("L2", "L2") and level_at_least("", "") and not level_at_least("L1", "L2")
    assert same_name("张 小民", "张小民") and not same_name("张小民", "张小明") and not same_name("", "")


@pytest.fixture
def citizen_provider():
    return provider()


def test_sign_in_refuses_a_sub_linked_to_an_account_with_another_identifier(db, make_citizen, citizen_provider):
    first = make_citizen(name="张小民", id_body="41010519900307123")
    ExternalIdentity.objects.create(provider="citizen", issuer=BASE["issuer"], subject="s1", user=first)
    other_id = make_id_number("41010519920815201")
    claims = map_claims(citizen_provider, {"sub": "s1", "name": "王新民", "id_number": other_id})
    with pytest.raises(IdentityRefused) as exc:
        services_identity.sign_in(citizen_provider, BASE["issuer"], claims)
    assert exc.value.reason == "identifier_changed"
    assert User.objects.count() == 1
    assert AuditEvent.objects.filter(action="accounts.identity_refused").count() == 1


def test_staff_provider_never_creates_accounts(db):
    p = parse_providers({"staff": BASE})["staff"]
    claims = map_claims(p, {"sub": "s9", "preferred_username": "nobody"})
    with pytest.raises(IdentityRefused):
        services_identity.sign_in(p, BASE["issuer"], claims)
    assert not User.objects.exists()


def test_unlinking_the_only_way_in_is_refused(db, citizen_provider):
    claims = map_claims(citizen_provider, {"sub": "s1", "name": "王新民", "id_number": make_id_number("41010519920815201")})
    user = services_identity.sign_in(citizen_provider, BASE["issuer"], claims)
    identity = ExternalIdentity.objects.get(user=user)
    with pytest.raises(IdentityRefused):
        services_identity.unlink(user, identity.pk)
    assert ExternalIdentity.objects.filter(pk=identity.pk).exists()


# -- 实名等级 required by an item ---------------------------------------------------------------
@pytest.fixture
def l2_item(make_department, publish_item):
    dept = make_department()
    return publish_item(dept, "需实名事项", item_fields={"min_real_name_level": "L2"}, online_depth=4)


def _level(user, level):
    ExternalIdentity.objects.create(provider="citizen", issuer=BASE["issuer"], subject=f"s{user.pk}", user=user,
                                    real_name_level=level, last_login_at=timezone.now())
    return User.objects.get(pk=user.pk)


def test_an_item_needing_l2_refuses_a_lower_level_online(make_citizen, l2_item):
    from zhengwu.cases.services import applying

    for level in (None, "L1"):
        citizen = make_citizen()
        if level:
            citizen = _level(citizen, level)
        with pytest.raises(ValidationError) as exc:
            applying.create_draft(citizen, l2_item)
        assert "实名等级不足" in exc.value.messages[0] and "统一身份认证" in exc.value.messages[0]
    ok = _level(make_citizen(), "L3")
    assert applying.create_draft(ok, l2_item).pk


def test_window_clerk_filing_is_not_held_to_the_level(make_citizen, make_staff, l2_item):
    from zhengwu.cases.services import applying

    clerk = make_staff(Role.WINDOW, department=l2_item.department)
    citizen = make_citizen()
    case = applying.create_draft(clerk, l2_item, applicant=citizen.applicant, channel="window")
    assert case.filed_by == clerk


def test_the_latest_login_gives_the_level(make_citizen):
    citizen = make_citizen()
    old = timezone.now() - dt.timedelta(days=1)
    ExternalIdentity.objects.create(provider="a", issuer="https://a", subject="1", user=citizen,
                                    real_name_level="L3", last_login_at=old)
    ExternalIdentity.objects.create(provider="b", issuer="https://b", subject="1", user=citizen,
                                    real_name_level="L1", last_login_at=timezone.now())
    assert User.objects.get(pk=citizen.pk).real_name_level == "L1"


def test_guide_and_apply_page_show_the_level_and_where_the_data_came_from(client, make_citizen, l2_item):
    from django.urls import reverse

    guide = client.get(reverse("catalog:item_guide", args=[l2_item.pk])).content.decode()
    assert "实名等级要求" in guide and "L2 身份证核验" in guide
    citizen = make_citizen(name="张小民")
    client.force_login(citizen)
    page = client.get(reverse("cases:apply", args=[l2_item.pk])).content.decode()
    assert "来自注册信息" in page and "来自实名认证信息" not in page
    assert 'id="real-name-short"' in page
    _level(citizen, "L2")
    page = client.get(reverse("cases:apply", args=[l2_item.pk])).content.decode()
    assert "来自实名认证信息" in page and 'id="real-name-short"' not in page
