"""The 个体工商户's 营业执照 prints its own face: 统一社会信用代码, 名称, 类型, 经营者, 组成形式, 经营场所,
经营范围, 注册日期 — no 法定代表人 nor 注册资本 (《市场主体登记管理条例实施细则》第六条: a 个体工商户 registers
组成形式、经营范围、经营场所 and its 经营者; the national 个体工商户 营业执照 face prints these). The
企业's face is unchanged. 资金数额 is not printed but kept on the case's record of the entity."""

from __future__ import annotations

import shutil

import pytest

from .test_demo_licence_faces import SOLE_TRADER_FORM, SHOP, _conclude, _face, _item, _pdf_text, demo  # noqa: F401

pytestmark = pytest.mark.django_db

SOLE_LABELS = ["统一社会信用代码", "名称", "类型", "经营者", "组成形式", "经营场所", "经营范围", "注册日期"]


def _labels_in(text: str, labels) -> list[str]:
    return [label for label in labels if any(ln.strip().startswith(label) for ln in text.splitlines())]


def test_a_sole_traders_licence_prints_the_sole_trader_face(demo, make_citizen, make_staff, tmp_path):  # noqa: F811
    from zhengwu.cases.models import CaseResult

    citizen = make_citizen(name="王小吃")
    case = _conclude(citizen, _item("个体工商户设立登记"), SOLE_TRADER_FORM, make_staff)
    lic, face = _face(case)
    assert list(face) == SOLE_LABELS
    assert face["经营者"] == "王小吃" and face["经营场所"] == SHOP and face["类型"] == "个体工商户"
    assert face["组成形式"] == "个人经营" and face["注册日期"] == lic.issued_on.isoformat()
    entity = CaseResult.objects.get(case=case).licence_payload["entity"]
    assert entity["capital"] == "5" and entity["operator"] == "王小吃"  # 资金数额（万元）: recorded, not printed
    if shutil.which("pdftotext"):
        text = _pdf_text(lic, tmp_path)
        assert _labels_in(text, SOLE_LABELS) == SOLE_LABELS, text
        assert not _labels_in(text, ["法定代表人", "注册资本", "住所（经营场所）"]), text
        line = next(ln for ln in text.splitlines() if ln.strip().startswith("经营者"))
        assert "王小吃" in line


def test_a_companys_licence_keeps_the_company_face(demo, make_staff, tmp_path):  # noqa: F811
    from zhengwu.accounts.services import register_legal
    from zhengwu.core.identifiers import make_id_number, make_uscc

    company = register_legal(name="金水示范餐饮有限公司", uscc=make_uscc("9", "1", "410105", "MA9XKT7Q"),
                             legal_rep_name="刘企业", legal_rep_id_number=make_id_number("41010519850612234"),
                             phone="13803710002", password="Zw@test-2026x", password2="Zw@test-2026x")
    form = {"company_name": "郑州老王餐饮管理有限公司", "company_type": "自然人独资有限责任公司",
            "registered_capital": 50, "legal_representative": "王小吃", "shop_address": SHOP,
            "business_scope": "餐饮服务", "shareholders": 1}
    lic, face = _face(_conclude(company, _item("企业设立登记"), form, make_staff))
    assert "经营者" not in face and face["法定代表人"] == "王小吃" and face["住所（经营场所）"] == SHOP
    if shutil.which("pdftotext"):
        text = _pdf_text(lic, tmp_path)
        company_rows = ["名称", "统一社会信用代码", "类型", "法定代表人", "组成形式", "注册资本（万元）",
                        "住所（经营场所）", "经营范围", "登记日期"]
        assert _labels_in(text, company_rows) == company_rows and not _labels_in(text, ["经营者", "注册日期"]), text


def test_variant_rules():
    from zhengwu.licenses import rules

    schema = [{"key": k, "label": k.upper(), "type": "string"} for k in ("a", "b", "kind", "op")]
    template = {"field_order": ["a", "b", "kind"],
                "variants": [{"when": {"kind": "个体工商户"}, "fields": ["b", "kind", "op"], "labels": {"b": "经营场所"}}]}
    assert [f["key"] for f in rules.printed_fields(template, schema, {"kind": "有限责任公司"})] == ["a", "b", "kind"]
    sole = rules.printed_fields(template, schema, {"kind": "个体工商户"})
    assert [(f["key"], f["label"]) for f in sole] == [("b", "经营场所"), ("kind", "KIND"), ("op", "OP")]
    assert rules.template_problems(template, schema) == []
    bad = {"variants": [{"when": {"nope": "x"}, "fields": ["a", "zz"], "labels": {"a": ""}}]}
    problems = rules.template_problems(bad, schema)
    assert any("nope" in p for p in problems) and any("zz" in p for p in problems) and len(problems) == 3


