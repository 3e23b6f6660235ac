"""Workbench pages of the catalogue: lists scoped by role, forms with Chinese errors, the review flow."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhengwu.catalog.models import Bundle, ServiceItem
from zhengwu.org.models import Role

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"catalog:{name}", args=args)


def guide_post(**overrides):
    """The editor's fields as the browser posts them."""
    data = {
        "name": "食品经营许可（新办）", "popular_name": "开饭店", "keywords": "饭店", "item_type": "01",
        "service_object": "legal", "legal_basis": "《食品安全法》", "acceptance_conditions": "已取得营业执照",
        "case_type": "committed", "statutory_days": "20", "promised_days": "5", "visits": "1",
        "channels": ["window", "online"], "online_depth": "3", "tongban_scope": "none", "supports_appointment": "on",
        "locations": "政务服务中心B区", "office_hours": "工作日", "consult_phone": "0371-65500004",
        "complaint_phone": "12345", "process_steps-0-name": "受理", "process_steps-0-description": "窗口受理",
        "process_steps-0-days": "1", "process_steps-3-name": "决定", "process_steps-3-days": "4",
        "fees-0-name": "", "results-0-name": "食品经营许可证", "results-0-type": "证照",
    }
    data.update(overrides)
    return data


def material_post(rows, lock_version, no_materials=False, initial=0):
    data = {"m-TOTAL_FORMS": str(len(rows)), "m-INITIAL_FORMS": str(initial), "m-MIN_NUM_FORMS": "0",
            "m-MAX_NUM_FORMS": "1000", "lock_version": str(lock_version)}
    if no_materials:
        data["no_materials"] = "on"
    for i, row in enumerate(rows):
        base = {"necessity": "required", "form": "original", "copies": "1", "source": "applicant"}
        base.update(row)
        for k, v in base.items():
            data[f"m-{i}-{k}"] = v
    return data


@pytest.fixture
def admin_client(client, item_admin):
    client.force_login(item_admin)
    return client


@pytest.fixture
def reviewer_client(reviewer):
    """Another 事项管理员's browser: approves what :func:`admin_client` submits (双人复核)."""
    from django.test import Client

    other = Client()
    other.force_login(reviewer)
    return other


def test_anonymous_goes_to_login_and_other_staff_are_refused(client, make_staff):
    assert client.get(url("wb_items")).status_code == 302
    client.force_login(make_staff(Role.WINDOW))
    assert client.get(url("wb_items")).status_code == 403
    assert client.get(url("wb_bundles")).status_code == 403


def test_item_list_is_scoped_filtered_and_paged(client, make_item, make_department, dept_admin, item_admin,
                                                monkeypatch):
    from zhengwu.catalog import views_workbench

    own = make_item(name="食品经营许可")
    police = make_department(name="公安分局")
    other = make_item(name="户口迁移", dept=police)
    draft = make_item(name="小餐饮登记", publish=False)
    client.force_login(dept_admin)
    page = client.get(url("wb_items")).content.decode()
    assert "食品经营许可" in page and "小餐饮登记" in page and "户口迁移" not in page
    assert client.get(url("wb_item_detail", other.pk)).status_code == 404
    client.force_login(item_admin)

    def listed(**params):
        return [r.name for r in client.get(url("wb_items"), params).context["rows"]]

    assert listed(status="draft") == ["小餐饮登记"]
    assert listed(department=police.pk) == ["户口迁移"]
    assert listed(q="餐饮") == ["小餐饮登记"]
    monkeypatch.setattr(views_workbench, "PAGE_SIZE", 2)
    first = client.get(url("wb_items"))
    assert first.context["has_next"] and len(first.context["rows"]) == 2
    second = client.get(url("wb_items"), {"page": 2})
    assert not second.context["has_next"] and len(second.context["rows"]) == 1
    assert {own.pk, other.pk, draft.pk} == {r.pk for r in first.context["rows"] + second.context["rows"]}


