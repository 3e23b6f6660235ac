"""The demo 开办餐饮店一件事 walked by a person (个体工商户) and by a company: a public venue means
the 消防 check, which both may apply for (《公众聚集场所投入使用、营业消防安全检查规则》 applies to
the venue, whoever runs it)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.cases.services import bundles as services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FIRE = "公众聚集场所投入使用、营业前消防安全检查"


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


def _enterprise():
    from zhengwu.accounts.services import register_legal
    from zhengwu.core.identifiers import make_id_number, make_uscc

    return register_legal(name="金水示范餐饮有限公司", uscc=make_uscc("9", "1", "410105", "MA9XKT7Q"),
                          legal_rep_name="刘企业", legal_rep_id_number=make_id_number("41010519850612234"),
                          phone="13803710002", password="Zw@test-2026x", password2="Zw@test-2026x")


def _value(prop: dict):
    if prop.get("enum"):
        return prop["enum"][0]
    kind = prop.get("type")
    if kind in ("number", "integer"):
        return max(prop.get("minimum", 1), min(prop.get("maximum", 1), 1))
    if kind == "array":
        return [_value(prop.get("items") or {})]
    if kind == "boolean":
        return True
    if prop.get("format") == "date":
        return "2026-12-01"
    return "老王小吃店经营场所"


def _apply(applicant_user, bundle, labels, key):
    plan = services.bundle_plan(bundle)
    answers = {}
    for q in plan.questions:
        answers[f"q_{q.pk}"] = str(next(o.pk for o in q.options if o.label.startswith(labels[q.text[:4]])))
    form = {k: _value(p) for k, p in plan.schema.get("properties", {}).items()}
    files = {e.key: SimpleUploadedFile(f"{e.name}.pdf", PDF, content_type="application/pdf") for e in plan.pool}
    return services.apply_bundle(applicant_user, bundle, form_data=form, files=files, idempotency_key=key,
                                 answers=answers)


@pytest.mark.parametrize("who, answer, key", [("person", "个体工商户", "p" * 32), ("company", "公司等企业", "c" * 32)])
def test_a_public_venue_applies_for_the_fire_check_as_a_person_or_a_company(food, make_citizen, who, answer, key):
    user = make_citizen(name="王小吃") if who == "person" else _enterprise()
    bc = _apply(user, food, {"您以什么": answer, "经营场所": "是", "从业人员": "是"}, key)
    names = {c.service_item.name for c in bc.cases.all()}
    assert FIRE in names and "食品经营许可证核发" in names
    assert all(c.state == "submitted" for c in bc.cases.all())