def test_editing_a_type_keeps_its_variants(demo):  # noqa: F811
    from zhengwu.licenses import forms
    from zhengwu.licenses.models import LicenceType
    from zhengwu.licenses.services import types

    t = LicenceType.objects.get(name="营业执照")
    variants = t.template["variants"]
    data = forms.type_initial(t)  # what the editor posts back unchanged
    t = types.update_type(None, t.pk, t.lock_version, data)
    assert t.template["variants"] == variants


def test_an_earlier_demo_business_licence_type_is_brought_up_to_date(demo):  # noqa: F811
    """A database whose 营业执照 type is as the previous demo made it gets the 经营者 field and the
    个体工商户 face when the demo loads again."""
    from zhengwu.licenses import demo as licence_demo
    from zhengwu.licenses.models import LicenceType

    t = LicenceType.objects.get(name="营业执照")
    previous = [f for f in t.fields_schema if f["key"] != "operator"]
    LicenceType.objects.filter(pk=t.pk).update(fields_schema=previous,
                                               template={"title": "营业执照",
                                                         "field_order": [f["key"] for f in previous]})
    licence_demo.ensure_types()
    t.refresh_from_db()
    assert "operator" in {f["key"] for f in t.fields_schema} and t.template["variants"]
    assert "operator" not in t.template["field_order"]


def _editor_post(t) -> dict:
    """What the type editor posts back unchanged (its inputs as the page fills them)."""
    from zhengwu.licenses import forms

    data = forms.type_initial(t)
    post = {"name": data["name"], "code": data["code"], "holder_kind": data["holder_kind"],
            "departments": data["departments"], "validity_years": data["validity_years"], "title": data["title"],
            "field_order": ",".join(data["field_order"]), "seal_x": data["seal_x"], "seal_y": data["seal_y"],
            "lock_version": str(t.lock_version), **({"is_active": "on"} if data["is_active"] else {})}
    for i, f in enumerate(data["fields_schema"]):
        post.update({f"field-{i}-key": f["key"], f"field-{i}-label": f["label"], f"field-{i}-type": f["type"],
                     f"field-{i}-default": f.get("default") or "", **({f"field-{i}-required": "on"}
                                                                        if f.get("required") else {})})
    return post


def test_the_type_editor_shows_the_variant_and_saving_keeps_it(demo, make_staff):  # noqa: F811
    """An administrator saw nothing of the 个体工商户 face on the 营业执照's edit page: the page now shows
    each 版式变体 read-only (its condition and the rows it prints), and saving the page keeps it."""
    import re

    from django.test import Client
    from django.urls import reverse

    from zhengwu.licenses.models import LicenceType

    t = LicenceType.objects.get(name="营业执照")
    variants = t.template["variants"]
    c = Client()
    c.force_login(make_staff("sysadmin"))
    html = c.get(reverse("licenses:staff_type_edit", args=[t.pk])).content.decode()
    card = html[html.index('id="type-variants"'):]
    card = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", card[:card.index("</section>")]))
    assert "版式变体：当类型=个体工商户时，照面为：" + "、".join(SOLE_LABELS) in card, card
    assert "经营场所（照面信息项：住所（经营场所））" in card and "注册日期（照面信息项：登记日期）" in card, card
    assert "其他证照不打印：经营者" in card, card  # the field only the variant prints

    r = c.post(reverse("licenses:staff_type_edit", args=[t.pk]), _editor_post(t))
    assert r.status_code == 302, r.content.decode()[:2000]
    t.refresh_from_db()
    assert t.template["variants"] == variants and t.lock_version == 1


def test_a_type_without_variants_shows_no_variant_card(demo, make_staff):  # noqa: F811
    from django.test import Client
    from django.urls import reverse

    from zhengwu.licenses.models import LicenceType

    t = LicenceType.objects.get(name="居民身份证")
    c = Client()
    c.force_login(make_staff("sysadmin"))
    assert 'id="type-variants"' not in c.get(reverse("licenses:staff_type_edit", args=[t.pk])).content.decode()