def test_new_item_form_creates_a_draft_with_rows(admin_client, department):
    response = admin_client.post(url("wb_item_new"), guide_post(department=department.pk))
    item = ServiceItem.objects.get()
    assert response.status_code == 302 and response["Location"] == url("wb_item_materials", item.pk)
    version = item.versions.get()
    assert version.process_steps == [{"name": "受理", "description": "窗口受理", "days": 1},
                                     {"name": "决定", "description": "", "days": 4}]
    assert version.fees == [] and version.results == [{"name": "食品经营许可证", "type": "证照", "sample": ""}]
    assert version.channels == ["window", "online"]


def test_form_errors_are_chinese_and_next_to_the_field(admin_client, department):
    response = admin_client.post(url("wb_item_new"), guide_post(
        department=department.pk, promised_days="30", name="", **{"process_steps-1-days": "三天"}))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["promised_days"] == ["承诺时限（30个工作日）不能超过法定时限（20个工作日）"]
    assert form.errors["name"] == ["事项名称不能为空"]
    assert "第2行“时限（工作日）”应为不小于0的整数" in form.errors["process_steps"][0]
    page = response.content.decode()
    assert "is-invalid" in page and "承诺时限（30个工作日）不能超过法定时限" in page
    assert ServiceItem.objects.count() == 0


def test_editor_refuses_days_the_import_refuses(admin_client, make_item):
    item = make_item(publish=False)
    response = admin_client.post(url("wb_item_edit", item.pk), guide_post(
        statutory_days="99999", lock_version=item.lock_version))
    assert response.status_code == 200
    assert response.context["form"].errors["statutory_days"] == ["法定时限不能超过3650个工作日（填写的是99999个工作日）"]
    response = admin_client.post(url("wb_item_edit", item.pk), guide_post(
        statutory_days="1.5", lock_version=item.lock_version))
    assert response.context["form"].errors["statutory_days"] == ["法定时限：应为整数（工作日）"]
    assert item.versions.get().statutory_days == 20


def test_new_item_twice_does_not_duplicate(admin_client, department):
    admin_client.post(url("wb_item_new"), guide_post(department=department.pk))
    response = admin_client.post(url("wb_item_new"), guide_post(department=department.pk))
    assert response.status_code == 200
    assert "已有名为“食品经营许可（新办）”的事项" in response.content.decode()
    assert ServiceItem.objects.count() == 1


def test_stale_edit_shows_message_and_keeps_the_other_change(admin_client, make_item):
    item = make_item(publish=False)
    stale = item.lock_version
    admin_client.post(url("wb_item_edit", item.pk), guide_post(office_hours="早上", lock_version=stale))
    response = admin_client.post(url("wb_item_edit", item.pk), guide_post(office_hours="晚上", lock_version=stale),
                                 follow=True)
    assert "该事项已被他人修改，请刷新后重试" in response.content.decode()
    assert item.versions.get().office_hours == "早上"


def test_materials_table_saves_rows_and_validates(admin_client, make_item):
    item = make_item(publish=False, materials=[])
    bad = admin_client.post(url("wb_item_materials", item.pk),
                            material_post([{"name": "", "note": "只填了备注"}], item.lock_version))
    assert bad.status_code == 200
    assert "请填写材料名称" in bad.content.decode()
    from zhengwu.licenses.models import LicenceType

    licence = LicenceType.objects.create(code="91410100MA00000000001", name="营业执照", holder_kind="legal")
    ok = admin_client.post(url("wb_item_materials", item.pk), material_post([
        {"name": "申请书"}, {"name": "营业执照", "source": "government", "licence_type": licence.pk, "form": "copy"},
    ], item.lock_version))
    assert ok.status_code == 302
    assert [m.name for m in item.versions.get().materials.all()] == ["申请书", "营业执照"]
    # 可替代的电子证照 is a reference to the licence type; its name is kept with the row (ADR 0035).
    assert [(m.licence_type_id, m.license_type) for m in item.versions.get().materials.all()] == [
        (None, ""), (licence.pk, "营业执照")]


def test_government_material_needs_its_issuer(admin_client, make_item):
    item = make_item(publish=False, materials=[])
    response = admin_client.post(url("wb_item_materials", item.pk),
                                 material_post([{"name": "户口簿", "source": "government"}], item.lock_version))
    assert "政府部门核发的材料请填写核发部门或可替代的电子证照" in response.content.decode()


