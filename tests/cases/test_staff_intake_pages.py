"""The window's intake pages: the queue, the case page, and 受理/补正/不予受理/容缺/告知承诺."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengwu.cases.models import Case, PendingMaterial, SupplementNotice
from zhengwu.cases.services import applying
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def fresh(case):
    return Case.objects.get(pk=case.pk)


def case_url(case):
    return reverse("cases:staff_case", args=[case.pk])


def action_url(case, action):
    return reverse("cases:staff_intake_action", args=[case.pk, action])


def test_queue_lists_submitted_cases_of_covered_departments_only(staff_client, submitted_case, window_staff, make_staff,
                                                                  make_department, other_district):
    page = staff_client(window_staff).get(reverse("cases:staff_intake"))
    assert page.status_code == 200 and submitted_case.number in page.text and "王小吃" in page.text
    # Window staff of another district does not see it; an approver may not use the queue.
    elsewhere = make_staff("window", region=other_district)
    assert submitted_case.number not in staff_client(elsewhere).get(reverse("cases:staff_intake")).text
    assert staff_client(make_staff("approver")).get(reverse("cases:staff_intake")).status_code == 403


def test_queue_filters_by_channel_and_item(staff_client, submitted_case, window_staff):
    client = staff_client(window_staff)
    url = reverse("cases:staff_intake")
    assert submitted_case.number not in client.get(url, {"channel": "window"}).text
    assert submitted_case.number in client.get(url, {"channel": "online", "item": submitted_case.service_item_id}).text
    assert submitted_case.number not in client.get(url, {"item": 999999}).text


def test_queue_queries_do_not_grow_with_rows(staff_client, item, citizen, window_staff, pdf):
    client = staff_client(window_staff)
    url = reverse("cases:staff_intake")
    client.get(url)

    def submit_one(n):
        case = applying.create_draft(citizen, item, form_data={"shop_name": f"小吃{n}号", "area": 20})
        for m in ("食品经营许可申请书", "营业执照"):
            applying.upload_material(citizen, case, pdf(), name=m)
        applying.submit(citizen, case, fresh(case).lock_version)

    submit_one(1)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(2, 6):
        submit_one(n)
    with CaptureQueriesContext(connection) as five:
        page = client.get(url)
    assert page.text.count("data-case=") == 5
    assert len(five) == len(one)
    assert not any("COUNT(" in q["sql"].upper() for q in five.captured_queries)


def test_case_page_masks_personal_data_and_shows_form_titles_and_materials(staff_client, submitted_case, window_staff,
                                                                           citizen):
    page = staff_client(window_staff).get(case_url(submitted_case))
    assert page.status_code == 200
    clear_id = citizen.applicant.id_number.reveal_unaudited()
    assert clear_id not in page.text and citizen.applicant.id_number.masked in page.text
    assert "138****0000" in page.text and "13800000000" not in page.text
    assert "店铺名称" in page.text and "老王小吃" in page.text and "经营面积（平方米）" in page.text
    assert "食品经营许可申请书" in page.text and 'id="btn-accept"' in page.text
    material = submitted_case.materials.first()
    assert reverse("cases:case_file", args=[submitted_case.pk, material.pk]) in page.text


def test_case_page_shows_a_multiple_choice_as_a_list_not_python(staff_client, submitted_case, window_staff):
    from zhengwu.cases.models import Case

    Case.objects.filter(pk=submitted_case.pk).update(
        form_data={**submitted_case.form_data, "business_items": ["热食类食品制售", "冷食类食品销售"], "chain": True})
    page = staff_client(window_staff).get(case_url(submitted_case)).text
    assert "热食类食品制售、冷食类食品销售" in page and "[&#x27;" not in page and "['" not in page


def test_reveal_shows_the_clear_value_once_and_is_audited(staff_client, submitted_case, window_staff, citizen):
    client = staff_client(window_staff)
    page = client.post(reverse("cases:staff_case_reveal", args=[submitted_case.pk]), {"field": "id_number"})
    clear_id = citizen.applicant.id_number.reveal_unaudited()
    assert page.status_code == 200 and clear_id in page.text
    event = AuditEvent.objects.filter(action="pii.reveal").latest("seq")
    assert event.actor_id == window_staff.pk and event.after["field"] == "id_number"
    assert clear_id not in str(event.after)
    assert clear_id not in client.get(case_url(submitted_case)).text  # masked again on the next view


def test_material_file_is_permission_checked(staff_client, submitted_case, window_staff, fire_approver):
    material = submitted_case.materials.first()
    url = reverse("cases:case_file", args=[submitted_case.pk, material.pk])
    response = staff_client(window_staff).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in staff_client(window_staff).get(url, {"download": "1"})["Content-Disposition"]
    assert staff_client(fire_approver).get(url).status_code == 404  # another department's case


def test_accept_starts_the_clock(staff_client, submitted_case, window_staff):
    client = staff_client(window_staff)
    response = client.post(action_url(submitted_case, "accept"),
                           {"lock_version": submitted_case.lock_version, "opinion": "材料齐全"})
    assert response.status_code == 302
    case = fresh(submitted_case)
    assert case.state == "in_review" and case.due_date and case.steps.filter(status="active").exists()
    page = client.get(case_url(case))
    assert "已受理" in page.text and "审批中" in page.text


def test_stale_lock_is_refused_with_the_service_message(staff_client, submitted_case, window_staff):
    response = staff_client(window_staff).post(action_url(submitted_case, "accept"),
                                        {"lock_version": submitted_case.lock_version - 1})
    assert response.status_code == 200
    assert "该办件已被他人处理或已更新，请刷新页面后重试" in response.text
    assert fresh(submitted_case).state == "submitted"


def test_supplement_needs_a_reason_per_ticked_material(staff_client, submitted_case, window_staff):
    client = staff_client(window_staff)
    lock = submitted_case.lock_version
    # materials are listed in the guide's order: 0 申请书, 1 营业执照, 2 健康证明
    response = client.post(action_url(submitted_case, "supplement"), {"lock_version": lock, "pick_1": "on"})
    assert "“营业执照”：请写明补正原因" in response.text and fresh(submitted_case).state == "submitted"
    response = client.post(action_url(submitted_case, "supplement"), {"lock_version": lock})
    assert "请至少勾选一项" in response.text
    response = client.post(action_url(submitted_case, "supplement"), {
        "lock_version": lock, "pick_1": "on", "reason_1": "复印件不清晰", "pick_2": "on", "reason_2": "缺少",
        "note": "请一次补齐"})
    assert response.status_code == 302
    assert fresh(submitted_case).state == "supplement"
    notice = SupplementNotice.objects.get(case=submitted_case)
    assert notice.items == [{"material": "营业执照", "reason": "复印件不清晰"}, {"material": "健康证明", "reason": "缺少"}]


def test_refuse_needs_reason_and_legal_basis(staff_client, submitted_case, window_staff):
    client = staff_client(window_staff)
    response = client.post(action_url(submitted_case, "refuse"), {"lock_version": submitted_case.lock_version,
                                                                   "reason": "不属于本部门职权"})
    assert "法律依据：必填" in response.text and fresh(submitted_case).state == "submitted"
    client.post(action_url(submitted_case, "refuse"), {"lock_version": submitted_case.lock_version,
                                                        "reason": "不属于本部门职权", "legal_basis": "《行政许可法》第三十二条"})
    case = fresh(submitted_case)
    assert case.state == "refused" and "第三十二条" in case.refusal_reason


def test_tolerated_acceptance_records_pending_materials(staff_client, submitted_case, window_staff):
    client = staff_client(window_staff)
    due = dt.date.today() + dt.timedelta(days=10)
    response = client.post(action_url(submitted_case, "tolerate"), {"lock_version": submitted_case.lock_version,
                                                                     "due_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
                                                                     "materials": ["健康证明"]})
    assert "补交期限：不能早于今天" in response.text
    client.post(action_url(submitted_case, "tolerate"), {"lock_version": submitted_case.lock_version,
                                                          "due_date": due.isoformat(), "materials": ["健康证明"]})
    case = fresh(submitted_case)
    assert case.state == "in_review" and case.intake_mode == "tolerated"
    assert list(PendingMaterial.objects.filter(case=case).values_list("name", "due_date")) == [("健康证明", due)]


def test_commitment_acceptance_is_offered_only_when_the_item_allows_it(staff_client, submitted_case, window_staff):
    client = staff_client(window_staff)
    page = client.get(case_url(submitted_case))
    assert "本人（单位）郑重承诺" in page.text and 'id="btn-commitment"' in page.text
    client.post(action_url(submitted_case, "commitment"), {
        "lock_version": submitted_case.lock_version, "commitment_text": "本人承诺所填信息真实。", "signed": "on"})
    case = fresh(submitted_case)
    assert case.intake_mode == "commitment" and case.commitment_signed_at is not None


def test_items_without_commitment_or_tolerance_hide_those_actions(staff_client, submitted_case, window_staff):
    version = submitted_case.item_version
    version.allows_commitment = version.allows_tolerance = False
    version.save()
    page = staff_client(window_staff).get(case_url(submitted_case))
    assert 'id="btn-commitment"' not in page.text and 'id="btn-tolerate"' not in page.text
    response = staff_client(window_staff).post(action_url(submitted_case, "commitment"), {
        "lock_version": submitted_case.lock_version, "commitment_text": "承诺", "signed": "on"})
    assert "该事项不适用告知承诺制" in response.text and fresh(submitted_case).state == "submitted"


def test_admin_pages_are_read_only_and_mask_phones(client, submitted_case, make_staff):
    from zhengwu.cases.models import SmsMessage

    admin = make_staff(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert SmsMessage.objects.exists()
    page = client.get(reverse("admin:cases_smsmessage_changelist"))
    assert page.status_code == 200 and "138****0000" in page.text and "13800000000" not in page.text
    for name in ("case", "notification", "processdefinition"):
        assert client.get(reverse(f"admin:cases_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:cases_case_change", args=[submitted_case.pk])).status_code == 200
    assert client.get(reverse("admin:cases_case_add")).status_code == 403
