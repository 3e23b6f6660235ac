"""统一身份认证 end to end against the real local provider (devtools/idp, django-oauth-toolkit) over
HTTP: the platform's side through Django's test client, the provider's side through requests —
the redirects followed across the two hosts, the code exchanged and the ID token verified for real."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.accounts.idp_server import idp_server, provider_login  # noqa: F401 - the fixture
from zhengwu.accounts.models import Applicant, ExternalIdentity, User
from zhengwu.accounts.services_identity import CONFLICT_NAME, CONFLICT_OTHER_SUB
from zhengwu.core.audit import AuditEvent
from zhengwu.core.identifiers import make_id_number, make_uscc
from zhengwu.core.pii import blind_index
from zhengwu.org.models import Role

# One worker starts the local identity provider (a session fixture, a server process with a database
# of its own) for these tests and the browser journey's (tests/browser/test_oidc_login_journey.py).
pytestmark = pytest.mark.xdist_group("idp_server")

ZHANG_ID = make_id_number("41010519900307123")  # the provider's 张小民 (and 冒名者's claim)
WANG_ID = make_id_number("41010519920815201")


@pytest.fixture
def oidc(db, settings, idp_server):  # noqa: F811
    settings.ZHENGWU_OIDC_PROVIDERS = idp_server.providers()
    return idp_server


def start(client, provider="citizen", next_url=""):
    r = client.get(f"/accounts/oidc/{provider}/login/" + (f"?next={next_url}" if next_url else ""))
    assert r.status_code == 302, r.content[:300]
    assert r["Location"].startswith("http://127.0.0.1:")
    query = parse_qs(urlsplit(r["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]
    return r["Location"]


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return f"{parts.path}?{parts.query}"


def sign_in(client, username, provider="citizen", next_url=""):
    back = provider_login(start(client, provider, next_url), username)
    return client.get(callback_path(back))


def actions(name):
    return AuditEvent.objects.filter(action=name)


def test_first_login_creates_the_person_account_with_its_level(client, oidc):
    r = sign_in(client, "wangxinmin")
    assert r.status_code == 302 and r["Location"] == "/"
    user = User.objects.get(applicant__id_number_index=blind_index("id_number", WANG_ID))
    assert user.kind == "person" and user.display_name == "王新民" and not user.has_usable_password()
    identity = ExternalIdentity.objects.get(user=user)
    assert identity.issuer == oidc.issuer and identity.provider == "citizen" and identity.real_name_level == "L2"
    assert identity.last_login_at is not None
    assert User.objects.get(pk=user.pk).real_name_level == "L2"
    assert int(client.session["_auth_user_id"]) == user.pk
    link = actions("accounts.identity_link").get()
    assert link.after["via"] == "first_login" and WANG_ID not in str(link.after)
    # A second login finds the link: no second account, no second link.
    client.logout()
    assert sign_in(client, "wangxinmin").status_code == 302
    assert ExternalIdentity.objects.count() == 1 and Applicant.objects.count() == 1


def test_first_login_links_an_existing_account_by_its_id_number(client, oidc, make_citizen):
    local = make_citizen(name="张小民", id_body="41010519900307123")
    r = sign_in(client, "zhangxiaomin", next_url="/cases/")
    assert r.status_code == 302 and r["Location"] == "/cases/"
    assert int(client.session["_auth_user_id"]) == local.pk
    assert ExternalIdentity.objects.get().user == local
    assert actions("accounts.identity_link").get().after["via"] == "identifier"
    assert Applicant.objects.count() == 1


def test_an_enterprise_is_created_by_its_uscc(client, oidc):
    assert sign_in(client, "qiye").status_code == 302
    applicant = Applicant.objects.get(uscc=make_uscc("9", "1", "410105", "MA9XNEW1"))
    assert applicant.kind == "legal" and applicant.user.kind == "legal" and applicant.legal_rep_name == "周法人"


def test_id_number_already_linked_to_another_sub_is_refused(client, oidc):
    assert sign_in(client, "zhangxiaomin").status_code == 302  # creates 张小民, linked to its sub
    client.logout()
    # 冒名者: another account at the same provider claiming 张小民's 身份证号.
    r = sign_in(client, "maoming")
    assert r.status_code == 400
    assert CONFLICT_OTHER_SUB in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert ExternalIdentity.objects.count() == 1 and User.objects.count() == 1
    refused = actions("accounts.identity_refused").get()
    assert refused.after == {"provider": "citizen", "reason": "other_sub"}


def test_a_different_name_for_the_same_id_number_is_refused(client, oidc, make_citizen):
    make_citizen(name="张小民", id_body="41010519900307123")
    r = sign_in(client, "maoming")  # claims 冒名者 with 张小民's number
    assert r.status_code == 400 and CONFLICT_NAME in r.content.decode()
    assert not ExternalIdentity.objects.exists()
    assert actions("accounts.identity_refused").get().after["reason"] == "name_mismatch"


def test_a_replayed_code_is_refused(client, oidc):
    back = provider_login(start(client), "wangxinmin")
    assert client.get(callback_path(back)).status_code == 302
    client.logout()
    users = User.objects.count()
    # The same callback again: its state was used up.
    r = client.get(callback_path(back))
    assert r.status_code == 400 and "登录请求已失效" in r.content.decode()
    # The old code with a fresh, valid state: the provider refuses the used code.
    fresh = parse_qs(urlsplit(start(client)).query)["state"][0]
    code = parse_qs(urlsplit(back).query)["code"][0]
    r = client.get(f"/accounts/oidc/citizen/callback/?code={code}&state={fresh}")
    assert r.status_code == 400 and "授权码无效" in r.content.decode()
    assert "_auth_user_id" not in client.session and User.objects.count() == users
    reasons = [e.after["reason"] for e in actions("accounts.oidc_failure").order_by("pk")]
    assert reasons == ["state", "code"]


def test_a_forged_state_is_refused(client, oidc):
    back = provider_login(start(client), "wangxinmin")
    code = parse_qs(urlsplit(back).query)["code"][0]
    r = client.get(f"/accounts/oidc/citizen/callback/?code={code}&state=forged-state")
    assert r.status_code == 400 and "登录请求已失效或不匹配" in r.content.decode()
    assert r["Content-Type"].startswith("text/html")
    assert not User.objects.exists() and "_auth_user_id" not in client.session


def test_a_wrong_nonce_is_refused(client, oidc):
    back = provider_login(start(client), "wangxinmin")
    session = client.session
    key = next(k for k in session.keys() if k.startswith("_state_citizen_"))
    data = session[key]
    data["data"]["nonce"] = "not-the-nonce-sent"
    session[key] = data
    session.save()
    r = client.get(callback_path(back))
    assert r.status_code == 400 and "nonce" in r.content.decode()
    assert not User.objects.exists()
    assert actions("accounts.oidc_failure").get().after == {"provider": "citizen", "reason": "nonce"}


def test_a_token_from_an_unknown_issuer_is_refused(db, client, settings, idp_server):  # noqa: F811
    # The operator configured another issuer: the provider's ID token (iss = its own) is not trusted.
    config = idp_server.providers()
    config["citizen"]["discovery_url"] = idp_server.issuer + "/.well-known/openid-configuration"
    config["citizen"]["issuer"] = "https://sso.example.invalid/o"
    settings.ZHENGWU_OIDC_PROVIDERS = config
    r = sign_in(client, "wangxinmin")
    assert r.status_code == 400 and "签发方" in r.content.decode()
    assert not User.objects.exists()


def test_staff_sso_matches_an_existing_staff_account_only(client, oidc, make_staff):
    staff = make_staff(Role.WINDOW, username="chuangkou")
    r = sign_in(client, "chuangkou", provider="staff")
    assert r.status_code == 302 and r["Location"] == "/workbench/"
    assert int(client.session["_auth_user_id"]) == staff.pk
    assert ExternalIdentity.objects.get().user == staff
    client.logout()
    users = User.objects.count()
    r = sign_in(client, "waiyuan", provider="staff")  # no such staff account: never created
    assert r.status_code == 400 and "未找到与该统一认证账号对应的工作人员账号" in r.content.decode()
    assert User.objects.count() == users and ExternalIdentity.objects.count() == 1


def test_a_citizen_cannot_come_in_through_the_staff_provider(client, oidc):
    r = sign_in(client, "wangxinmin", provider="staff")
    assert r.status_code == 400 and not User.objects.exists()


def test_link_and_unlink_from_the_security_page(client, oidc, make_citizen):
    local = make_citizen(name="张小民", id_body="41010519900307123")
    client.force_login(local)
    page = client.get("/accounts/security/")
    assert "绑定统一身份认证（测试统一身份认证）" in page.content.decode()
    r = client.post("/accounts/oidc/citizen/link/")
    assert r.status_code == 302
    back = provider_login(r["Location"], "zhangxiaomin")
    r = client.get(callback_path(back))
    assert r.status_code == 302 and r["Location"] == "/accounts/security/"
    identity = ExternalIdentity.objects.get(user=local)
    assert actions("accounts.identity_link").get().after["via"] == "explicit"
    page = client.get("/accounts/security/").content.decode()
    assert "L2（身份证核验）" in page and "解除绑定" in page
    r = client.post(f"/accounts/security/identities/{identity.pk}/unlink/")
    assert r.status_code == 302 and not ExternalIdentity.objects.exists()
    assert actions("accounts.identity_unlink").get().before["provider"] == "citizen"


def test_linking_someone_elses_identity_is_refused(client, oidc, make_citizen):
    make_citizen(name="张小民", id_body="41010519900307123")
    other = make_citizen(name="王新民", id_body="41010519920815201")
    client.force_login(other)
    r = client.post("/accounts/oidc/citizen/link/")
    r = client.get(callback_path(provider_login(r["Location"], "zhangxiaomin")))
    assert r.status_code == 400 and "证件号码" in r.content.decode()
    assert not ExternalIdentity.objects.exists()


def test_login_page_shows_the_button_only_when_configured(db, client, settings, idp_server):  # noqa: F811
    settings.ZHENGWU_OIDC_PROVIDERS = {}
    assert "统一身份认证登录" not in client.get("/accounts/login/").content.decode()
    settings.ZHENGWU_OIDC_PROVIDERS = idp_server.providers()
    page = client.get("/accounts/login/").content.decode()
    assert "统一身份认证登录" in page and 'href="/accounts/oidc/citizen/login/' in page
    assert client.get("/accounts/oidc/nosuch/login/").status_code == 404
