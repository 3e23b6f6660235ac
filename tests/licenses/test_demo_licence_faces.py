"""The demo items that issue a licence put on its face what the applicant filled in and a real licence
prints: 食品经营许可证核发 applied for online, accepted, approved → the 食品经营许可证 (its 照面信息 and
its sealed PDF) carries 经营场所, 主体业态, 经营项目, 法定代表人（负责人）, 住所, 日常监督管理机构 and
投诉举报电话 (《食品经营许可和备案管理办法》 on what the licence states)."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SHOP = "郑州市金水区经三路68号1层101室"


@pytest.fixture
def demo(monkeypatch):
    from zhengwu.catalog import demo as catalog_demo
    from zhengwu.org.demo import load as load_org

    monkeypatch.setattr(catalog_demo, "_refresh_search_index", lambda *args: "")
    load_org(io.StringIO())
    catalog_demo.load(io.StringIO())


def _item(name):
    from zhengwu.catalog.models import ServiceItem

    return ServiceItem.objects.select_related("published_version", "department").get(
        region__code="410105000000", name=name, handling_name="")


def _conclude(user, item, form, make_staff):
    """Apply online with ``form``, have the window accept and every step pass: the concluded case."""
    from zhengwu.cases.models import Case, CaseStep
    from zhengwu.cases.services import applying, approval, intake

    case = applying.create_draft(user, item, form_data=form)
    for m in item.published_version.materials.filter(necessity="required"):
        applying.upload_material(user, case, SimpleUploadedFile(f"{m.name}.pdf", PDF, content_type="application/pdf"),
                                 material=m)
    case = Case.objects.get(pk=case.pk)
    case = applying.submit(user, case, case.lock_version)
    intake.accept(make_staff("window"), case, case.lock_version)
    for _ in range(10):
        case = Case.objects.get(pk=case.pk)
        if case.state != "in_review":
            break
        step = CaseStep.objects.filter(case=case, acted_at__isnull=True).order_by("pk").first()
        approval.act_on_step(make_staff(step.role, department=step.department), case, step.step_id, "pass",
                             case.lock_version, "符合条件")
    case = Case.objects.get(pk=case.pk)
    assert case.outcome == "approved", case.state
    return case


def _face(case):
    from zhengwu.licenses.models import Licence
    from zhengwu.licenses.showing import face_fields

    lic = Licence.objects.select_related("type").get(case=case)
    return lic, dict(face_fields(lic))


def _pdf_text(lic, tmp_path) -> str:
    path = tmp_path / "licence.pdf"
    with lic.pdf_file.open("rb") as fh:
        path.write_bytes(fh.read())
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_food_licence_face_carries_what_the_applicant_filled_in(demo, make_citizen, make_staff, tmp_path):
    citizen = make_citizen(name="王小吃")
    form = {"applicant_name": "王小吃", "shop_address": SHOP, "main_business": "餐饮服务经营者",
            "business_items": ["热食类食品制售"], "area": 60, "safety_manager": "李安全",
            "residence": "郑州市金水区经三路68号"}
    case = _conclude(citizen, _item("食品经营许可证核发"), form, make_staff)
    lic, face = _face(case)
    assert lic.type.name == "食品经营许可证"
    assert face["经营场所"] == SHOP
    assert face["主体业态"] == "餐饮服务经营者"
    assert face["经营项目"] == "热食类食品制售"
    assert face["住所"] == "郑州市金水区经三路68号"
    assert face["日常监督管理机构"] == case.department.name
    assert face["投诉举报电话"] == "12315"
    assert face["经营者名称"] == "王小吃"
    from zhengwu.cases.models import CaseStep

    decider = CaseStep.objects.filter(case=case).order_by("-acted_at", "-pk").first().acted_by
    assert face["签发人"] == lic.signatory == decider.display_name  # the official whose 准予 it is
    if shutil.which("pdftotext"):
        text = _pdf_text(lic, tmp_path)
        for label, value in (("经营场所", SHOP), ("主体业态", "餐饮服务经营者"), ("投诉举报电话", "12315"),
                             ("日常监督管理机构", case.department.name), ("签发人", decider.display_name),
                             ("有效期", "至")):
            line = next((ln for ln in text.splitlines() if label in ln), "")
            assert value in line, (label, text)


def test_business_licence_face_carries_the_registered_type_capital_and_place(demo, make_staff):
    from zhengwu.accounts.services import register_legal
    from zhengwu.core.identifiers import make_id_number, make_uscc

    company = register_legal(name="金水示范餐饮有限公司", uscc=make_uscc("9", "1", "410105", "MA9XKT7Q"),
                             legal_rep_name="刘企业", legal_rep_id_number=make_id_number("41010519850612234"),
                             phone="13803710002", password="Zw@test-2026x", password2="Zw@test-2026x")
    form = {"company_name": "郑州老王餐饮管理有限公司", "company_type": "自然人独资有限责任公司",
            "registered_capital": 50, "legal_representative": "王小吃", "shop_address": SHOP,
            "business_scope": "餐饮服务", "shareholders": 1}
    _lic, face = _face(_conclude(company, _item("企业设立登记"), form, make_staff))
    assert face["名称"] == "郑州老王餐饮管理有限公司"  # the new company's, not the applicant's
    assert face["类型"] == "自然人独资有限责任公司" and face["注册资本（万元）"] == "50"
    assert face["法定代表人"] == "王小吃" and face["住所（经营场所）"] == SHOP and face["经营范围"] == "餐饮服务"


def test_every_demo_form_field_a_licence_prints_reaches_its_face(demo):
    """Each demo item whose result is one of the demo licence types: the form fields that a real
    licence of the type prints are filled onto the face (by key or by the same label)."""
    from zhengwu.licenses import demo as licence_demo
    from zhengwu.licenses.services.issuing import licence_type_for_item

    printed = {  # demo item → form fields the real licence prints
        "食品经营许可证核发": {"legal_rep", "shop_address", "main_business", "business_items", "residence"},
        "个体工商户设立登记": {"organisation", "shop_address", "business_scope"},
        "企业设立登记": {"company_type", "registered_capital", "legal_representative", "shop_address",
                   "business_scope"},
    }
    demo_types = {row[0] for row in licence_demo.TYPES}
    for name, wanted in printed.items():
        v = _item(name).published_version
        t = licence_type_for_item(v)
        assert t is not None and t.name in demo_types, name
        keys = {f["key"] for f in t.fields_schema}
        labels = {f["label"] for f in t.fields_schema}
        props = v.form_schema["properties"]
        missing = [k for k in wanted if k not in keys and props[k]["title"] not in labels]
        assert not missing, (name, missing)


@pytest.mark.parametrize("later", ["食品经营许可证延续", "食品经营许可证变更"])
def test_a_renewal_or_change_keeps_the_face_the_first_licence_carried(demo, make_citizen, make_staff, later):
    """延续 and 变更 (no form of their own, or one that asks only what changes) issue version 2 of the
    licence: what the 核发 put on its face is kept, the dates are the new version's."""
    citizen = make_citizen(name="王小吃")
    form = {"applicant_name": "王小吃", "shop_address": SHOP, "main_business": "餐饮服务经营者",
            "business_items": ["热食类食品制售"], "area": 60, "safety_manager": "李安全"}
    first, _face1 = _face(_conclude(citizen, _item("食品经营许可证核发"), form, make_staff))
    second, face = _face(_conclude(citizen, _item(later), {}, make_staff))
    first.refresh_from_db()
    assert second.previous == first and second.version == 2 and first.status == "superseded"
    assert face["经营场所"] == SHOP and face["主体业态"] == "餐饮服务经营者" and face["经营项目"] == "热食类食品制售"
    assert face["签发日期"] == second.issued_on.isoformat() and face["投诉举报电话"] == "12315"


