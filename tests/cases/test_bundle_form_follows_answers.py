"""The 一件事 form follows the 情形 answers (the demo 开办餐饮店一件事), on the applicant's page and
the window's (窗口代录一件事):

- every field the submit requires is marked required (* and ``required``), by the same rule;
- the fields only a skipped item needs are neither shown, required nor saved;
- an item whose 服务对象 excludes the applicant (从业人员健康证明办理 for an enterprise) is marked
  不适用 with the reason, and the 一件事 goes through without it;
- 重新选择 after a refused round keeps the typed fields still shown and the files of the materials
  still asked for; the others' kept copies are deleted.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from zhengwu.cases.models import BundleCase, Case
from zhengwu.cases.services import bundles as services

pytestmark = pytest.mark.django_db

HEALTH = "从业人员健康证明办理"
FIRE = "公众聚集场所投入使用、营业前消防安全检查"
COMPANY_ONLY = ("company_name", "company_type", "registered_capital", "legal_representative", "shareholders")
SHOP = ("个体工商户", "否", "是")  # 个体工商户, not a public venue, staff hold health certificates
NOT_FOR = "“从业人员健康证明办理”的服务对象为个人（自然人），企业或其他组织（法人）不能申请"


def staged_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT) / "cases" / "staged"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture(autouse=True)
def _no_copies_left_behind():
    before = staged_files()
    yield
    for path in staged_files() - before:
        path.unlink()


@pytest.fixture
def food(monkeypatch):
    from zhengwu.catalog import demo
    from zhengwu.catalog.demo import load as load_catalog
    from zhengwu.catalog.models import Bundle
    from zhengwu.org.demo import load as load_org

    monkeypatch.setattr(demo, "_refresh_search_index", lambda *args: "")
    load_org(io.StringIO())
    load_catalog(io.StringIO())
    return Bundle.objects.get(name="开办餐饮店一件事")


@pytest.fixture
def enterprise(db):
    from zhengwu.accounts.services import register_legal
    from zhengwu.core.identifiers import make_id_number, make_uscc

    return register_legal(name="金水示范餐饮有限公司", uscc=make_uscc("9", "1", "410105", "MA9XKT3Q"),
                          legal_rep_name="刘企业", legal_rep_id_number=make_id_number("41010519850612234"),
                          phone="13803710002", password="Zw@test-2026x", password2="Zw@test-2026x")


@pytest.fixture(params=["applicant", "window"])
def where(request):
    return request.param


def open_form(where, who, bundle, staff_client):
    """(client, url, the fields every request carries) of the applicant's page or the window's."""
    from zhengwu.accounts.models import User

    if where == "applicant":
        return staff_client(who), reverse("cases:bundle_apply", args=[bundle.pk]), {}
    clerk = User.objects.get(username="chuangkou")
    return staff_client(clerk), reverse("cases:staff_file_bundle", args=[bundle.pk]), {"applicant": who.applicant.pk}


def answers(plan, picks) -> dict[str, str]:
    """q_<id> → option id, the option of each question (in order) whose label starts with the pick."""
    return {q.field: str(next(o.pk for o in q.options if o.label.startswith(pick)))
            for q, pick in zip(plan.questions, picks, strict=True)}


def hidden(page, name) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page.content.decode())
    return found.group(1) if found else ""


def shown_fields(page) -> dict[str, bool]:
    """Field key → marked required (the * and the ``required`` attribute), as the page shows them."""
    html = page.content.decode()
    out = {}
    for block in re.split(r'(?=<div class="mb-3 zw-field")', html)[1:]:
        key = re.match(r'<div class="mb-3 zw-field" data-key="([^"]+)"', block).group(1)
        block = block.split('id="materials-section"')[0]
        star = '<span class="text-danger" aria-hidden="true">*</span>' in block
        attr = bool(re.search(r"<(input|select|textarea)[^>]* required[ >]", block))
        assert star == attr or 'type="checkbox"' in block, key
        out[key] = star
    return out


def value(prop: dict):
    if prop.get("enum"):
        return str(prop["enum"][0])
    kind = prop.get("type")
    if kind in ("number", "integer"):
        return "5"
    if prop.get("format") == "date":
        return "2026-12-01"
    return "金水区经三路68号1层老王小吃店"


def filled(plan, keys) -> dict:
    props = plan.schema["properties"]
    out = {}
    for k in keys:
        prop = props[k]
        if prop.get("type") == "array":
            out[f"f_{k}"] = [prop["items"]["enum"][0]]
        elif prop.get("type") == "boolean":
            out[f"f_{k}"] = "true"
        elif not prop.get("x-prefill"):
            out[f"f_{k}"] = value(prop)
    return out


def needed_materials(page) -> list[str]:
    """The names of the materials the page asks a file for."""
    return re.findall(r'data-material="([^"]+)">(?:(?!data-material=).)*?type="file"', page.content.decode(), re.S)


def test_every_field_the_submit_requires_is_marked_required(food, where, make_citizen, staff_client):
    citizen = make_citizen(name="王小吃")
    client, url, extra = open_form(where, citizen, food, staff_client)
    plan = services.bundle_plan(food)
    picked = answers(plan, SHOP)
    page = client.get(url, {**extra, **picked})
    fields = shown_fields(page)
    for key in ("organisation", "business_scope", "capital", "shop_address"):  # 个体工商户设立登记 requires them
        assert fields[key] is True, key
    # Submitting nothing: exactly the fields marked required (and not filled in for the applicant) are 必填.
    refused = client.post(url, {**extra, **picked, "idempotency_key": hidden(page, "idempotency_key"),
                                "upload_token": hidden(page, "upload_token")})
    html = refused.content.decode()
    assert refused.status_code == 400
    titles = {k: p["title"] for k, p in plan.schema["properties"].items()}
    demanded = {k for k in fields if f"{titles[k]}：必填" in html}
    prefilled = {k for k in fields if plan.schema["properties"][k].get("x-prefill")}
    assert demanded == {k for k, required in fields.items() if required} - prefilled
    assert "所选的选办事项需要" not in html


def test_a_skipped_items_fields_are_not_shown_required_or_saved(food, where, make_citizen, staff_client, pdf):
    citizen = make_citizen(name="王小吃")
    client, url, extra = open_form(where, citizen, food, staff_client)
    plan = services.bundle_plan(food)
    picked = answers(plan, SHOP)
    page = client.get(url, {**extra, **picked})
    html = page.content.decode()
    assert re.search(r'data-item="企业设立登记" data-selected="no"', html)
    fields = shown_fields(page)
    assert not set(COMPANY_ONLY) & set(fields)
    assert {"shop_address", "business_scope"} <= set(fields)  # shared with items handled: still asked
    assert "企业名称" not in html and "所选的选办事项需要" not in html
    files = {}
    for name in needed_materials(page):
        key = next(e.key for e in plan.pool if e.name == name)
        files[key] = pdf(f"{name}.pdf")
    response = client.post(url, {**extra, **picked, "idempotency_key": hidden(page, "idempotency_key"),
                                 "upload_token": hidden(page, "upload_token"), **filled(plan, fields),
                                 "f_company_name": "郑州某某餐饮管理有限公司", "f_shareholders": "0", **files})
    assert response.status_code == 302, re.findall(r"invalid-feedback[^>]*>(.*?)</div>", response.content.decode())
    bc = BundleCase.objects.get()
    assert not set(COMPANY_ONLY) & set(bc.form_data)
    assert all(not set(COMPANY_ONLY) & set(c.form_data) for c in bc.cases.all())
    assert "企业设立登记" not in {c.service_item.name for c in bc.cases.all()}


def test_an_item_the_applicant_may_not_apply_for_is_marked_and_left_out(food, where, enterprise, staff_client, pdf):
    client, url, extra = open_form(where, enterprise, food, staff_client)
    plan = services.bundle_plan(food)
    picked = answers(plan, ("已取得营业执照", "否", "否"))
    page = client.get(url, {**extra, **picked})
    html = page.content.decode()
    row = re.search(rf'<li[^>]*data-item="{HEALTH}" data-selected="([^"]+)"(.*?)</li>', html, re.S)
    assert row.group(1) == "not-for" and "根据情形需办理" not in row.group(2)
    assert NOT_FOR in row.group(2) and "个人身份" in row.group(2)  # and what to do: the person applies
    assert 'data-material="身份证"' not in html  # the health certificate's own material is not asked for
    # A round with a field left empty names the field only: nothing about the item is left to refuse.
    fields = shown_fields(page)
    files = {}
    for name in needed_materials(page):
        key = next(e.key for e in plan.pool if e.name == name)
        files[key] = pdf(f"{name}.pdf")
    post = {**extra, **picked, "idempotency_key": hidden(page, "idempotency_key"),
            "upload_token": hidden(page, "upload_token"), **filled(plan, fields)}
    refused = client.post(url, {**post, "f_shop_address": "", **files})
    text = refused.content.decode()
    assert refused.status_code == 400 and "经营场所：必填" in text and NOT_FOR in text
    assert "不能申请" not in "".join(re.findall(r'id="(?:item|form)-errors".*?</div>\s*</div>', text, re.S))
    response = client.post(url, {**post, "idempotency_key": hidden(refused, "idempotency_key"),
                                 "upload_token": hidden(refused, "upload_token")})
    assert response.status_code == 302, response.content.decode()[:3000]
    names = {c.service_item.name for c in BundleCase.objects.get().cases.all()}
    assert HEALTH not in names and "食品经营许可证核发" in names


def test_a_person_is_told_a_company_item_is_not_theirs(food, make_citizen, staff_client):
    """A catalogue whose 企业设立登记 serves 法人 only (the demo's serves both: founders apply as persons)."""
    from zhengwu.catalog.models import ItemVersion, ServiceItem

    company = ServiceItem.objects.get(region__code="410105000000", name="企业设立登记", handling_name="")
    ItemVersion.objects.filter(pk=company.published_version_id).update(service_object="legal")
    ServiceItem.objects.filter(pk=company.pk).update(service_object="legal")
    citizen = make_citizen(name="王小吃")
    client, url, extra = open_form("applicant", citizen, food, staff_client)
    plan = services.bundle_plan(food)
    html = client.get(url, answers(plan, ("公司等企业", "否", "是"))).content.decode()
    row = re.search(r'<li[^>]*data-item="企业设立登记" data-selected="([^"]+)"(.*?)</li>', html, re.S)
    assert row.group(1) == "not-for"
    assert "“企业设立登记”的服务对象为企业或其他组织（法人），个人（自然人）不能申请" in row.group(2)
    assert 'data-key="company_name"' not in html


def test_choosing_again_keeps_what_still_applies(food, where, make_citizen, staff_client, pdf):
    citizen = make_citizen(name="王小吃")
    client, url, extra = open_form(where, citizen, food, staff_client)
    plan = services.bundle_plan(food)
    first = answers(plan, ("个体工商户", "是", "否"))  # a public venue, health certificates to get
    page = client.get(url, {**extra, **first})
    names = needed_materials(page)
    keys = {e.name: e.key for e in plan.pool}
    before = staged_files()
    refused = client.post(url, {**extra, **first, "idempotency_key": hidden(page, "idempotency_key"),
                                "upload_token": hidden(page, "upload_token"),
                                "f_shop_address": "金水区经三路68号1层", "f_trade_name": "老王小吃",
                                **{keys[n]: pdf(f"{n}.pdf") for n in names}})
    assert refused.status_code == 400 and len(staged_files() - before) == len(names)
    # 重新选择: not a public venue, the staff hold their certificates.
    second = answers(plan, SHOP)
    again = client.post(url, {**extra, **second, "action": "rechoose",
                              "idempotency_key": hidden(refused, "idempotency_key"),
                              "upload_token": hidden(refused, "upload_token"),
                              "f_shop_address": "金水区经三路68号1层", "f_trade_name": "老王小吃"})
    html = again.content.decode()
    assert again.status_code == 200 and "：必填" not in html  # a new choice, not a refused round
    assert re.search(rf'data-item="{FIRE}" data-selected="no"', html)
    assert ">金水区经三路68号1层</textarea>" in html and 'value="老王小吃"' in html
    still = needed_materials(again)
    assert still and set(still) < set(names)
    for n in names:
        row = re.search(rf'id="staged_{keys[n]}">(.*?)</div>', html, re.S)
        assert (row is not None and f"{n}.pdf" in row.group(1)) == (n in still), n
    assert len(staged_files() - before) == len(still)  # the others' copies deleted
    # The kept files go in with the next round.
    fields = shown_fields(again)
    response = client.post(url, {**extra, **second, "idempotency_key": hidden(again, "idempotency_key"),
                                 "upload_token": hidden(again, "upload_token"), **filled(plan, fields)})
    assert response.status_code == 302, response.content.decode()[:3000]
    bc = BundleCase.objects.get()
    assert FIRE not in {c.service_item.name for c in bc.cases.all()}
    attached = set(Case.objects.filter(bundle_case=bc).values_list("materials__original_name", flat=True))
    assert attached == {f"{n}.pdf" for n in still}
    assert staged_files() - before == set()


def test_answers_changed_without_choosing_again_draw_the_page_again(food, make_citizen, staff_client):
    """Enter pressed after changing an answer posts the form with the new answers: the page is
    drawn for them (their items, fields and materials shown), nothing submitted or refused."""
    citizen = make_citizen(name="王小吃")
    client, url, _extra = open_form("applicant", citizen, food, staff_client)
    plan = services.bundle_plan(food)
    page = client.get(url, answers(plan, SHOP))
    assert hidden(page, "answered")
    response = client.post(url, {**answers(plan, ("个体工商户", "是", "是")), "answered": hidden(page, "answered"),
                                 "idempotency_key": hidden(page, "idempotency_key"),
                                 "upload_token": hidden(page, "upload_token")})
    html = response.content.decode()
    assert response.status_code == 200 and "：必填" not in html and not BundleCase.objects.exists()
    assert re.search(rf'data-item="{FIRE}" data-selected="yes"', html)