def test_submit_review_publish_and_second_version_through_the_pages(admin_client, reviewer_client, make_item):
    item = make_item(publish=False)
    admin_client.post(url("wb_item_submit", item.pk), {"lock_version": item.lock_version})
    item.refresh_from_db()
    assert item.status == "pending"
    page = reviewer_client.get(url("wb_item_review", item.pk))
    assert "首次发布" in page.content.decode()
    reviewer_client.post(url("wb_item_review", item.pk), {"decision": "approve", "lock_version": item.lock_version})
    item.refresh_from_db()
    assert item.status == "published" and item.published_version.number == 1

    admin_client.post(url("wb_item_new_draft", item.pk), {"lock_version": item.lock_version, "note": "压缩时限"})
    item.refresh_from_db()
    admin_client.post(url("wb_item_edit", item.pk), guide_post(name=item.name, promised_days="2",
                                                                lock_version=item.lock_version))
    item.refresh_from_db()
    admin_client.post(url("wb_item_submit", item.pk), {"lock_version": item.lock_version})
    item.refresh_from_db()
    review = reviewer_client.get(url("wb_item_review", item.pk)).content.decode()
    assert "承诺时限（工作日）" in review  # the diff shows the changed field
    reviewer_client.post(url("wb_item_review", item.pk), {"decision": "approve", "lock_version": item.lock_version})
    item.refresh_from_db()
    assert item.published_version.number == 2 and item.promised_days == 2
    detail = admin_client.get(url("wb_item_detail", item.pk)).content.decode()
    assert "现行版本：第2版" in detail
    history = admin_client.get(url("wb_item_history", item.pk)).content.decode()
    assert "第1版" in history and "已替代" in history and "审核通过并发布" in history
    assert admin_client.get(url("wb_item_version", item.pk, 1)).status_code == 200


def test_reject_needs_a_note(admin_client, make_item):
    item = make_item(publish=False)
    admin_client.post(url("wb_item_submit", item.pk), {"lock_version": item.lock_version})
    item.refresh_from_db()
    response = admin_client.post(url("wb_item_review", item.pk), {"decision": "reject", "note": "",
                                                                   "lock_version": item.lock_version})
    assert response.context["form"].errors["note"] == ["退回修改时须填写审核意见，说明需要修改的内容"]
    admin_client.post(url("wb_item_review", item.pk), {"decision": "reject", "note": "受理条件不清楚",
                                                        "lock_version": item.lock_version})
    detail = admin_client.get(url("wb_item_detail", item.pk)).content.decode()
    assert "审核退回意见" in detail and "受理条件不清楚" in detail


def test_submit_refused_shows_what_is_missing(admin_client, make_item):
    item = make_item(publish=False, materials=[])
    response = admin_client.post(url("wb_item_submit", item.pk), {"lock_version": item.lock_version}, follow=True)
    assert "发布前须至少填写一项申请材料" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "draft"


def test_department_admin_cannot_review(client, dept_admin, make_item):
    item = make_item(publish=False)
    client.force_login(dept_admin)
    client.post(url("wb_item_submit", item.pk), {"lock_version": item.lock_version})
    item.refresh_from_db()
    assert item.status == "pending"
    assert client.get(url("wb_item_review", item.pk)).status_code == 403
    assert client.post(url("wb_item_status", item.pk), {"lock_version": item.lock_version, "note": "x"}).status_code == 403


def test_disable_from_the_detail_page(admin_client, make_item):
    item = make_item()
    admin_client.post(url("wb_item_status", item.pk), {"lock_version": item.lock_version, "note": "职能划转",
                                                        "action": "disable"})
    item.refresh_from_db()
    assert item.status == "disabled"
    admin_client.post(url("wb_item_status", item.pk), {"lock_version": item.lock_version, "action": "enable"})
    item.refresh_from_db()
    assert item.status == "published"


def test_item_lookup_is_scoped(client, dept_admin, make_item, make_department):
    make_item(name="食品经营许可")
    make_item(name="食品摊贩登记", dept=make_department(name="城管局"))
    client.force_login(dept_admin)
    names = [r["name"] for r in client.get(url("wb_item_lookup"), {"q": "食品"}).json()["results"]]
    assert names == ["食品经营许可"]