# -- 设立登记: the licence of the new entity, with the 统一社会信用代码 assigned on 准予 ------------------
SOLE_TRADER_FORM = {"applicant_name": "王小吃", "trade_name": "金水区老王小吃店", "organisation": "个人经营",
                    "shop_address": SHOP, "business_scope": "餐饮服务；食品销售", "capital": 5}


def test_sole_trader_registration_by_a_citizen_issues_the_new_sole_traders_licence(demo, make_citizen, make_staff,
                                                                                   client, tmp_path):
    """A citizen registers a new 个体工商户: on 准予 the 营业执照 is issued to the 个体工商户 (its name from
    the form, a 统一社会信用代码 assigned now: 9 工商, 2 个体工商户, the deciding department's 区划), and the
    citizen, its 经营者, finds it in 我的证照."""
    from django.urls import reverse
    from stdnum.cn import uscc as std_uscc

    from zhengwu.cases.models import CaseResult
    from zhengwu.core.identifiers import org_code_check_char

    citizen = make_citizen(name="王小吃")
    case = _conclude(citizen, _item("个体工商户设立登记"), SOLE_TRADER_FORM, make_staff)
    lic, face = _face(case)
    code = face["统一社会信用代码"]
    assert lic.type.name == "营业执照" and face["名称"] == "金水区老王小吃店"
    assert std_uscc.is_valid(code) and code[:2] == "92" and code[2:8] == case.department.region.code[:6]
    assert code[16] == org_code_check_char(code[8:16])
    assert (lic.holder_kind, lic.holder_name, lic.holder_uscc) == ("legal", "金水区老王小吃店", code)
    assert lic.registrant_id == citizen.applicant.pk
    assert face["类型"] == "个体工商户" and face["组成形式"] == "个人经营" and face["经营场所"] == SHOP
    assert CaseResult.objects.get(case=case).licence_payload["entity"] == {
        "name": "金水区老王小吃店", "uscc": code, "category": "2", "assigned": True, "operator": "王小吃",
        "capital": "5", "address": SHOP}
    client.force_login(citizen)
    page = client.get(reverse("licenses:my_licences")).content.decode()
    assert lic.number in page and "金水区老王小吃店" in page and code in page
    detail = client.get(reverse("licenses:my_licence", args=[lic.pk]))
    assert detail.status_code == 200 and code in detail.content.decode()
    case_page = client.get(reverse("cases:my_case", args=[case.pk])).content.decode()
    assert reverse("licenses:my_licence", args=[lic.pk]) in case_page
    if shutil.which("pdftotext"):
        text = _pdf_text(lic, tmp_path)
        assert "金水区老王小吃店" in text and code in text


