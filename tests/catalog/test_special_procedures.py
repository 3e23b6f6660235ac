"""特别程序 of a 办事指南: only what 《中华人民共和国行政许可法》第四十五条 names (听证、招标、拍卖、检验、检测、
检疫、鉴定、专家评审) stops the clock — the same list the workbench's 特别程序 form offers. A guide may
list another procedure (现场核查), marked 计入办理时限, but may not promise that its time is not
counted: the case handling would never stop the clock for it."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from zhengwu.catalog import rules, special_rules

from .search_fixtures import make_published_item, search_catalogue  # noqa: F401
from .test_workbench_catalog_views import admin_client, guide_post, url  # noqa: F401


def _sp(name, days=2, description=""):
    return {"special_procedures": [{"name": name, "days": days, "description": description}]}


# -- rules ------------------------------------------------------------------------------------------
def test_a_clock_stop_promised_for_a_counted_procedure_is_refused():
    check = rules.check_guide(_sp("现场核查", 2, "对经营场所进行现场核查，核查时间不计入办理时限"))
    [message] = check.errors["special_procedures"]
    assert "特别程序第1项“现场核查”" in message and "第四十五条" in message and "计入办理时限" in message
    assert "听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审" in message
    for claim in ("公示期不计入时限", "评估时间不计算在审批期限内", "期间暂停计时"):
        assert not rules.check_guide(_sp("公示", 20, claim)).ok, claim


def test_a_counted_procedure_is_flagged_and_article_45_ones_pass():
    check = rules.check_guide(_sp("现场核查", 2, "对经营场所、设施设备进行现场核查"))
    assert check.ok
    assert any("特别程序第1项“现场核查”" in w and "第四十五条" in w and "计入办理时限" in w for w in check.warnings)
    check = rules.check_guide({"special_procedures": [
        {"name": "听证", "days": 10, "description": "依法组织听证，听证时间不计入办理时限"},
        {"name": "技术鉴定", "days": 15, "description": "鉴定时间不计入时限"}, {"name": "专家评审", "days": None}]})
    assert check.ok and check.warnings == []
    assert [r["stops_clock"] for r in special_rules.shown([{"name": "听证", "days": 5}, {"name": "现场核查"}])] \
        == [True, False]


# -- the editor -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_editor_refuses_the_promise_and_warns_of_a_counted_procedure(admin_client, department):  # noqa: F811
    from zhengwu.catalog.models import ServiceItem

    post = guide_post(department=department.pk, **{
        "special_procedures-0-name": "现场核查", "special_procedures-0-days": "2",
        "special_procedures-0-description": "核查时间不计入办理时限"})
    response = admin_client.post(url("wb_item_new"), post)
    assert response.status_code == 200 and not ServiceItem.objects.exists()
    [error] = response.context["form"].errors["special_procedures"]
    assert "不是《中华人民共和国行政许可法》第四十五条规定的特别程序" in error
    post["special_procedures-0-description"] = "对经营场所进行现场核查"
    response = admin_client.post(url("wb_item_new"), post)
    item = ServiceItem.objects.get()
    assert response.status_code == 302
    page = admin_client.get(url("wb_item_detail", item.pk)).content.decode()
    assert "现场核查（2个工作日，计入办理时限）" in page and "不计入办理时限" not in page
    assert 'id="guide-warnings"' in page and "宜写入办理流程" in page


@pytest.mark.django_db
def test_the_service_refuses_the_promise_too(department, item_admin):
    from django.core.exceptions import ValidationError

    from zhengwu.catalog.services import items as svc

    from .conftest import complete_guide

    with pytest.raises(ValidationError) as exc:
        svc.create_item(item_admin, department=department, data=complete_guide(
            special_procedures=[{"name": "现场勘验", "days": 5, "description": "勘验时间不计入办理时限"}]))
    assert "第四十五条" in str(exc.value.message_dict["special_procedures"])


# -- the guide ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_guide_says_counted_for_a_counted_procedure(client, search_catalogue):  # noqa: F811
    from zhengwu.catalog.models import ItemVersion

    item = search_catalogue.item("出生登记")
    ItemVersion.objects.filter(pk=item.published_version_id).update(special_procedures=[
        {"name": "现场核查", "days": 2, "description": "对场所进行核查"},
        {"name": "听证", "days": 10, "description": "依法组织听证"}])
    page = client.get(reverse("catalog:item_guide", args=[item.pk])).content.decode()
    special = page[page.index('id="guide-special"'):page.index('id="guide-scope"')]
    assert "现场核查</strong>（2个工作日，计入办理时限）" in special
    assert "听证</strong>（10个工作日，不计入办理时限）" in special


# -- the demo -------------------------------------------------------------------------------------------
def test_no_demo_guide_promises_a_clock_stop_the_system_will_not_apply():
    from zhengwu.catalog.demo import build_records

    for rec in build_records():
        errors, _warnings = special_rules.problems(rec.version["special_procedures"])
        assert errors == [], (rec.version["name"], errors)
        if rec.version["name"] == "食品经营许可证核发":
            assert rec.version["special_procedures"] == []  # its 现场核查 is a step of the 办理流程 (2 of 3 days)
            assert [s["name"] for s in rec.version["process_steps"]].count("现场核查") == 1


@pytest.mark.django_db
def test_the_demo_food_licence_guide(client, monkeypatch):
    from zhengwu.catalog import demo
    from zhengwu.catalog.models import ServiceItem
    from zhengwu.org.demo import load as load_org

    monkeypatch.setattr(demo, "_refresh_search_index", lambda *args: "")
    load_org(io.StringIO())
    demo.load(io.StringIO())
    item = ServiceItem.objects.get(region__code="410105000000", name="食品经营许可证核发", handling_name="")
    page = client.get(reverse("catalog:item_guide", args=[item.pk])).content.decode()
    assert "不计入办理时限" not in page and "现场核查" in page



@pytest.mark.django_db
def test_an_existing_demo_install_gets_the_corrected_guides(monkeypatch, capsys):
    """Migration catalog.0013: a demo guide that still promises 公示期不计入办理时限, or lists the food
    licence's 现场核查 as a 特别程序, takes the demo's corrected text; a guide not made by the demo is
    left alone."""
    import importlib

    from django.apps import apps

    from zhengwu.catalog import demo
    from zhengwu.catalog.models import ItemVersion, ServiceItem
    from zhengwu.org.demo import load as load_org

    migration = importlib.import_module("zhengwu.catalog.migrations.0014_demo_guides_clock_stops")
    monkeypatch.setattr(demo, "_refresh_search_index", lambda *args: "")
    load_org(io.StringIO())
    demo.load(io.StringIO())
    old = [{"name": "公示", "days": 20, "description": "通过国家企业信用信息公示系统公示20日，公示期不计入办理时限"}]
    item = ServiceItem.objects.get(region__code="410105000000", name="企业简易注销登记")
    ItemVersion.objects.filter(pk=item.published_version_id).update(special_procedures=old)
    own = ServiceItem.objects.get(region__code="410105000000", name="企业注销登记")
    ItemVersion.objects.filter(pk=own.published_version_id).update(special_procedures=old, change_note="本局修订")
    food = ServiceItem.objects.get(region__code="410105000000", name="食品经营许可证核发")
    ItemVersion.objects.filter(pk=food.published_version_id).update(special_procedures=[
        {"name": "现场核查", "days": 2, "description": "对经营场所、设施设备、布局流程进行现场核查"}])
    before = item.updated_at
    migration.forwards(apps, None)
    v = ItemVersion.objects.get(pk=item.published_version_id)
    assert v.special_procedures == [] and "公示20日" in v.acceptance_conditions
    assert ItemVersion.objects.get(pk=food.published_version_id).special_procedures == []
    assert ServiceItem.objects.get(pk=item.pk).updated_at > before
    assert ItemVersion.objects.get(pk=own.published_version_id).special_procedures == old
    out = capsys.readouterr().out
    assert "企业简易注销登记" in out and "食品经营许可证核发" in out
    migration.forwards(apps, None)  # nothing left to do
    assert capsys.readouterr().out == ""
