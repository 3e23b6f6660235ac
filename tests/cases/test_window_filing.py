"""窗口代录 / 帮代办: find or register the applicant, open a draft, fill, upload, submit."""

import pytest
from django.urls import reverse

from zhengwu.accounts.models import Applicant
from zhengwu.cases.models import Case
from zhengwu.core.identifiers import make_id_number
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

FILE = "cases:staff_file"


def start(client, applicant, item, **extra):
    return client.post(reverse(FILE), {"op": "start", "applicant": applicant.pk, "item": item.pk, "channel": "window",
                                       "idempotency_key": extra.pop("key", "k1"), **extra})


def test_lookup_by_id_number_finds_the_registered_person(staff_client, window_staff, citizen, item):
    client = staff_client(window_staff)
    number = citizen.applicant.id_number.reveal_unaudited()
    page = client.post(reverse(FILE), {"op": "lookup", "number": number})
    assert page.status_code == 200 and "王小吃" in page.text and 'id="btn-start"' in page.text
    assert number not in page.text  # shown masked
    assert item.name in page.text


def test_lookup_refuses_a_bad_number_in_chinese(staff_client, window_staff):
    page = staff_client(window_staff).post(reverse(FILE), {"op": "lookup", "number": "410105199001011234"})
    assert "不是有效的身份证号" in page.text


def test_unknown_person_is_registered_on_the_spot_with_audit(staff_client, window_staff, caplog):
    client = staff_client(window_staff)
    number = make_id_number("41010519851231888")
    page = client.post(reverse(FILE), {"op": "lookup", "number": number})
    assert 'id="btn-register"' in page.text
    page = client.post(reverse("cases:staff_file_register"), {"name": "赵大爷", "id_number": number,
                                                               "phone": "13900001111"})
    assert page.status_code == 200 and 'id="temp-password"' in page.text and 'id="btn-start"' in page.text
    applicant = Applicant.objects.get(**Applicant._meta.get_field("id_number").lookup(number))
    assert applicant.name == "赵大爷"
    event = AuditEvent.objects.filter(action="cases.window_register").get()
    assert event.actor_id == window_staff.pk and number not in str(event.after)
    password = page.text.split('class="font-monospace">')[1].split("<")[0]
    assert applicant.user.check_password(password)
    assert applicant.user.must_change_password  # a temporary password: changed at the first login
    assert password not in caplog.text and number not in caplog.text
    # Registering the same person twice is refused in Chinese.
    again = client.post(reverse("cases:staff_file_register"), {"name": "赵大爷", "id_number": number,
                                                                "phone": "13900001111"})
    assert "该身份证号已注册" in again.text


def test_unknown_enterprise_is_registered_at_the_window_and_can_file(staff_client, window_staff, item, caplog):
    from zhengwu.core.identifiers import make_uscc

    client = staff_client(window_staff)
    uscc = make_uscc("9", "1", "410105", "MA9XKT4P")
    rep_id = make_id_number("41010519851231777")
    page = client.post(reverse(FILE), {"op": "lookup", "number": uscc})
    assert 'id="btn-register"' in page.text and "法人登记" in page.text
    bad = client.post(reverse("cases:staff_file_register"), {"kind": "legal", "name": "金水小吃有限公司", "uscc": uscc,
                                                              "legal_rep_name": "钱老板", "legal_rep_id_number": "123",
                                                              "phone": "13900002222"})
    assert "身份证" in bad.text and not Applicant.objects.filter(uscc=uscc).exists()
    page = client.post(reverse("cases:staff_file_register"), {"kind": "legal", "name": "金水小吃有限公司", "uscc": uscc,
                                                               "legal_rep_name": "钱老板", "legal_rep_id_number": rep_id,
                                                               "phone": "13900002222"})
    import re
    assert 'id="temp-password"' in page.text, re.findall(r'invalid-feedback[^>]*>([^<]+)', page.text)
    assert 'id="btn-start"' in page.text
    applicant = Applicant.objects.get(uscc=uscc)
    assert applicant.kind == "legal" and applicant.legal_rep_name == "钱老板"
    assert applicant.user.must_change_password
    event = AuditEvent.objects.filter(action="cases.window_register").get()
    assert rep_id not in str(event.after) and rep_id not in caplog.text
    assert start(client, applicant, item, key="legal-1").status_code == 302
    assert Case.objects.get().applicant == applicant


