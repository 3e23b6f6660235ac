"""情形引导 of a 一件事: answers select and deselect items and waive materials; a material an item of
the same application issues (营业执照 from 个体工商户设立登记) is not asked for; the window files a
一件事 for a walk-in applicant."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhengwu.cases.models import BundleCase, Case
from zhengwu.cases.services import bundles as services

pytestmark = pytest.mark.django_db

FORM = {"shop_name": "老王小吃", "area": 30, "seats": 40}


@pytest.fixture
def licence_item(make_item):
    """个体工商户设立登记: issues the 营业执照 the other items ask for."""
    return make_item("个体工商户设立登记", materials=[("个体工商户登记申请书", "required")],
                     results=[{"name": "营业执照（正、副本及电子营业执照）", "type": "证照"}])


@pytest.fixture
def guided(bundle, licence_item, fire_item):
    """开办餐饮店一件事 with two questions: do you hold a licence yet, is it a public venue."""
    from zhengwu.catalog.models import BundleItem, BundleOption, BundleQuestion

    BundleItem.objects.create(bundle=bundle, service_item=licence_item, seq=0, optional=True)
    q1 = BundleQuestion.objects.create(bundle=bundle, seq=1, text="是否已取得营业执照？")
    has = BundleOption.objects.create(question=q1, seq=1, label="已取得")
    has.skip_items.set([licence_item])
    new = BundleOption.objects.create(question=q1, seq=2, label="尚未取得，一并办理个体工商户登记")
    new.select_items.set([licence_item])
    q2 = BundleQuestion.objects.create(bundle=bundle, seq=2, text="是否属于公众聚集场所？")
    yes = BundleOption.objects.create(question=q2, seq=1, label="是")
    yes.select_items.set([fire_item])
    no = BundleOption.objects.create(question=q2, seq=2, label="否", waive_materials="消防安全制度")
    no.skip_items.set([fire_item])
    return {"bundle": bundle, "q1": q1, "q2": q2, "has": has, "new": new, "yes": yes, "no": no}


def keys(plan):
    return {e.name: e.key for e in plan.pool}


def answers(g, *options):
    return {f"q_{o.question_id}": str(o.pk) for o in (g[name] for name in options)}


def test_unanswered_questions_are_refused_by_name(guided, citizen):
    with pytest.raises(ValidationError) as exc:
        services.apply_bundle(citizen, guided["bundle"], form_data=FORM, files={}, idempotency_key="a" * 32)
    errors = exc.value.message_dict
    assert errors[f"q_{guided['q1'].pk}"] == ["请先回答：是否已取得营业执照？"]
    assert errors[f"q_{guided['q2'].pk}"] == ["请先回答：是否属于公众聚集场所？"]
    assert not BundleCase.objects.exists()


def test_answers_choose_items_and_the_licence_issued_inside_is_not_demanded(guided, citizen, pdf):
    bundle = guided["bundle"]
    plan = services.bundle_plan(bundle)
    k = keys(plan)
    files = {k["食品经营许可申请书"]: pdf(), k["个体工商户登记申请书"]: pdf()}  # no 营业执照
    bc = services.apply_bundle(citizen, bundle, form_data=FORM, files=files, idempotency_key="b" * 32,
                               answers=answers(guided, "new", "no"))
    names = sorted(c.service_item.name for c in bc.cases.all())
    assert names == ["个体工商户设立登记", "食品经营许可证核发"]  # fire check skipped by the answer
    assert all(c.state == "submitted" for c in bc.cases.all())
    assert "营业执照" in bc.waived_materials and "消防安全制度" in bc.waived_materials
    assert bc.answers == [{"question": "是否已取得营业执照？", "option": "尚未取得，一并办理个体工商户登记"},
                          {"question": "是否属于公众聚集场所？", "option": "否"}]


def test_holding_a_licence_means_uploading_it(guided, citizen, pdf):
    bundle = guided["bundle"]
    plan = services.bundle_plan(bundle)
    k = keys(plan)
    with pytest.raises(ValidationError) as exc:
        services.apply_bundle(citizen, bundle, form_data=FORM, files={k["食品经营许可申请书"]: pdf()},
                              idempotency_key="c" * 32, answers=answers(guided, "has", "yes"))
    errors = exc.value.message_dict
    assert errors[k["营业执照"]] == ["“营业执照”是必要材料，请上传"]
    assert errors[k["消防安全制度"]] == ["“消防安全制度”是必要材料，请上传"]


def test_the_page_asks_first_then_shows_only_what_applies(login, citizen, guided, pdf):
    client = login(citizen)
    url = reverse("cases:bundle_apply", args=[guided["bundle"].pk])
    first = client.get(url).content.decode()
    assert 'id="scenario-form"' in first and "是否已取得营业执照？" in first and 'id="apply-form"' not in first
    page = client.get(url, answers(guided, "new", "no")).content.decode()
    assert 'id="apply-form"' in page
    assert re.search(r'data-item="公众聚集场所投入使用营业前消防安全检查" data-selected="no"', page)
    assert re.search(r'data-item="个体工商户设立登记" data-selected="yes"', page)
    licence = page[page.index('data-material="营业执照"'):]
    assert 'data-waived="yes"' in licence[:200] and "由本一件事中的事项办理后产生，无需提交" in licence
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page).group(1)
    plan = services.bundle_plan(guided["bundle"])
    k = keys(plan)
    response = client.post(url, {"idempotency_key": key, "f_shop_name": "老王小吃", "f_area": "30",
                                 **answers(guided, "new", "no"),
                                 k["食品经营许可申请书"]: pdf(), k["个体工商户登记申请书"]: pdf()})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Case.objects.count() == 2


def test_window_files_a_bundle_for_a_walk_in_applicant(staff_client, window_staff, citizen, guided, pdf):
    client = staff_client(window_staff)
    start = client.post(reverse("cases:staff_file"), {"op": "lookup", "number": str(citizen.applicant.id_number
                                                                                     .reveal_unaudited())})
    assert 'id="panel-bundle"' in start.content.decode() and "开办餐饮店一件事" in start.content.decode()
    chooser = client.get(reverse("cases:staff_choose_bundle"),
                         {"bundle": guided["bundle"].pk, "applicant": citizen.applicant.pk})
    url = reverse("cases:staff_file_bundle", args=[guided["bundle"].pk])
    assert chooser.status_code == 302 and chooser["Location"] == f"{url}?applicant={citizen.applicant.pk}"
    page = client.get(url, {"applicant": citizen.applicant.pk, **answers(guided, "has", "no")}).content.decode()
    assert 'name="applicant"' in page and 'id="apply-form"' in page
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page).group(1)
    k = keys(services.bundle_plan(guided["bundle"]))
    post = {"idempotency_key": key, "applicant": citizen.applicant.pk, "f_shop_name": "老王小吃", "f_area": "30",
            **answers(guided, "has", "no"), k["食品经营许可申请书"]: pdf(), k["营业执照"]: pdf()}
    response = client.post(url, post)
    assert response.status_code == 302
    bc = BundleCase.objects.get()
    case = bc.cases.get()
    assert bc.applicant == citizen.applicant and case.channel == "window" and case.filed_by == window_staff
    assert response["Location"] == reverse("cases:staff_case", args=[case.pk])
    again = client.post(url, {**post, k["食品经营许可申请书"]: pdf(), k["营业执照"]: pdf()})
    assert again.status_code == 302 and BundleCase.objects.count() == 1


def test_demo_restaurant_bundle_has_its_questions(db):
    from zhengwu.catalog.data.demo.bundles import BUNDLES, SCENARIOS

    names = {b["name"]: b for b in BUNDLES}
    items = {ref.lstrip("?") for ref in names["开办餐饮店一件事"]["items"]}
    for _text, options in SCENARIOS["开办餐饮店一件事"]:
        for _label, select, skip, _waive in options:
            assert set(select) | set(skip) <= items  # every named item is in the bundle


def test_catalogue_workbench_shows_the_questions(staff_client, item_admin, guided):
    page = staff_client(item_admin).get(reverse("catalog:wb_bundle_detail", args=[guided["bundle"].pk]))
    text = page.content.decode()
    section = text[text.index('id="bundle-questions"'):]
    assert "情形引导（2个问题）" in section and "是否已取得营业执照？" in section
    assert "尚未取得，一并办理个体工商户登记：办理 个体工商户设立登记" in section and "免交 消防安全制度" in section
