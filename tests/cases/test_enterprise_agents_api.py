"""企业经办人 on the JSON API the portal pages call: a person who switched to 以该企业身份办事 in the
browser acts for the enterprise on /api/v1/ too — within the grant's scope, and not after it is
revoked; another enterprise's cases stay out of sight."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.helpers import ApiClient
from zhengwu.accounts import agents, services
from zhengwu.accounts.models import EnterpriseAgent
from zhengwu.cases.models import Case
from zhengwu.core.identifiers import make_id_number, make_uscc
from zhengwu.ratings.models import Rating

pytestmark = pytest.mark.django_db
PW = "Good#Pass2026"
FORM = {"shop_name": "老王小吃", "area": 30}
MATERIALS = ("食品经营许可申请书", "营业执照")


def _enterprise(name, org_code, rep, rep_id, phone):
    return services.register_legal(name=name, uscc=make_uscc("9", "1", "410105", org_code), legal_rep_name=rep,
                                   legal_rep_id_number=make_id_number(rep_id), phone=phone, password=PW,
                                   password2=PW)


@pytest.fixture
def enterprise():
    return _enterprise("示范餐饮有限公司", "MA9XKT3Q", "刘企业", "41010519850612234", "13803710002")


@pytest.fixture
def other_enterprise():
    return _enterprise("另一家公司", "MA9XKT4R", "赵法人", "41010519750101222", "13803710003")


@pytest.fixture
def person(make_citizen):
    return make_citizen(name="李经办", id_body="41010519920101123")


def grant(enterprise, person, *scope):
    return agents.grant(enterprise, id_number=person.applicant.id_number.reveal_unaudited(),
                        name=person.applicant.name, scope=list(scope))


def acting(person, enterprise, base="/api/v1/cases/") -> ApiClient:
    """The person's browser session, switched to 以该企业身份办事 on 账户与安全."""
    c = ApiClient(person, base=base)
    r = c.client.post(reverse("accounts:acting"), {"enterprise": enterprise.applicant.pk}, headers=c.headers)
    assert r.status_code == 302 and c.client.session.get(agents.SESSION_KEY) == enterprise.applicant.pk
    return c


def ratings_api(c: ApiClient) -> ApiClient:
    """The same browser session on /api/v1/ratings/."""
    other = copy.copy(c)
    other.base = "/api/v1/ratings/"
    return other


def concluded(item, user, number):
    at = timezone.now() - dt.timedelta(hours=1)
    return Case.objects.create(number=number, service_item=item, item_version=item.published_version,
                               department=item.department, region=item.region, applicant=user.applicant,
                               state="concluded", outcome="approved", submitted_at=at - dt.timedelta(days=3),
                               concluded_at=at)


def test_an_agent_applies_for_the_enterprise_through_the_api(enterprise, person, item, pdf):
    grant(enterprise, person, "apply", "view")
    own = concluded(item, person, "T00000001")  # the person's own case
    c = acting(person, enterprise)
    r = c.post("", {"item_id": item.pk, "form_data": FORM})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["applicant"]["name"] == "示范餐饮有限公司" and body["actions"]
    case = Case.objects.get(pk=body["id"])
    assert case.applicant_id == enterprise.applicant.pk
    for name in MATERIALS:
        assert c.upload(f"{case.pk}/materials", {"file": pdf(), "name": name}).status_code == 201
    r = c.patch(f"{case.pk}/form", {"form_data": {**FORM, "area": 40}, "lock_version": body["lock_version"]})
    assert r.status_code == 200, r.content
    r = c.post(f"{case.pk}/submit", {"lock_version": r.json()["lock_version"]})
    assert r.status_code == 200 and r.json()["state"] == "submitted", r.content
    mine = c.get("mine").json()["items"]
    assert [x["id"] for x in mine] == [case.pk]  # the enterprise's cases, not the person's own
    assert c.get(f"{case.pk}").status_code == 200
    assert c.get(f"{own.pk}").status_code == 404
    assert c.get(f"{case.pk}/receipt.pdf").status_code == 200
    # Back to 个人身份: the enterprise's case is not the person's.
    c.client.post(reverse("accounts:acting"), {"stop": "1"}, headers=c.headers)
    assert [x["id"] for x in c.get("mine").json()["items"]] == [own.pk]
    assert c.get(f"{case.pk}").status_code == 404
    assert c.get(f"{own.pk}").status_code == 200


def test_without_the_apply_scope_the_agent_only_reads(enterprise, person, item):
    grant(enterprise, person, "view")
    draft = Case.objects.create(service_item=item, item_version=item.published_version, department=item.department,
                                region=item.region, applicant=enterprise.applicant, form_data=FORM)
    c = acting(person, enterprise)
    assert [x["id"] for x in c.get("mine").json()["items"]] == [draft.pk]
    assert c.get(f"{draft.pk}").status_code == 200
    for r in (c.post("", {"item_id": item.pk, "form_data": FORM}),
              c.post(f"{draft.pk}/submit", {"lock_version": draft.lock_version}),
              c.patch(f"{draft.pk}/form", {"form_data": FORM, "lock_version": draft.lock_version}),
              c.post(f"{draft.pk}/withdraw", {"lock_version": draft.lock_version, "reason": "不办了"})):
        assert r.status_code == 403 and "未获得“办件申请”授权" in r.json()["detail"], r.content
    assert Case.objects.count() == 1 and Case.objects.get().state == draft.state