def test_window_filing_from_draft_to_submitted(staff_client, window_staff, citizen, item, pdf):
    client = staff_client(window_staff)
    response = start(client, citizen.applicant, item)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "window" and case.filed_by == window_staff and case.state == "draft"
    assert start(client, citizen.applicant, item).status_code == 302 and Case.objects.count() == 1  # double click
    url = reverse("cases:staff_file_draft", args=[case.pk])
    page = client.get(url)
    assert "店铺名称" in page.text and "食品经营许可申请书" in page.text and 'id="btn-submit-case"' in page.text
    materials = {m.name: m.pk for m in item.published_version.materials.all()}
    # Missing fields and materials: Chinese messages, still a draft.
    page = client.post(url, {"lock_version": case.lock_version, "op": "submit", "f_shop_name": "老王小吃"})
    assert "经营面积（平方米）：必填" in page.text and Case.objects.get().state == "draft"
    page = client.post(url, {"lock_version": case.lock_version, "op": "submit", "f_shop_name": "老王小吃",
                             "f_area": "30"})
    assert "缺少必要材料" in page.text and Case.objects.get().state == "draft"
    response = client.post(url, {
        "lock_version": Case.objects.get().lock_version, "op": "submit", "f_shop_name": "老王小吃", "f_area": "30.5",
        f"file_{materials['食品经营许可申请书']}": pdf("申请书.pdf"), f"file_{materials['营业执照']}": pdf("执照.pdf")})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == "submitted" and case.number and case.visits == 1
    assert case.form_data["area"] == 30.5 and case.form_data["applicant_name"] == "王小吃"
    assert response["Location"] == reverse("cases:staff_case", args=[case.pk])


def test_bad_upload_keeps_nothing_of_the_post(staff_client, window_staff, citizen, item, pdf):
    client = staff_client(window_staff)
    start(client, citizen.applicant, item)
    case = Case.objects.get()
    material = item.published_version.materials.get(name="营业执照")
    page = client.post(reverse("cases:staff_file_draft", args=[case.pk]), {
        "lock_version": case.lock_version, "op": "save", "f_shop_name": "新名字",
        f"file_{material.pk}": pdf("病毒.exe", b"MZ\x90\x00")})
    assert "只接受PDF、JPG、PNG、OFD" in page.text
    case = Case.objects.get()
    assert case.form_data.get("shop_name") != "新名字" and not case.materials.exists()


def test_agent_filing_records_the_agent_and_note(staff_client, window_staff, citizen, make_citizen, item):
    client = staff_client(window_staff)
    agent = make_citizen(name="李志愿")
    page = start(client, citizen.applicant, item, channel="agent")
    assert "代办人身份证号：帮代办时必填" in page.text and "代办说明：帮代办时必填" in page.text
    unknown = make_id_number("41010519870615777")
    page = start(client, citizen.applicant, item, channel="agent", agent_number=unknown, agent_note="为老人代办")
    assert "该代办人尚未登记" in page.text and not Case.objects.exists()
    response = start(client, citizen.applicant, item, channel="agent", key="k2",
                     agent_number=agent.applicant.id_number.reveal_unaudited(), agent_note="为行动不便的老年人代办")
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "agent" and case.agent == agent.applicant and case.agent_note == "为行动不便的老年人代办"


def test_only_window_staff_may_file(staff_client, approver, citizen, item):
    assert staff_client(approver).get(reverse(FILE)).status_code == 403


def test_window_helps_fix_a_supplement_and_resubmits(staff_client, window_staff, submitted_case, pdf):
    from zhengwu.cases.services import intake

    intake.request_supplement(window_staff, submitted_case, submitted_case.lock_version,
                              [{"material": "营业执照", "reason": "复印件不清晰"}])
    case = Case.objects.get(pk=submitted_case.pk)
    client = staff_client(window_staff)
    assert 'id="to-draft"' in client.get(reverse("cases:staff_case", args=[case.pk])).text
    url = reverse("cases:staff_file_draft", args=[case.pk])
    material = case.item_version.materials.get(name="营业执照")
    response = client.post(url, {"lock_version": case.lock_version, "op": "submit", "f_shop_name": "老王小吃",
                                 "f_area": "30", f"file_{material.pk}": pdf("清晰执照.pdf")})
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.state == "submitted" and case.supplements.get().resolved_at is not None


