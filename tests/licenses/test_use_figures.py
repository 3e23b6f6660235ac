"""电子证照指标: 制证量, 用证次数, 免提交材料数 by department and month, scoped, with an export."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.licenses import use_factories as uf
from zhengwu.licenses import figures
from zhengwu.licenses.models import LicenceUse

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def data(make_department, make_staff, publish_item):
    """市场监管局 issued 3 licences this month and 1 last month; its cases used licences twice this
    month (2 materials) and another system looked one up once; 卫健委 issued 1."""
    from zhengwu.cases.models import Case

    market = make_department(name="市场监管局")
    health = make_department(name="卫生健康委")
    lt = uf.licence_type("营业执照", "legal")
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = figures.add_months(this_month, -1)
    lics = [uf.licence(lt, issuer=market, holder_uscc=f"9141010500000000{i:02d}", issued_on=this_month)
            for i in range(3)]
    uf.licence(lt, issuer=market, holder_uscc="914101050000000099", issued_on=last_month)
    uf.licence(lt, issuer=health, holder_uscc="914101050000000098", issued_on=this_month)
    item = publish_item(market, "户外招牌设置审批")
    company = uf.company()
    case = Case.objects.create(service_item=item, item_version=item.published_version, department=market,
                               region=market.region, applicant=company.applicant)
    for name in ("营业执照", "食品经营许可证"):
        LicenceUse.objects.create(licence=lics[0], case=case, material_name=name, channel="online",
                                  department=market)
    LicenceUse.objects.create(licence=lics[1], channel="api", department=market, used_by_name="不动产登记系统")
    return {"market": market, "health": health, "this_month": this_month, "last_month": last_month}


def test_figures_by_department_and_month(data, make_staff):
    leader = make_staff("leader")
    report = figures.licence_figures(leader, start=data["last_month"], end=data["this_month"])
    rows = {(r.department, r.month): (r.issued, r.uses, r.exempted) for r in report.rows}
    assert rows == {("市场监管局", data["last_month"]): (1, 0, 0), ("市场监管局", data["this_month"]): (3, 3, 2),
                    ("卫生健康委", data["this_month"]): (1, 0, 0)}
    assert (report.total.issued, report.total.uses, report.total.exempted) == (5, 3, 2)


def test_a_department_admin_sees_their_department_only(data, make_staff):
    admin = make_staff("dept_admin", department=data["health"])
    report = figures.licence_figures(admin, start=data["last_month"], end=data["this_month"])
    assert [(r.department, r.issued, r.uses) for r in report.rows] == [("卫生健康委", 1, 0)]


def test_the_page_its_roles_its_period_check_and_the_export(data, make_staff):
    from openpyxl import load_workbook

    url = reverse("licenses:use_figures")
    assert login(make_staff("window")).get(url).status_code == 403
    client = login(make_staff("supervisor"))
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "免提交材料数" in html and "市场监管局" in html
    bad = client.get(url, {"start": "2026-13", "end": "2026-01"})
    assert bad.status_code == 400 and "开始月份格式不正确" in bad.content.decode()
    too_long = client.get(url, {"start": "2020-01", "end": "2026-01"})
    assert too_long.status_code == 400 and "统计期不能超过24个月" in too_long.content.decode()
    month = f"{data['this_month']:%Y-%m}"
    xlsx = client.get(reverse("licenses:use_figures_export"), {"start": month, "end": month})
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert values[0] == ["部门", "月份", "制证量", "用证次数", "免提交材料数"]
    assert ["市场监管局", month, 3, 3, 2] in values and values[-1] == ["合计", None, 4, 3, 2]


def test_the_menu_offers_the_page_to_leaders(make_staff):
    from zhengwu.workbench.menu import entries_for

    leader = make_staff("leader")
    assert "licenses:use_figures" in [e["entry"].url_name for e in entries_for(leader)]
    assert "licenses:use_figures" not in [e["entry"].url_name for e in entries_for(make_staff("window"))]