def test_without_the_view_scope_the_agent_reads_nothing(enterprise, person, item):
    grant(enterprise, person, "rate")
    case = concluded(item, enterprise, "T00000002")
    c = acting(person, enterprise)
    for r in (c.get("mine"), c.get(f"{case.pk}")):
        assert r.status_code == 403 and "未获得“查看办件”授权" in r.json()["detail"], r.content


def test_after_revocation_the_agent_gets_403_then_is_themselves_again(enterprise, person, item):
    grant(enterprise, person, "apply", "view", "rate")
    case = concluded(item, enterprise, "T00000003")
    c = acting(person, enterprise)
    assert c.get(f"{case.pk}").status_code == 200
    agents.revoke(enterprise, EnterpriseAgent.objects.get().pk)
    r = c.get(f"{case.pk}")
    assert r.status_code == 403 and "经办授权已撤销" in r.json()["detail"]
    assert c.client.session.get(agents.SESSION_KEY) is None
    # The session is the person's again: their own (empty) list, not the enterprise's case.
    r = c.get("mine")
    assert r.status_code == 200 and r.json()["items"] == [] and c.get(f"{case.pk}").status_code == 404
    rate = ratings_api(c)
    assert rate.post(f"cases/{case.pk}", {"level": 5}).status_code == 404
    assert not Rating.objects.exists()


def test_a_revoked_grant_refuses_a_write_with_a_json_403(enterprise, person, item):
    grant(enterprise, person, "apply", "view")
    c = acting(person, enterprise)
    agents.revoke(enterprise, EnterpriseAgent.objects.get().pk)
    r = c.post("", {"item_id": item.pk, "form_data": FORM})
    assert r.status_code == 403 and r["Content-Type"].startswith("application/json")
    assert "经办授权已撤销" in r.json()["detail"] and not Case.objects.exists()


def test_another_enterprises_cases_are_never_visible(enterprise, other_enterprise, person, item):
    grant(enterprise, person, "apply", "view", "rate")
    theirs = concluded(item, other_enterprise, "T00000004")
    c = acting(person, enterprise)
    assert c.get("mine").json()["items"] == []
    assert c.get(f"{theirs.pk}").status_code == 404
    assert c.get(f"{theirs.pk}/receipt.pdf").status_code == 404
    r = c.post(f"{theirs.pk}/withdraw", {"lock_version": theirs.lock_version, "reason": "x"})
    assert r.status_code == 404
    rate = ratings_api(c)
    assert rate.post(f"cases/{theirs.pk}", {"level": 5}).status_code == 404
    assert not Rating.objects.exists()


def test_rating_through_the_api_needs_the_rate_scope(login, enterprise, person, item):
    grant(enterprise, person, "view")
    case = concluded(item, enterprise, "T00000005")
    c = acting(person, enterprise, base="/api/v1/ratings/")
    r = c.post(f"cases/{case.pk}", {"level": 5})
    assert r.status_code == 403 and "未获得“评价”授权" in r.json()["detail"]
    agents.revoke(enterprise, EnterpriseAgent.objects.get().pk)
    grant(enterprise, person, "view", "rate")
    c = acting(person, enterprise, base="/api/v1/ratings/")
    r = c.post(f"cases/{case.pk}", {"level": 5, "comment": "办得快"})
    assert r.status_code == 201, r.content
    assert Rating.objects.get().applicant_id == enterprise.applicant.pk
    # 我的评价 lists the enterprise's ratings while acting for it, the person's own otherwise.
    page = c.client.get(reverse("ratings:mine")).content.decode()
    assert "办得快" in page
    c.client.post(reverse("accounts:acting"), {"stop": "1"}, headers=c.headers)
    page = c.client.get(reverse("ratings:mine")).content.decode()
    assert "办得快" not in page and "您还没有评价记录" in page
    assert login(enterprise).get(reverse("ratings:mine")).content.decode().count("办得快") == 1


def test_my_ratings_page_needs_the_rate_scope(enterprise, person):
    grant(enterprise, person, "view")
    c = acting(person, enterprise)
    r = c.client.get(reverse("ratings:mine"))
    assert r.status_code == 403 and "未获得“评价”授权" in r.content.decode()


def test_the_case_page_files_open_for_the_acting_agent(enterprise, person, item):
    grant(enterprise, person, "view")
    case = concluded(item, enterprise, "T00000006")
    c = acting(person, enterprise)
    assert c.client.get(reverse("cases:receipt_pdf", args=[case.pk])).status_code == 200
    c.client.post(reverse("accounts:acting"), {"stop": "1"}, headers=c.headers)
    assert c.client.get(reverse("cases:receipt_pdf", args=[case.pk])).status_code == 404


def test_an_idempotency_key_is_per_person_and_per_enterprise_acted_for(enterprise, person, item):
    grant(enterprise, person, "apply", "view")
    own = ApiClient(person, base="/api/v1/cases/")
    first = own.post("", {"item_id": item.pk, "form_data": FORM}, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and first.json()["applicant"]["name"] == "李经办"
    c = acting(person, enterprise)
    # The same key while acting for the enterprise is a new application, the enterprise's …
    for_enterprise = c.post("", {"item_id": item.pk, "form_data": FORM}, headers={"Idempotency-Key": "k-1"})
    assert for_enterprise.status_code == 201, for_enterprise.json()
    assert for_enterprise.json()["id"] != first.json()["id"]
    # … and repeating it while acting replays that one, not the person's.
    again = c.post("", {"item_id": item.pk, "form_data": FORM}, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.json()["id"] == for_enterprise.json()["id"]
    assert Case.objects.filter(applicant=enterprise.applicant).count() == 1
    assert Case.objects.filter(applicant=person.applicant).count() == 1
