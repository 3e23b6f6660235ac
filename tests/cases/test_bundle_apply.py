"""一件事一次办: one form, one material pool, one linked case per item, all or nothing."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhengwu.cases.models import BundleCase, Case, CaseMaterial
from zhengwu.cases.services import approval, intake
from zhengwu.cases.services import bundles as services

pytestmark = pytest.mark.django_db

FORM = {"shop_name": "老王小吃", "area": 30, "seats": 40}


def pool_keys(plan):
    return {e.name: e.key for e in plan.pool}


def files_for(plan, pdf, names=("食品经营许可申请书", "营业执照", "消防安全制度")):
    keys = pool_keys(plan)
    return {keys[n]: pdf(f"{n}.pdf") for n in names}


def test_plan_unites_fields_and_pools_materials_by_name(bundle):
    plan = services.bundle_plan(bundle)
    assert [m.item.name for m in plan.members] == ["食品经营许可证核发", "公众聚集场所投入使用营业前消防安全检查",
                                                   "户外招牌设置审批"]
    assert plan.schema["x-order"] == ["shop_name", "area", "applicant_name", "seats", "sign_size"]
    assert plan.required_keys == {"shop_name", "area", "seats"} and plan.optional_keys == {"sign_size"}
    names = [e.name for e in plan.pool]
    assert names == ["食品经营许可申请书", "营业执照", "健康证明", "消防安全制度", "招牌设计效果图"]
    licence = next(e for e in plan.pool if e.name == "营业执照")
    assert len(licence.item_names) == 3 and licence.necessity == "required"


def test_apply_creates_linked_submitted_cases_sharing_the_pooled_file(bundle, citizen, pdf):
    plan = services.bundle_plan(bundle)
    bc = services.apply_bundle(citizen, bundle, form_data=FORM, files=files_for(plan, pdf), idempotency_key="a" * 32)
    cases = list(Case.objects.filter(bundle_case=bc).order_by("pk"))
    assert [c.service_item.name for c in cases] == ["食品经营许可证核发", "公众聚集场所投入使用营业前消防安全检查"]
    assert all(c.state == "submitted" and c.number for c in cases)
    assert bc.number.startswith("YJS410105") and bc.form_data == FORM
    food, fire = cases
    assert food.form_data == {"applicant_name": "王小吃", "shop_name": "老王小吃", "area": 30}
    assert fire.form_data == {"shop_name": "老王小吃", "seats": 40}
    licences = CaseMaterial.objects.filter(name="营业执照")
    assert licences.count() == 2  # one row per case …
    assert len({m.sha256 for m in licences}) == 1 and len({m.file.name for m in licences}) == 1  # … one file
    assert fire.materials.get(name="营业执照").material.version_id == fire.item_version_id
    assert not Case.objects.filter(service_item__name="户外招牌设置审批").exists()  # 选办, not chosen


def test_chosen_optional_item_joins_and_needs_its_fields_and_materials(bundle, sign_item, citizen, pdf):
    plan = services.bundle_plan(bundle)
    with pytest.raises(ValidationError) as exc:
        services.apply_bundle(citizen, bundle, form_data=FORM, files=files_for(plan, pdf),
                              optional_items=[str(sign_item.pk)], idempotency_key="b" * 32)
    errors = exc.value.message_dict
    assert errors["sign_size"] == ["招牌面积（平方米）：必填"]
    assert errors[pool_keys(plan)["招牌设计效果图"]] == ["“招牌设计效果图”是必要材料，请上传"]
    files = files_for(plan, pdf, ("食品经营许可申请书", "营业执照", "消防安全制度", "招牌设计效果图"))
    bc = services.apply_bundle(citizen, bundle, form_data={**FORM, "sign_size": 2.5}, files=files,
                               optional_items=[str(sign_item.pk)], idempotency_key="b" * 32)
    assert bc.cases.count() == 3 and CaseMaterial.objects.filter(name="营业执照").count() == 3


def test_same_key_returns_the_first_application(bundle, citizen, pdf):
    plan = services.bundle_plan(bundle)
    first = services.apply_bundle(citizen, bundle, form_data=FORM, files=files_for(plan, pdf), idempotency_key="c" * 32)
    again = services.apply_bundle(citizen, bundle, form_data=FORM, files=files_for(plan, pdf), idempotency_key="c" * 32)
    assert again.pk == first.pk and BundleCase.objects.count() == 1 and Case.objects.count() == 2


def test_nothing_is_written_when_anything_is_wrong(bundle, citizen, pdf):
    plan = services.bundle_plan(bundle)
    keys = pool_keys(plan)
    with pytest.raises(ValidationError) as exc:
        services.apply_bundle(citizen, bundle, form_data={"shop_name": "老王小吃", "area": 30}, files={},
                              idempotency_key="d" * 32)
    errors = exc.value.message_dict
    assert errors["seats"] == ["座位数：必填"]
    assert set(errors) >= {keys["营业执照"], keys["消防安全制度"], keys["食品经营许可申请书"]}
    # A file that is not what it says fails inside the transaction: everything rolls back.
    files = files_for(plan, pdf)
    files[keys["消防安全制度"]] = pdf("制度.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ValidationError) as exc:
        services.apply_bundle(citizen, bundle, form_data=FORM, files=files, idempotency_key="d" * 32)
    assert exc.value.message_dict[keys["消防安全制度"]] == ["“消防安全制度”的文件格式不支持：只接受PDF、JPG、PNG、OFD文件"]
    assert not BundleCase.objects.exists() and not Case.objects.exists() and not CaseMaterial.objects.exists()


def test_staff_apply_for_a_bundle_only_on_an_applicants_behalf(bundle, window_staff, approver, citizen, pdf):
    """Staff have no applications of their own; at the 一件事综合受理窗口 a 窗口人员 files one for
    the walk-in applicant (an approver may not)."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.apply_bundle(window_staff, bundle, form_data=FORM, files={}, idempotency_key="e" * 32)
    plan = services.bundle_plan(bundle)
    with pytest.raises(PermissionDenied):
        services.apply_bundle(approver, bundle, form_data=FORM, files=files_for(plan, pdf), idempotency_key="f" * 32,
                              applicant=citizen.applicant)
    bc = services.apply_bundle(window_staff, bundle, form_data=FORM, files=files_for(plan, pdf),
                               idempotency_key="e" * 32, applicant=citizen.applicant)
    assert bc.applicant == citizen.applicant and bc.cases.count() == 2
    assert {(c.channel, c.filed_by_id, c.state) for c in bc.cases.all()} == {("window", window_staff.pk, "submitted")}


