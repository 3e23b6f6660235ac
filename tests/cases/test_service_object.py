"""服务对象: who may apply for an item or a 一件事 — online, through the API and at the window."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhengwu.cases.models import BundleCase, Case
from zhengwu.cases.rules import applicant_kind_refusal
from zhengwu.cases.services import applying
from zhengwu.cases.services import bundles as bundle_services



@pytest.mark.parametrize("service_object, kind, allowed", [
    ("person", "person", True), ("person", "legal", False), ("legal", "person", False), ("legal", "legal", True),
    ("both", "person", True), ("both", "legal", True), ("", "legal", True),
])
def test_rule(service_object, kind, allowed):
    assert (applicant_kind_refusal(service_object, kind) is None) == allowed


def test_rule_names_the_service_object_and_the_applicant():
    assert applicant_kind_refusal("person", "legal", "“出生登记”") == \
        "“出生登记”的服务对象为个人（自然人），企业或其他组织（法人）不能申请"


@pytest.fixture
def enterprise(db):
    from zhengwu.accounts.services import register_legal
    from zhengwu.core.identifiers import make_id_number, make_uscc

    return register_legal(name="金水示范餐饮有限公司", uscc=make_uscc("9", "1", "410105", "MA9XKT7Q"),
                          legal_rep_name="刘企业", legal_rep_id_number=make_id_number("41010519850612234"),
                          phone="13803710002", password="Zw@test-2026x", password2="Zw@test-2026x")


@pytest.fixture
def birth_item(publish_item, make_department):
    police = make_department(name="公安分局", short_name="公安分局")
    return publish_item(police, "出生登记", service_object="person", promised_days=0, case_type="instant")


@pytest.fixture
def company_item(publish_item, dept):
    return publish_item(dept, "企业名称变更登记", service_object="legal")


def test_enterprise_may_not_apply_for_a_citizens_item(enterprise, birth_item):
    with pytest.raises(ValidationError) as exc:
        applying.create_draft(enterprise, birth_item)
    assert exc.value.message_dict == {"applicant": ["“出生登记”的服务对象为个人（自然人），企业或其他组织（法人）不能申请"]}
    assert not Case.objects.exists()


def test_citizen_may_not_apply_for_an_enterprise_item_but_may_for_both(citizen, company_item, item):
    with pytest.raises(ValidationError, match="服务对象为企业或其他组织"):
        applying.create_draft(citizen, company_item)
    assert applying.create_draft(citizen, item).pk  # the fixture item serves both


def test_api_answers_400_json_naming_the_rule(api, enterprise, birth_item):
    response = api(enterprise).post("/", {"item_id": birth_item.pk})
    assert response.status_code == 400
    assert "服务对象为个人（自然人）" in response.json()["detail"] or \
        "服务对象为个人（自然人）" in str(response.json())
    assert not Case.objects.exists()


def test_apply_page_explains_instead_of_showing_the_form(client, enterprise, birth_item):
    client.force_login(enterprise)
    page = client.get(reverse("cases:apply", args=[birth_item.pk]))
    assert page.status_code == 403
    text = page.content.decode()
    assert 'id="not-for-you"' in text and "服务对象为个人（自然人）" in text and 'id="apply-form"' not in text
    post = client.post(reverse("cases:apply", args=[birth_item.pk]), {"idempotency_key": "a" * 32, "action": "submit"})
    assert post.status_code == 403 and not Case.objects.exists()


def test_window_may_not_file_for_the_wrong_kind_of_applicant(staff_client, window_staff, enterprise, birth_item):
    client = staff_client(window_staff)
    page = client.post(reverse("cases:staff_file"), {
        "op": "start", "applicant": enterprise.applicant.pk, "item": birth_item.pk, "channel": "window",
        "idempotency_key": "k" * 32})
    assert page.status_code == 200
    assert "服务对象为个人（自然人），企业或其他组织（法人）不能申请" in page.content.decode()
    assert not Case.objects.exists()


def test_enterprise_may_not_apply_for_a_citizens_bundle(client, enterprise, district, birth_item):
    from zhengwu.catalog.models import Bundle, BundleItem

    bundle = Bundle.objects.create(region=district, name="新生儿出生一件事", status=Bundle.Status.PUBLISHED,
                                   target="person")
    BundleItem.objects.create(bundle=bundle, service_item=birth_item, seq=1)
    with pytest.raises(ValidationError, match="“新生儿出生一件事”的服务对象为个人"):
        bundle_services.apply_bundle(enterprise, bundle, form_data={}, files={}, idempotency_key="b" * 32)
    client.force_login(enterprise)
    page = client.get(reverse("cases:bundle_apply", args=[bundle.pk]))
    assert page.status_code == 403 and "新生儿出生一件事" in page.content.decode()
    assert not BundleCase.objects.exists()
