"""After 准予 of a 设立登记 the new entity exists for the platform: its 法人 applicant (name, 统一社会信用代码,
经营者 or 法定代表人) and the registrant's grant to act for it (as an enterprise grants its 经办人), so the
citizen switches to 以企业身份办事 and applies as the entity — its 营业执照 stands in for the material and
its code and representative fill the form. The 决定书 names the entity it registered."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from .test_demo_licence_faces import SOLE_TRADER_FORM, _conclude, _face, _item, demo  # noqa: F401

pytestmark = pytest.mark.django_db


def _registered(citizen, make_staff):
    case = _conclude(citizen, _item("个体工商户设立登记"), SOLE_TRADER_FORM, make_staff)
    lic, face = _face(case)
    return case, lic, face["统一社会信用代码"]


def test_approval_makes_the_entity_an_applicant_its_operator_acts_for(demo, make_citizen, make_staff):  # noqa: F811
    from zhengwu.accounts.models import Applicant, EnterpriseAgent

    citizen = make_citizen(name="王小吃")
    _case, _lic, code = _registered(citizen, make_staff)
    entity = Applicant.objects.get(uscc=code)
    assert (entity.kind, entity.name, entity.legal_rep_name) == ("legal", "金水区老王小吃店", "王小吃")
    assert entity.legal_rep_id_number.reveal_unaudited() == citizen.applicant.id_number.reveal_unaudited()
    assert not entity.user.has_usable_password()  # nobody logs in as the entity: its 经营者 acts for it
    grant = EnterpriseAgent.objects.get(enterprise=entity)
    assert grant.agent_id == citizen.pk and grant.active and set(grant.scope) == {"apply", "view", "rate"}
    assert "经营者" in grant.note


def test_registering_again_makes_no_second_applicant_nor_grant(demo, make_citizen, make_staff):  # noqa: F811
    from zhengwu.accounts import entities
    from zhengwu.accounts.models import Applicant, EnterpriseAgent

    citizen = make_citizen(name="王小吃")
    _case, _lic, code = _registered(citizen, make_staff)
    for _ in range(2):
        entity, grant = entities.register_entity(None, name="金水区老王小吃店", uscc=code, registrant=citizen.applicant)
        assert grant is not None and grant.agent_id == citizen.pk
    assert Applicant.objects.filter(uscc=code).count() == 1
    assert EnterpriseAgent.objects.filter(enterprise__uscc=code).count() == 1


def test_an_existing_enterprise_is_never_handed_to_a_registrant(db, make_citizen):
    from zhengwu.accounts import entities
    from zhengwu.accounts.models import EnterpriseAgent
    from zhengwu.accounts.services import register_legal
    from zhengwu.core.identifiers import make_id_number, make_uscc

    code = make_uscc("9", "1", "410105", "MA9XKT7Q")
    register_legal(name="金水示范餐饮有限公司", uscc=code, legal_rep_name="刘企业",
                   legal_rep_id_number=make_id_number("41010519850612234"), phone="13803710002",
                   password="Zw@test-2026x", password2="Zw@test-2026x")
    citizen = make_citizen(name="王小吃")
    entity, grant = entities.register_entity(None, name="金水示范餐饮有限公司", uscc=code, registrant=citizen.applicant)
    assert grant is None and entity.legal_rep_name == "刘企业"
    assert not EnterpriseAgent.objects.filter(enterprise=entity).exists()


def test_acting_for_the_new_entity_reuses_its_licence_and_prefills_its_code(demo, make_citizen, make_staff,  # noqa: F811
                                                                            client):
    from zhengwu.accounts.models import Applicant

    citizen = make_citizen(name="王小吃")
    _case, _lic, code = _registered(citizen, make_staff)
    entity = Applicant.objects.get(uscc=code)
    client.force_login(citizen)
    security = client.get(reverse("accounts:security")).content.decode()
    assert "以企业身份办事" in security and "金水区老王小吃店" in security
    client.post(reverse("accounts:acting"), {"enterprise": entity.pk})
    food = _item("食品经营许可证核发")
    page = client.get(reverse("cases:apply", args=[food.pk])).content.decode()
    assert "已调用电子证照：营业执照" in page
    assert f'value="{code}"' in page and 'value="王小吃"' in page  # 统一社会信用代码, 法定代表人（负责人）
    # 住所 and 经营场所 from the reused 营业执照 (its 经营场所), editable, with their source named.
    from .test_demo_licence_faces import SHOP

    for key in ("residence", "shop_address"):
        group = page[page.index(f'data-key="{key}"'):]
        group = group[:group.index("zw-field")]
        assert f">{SHOP}</textarea>" in group and "来自电子证照：营业执照" in group and "readonly" not in group
    # As themself (not acting), the person is offered no 法人 licence.
    client.post(reverse("accounts:acting"), {"stop": "1"})
    assert "已调用电子证照：营业执照" not in client.get(reverse("cases:apply", args=[food.pk])).content.decode()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext not installed")
def test_the_decision_names_the_registered_entity(demo, make_citizen, make_staff, tmp_path):  # noqa: F811
    from zhengwu.cases.models import CaseResult

    citizen = make_citizen(name="王小吃")
    case, lic, code = _registered(citizen, make_staff)
    path = tmp_path / "decision.pdf"
    with CaseResult.objects.get(case=case).decision_file.open("rb") as fh:
        path.write_bytes(fh.read())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    flat = "".join(text.split())
    assert "金水区老王小吃店" in flat and code in flat and lic.number in flat
    assert f"登记个体工商户“金水区老王小吃店”（统一社会信用代码：{code}）" in flat


def test_a_company_registered_by_an_enterprise_gets_its_applicant_and_no_grant(demo, make_staff):  # noqa: F811
    """企业设立登记 founded by an enterprise (the demo item serves persons and 法人): the company's applicant names the form's 法定代表人,
    without an ID number; an enterprise account is no 经办人, so nobody is granted to act for it yet."""
    from zhengwu.accounts.models import Applicant, EnterpriseAgent
    from zhengwu.accounts.services import register_legal
    from zhengwu.core.identifiers import make_id_number, make_uscc

    from .test_demo_licence_faces import SHOP

    founder = register_legal(name="金水示范餐饮有限公司", uscc=make_uscc("9", "1", "410105", "MA9XKT7Q"),
                             legal_rep_name="刘企业", legal_rep_id_number=make_id_number("41010519850612234"),
                             phone="13803710002", password="Zw@test-2026x", password2="Zw@test-2026x")
    form = {"company_name": "郑州老王餐饮管理有限公司", "company_type": "自然人独资有限责任公司",
            "registered_capital": 50, "legal_representative": "李法人", "shop_address": SHOP,
            "business_scope": "餐饮服务", "shareholders": 1}
    lic, _face_ = _face(_conclude(founder, _item("企业设立登记"), form, make_staff))
    entity = Applicant.objects.get(uscc=lic.holder_uscc)
    assert (entity.kind, entity.name, entity.legal_rep_name) == ("legal", "郑州老王餐饮管理有限公司", "李法人")
    assert not entity.legal_rep_id_number.reveal_unaudited()
    assert not EnterpriseAgent.objects.filter(enterprise=entity).exists()


def test_a_citizen_founds_a_company_and_then_acts_for_it(demo, make_citizen, make_staff):  # noqa: F811
    """企业设立登记 by its founder as a person (the demo item serves 个人和法人): the 营业执照 is the new
    company's, and the founder may act for it (以企业身份办事)."""
    from zhengwu.accounts.models import Applicant, EnterpriseAgent

    from .test_demo_licence_faces import SHOP

    founder = make_citizen(name="李法人")
    form = {"company_name": "郑州老李餐饮管理有限公司", "company_type": "自然人独资有限责任公司",
            "registered_capital": 30, "legal_representative": "李法人", "shop_address": SHOP,
            "business_scope": "餐饮服务", "shareholders": 1}
    lic, face = _face(_conclude(founder, _item("企业设立登记"), form, make_staff))
    assert face["名称"] == "郑州老李餐饮管理有限公司" and lic.holder_uscc.startswith("91410105")
    entity = Applicant.objects.get(uscc=lic.holder_uscc)
    assert (entity.kind, entity.legal_rep_name) == ("legal", "李法人")
    grant = EnterpriseAgent.objects.get(enterprise=entity)
    assert grant.agent_id == founder.pk and grant.active