# -- pages -------------------------------------------------------------------------------------------
def page_key(response):
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def bundle_post(plan, pdf, key, **extra):
    data = {"idempotency_key": key, "f_shop_name": "老王小吃", "f_area": "30", "f_seats": "40", **extra}
    data.update(files_for(plan, pdf))
    return data


def test_bundle_pages_apply_once_and_show_progress_and_results(login, citizen, bundle, pdf, window_staff, approver,
                                                               make_citizen):
    client = login(citizen)
    url = reverse("cases:bundle_apply", args=[bundle.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and html.count('name="f_shop_name"') == 1
    assert html.count("营业执照</label>") == 1 and "选办" in html and "用于：" in html
    plan = services.bundle_plan(bundle)
    key = page_key(page)
    response = client.post(url, bundle_post(plan, pdf, key))
    bc = BundleCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:bundle_case", args=[bc.pk])
    again = client.post(url, bundle_post(plan, pdf, key))
    assert again["Location"] == response["Location"] and BundleCase.objects.count() == 1 and Case.objects.count() == 2
    progress = client.get(response["Location"]).content.decode()
    assert bc.number in progress and "食品经营许可证核发" in progress and "0/2 已办结" in progress
    # Conclude the food licence: its decision appears in the one result set.
    food = bc.cases.get(service_item__name="食品经营许可证核发")
    food = intake.accept(window_staff, food, food.lock_version)
    for step in ("review", "decide"):
        food = Case.objects.get(pk=food.pk)
        approval.act_on_step(approver, food, step, "pass", food.lock_version)
    progress = client.get(response["Location"]).content.decode()
    assert "1/2 已办结" in progress and reverse("cases:decision_pdf", args=[food.pk]) in progress
    # Each case's status column: the concluded one with its outcome, the other still waiting.
    assert 'text-bg-success">准予</span>' in progress and ">已办结</span>" in progress and ">待受理</span>" in progress
    # What a case still needs from the applicant shows under its row, as in 我的办件.
    other = bc.cases.exclude(pk=food.pk).get()
    intake.request_supplement(window_staff, other, other.lock_version, [{"material": "营业执照", "reason": "复印件不清晰"}])
    progress = client.get(response["Location"]).content.decode()
    assert "营业执照：复印件不清晰" in progress and f'href="{reverse("cases:edit", args=[other.pk])}">去补正' in progress
    assert login(make_citizen(name="李四")).get(response["Location"]).status_code == 404


def test_bundle_page_explains_errors_and_writes_nothing(login, citizen, bundle, pdf):
    client = login(citizen)
    url = reverse("cases:bundle_apply", args=[bundle.pk])
    key = page_key(client.get(url))
    response = client.post(url, {"idempotency_key": key, "f_shop_name": "老王小吃", "f_area": "30", "f_seats": "四十"})
    html = response.content.decode()
    assert response.status_code == 400 and "座位数：应为整数" in html and "“营业执照”是必要材料，请上传" in html
    assert not BundleCase.objects.exists() and not Case.objects.exists()


def test_unpublished_bundle_is_404(login, citizen, bundle):
    bundle.status = "draft"
    bundle.save()
    assert login(citizen).get(reverse("cases:bundle_apply", args=[bundle.pk])).status_code == 404
