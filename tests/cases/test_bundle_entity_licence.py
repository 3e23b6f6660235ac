"""开办餐饮店一件事 by a citizen who registers a 个体工商户: the 食品经营许可证 of the same 一件事 is issued to
the 个体工商户 it registers (经营者名称 its name, 社会信用代码 its USCC, 法定代表人（负责人）its 经营者, 住所 as
registered), never to the person. The food case cannot be concluded 准予 before the 设立登记 is: the
licence's holder does not exist yet (a bureau issues the 食品经营许可证 to a registered 市场主体)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError

from .test_demo_restaurant_bundle import PDF, food  # noqa: F401

pytestmark = pytest.mark.django_db

SHOP = "郑州市金水区经三路68号1层101室"


def _apply(user, bundle, key="z" * 32):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengwu.cases.services import bundles as services

    from .test_demo_restaurant_bundle import _value

    plan = services.bundle_plan(bundle)
    labels = {"您以什么": "个体工商户", "经营场所": "是", "从业人员": "是"}
    answers = {f"q_{q.pk}": str(next(o.pk for o in q.options if o.label.startswith(labels[q.text[:4]])))
               for q in plan.questions}
    form = {k: _value(p) for k, p in plan.schema.get("properties", {}).items()}
    form.update({"applicant_name": "张小民", "trade_name": "金水区张记面馆", "organisation": "个人经营",
                 "shop_address": SHOP, "business_scope": "餐饮服务", "capital": 5, "residence": ""})
    files = {e.key: SimpleUploadedFile(f"{e.name}.pdf", PDF, content_type="application/pdf") for e in plan.pool}
    bc = services.apply_bundle(user, bundle, form_data=form, files=files, idempotency_key=key, answers=answers)
    return {c.service_item.name: c for c in bc.cases.all()}


def _accept(case, make_staff):
    from zhengwu.cases.models import Case
    from zhengwu.cases.services import intake

    case = Case.objects.get(pk=case.pk)
    intake.accept(make_staff("window"), case, case.lock_version)
    return Case.objects.get(pk=case.pk)


def _decide(case, make_staff):
    """Every step passes: the case concludes (or the last pass raises)."""
    from zhengwu.cases.models import Case, CaseStep
    from zhengwu.cases.services import approval

    for _ in range(10):
        case = Case.objects.get(pk=case.pk)
        if case.state != "in_review":
            break
        step = CaseStep.objects.filter(case=case, acted_at__isnull=True).order_by("pk").first()
        approval.act_on_step(make_staff(step.role, department=step.department), case, step.step_id, "pass",
                             case.lock_version, "符合条件")
    return Case.objects.get(pk=case.pk)


def test_the_food_licence_goes_to_the_sole_trader_the_bundle_registers(food, make_citizen, make_staff,  # noqa: F811
                                                                        client, tmp_path):
    from django.urls import reverse

    from zhengwu.cases.models import CaseResult
    from zhengwu.licenses.models import Licence
    from zhengwu.licenses.showing import face_fields

    citizen = make_citizen(name="张小民")
    cases = _apply(citizen, food)
    registration, food_case = cases["个体工商户设立登记"], cases["食品经营许可证核发"]
    registration, food_case = _accept(registration, make_staff), _accept(food_case, make_staff)

    # The food case first: refused, nothing written, the case still in review.
    with pytest.raises(ValidationError) as refused:
        _decide(food_case, make_staff)
    assert "请先办结本一件事中的“个体工商户设立登记”" in " ".join(refused.value.messages)
    food_case.refresh_from_db()
    assert food_case.state == "in_review" and not Licence.objects.filter(case=food_case).exists()

    assert _decide(registration, make_staff).outcome == "approved"
    entity = CaseResult.objects.get(case=registration).licence_payload["entity"]
    assert entity["name"] == "金水区张记面馆"
    assert _decide(food_case, make_staff).outcome == "approved"
    lic = Licence.objects.select_related("type").get(case=food_case)
    face = dict(face_fields(lic))
    assert (lic.holder_kind, lic.holder_name, lic.holder_uscc) == ("legal", "金水区张记面馆", entity["uscc"])
    assert lic.registrant_id == citizen.applicant.pk
    assert face["经营者名称"] == "金水区张记面馆" and face["社会信用代码（身份证号码）"] == entity["uscc"]
    assert face["法定代表人（负责人）"] == "张小民" and face["住所"] == SHOP
    client.force_login(citizen)
    assert lic.number in client.get(reverse("licenses:my_licences")).content.decode()
    if shutil.which("pdftotext"):  # the food case's 决定书 names the licence's holder
        path = tmp_path / "decision.pdf"
        with CaseResult.objects.get(case=food_case).decision_file.open("rb") as fh:
            path.write_bytes(fh.read())
        text = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                                      text=True).stdout.split())
        assert f"持证主体：金水区张记面馆（{entity['uscc']}）" in text


def test_a_refused_registration_leaves_no_holder_for_the_food_licence(food, make_citizen, make_staff):  # noqa: F811
    from zhengwu.cases.models import CaseStep
    from zhengwu.cases.services import approval

    citizen = make_citizen(name="张小民")
    cases = _apply(citizen, food)
    registration = _accept(cases["个体工商户设立登记"], make_staff)
    food_case = _accept(cases["食品经营许可证核发"], make_staff)
    step = CaseStep.objects.filter(case=registration, acted_at__isnull=True).order_by("pk").first()
    registration.refresh_from_db()
    approval.act_on_step(make_staff(step.role, department=step.department), registration, step.step_id, "reject",
                         registration.lock_version, "经营场所不符合要求")
    with pytest.raises(ValidationError) as refused:
        _decide(food_case, make_staff)
    assert "未准予" in " ".join(refused.value.messages)