def test_bundle_pages(admin_client, make_item):
    a = make_item(name="食品经营许可", promised_days=5)
    b = make_item(name="个体工商户设立登记", promised_days=2, item_type="07", statutory_days=10, results=[])
    response = admin_client.post(url("wb_bundle_new"), {
        "name": "开办小吃店一件事", "target": "person", "visits": "0", "promised_days": "",
        "items-0-item": str(a.pk), "items-1-item": "个体工商户设立登记", "items-1-optional": "on", "items-2-item": "",
    })
    assert response.status_code == 302, response.context["form"].errors
    bundle = Bundle.objects.get()
    assert list(bundle.bundle_items.values_list("service_item_id", "optional")) == [(a.pk, False), (b.pk, True)]
    detail = admin_client.get(url("wb_bundle_detail", bundle.pk)).content.decode()
    assert "减少 3 份" in detail  # 营业执照 and 法定代表人身份证 shared: 6 → 3
    admin_client.post(url("wb_bundle_status", bundle.pk), {"lock_version": bundle.lock_version, "action": "publish"})
    bundle.refresh_from_db()
    assert bundle.status == "published"
    bad = admin_client.post(url("wb_bundle_edit", bundle.pk), {
        "name": "开办小吃店一件事", "target": "person", "visits": "0", "items-0-item": "不存在的事项",
        "lock_version": bundle.lock_version})
    assert "第1行：找不到事项“不存在的事项”" in bad.content.decode()


def test_reports_page(admin_client, make_item, make_department, other_district, city_item_admin):
    make_item(name="食品经营许可", base_code="000120001000")
    make_item(name="食品经营许可证核发", base_code="000120001000",
              dept=make_department(name="中原区市场监管局", region=other_district))
    page = admin_client.get(url("wb_reports")).content.decode()
    assert "目录指标" in page and "市场监管局" in page
    assert "中原区市场监管局" not in page  # outside the district admin's scope
    admin_client.force_login(city_item_admin)
    page = admin_client.get(url("wb_reports"), {"group_by": "region"}).content.decode()
    assert "食品经营许可证核发" in page and "中原区" in page


def test_item_list_query_count_does_not_grow_with_rows(admin_client, make_item, django_assert_max_num_queries):
    for n in range(3):
        make_item(name=f"事项{n}")
    admin_client.get(url("wb_items"))  # warm the session and grant caches
    with django_assert_max_num_queries(12) as few:
        admin_client.get(url("wb_items"))
    for n in range(3, 9):
        make_item(name=f"事项{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(url("wb_items"))


def test_instant_items_say_jiban_not_zero_days_in_the_list_and_the_bundle(admin_client, make_item, district):
    """承诺时限 worded as everywhere else (cases.rules.promised_limit): an 即办件 is never "0个工作日"."""
    import re

    from zhengwu.catalog.models import BundleItem

    instant = make_item(name="户籍证明出具", case_type="instant", promised_days=0)
    committed = make_item(name="食品经营许可", promised_days=5)
    table = admin_client.get(url("wb_items")).content.decode()
    rows = {name: row for row, name in re.findall(r'(<tr>\s*<td><a href="[^"]*">([^<]+)</a>.*?</tr>)', table, re.S)}
    assert "/ 即办件</td>" in rows["户籍证明出具"] and "0 个工作日" not in rows["户籍证明出具"]
    assert "/ 5个工作日</td>" in rows["食品经营许可"]
    bundle = Bundle.objects.create(region=district, name="开具证明一件事", target="both")
    BundleItem.objects.create(bundle=bundle, service_item=instant, seq=1)
    BundleItem.objects.create(bundle=bundle, service_item=committed, seq=2)
    detail = admin_client.get(url("wb_bundle_detail", bundle.pk)).content.decode()
    items = detail[detail.index('id="bundle-items"'):detail.index("</ol>", detail.index('id="bundle-items"'))]
    assert "即办件" in items and "承诺5个工作日" in items and "0个工作日" not in items
