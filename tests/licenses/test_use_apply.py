"""免提交 when applying: a held valid 营业执照 stands in for the material online, at the window and
through the API; an expired or revoked one does not; the clerk sees the licence; the holder sees
the use."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.helpers import ApiClient
from tests.licenses import use_factories as uf
from zhengwu.cases.models import Case, CaseMaterial
from zhengwu.cases.services import applying
from zhengwu.catalog.models import Material
from zhengwu.core.models import AuditEvent
from zhengwu.licenses.models import LicenceUse

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="申请书.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def login(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def market(make_department):
    return make_department(name="市场监管局")


@pytest.fixture
def licence_type(db):
    return uf.licence_type("营业执照", "legal")


@pytest.fixture
def item(publish_item, market, licence_type):
    si = publish_item(market, "户外招牌设置审批", service_object="legal",
                      materials=[("招牌设置申请书", "required"), ("营业执照", "required")])
    Material.objects.filter(version=si.published_version, name="营业执照").update(
        licence_type=licence_type, license_type=licence_type.name, source="government")
    return si


@pytest.fixture
def company(db):
    return uf.company()


def field_of(item, name):
    return f"m_{item.published_version.materials.get(name=name).pk}"


def key_of(response) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def until_text(day: dt.date) -> str:
    return f"{day:%Y年%m月%d日}"


def test_online_with_a_valid_licence_asks_no_upload_and_records_the_use(item, company, market, licence_type,
                                                                       make_staff):
    until = timezone.localdate() + dt.timedelta(days=300)
    lic = uf.licence(licence_type, issuer=market, applicant=company.applicant, valid_until=until)
    client = login(company)
    page = client.get(reverse("cases:apply", args=[item.pk]))
    html = page.content.decode()
    licence_field = field_of(item, "营业执照")
    assert f"已调用电子证照：营业执照（有效期至{until_text(until)}）" in html
    assert f'name="{licence_field}"' not in html  # no upload box for it
    assert f'name="{field_of(item, "招牌设置申请书")}"' in html
    response = client.post(reverse("cases:apply", args=[item.pk]), {
        "idempotency_key": key_of(page), "action": "submit", field_of(item, "招牌设置申请书"): pdf()})
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert case.state == "submitted" and case.number
    use = LicenceUse.objects.get()
    assert (use.licence, use.case, use.material_name, use.channel, use.used_by, use.department) == (
        lic, case, "营业执照", "online", company, market)
    assert list(CaseMaterial.objects.filter(case=case).values_list("name", flat=True)) == ["招牌设置申请书"]
    # The clerk sees which licence stood in, and opening it is audited.
    clerk = make_staff("window", department=market)
    staff_page = login(clerk).get(reverse("cases:staff_case", args=[case.pk])).content.decode()
    assert f"电子证照：营业执照 {lic.number} 有效期至{until_text(until)}" in staff_page
    link = reverse("licenses:use_licence", args=[use.pk])
    assert link in staff_page
    shown = login(clerk).get(link)
    assert shown.status_code == 200 and lic.identifier in shown.content.decode()
    assert AuditEvent.objects.filter(action="licenses.use.view", object_id=str(lic.pk)).count() == 1
    # Someone who may not open the case may not open the licence either.
    other = make_staff("window", department=uf_other_department(market))
    assert login(other).get(link).status_code == 403


def uf_other_department(market):
    from zhengwu.org.models import Department

    return Department.objects.create(name="卫生健康委", region=market.region)


@pytest.mark.parametrize("status,until_days,reason", [
    ("valid", -1, "已过期（有效期至{until}），请上传"),
    ("expired", -10, "已过期（有效期至{until}），请上传"),
    ("revoked", 100, "已吊销，请上传"),
])
def test_an_unusable_licence_asks_for_the_upload_with_the_reason(item, company, market, licence_type, status,
                                                                 until_days, reason):
    until = timezone.localdate() + dt.timedelta(days=until_days)
    uf.licence(licence_type, issuer=market, applicant=company.applicant, valid_until=until, status=status)
    client = login(company)
    page = client.get(reverse("cases:apply", args=[item.pk]))
    html = page.content.decode()
    assert "您的营业执照电子证照" + reason.format(until=until_text(until)) in html
    assert f'name="{field_of(item, "营业执照")}"' in html and "已调用电子证照" not in html
    response = client.post(reverse("cases:apply", args=[item.pk]), {
        "idempotency_key": key_of(page), "action": "submit", field_of(item, "招牌设置申请书"): pdf()})
    assert response.status_code == 400 and "缺少必要材料：营业执照" in response.content.decode()
    assert Case.objects.get().state == "draft" and not LicenceUse.objects.exists()


def test_someone_elses_licence_or_the_wrong_holder_kind_is_not_used(item, company, market, licence_type,
                                                                    make_citizen):
    other = uf.company(name="别家公司")
    uf.licence(licence_type, issuer=market, applicant=other.applicant)
    case = applying.create_draft(company, item)
    applying.upload_material(company, case, pdf(), name="招牌设置申请书")
    case.refresh_from_db()
    with pytest.raises(Exception) as exc:
        applying.submit(company, case, case.lock_version)
    assert "缺少必要材料：营业执照" in str(exc.value)
    # A person holding a licence of a 法人 type (bad data) never gets it used.
    person = make_citizen()
    number = person.applicant.id_number.reveal_unaudited()
    uf.licence(licence_type, issuer=market, holder_id_number=number)
    from zhengwu.licenses import use

    assert use.held_licences(person.applicant, [licence_type.pk]) == []
    assert not LicenceUse.objects.exists()


def test_window_filing_uses_the_licence_with_channel_window(item, company, market, licence_type, make_staff):
    lic = uf.licence(licence_type, issuer=market, applicant=company.applicant, valid_until=None)
    clerk = make_staff("window", department=market)
    client = login(clerk)
    client.post(reverse("cases:staff_file"), {"op": "start", "applicant": company.applicant.pk, "item": item.pk,
                                              "channel": "window", "idempotency_key": "w1"})
    case = Case.objects.get()
    url = reverse("cases:staff_file_draft", args=[case.pk])
    page = client.get(url).content.decode()
    assert "已调用电子证照：营业执照（长期有效）" in page and f'name="file_{item.published_version.materials.get(name="营业执照").pk}"' not in page
    response = client.post(url, {"lock_version": case.lock_version, "op": "submit",
                                 f"file_{item.published_version.materials.get(name='招牌设置申请书').pk}": pdf()})
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.state == "submitted"
    use = LicenceUse.objects.get()
    assert (use.licence, use.channel, use.used_by, use.material_name) == (lic, "window", clerk, "营业执照")
    assert "窗口代录" in use.used_by_name


def test_api_submission_counts_the_licence_and_the_detail_lists_it(item, company, market, licence_type):
    lic = uf.licence(licence_type, issuer=market, applicant=company.applicant,
                     valid_until=timezone.localdate() + dt.timedelta(days=30))
    api = ApiClient(company, base="/api/v1/cases/")
    created = api.post("", {"item_id": item.pk})
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    material = item.published_version.materials.get(name="招牌设置申请书")
    up = api.client.post(api.url(f"{case_id}/materials"), {"file": pdf(), "material_id": material.pk},
                         headers=api.headers)
    assert up.status_code == 201, up.content
    lock = Case.objects.get(pk=case_id).lock_version
    submitted = api.post(f"{case_id}/submit", {"lock_version": lock})
    assert submitted.status_code == 200, submitted.content
    uses = submitted.json()["licence_uses"]
    assert [(u["material_name"], u["licence_number"], u["channel"]) for u in uses] == [
        ("营业执照", lic.number, "online")]
    assert api.get(f"{case_id}").json()["licence_uses"][0]["licence_identifier"] == lic.identifier
    # Submitting again (a retry) does not use the licence twice.
    api.post(f"{case_id}/submit", {"lock_version": lock})
    assert LicenceUse.objects.count() == 1


def test_the_holder_sees_who_used_their_licences_and_nobody_else_does(item, company, market, licence_type):
    uf.licence(licence_type, issuer=market, applicant=company.applicant)
    case = applying.create_draft(company, item)
    applying.upload_material(company, case, pdf(), name="招牌设置申请书")
    case.refresh_from_db()
    case = applying.submit(company, case, case.lock_version)
    detail = login(company).get(reverse("cases:my_case", args=[case.pk])).content.decode()
    assert "营业执照：已调用电子证照 营业执照" in detail
    page = login(company).get(reverse("licenses:my_uses")).content.decode()
    assert case.number in page and "市场监管局" in page and "营业执照" in page and "网上申请" in page
    stranger = uf.company(name="路人公司")
    assert case.number not in login(stranger).get(reverse("licenses:my_uses")).content.decode()
    assert Client().get(reverse("licenses:my_uses")).status_code == 302  # login first


def test_missing_required_counts_a_usable_licence_before_submission(item, company, market, licence_type):
    uf.licence(licence_type, issuer=market, applicant=company.applicant)
    case = applying.create_draft(company, item)
    assert applying.missing_required(case) == ["招牌设置申请书"]




def test_a_bundle_application_uses_the_licence_for_every_item_needing_it(publish_item, item, company, market,
                                                                         licence_type, district):
    from zhengwu.catalog.models import Bundle, BundleItem
    from zhengwu.cases.services import bundles

    fire = publish_item(market, "消防安全检查", service_object="legal",
                        materials=[("营业执照", "required"), ("消防安全制度", "required")])
    Material.objects.filter(version=fire.published_version, name="营业执照").update(
        licence_type=licence_type, license_type=licence_type.name)
    b = Bundle.objects.create(region=district, name="开办门店一件事", status=Bundle.Status.PUBLISHED, target="both")
    BundleItem.objects.create(bundle=b, service_item=item, seq=1)
    BundleItem.objects.create(bundle=b, service_item=fire, seq=2)
    uf.licence(licence_type, issuer=market, applicant=company.applicant)
    page = login(company).get(reverse("cases:bundle_apply", args=[b.pk])).content.decode()
    assert "已调用电子证照：营业执照（长期有效）" in page
    plan = bundles.bundle_plan(b)
    keys = {e.name: e.key for e in plan.pool}
    assert 'name="%s"' % keys["营业执照"] not in page
    bc = bundles.apply_bundle(company, b, form_data={}, idempotency_key="b" * 32,
                              files={keys["招牌设置申请书"]: pdf(), keys["消防安全制度"]: pdf("制度.pdf")})
    cases = list(Case.objects.filter(bundle_case=bc))
    assert len(cases) == 2 and all(c.state == "submitted" for c in cases)
    assert sorted(LicenceUse.objects.values_list("case__service_item__name", flat=True)) == [
        "户外招牌设置审批", "消防安全检查"]