def test_agent_may_not_be_the_applicant_themselves(staff_client, window_staff, citizen, item):
    client = staff_client(window_staff)
    page = start(client, citizen.applicant, item, channel="agent",
                 agent_number=citizen.applicant.id_number.reveal_unaudited(), agent_note="为本人代办")
    assert page.status_code == 200
    assert page.context["start"].errors["agent_number"] == ["代办人不能是申请人本人"]
    assert not Case.objects.exists()



def test_register_person_names_every_wrong_field_in_one_round(staff_client, window_staff):
    """现场登记: a missing name, a mistyped 身份证号 and a bad phone are all named at once, each
    with its field, instead of one round per mistake."""
    page = staff_client(window_staff).post(reverse("cases:staff_file_register"),
                                           {"name": "", "id_number": "123", "phone": "abc"})
    errors = page.context["register"].errors
    assert errors["name"] == ["姓名：必填"]
    assert errors["id_number"] and errors["id_number"][0].startswith("身份证号")
    assert errors["phone"] and errors["phone"][0].startswith("手机号码")
    assert not Applicant.objects.exists()


def test_register_legal_names_every_wrong_field_in_one_round(staff_client, window_staff):
    page = staff_client(window_staff).post(reverse("cases:staff_file_register"), {
        "kind": "legal", "name": "金水小吃有限公司", "uscc": "123", "legal_rep_name": "",
        "legal_rep_id_number": "123", "phone": "abc"})
    errors = page.context["register"].errors
    assert errors["legal_rep_name"] == ["法定代表人：必填"]
    assert errors["uscc"][0].startswith("统一社会信用代码")
    assert errors["legal_rep_id_number"][0].startswith("法定代表人身份证号")
    assert errors["phone"][0].startswith("联系电话")
    assert not Applicant.objects.exists()


def test_register_names_a_too_long_field_with_its_label(staff_client, window_staff):
    page = staff_client(window_staff).post(reverse("cases:staff_file_register"),
                                           {"name": "张" * 51, "id_number": "123", "phone": "13900001111"})
    errors = page.context["register"].errors
    assert errors["name"][0].startswith("姓名：不能超过 50 个字")
    assert errors["id_number"][0].startswith("身份证号")


# -- files chosen in a round with errors (暂存，不必重新上传) ------------------------------------------------
def _token(page) -> str:
    import re

    found = re.search(r'name="upload_token" value="([0-9a-f]{32})"', page.text)
    return found.group(1) if found else ""


def _all_staged_files() -> set:
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.MEDIA_ROOT) / "cases" / "staged"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture(autouse=True)
def _staged_before():
    """The staged files other tests of this worker left (MEDIA_ROOT is the worker's): not counted."""
    global _LEFT_BEFORE
    _LEFT_BEFORE = _all_staged_files()
    yield


_LEFT_BEFORE: set = set()


def _staged_files():
    return sorted(_all_staged_files() - _LEFT_BEFORE)