def test_a_sole_trader_without_a_name_is_named_by_its_operator(demo, make_citizen, make_staff):
    citizen = make_citizen(name="王小吃")
    lic, face = _face(_conclude(citizen, _item("个体工商户设立登记"), {**SOLE_TRADER_FORM, "trade_name": ""},
                                make_staff))
    assert face["名称"] == "王小吃" and lic.holder_kind == "legal" and lic.holder_uscc[:2] == "92"


def test_company_registration_prints_the_new_company_not_the_applicant(demo, make_staff, client):
    """企业设立登记: the face's 名称 is the 企业名称 of the form, the holder the new company with its own
    code; the applicant (here an enterprise account, its 投资人) keeps its code and sees the licence."""
    from django.urls import reverse
    from stdnum.cn import uscc as std_uscc

    from zhengwu.accounts.services import register_legal
    from zhengwu.core.identifiers import make_id_number, make_uscc

    founder_code = make_uscc("9", "1", "410105", "MA9XKT7Q")
    founder = register_legal(name="金水示范餐饮有限公司", uscc=founder_code, legal_rep_name="刘企业",
                             legal_rep_id_number=make_id_number("41010519850612234"),
                             phone="13803710002", password="Zw@test-2026x", password2="Zw@test-2026x")
    form = {"company_name": "郑州老王餐饮管理有限公司", "company_type": "自然人独资有限责任公司",
            "registered_capital": 50, "legal_representative": "王小吃", "shop_address": SHOP,
            "business_scope": "餐饮服务", "shareholders": 1}
    lic, face = _face(_conclude(founder, _item("企业设立登记"), form, make_staff))
    assert face["名称"] == "郑州老王餐饮管理有限公司" and lic.holder_name == "郑州老王餐饮管理有限公司"
    code = face["统一社会信用代码"]
    assert code != founder_code and std_uscc.is_valid(code) and code[:8] == "91410105" and lic.holder_uscc == code
    client.force_login(founder)
    assert lic.number in client.get(reverse("licenses:my_licences")).content.decode()


def test_a_change_of_an_existing_enterprise_keeps_its_code(demo, make_staff):
    from zhengwu.accounts.services import register_legal
    from zhengwu.core.identifiers import make_id_number, make_uscc

    own = make_uscc("9", "1", "410105", "MA9XKT7Q")
    company = register_legal(name="金水示范餐饮有限公司", uscc=own, legal_rep_name="刘企业",
                             legal_rep_id_number=make_id_number("41010519850612234"),
                             phone="13803710002", password="Zw@test-2026x", password2="Zw@test-2026x")
    lic, face = _face(_conclude(company, _item("企业变更登记"), {}, make_staff))
    assert lic.holder_uscc == own and face["统一社会信用代码"] == own and face["名称"] == "金水示范餐饮有限公司"
    assert lic.registrant_id is None
