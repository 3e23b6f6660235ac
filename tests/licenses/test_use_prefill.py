"""少填: when the application form reuses a held e-licence for a material (已调用电子证照), the form's
fields that the licence states (same key, or 住所 from the 营业执照's 住所（经营场所）) are filled from it,
marked 来自电子证照：营业执照 and still editable; never from a licence the applicant does not hold."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.licenses import use_factories as uf
from zhengwu.cases.models import Case
from zhengwu.catalog.models import Material

pytestmark = pytest.mark.django_db
ADDRESS = "河南省郑州市金水区经三路68号"
FORM = {"type": "object", "x-order": ["applicant_name", "uscc", "residence", "shop_address", "main_business", "area"],
        "properties": {
            "applicant_name": {"type": "string", "title": "申请人", "x-prefill": "name"},
            "uscc": {"type": "string", "title": "统一社会信用代码", "x-prefill": "uscc"},
            "residence": {"type": "string", "title": "住所", "maxLength": 200},
            "shop_address": {"type": "string", "title": "经营场所", "maxLength": 200},
            "main_business": {"type": "string", "title": "主体业态", "enum": ["食品销售经营者", "餐饮服务经营者"]},
            "area": {"type": "number", "title": "经营场所面积（平方米）"}}}


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
    si = publish_item(market, "食品经营许可证核发", service_object="legal", form_schema=FORM,
                      materials=[("食品经营许可申请书", "required"), ("营业执照", "required")])
    Material.objects.filter(version=si.published_version, name="营业执照").update(
        licence_type=licence_type, license_type=licence_type.name, source="government")
    return si


def _with_face(lic, **face):
    lic.data = json.dumps(face, ensure_ascii=False)
    lic.save()
    return lic


def _field(html: str, key: str) -> str:
    """The form group of field ``key``: its input and its note."""
    start = html.index(f'data-key="{key}"')
    return html[start:html.index('class="mb-3 zw-field"', start) if 'class="mb-3 zw-field"' in html[start:] else None]


def _shows(group: str, value: str) -> bool:
    return f'value="{value}"' in group or f">{value}</textarea>" in group


def _valid(**kw):
    return {"valid_until": timezone.localdate() + dt.timedelta(days=300), **kw}


def test_residence_and_shop_address_come_from_the_reused_business_licence(item, market, licence_type):
    company = uf.company()
    _with_face(uf.licence(licence_type, issuer=market, applicant=company.applicant, **_valid()),
               name=company.applicant.name, uscc=company.applicant.uscc, shop_address=ADDRESS,
               main_business="not a choice", area="")
    html = login(company).get(reverse("cases:apply", args=[item.pk])).content.decode()
    assert "已调用电子证照：营业执照" in html
    for key in ("residence", "shop_address"):
        group = _field(html, key)
        assert _shows(group, ADDRESS) and "来自电子证照：营业执照" in group
        assert "readonly" not in group  # editable
    assert "来自电子证照" not in _field(html, "main_business")  # a value the field does not take is left out
    uscc = _field(html, "uscc")  # the applicant's record still fills (and fixes) its own fields
    assert f'value="{company.applicant.uscc}"' in uscc and "readonly" in uscc and "来自电子证照" not in uscc


def test_a_prefilled_value_may_be_changed(item, market, licence_type):
    company = uf.company()
    _with_face(uf.licence(licence_type, issuer=market, applicant=company.applicant, **_valid()), shop_address=ADDRESS)
    client = login(company)
    page = client.get(reverse("cases:apply", args=[item.pk]))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page.content.decode()).group(1)
    client.post(reverse("cases:apply", args=[item.pk]), {
        "idempotency_key": key, "action": "save", "f_residence": "郑州市金水区农业路8号", "f_shop_address": ADDRESS})
    case = Case.objects.get()
    assert case.form_data["residence"] == "郑州市金水区农业路8号" and case.form_data["shop_address"] == ADDRESS
    html = client.get(reverse("cases:edit", args=[case.pk])).content.decode()
    assert "来自电子证照" not in _field(html, "residence")  # changed: no longer the licence's
    assert "来自电子证照：营业执照" in _field(html, "shop_address")


def test_never_from_a_licence_the_applicant_does_not_hold(item, market, licence_type):
    holder, other = uf.company(), uf.company(name="郑州另一家餐饮有限公司")
    _with_face(uf.licence(licence_type, issuer=market, applicant=holder.applicant, **_valid()), shop_address=ADDRESS)
    html = login(other).get(reverse("cases:apply", args=[item.pk])).content.decode()
    assert "已调用电子证照" not in html and ADDRESS not in html and "来自电子证照" not in html


def test_not_from_a_licence_that_cannot_be_reused(item, market, licence_type):
    company = uf.company()
    _with_face(uf.licence(licence_type, issuer=market, applicant=company.applicant,
                          valid_until=timezone.localdate() - dt.timedelta(days=1)), shop_address=ADDRESS)
    html = login(company).get(reverse("cases:apply", args=[item.pk])).content.decode()
    assert "已调用电子证照" not in html and ADDRESS not in html