def test_files_chosen_survive_a_round_with_errors(staff_client, window_staff, citizen, item, pdf):
    """A required field left empty: the files the clerk attached are kept (暂存, encrypted) and
    shown as 已上传 with 移除; nothing is written to the case until the submission goes through."""
    from zhengwu.core import storage

    client = staff_client(window_staff)
    start(client, citizen.applicant, item)
    case = Case.objects.get()
    url = reverse("cases:staff_file_draft", args=[case.pk])
    token = _token(client.get(url))
    materials = {m.name: m.pk for m in item.published_version.materials.all()}
    page = client.post(url, {
        "lock_version": case.lock_version, "op": "submit", "upload_token": token, "f_shop_name": "老王小吃",
        f"file_{materials['食品经营许可申请书']}": pdf("申请书.pdf"), f"file_{materials['营业执照']}": pdf("执照.pdf")})
    assert page.status_code == 200 and "经营面积（平方米）：必填" in page.text
    assert "已上传：申请书.pdf" in page.text and "已上传：执照.pdf" in page.text and 'name="unstage"' in page.text
    case = Case.objects.get()
    assert case.state == "draft" and not case.materials.exists() and "shop_name" not in case.form_data
    kept = _staged_files()
    assert len(kept) == 2 and all(storage.is_encrypted_header(p.read_bytes()[:storage.HEADER_LEN]) for p in kept)
    # The next round names only the field: the files go in with the submission.
    response = client.post(url, {"lock_version": case.lock_version, "op": "submit", "upload_token": _token(page),
                                 "f_shop_name": "老王小吃", "f_area": "30"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == "submitted"
    assert sorted(case.materials.values_list("original_name", flat=True)) == ["执照.pdf", "申请书.pdf"]
    with case.materials.get(name="营业执照").file.open("rb") as f:
        assert f.read().startswith(b"%PDF")
    assert _staged_files() == []  # moved into the case, the pending copies removed


def test_a_kept_file_can_be_removed(staff_client, window_staff, citizen, item, pdf):
    client = staff_client(window_staff)
    start(client, citizen.applicant, item)
    case = Case.objects.get()
    url = reverse("cases:staff_file_draft", args=[case.pk])
    licence = item.published_version.materials.get(name="营业执照")
    page = client.post(url, {"lock_version": case.lock_version, "op": "submit", "upload_token": _token(client.get(url)),
                             "f_shop_name": "老王小吃", f"file_{licence.pk}": pdf("执照.pdf")})
    assert "已上传：执照.pdf" in page.text
    page = client.post(url, {"lock_version": case.lock_version, "op": "save", "upload_token": _token(page),
                             "f_shop_name": "老王小吃", "unstage": f"file_{licence.pk}"})
    assert page.status_code == 302 and _staged_files() == []
    assert not Case.objects.get().materials.exists()


def test_a_bad_file_is_named_and_the_good_one_kept(staff_client, window_staff, citizen, item, pdf):
    client = staff_client(window_staff)
    start(client, citizen.applicant, item)
    case = Case.objects.get()
    url = reverse("cases:staff_file_draft", args=[case.pk])
    form, licence = (item.published_version.materials.get(name=n) for n in ("食品经营许可申请书", "营业执照"))
    page = client.post(url, {"lock_version": case.lock_version, "op": "save", "upload_token": _token(client.get(url)),
                             "f_shop_name": "新名字", f"file_{licence.pk}": pdf("病毒.exe", b"MZ\x90\x00"),
                             f"file_{form.pk}": pdf("申请书.pdf")})
    assert "只接受PDF、JPG、PNG、OFD" in page.text and "已上传：申请书.pdf" in page.text
    case = Case.objects.get()
    assert case.form_data.get("shop_name") != "新名字" and not case.materials.exists()


def test_kept_files_belong_to_the_clerk_who_chose_them(staff_client, window_staff, make_staff, citizen, item, pdf):
    client = staff_client(window_staff)
    start(client, citizen.applicant, item)
    case = Case.objects.get()
    url = reverse("cases:staff_file_draft", args=[case.pk])
    licence = item.published_version.materials.get(name="营业执照")
    page = client.post(url, {"lock_version": case.lock_version, "op": "submit", "upload_token": _token(client.get(url)),
                             "f_shop_name": "老王小吃", f"file_{licence.pk}": pdf("执照.pdf")})
    other = staff_client(make_staff("window", username="chuangkou2"))
    response = other.post(url, {"lock_version": case.lock_version, "op": "save", "upload_token": _token(page),
                                "f_shop_name": "老王小吃"})
    assert response.status_code in (302, 404) and not Case.objects.get().materials.exists()


def test_a_refused_submission_also_names_the_missing_materials(staff_client, window_staff, citizen, item, pdf):
    """One round names the empty field and the 必要 materials still missing (a file just kept counts)."""
    client = staff_client(window_staff)
    start(client, citizen.applicant, item)
    case = Case.objects.get()
    url = reverse("cases:staff_file_draft", args=[case.pk])
    licence = item.published_version.materials.get(name="营业执照")
    page = client.post(url, {"lock_version": case.lock_version, "op": "submit", "upload_token": _token(client.get(url)),
                             "f_shop_name": "老王小吃", f"file_{licence.pk}": pdf("执照.pdf")})
    assert "经营面积（平方米）：必填" in page.text
    assert "缺少必要材料：食品经营许可申请书" in page.text and "缺少必要材料：食品经营许可申请书、营业执照" not in page.text
