"""The applicant's pages: apply online, drafts, receipt, 我的办件, detail, 补正, 容缺, 撤回, messages."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from zhengwu.cases.models import Case, CaseMaterial, Notification
from zhengwu.cases.services import applying, approval, intake

pytestmark = pytest.mark.django_db

MATERIALS = ("食品经营许可申请书", "营业执照", "健康证明")


def key_of(response) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def material_field(item, name):
    return f"m_{item.published_version.materials.get(name=name).pk}"


def apply_post(item, pdf, key, action="submit", **fields):
    data = {"idempotency_key": key, "action": action,
            **{f"f_{k}": v for k, v in {"shop_name": "老王小吃", "area": "30", **fields}.items()}}
    for name in ("食品经营许可申请书", "营业执照"):
        data[material_field(item, name)] = pdf(f"{name}.pdf")
    return data


def fresh(case):
    return Case.objects.get(pk=case.pk)


def test_apply_page_shows_form_materials_and_masked_identity(login, citizen, item):
    response = login(citizen).get(reverse("cases:apply", args=[item.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "店铺名称" in html and "经营面积（平方米）" in html
    assert 'value="王小吃"' in html and "readonly" in html  # x-prefill: the verified name
    for name in MATERIALS:
        assert name in html
    assert "容缺可后补" in html and 'accept=".pdf,.jpg,.jpeg,.png,.ofd"' in html
    clear_id = citizen.applicant.id_number.reveal_unaudited()
    assert clear_id not in html and str(citizen.applicant.id_number) in html  # masked only
    assert "13800000000" not in html and "138****0000" in html
    assert key_of(response)


def test_submit_makes_one_case_even_when_posted_twice(login, citizen, item, pdf):
    client = login(citizen)
    key = key_of(client.get(reverse("cases:apply", args=[item.pk])))
    first = client.post(reverse("cases:apply", args=[item.pk]), apply_post(item, pdf, key))
    case = Case.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("cases:receipt", args=[case.pk])
    assert case.state == "submitted" and case.number and case.form_data == {
        "applicant_name": "王小吃", "shop_name": "老王小吃", "area": 30}
    assert "id_number" not in str(case.form_data)
    again = client.post(reverse("cases:apply", args=[item.pk]), apply_post(item, pdf, key))
    assert again.status_code == 302 and again["Location"] == reverse("cases:receipt", args=[case.pk])
    assert Case.objects.count() == 1
    assert CaseMaterial.objects.filter(case=case).count() == 2
    receipt = client.get(reverse("cases:receipt", args=[case.pk])).content.decode()
    assert case.number in receipt and "食品经营许可证核发" in receipt and "市场监管局" in receipt
    assert "受理后10个工作日内" in receipt
    pdf_response = client.get(reverse("cases:receipt_pdf", args=[case.pk]))
    assert pdf_response.status_code == 200 and b"".join(pdf_response.streaming_content).startswith(b"%PDF")
    assert "filename*=utf-8''" in pdf_response["Content-Disposition"]


def test_bad_input_is_explained_and_kept_as_a_draft(login, citizen, item, pdf):
    client = login(citizen)
    key = key_of(client.get(reverse("cases:apply", args=[item.pk])))
    data = {"idempotency_key": key, "action": "submit", "f_shop_name": "王", "f_area": "三十",
            material_field(item, "营业执照"): pdf("x.exe", b"MZ\x90\x00 not a pdf"),
            material_field(item, "食品经营许可申请书"): pdf("申请书.pdf")}
    response = client.post(reverse("cases:apply", args=[item.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "店铺名称：至少2个字" in html and "经营面积（平方米）：应为数字" in html
    assert "“营业执照”的文件格式不支持：只接受PDF、JPG、PNG、OFD文件" in html
    case = Case.objects.get()
    assert case.state == "draft" and not case.number
    assert list(CaseMaterial.objects.filter(case=case).values_list("name", flat=True)) == ["食品经营许可申请书"]
    # The page now edits the draft: fix it and submit from there.
    assert f'action="{reverse("cases:edit", args=[case.pk])}"' in html
    fixed = client.post(reverse("cases:edit", args=[case.pk]), {
        "lock": fresh(case).lock_version, "action": "submit", "f_shop_name": "老王小吃", "f_area": "30",
        material_field(item, "营业执照"): pdf("执照.pdf")})
    assert fixed.status_code == 302
    assert fresh(case).state == "submitted" and Case.objects.count() == 1


def test_applying_again_opens_the_waiting_draft_instead_of_a_second_one(login, citizen, item, pdf):
    """A failed submission leaves a draft; 申请办理 again continues it (each try used to leave one more
    draft in 我的办件). 另起一份 (?new=1) still starts another on purpose."""
    client = login(citizen)
    url = reverse("cases:apply", args=[item.pk])
    key = key_of(client.get(url))
    client.post(url, {"idempotency_key": key, "action": "submit", "f_shop_name": "王", "f_area": "三十"})
    draft = Case.objects.get()
    again = client.get(url, follow=True)
    assert again.redirect_chain[0][0] == reverse("cases:edit", args=[draft.pk])
    html = again.content.decode()
    assert "您已有该事项未提交的草稿" in html and f'href="{url}?new=1"' in html
    assert Case.objects.count() == 1
    fresh_form = client.get(url + "?new=1")
    assert fresh_form.status_code == 200 and key_of(fresh_form) != key

def test_missing_required_material_is_named(login, citizen, item):
    client = login(citizen)
    key = key_of(client.get(reverse("cases:apply", args=[item.pk])))
    response = client.post(reverse("cases:apply", args=[item.pk]), {
        "idempotency_key": key, "action": "submit", "f_shop_name": "老王小吃", "f_area": "30"})
    assert response.status_code == 400
    assert "缺少必要材料：食品经营许可申请书、营业执照" in response.content.decode()
    assert fresh(Case.objects.get()).state == "draft"


def test_save_draft_then_continue(login, citizen, item):
    client = login(citizen)
    key = key_of(client.get(reverse("cases:apply", args=[item.pk])))
    saved = client.post(reverse("cases:apply", args=[item.pk]), {
        "idempotency_key": key, "action": "save", "f_shop_name": "老王"})
    case = Case.objects.get()
    assert saved.status_code == 302 and saved["Location"] == reverse("cases:edit", args=[case.pk])
    assert case.state == "draft" and case.form_data["shop_name"] == "老王"
    page = client.get(reverse("cases:edit", args=[case.pk])).content.decode()
    assert 'value="老王"' in page and "草稿（尚未提交）" in page
    listing = client.get(reverse("cases:my_cases")).content.decode()
    assert "继续填写" in listing
    again = client.get(reverse("cases:apply", args=[item.pk]))
    assert again.status_code == 302 and again["Location"] == reverse("cases:edit", args=[case.pk])  # not lost
    another = client.get(reverse("cases:apply", args=[item.pk]) + "?new=1").content.decode()
    assert f'href="{reverse("cases:edit", args=[case.pk])}">继续填写' in another  # still offered


def test_item_without_form_schema_applies_with_materials_only(login, citizen, make_item, pdf):
    plain = make_item("个体工商户名称变更", materials=[("变更申请书", "required")])
    client = login(citizen)
    page = client.get(reverse("cases:apply", args=[plain.pk]))
    assert "本事项无需填写申请表" in page.content.decode()
    response = client.post(reverse("cases:apply", args=[plain.pk]), {
        "idempotency_key": key_of(page), "action": "submit", material_field(plain, "变更申请书"): pdf()})
    assert response.status_code == 302 and Case.objects.get().state == "submitted"


def test_staff_and_anonymous_cannot_apply(client, login, window_staff, item):
    assert login(window_staff).get(reverse("cases:apply", args=[item.pk])).status_code == 403
    response = client.get(reverse("cases:apply", args=[item.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_unpublished_item_is_404(login, citizen, item):
    item.status = "disabled"
    item.save()
    assert login(citizen).get(reverse("cases:apply", args=[item.pk])).status_code == 404


def test_my_cases_pages_through_many_cases_in_few_queries(login, citizen, item, make_citizen,
                                                          django_assert_max_num_queries):
    other = make_citizen(name="李四")
    for i in range(45):
        Case.objects.create(service_item=item, item_version=item.published_version, department=item.department,
                            region=item.region, applicant=citizen.applicant, form_data={"n": i})
    Case.objects.create(service_item=item, item_version=item.published_version, department=item.department,
                        region=item.region, applicant=other.applicant)
    client = login(citizen)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cases:my_cases"))
    html = response.content.decode()
    assert html.count('data-case="') == 20 and "第1/3页，共45条" in html
    last = client.get(reverse("cases:my_cases") + "?page=3").content.decode()
    assert last.count('data-case="') == 5
    newest = Case.objects.filter(applicant=citizen.applicant).order_by("-created_at", "-pk").first()
    assert f'data-case="{newest.pk}"' in html


def test_my_cases_shows_what_is_needed(login, citizen, submitted_case, window_staff):
    intake.request_supplement(window_staff, submitted_case, submitted_case.lock_version,
                              [{"material": "营业执照", "reason": "复印件不清晰"}])
    client = login(citizen)
    html = client.get(reverse("cases:my_cases")).content.decode()
    assert "待补正" in html and "营业执照：复印件不清晰" in html
    assert f'href="{reverse("cases:edit", args=[submitted_case.pk])}">去补正' in html
    todo = client.get(reverse("cases:my_cases") + "?show=todo").content.decode()
    assert f'data-case="{submitted_case.pk}"' in todo
    done = client.get(reverse("cases:my_cases") + "?show=done").content.decode()
    assert 'data-case="' not in done


def test_another_applicants_case_is_404_everywhere(login, submitted_case, make_citizen):
    client = login(make_citizen(name="李四"))
    pk = submitted_case.pk
    material = submitted_case.materials.first()
    for url in [reverse("cases:my_case", args=[pk]), reverse("cases:edit", args=[pk]),
                reverse("cases:receipt", args=[pk]), reverse("cases:receipt_pdf", args=[pk]),
                reverse("cases:withdraw", args=[pk]), reverse("cases:case_file", args=[pk, material.pk]),
                reverse("cases:decision_pdf", args=[pk])]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("cases:withdraw", args=[pk]), {"lock": submitted_case.lock_version}).status_code == 404
    assert fresh(submitted_case).state == "submitted"
    assert f'data-case="{pk}"' not in client.get(reverse("cases:my_cases")).content.decode()


def test_supplement_then_resubmit_in_the_same_case(login, citizen, submitted_case, window_staff, item, pdf):
    case = intake.request_supplement(window_staff, submitted_case, submitted_case.lock_version,
                                     [{"material": "营业执照", "reason": "复印件不清晰"}], note="请上传彩色扫描件")
    client = login(citizen)
    detail = client.get(reverse("cases:my_case", args=[case.pk])).content.decode()
    assert "需要您办理" in detail and "复印件不清晰" in detail and "请上传彩色扫描件" in detail
    page = client.get(reverse("cases:edit", args=[case.pk])).content.decode()
    assert "一次性补正告知" in page and "需补正：复印件不清晰" in page and "重新提交" in page
    response = client.post(reverse("cases:edit", args=[case.pk]), {
        "lock": fresh(case).lock_version, "action": "resubmit", "f_shop_name": "老王小吃", "f_area": "30",
        "note": "已重新上传", material_field(item, "营业执照"): pdf("新执照.pdf")})
    assert response.status_code == 302
    case = fresh(case)
    assert case.state == "submitted" and Case.objects.count() == 1
    assert case.materials.exclude(status="replaced").get(name="营业执照").original_name == "新执照.pdf"
    assert case.supplements.get().resolved_at is not None


def test_timeline_shows_departments_not_staff_names(login, citizen, submitted_case, window_staff, approver):
    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    case = approval.suspend(approver, fresh(case), fresh(case).lock_version, "expert", "需组织专家评审场所布局", 5)
    html = login(citizen).get(reverse("cases:my_case", args=[case.pk])).content.decode()
    assert window_staff.display_name not in html and approver.display_name not in html
    assert "市场监管局 · 受理窗口" in html and "市场监管局 · 审批" in html
    assert "特别程序：专家评审" in html and "需组织专家评审场所布局" in html and "特别程序中，计时暂停" in html
    assert "当前环节" in html and "审查" in html


def test_tolerated_material_is_supplied_from_the_detail_page(login, citizen, submitted_case, window_staff, pdf):
    due = dt.date.today() + dt.timedelta(days=10)
    case = intake.accept_pending(window_staff, submitted_case, submitted_case.lock_version, [("健康证明", due)])
    client = login(citizen)
    html = client.get(reverse("cases:my_case", args=[case.pk])).content.decode()
    assert "容缺受理" in html and "健康证明" in html and f"{due.year}年{due.month}月{due.day}日前补交" in html
    listing = client.get(reverse("cases:my_cases")).content.decode()
    assert "容缺待补交" in listing and f"健康证明（{due.year}年{due.month}月{due.day}日前）" in listing
    assert f'href="{reverse("cases:my_case", args=[case.pk])}#needs">去补交' in listing
    pending = case.pending_materials.get()
    bad = client.post(reverse("cases:supply_pending", args=[case.pk, pending.pk]), {"file": pdf("a.pdf", b"plain")})
    assert bad.status_code == 302
    pending.refresh_from_db()
    assert pending.supplied_at is None
    ok = client.post(reverse("cases:supply_pending", args=[case.pk, pending.pk]), {"file": pdf("健康证.pdf")})
    assert ok.status_code == 302
    pending.refresh_from_db()
    assert pending.supplied_at is not None and pending.supplied_material.name == "健康证明"


def test_withdraw_asks_first_then_withdraws(login, citizen, submitted_case):
    client = login(citizen)
    url = reverse("cases:withdraw", args=[submitted_case.pk])
    confirm = client.get(url)
    assert "确认撤回申请" in confirm.content.decode() and fresh(submitted_case).state == "submitted"
    client.post(url, {"lock": submitted_case.lock_version, "reason": "信息填错了"})
    assert fresh(submitted_case).state == "withdrawn"
    again = client.post(url, {"lock": fresh(submitted_case).lock_version}, follow=True)
    assert "不能撤回" in again.content.decode()


def test_decision_download_after_conclusion(login, citizen, submitted_case, window_staff, approver):
    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    client = login(citizen)
    assert client.get(reverse("cases:decision_pdf", args=[case.pk])).status_code == 404
    for step in ("review", "decide"):
        approval.act_on_step(approver, fresh(case), step, "pass", fresh(case).lock_version, "符合条件")
    html = client.get(reverse("cases:my_case", args=[case.pk])).content.decode()
    assert "下载决定书" in html and "准予" in html
    response = client.get(reverse("cases:decision_pdf", args=[case.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_notifications_unread_count_and_mark_read(login, citizen, submitted_case, make_citizen):
    client = login(citizen)
    unread = Notification.objects.filter(recipient=citizen, read_at__isnull=True).count()
    assert unread >= 1
    page = client.get(reverse("cases:notifications")).content.decode()
    assert f'id="nav-unread" aria-label="{unread}条未读">{unread}</span>' in page and "办件待受理" in page
    note = Notification.objects.filter(recipient=citizen).first()
    other = make_citizen(name="李四")
    login(other).post(reverse("cases:notifications_read"), {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is None  # someone else's message stays unread
    client.post(reverse("cases:notifications_read"), {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is not None
    client.post(reverse("cases:notifications_read"))
    assert not Notification.objects.filter(recipient=citizen, read_at__isnull=True).exists()
    assert client.get(reverse("cases:notifications_unread")).json() == {"unread": 0}


@pytest.mark.django_db(transaction=True)
def test_two_posts_at_the_same_moment_make_one_case(citizen, item, pdf):
    """A real race (PostgreSQL, two connections): the second post waits for the first, then
    shows its receipt."""
    import threading

    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    first = Client()
    first.force_login(citizen)
    key = key_of(first.get(reverse("cases:apply", args=[item.pk])))
    barrier = threading.Barrier(2)
    results = []

    def post():
        from django.db import connections

        c = Client()
        c.force_login(citizen)
        data = apply_post(item, pdf, key)
        barrier.wait()
        try:
            results.append(c.post(reverse("cases:apply", args=[item.pk]), data))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    case = Case.objects.get()
    assert case.state == "submitted"
    assert [r.status_code for r in results] == [302, 302]
    assert {r["Location"] for r in results} == {reverse("cases:receipt", args=[case.pk])}


def test_detail_page_cost_does_not_grow_with_history(login, citizen, submitted_case, window_staff, approver, pdf,
                                                     django_assert_max_num_queries):
    client = login(citizen)
    url = reverse("cases:my_case", args=[submitted_case.pk])
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    case = intake.request_supplement(window_staff, submitted_case, submitted_case.lock_version,
                                     [{"material": "营业执照", "reason": "不清晰"}])
    for i in range(5):
        applying.upload_material(citizen, case, pdf(f"{i}.pdf"), name="营业执照")
    case = applying.resubmit(citizen, fresh(case), fresh(case).lock_version)
    case = intake.accept(window_staff, fresh(case), fresh(case).lock_version)
    approval.act_on_step(approver, fresh(case), "review", "pass", fresh(case).lock_version)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count('data-action="upload"') == 7


def test_opening_a_message_marks_it_read_and_goes_to_the_case(login, citizen, submitted_case):
    client = login(citizen)
    note = Notification.objects.filter(recipient=citizen, case=submitted_case).first()
    target = reverse("cases:my_case", args=[submitted_case.pk])
    response = client.post(reverse("cases:notifications_read"), {"id": note.pk, "next": target})
    assert response.status_code == 302 and response["Location"] == target
    note.refresh_from_db()
    assert note.read_at is not None
    elsewhere = client.post(reverse("cases:notifications_read"), {"next": "https://evil.example/"})
    assert elsewhere["Location"] == reverse("cases:notifications")


def test_my_cases_rows_show_agent_bundle_outcome_and_time(login, citizen, make_citizen, item, submitted_case):
    """A row of the list: the 代办 badge for the
    agent, the 一件事 link, the item's link, number and times, the state and the outcome."""
    from zhengwu.catalog.models import Bundle
    from zhengwu.cases.models import BundleCase

    agent = make_citizen(name="李代办")
    bundle = Bundle.objects.create(name="开办餐馆一件事", region=item.region)
    bc = BundleCase.objects.create(bundle=bundle, applicant=citizen.applicant)
    Case.objects.filter(pk=submitted_case.pk).update(agent=agent.applicant, outcome="approved", bundle_case=bc,
                                                     due_date=dt.date(2027, 1, 5))
    mine = login(citizen).get(reverse("cases:my_cases")).content.decode()
    assert f'href="{reverse("cases:my_case", args=[submitted_case.pk])}">食品经营许可证核发</a>' in mine
    assert f'<span class="font-monospace">{submitted_case.number}</span>' in mine and "提交</div>" in mine
    assert "承诺办结：2027年1月5日" in mine and '<span class="badge text-bg-success">准予</span>' in mine
    assert f'href="{reverse("cases:bundle_case", args=[bc.pk])}">一件事</a>' in mine
    assert "我代办" not in mine  # the applicant's own case
    theirs = login(agent).get(reverse("cases:my_cases")).content.decode()
    assert f'data-case="{submitted_case.pk}"' in theirs and "我代办" in theirs
