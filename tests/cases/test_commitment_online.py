"""告知承诺 chosen online: the applicant reads the 承诺书 and ticks 我已阅读并承诺 when applying;
the exact text is kept with the case, signed at submission; the window accepts on it without
changing it, and the citizen sees what they signed."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhengwu.cases import rules
from zhengwu.cases.models import Case
from zhengwu.cases.services import applying, commitment, intake

pytestmark = pytest.mark.django_db


def fresh(case):
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def draft(item, citizen, pdf):
    case = applying.create_draft(citizen, item, form_data={"shop_name": "老王小吃", "area": 30})
    for m in ("食品经营许可申请书", "营业执照"):
        applying.upload_material(citizen, case, pdf(), name=m)
    return fresh(case)


@pytest.fixture
def plain_item(make_item):
    return make_item("户外广告设施设置审批", materials=[])


# -- rules -------------------------------------------------------------------------------------------
def test_the_standard_letter_names_item_conditions_truth_consequences_and_check_period():
    text = rules.commitment_letter("食品经营许可证核发", "有与经营的食品相适应的经营场所", 20)
    assert "食品经营许可证核发" in text and "有与经营的食品相适应的经营场所" in text
    assert "真实" in text and "撤销" in text and "信用记录" in text
    assert "20个工作日" in text


def test_without_conditions_the_letter_refers_to_the_guide():
    text = rules.commitment_letter("某事项", "", 30)
    assert "办事指南" in text and "30个工作日" in text


def test_ticking_is_required_when_commitment_is_chosen():
    assert "我已阅读并承诺" in rules.commitment_refusal(chosen=True, agreed=False)
    assert rules.commitment_refusal(chosen=True, agreed=True) == ""
    assert rules.commitment_refusal(chosen=False, agreed=False) == ""


# -- services ----------------------------------------------------------------------------------------
def test_choosing_stores_the_text_and_submission_signs_it(draft, citizen, item):
    case = commitment.choose(citizen, draft, draft.lock_version, True)
    letter = commitment.letter_for(item.published_version, item.department_id)
    assert case.commitment_text == letter and case.commitment_signed_at is None
    with pytest.raises(ValidationError) as e:
        applying.submit(citizen, case, case.lock_version)
    assert "我已阅读并承诺" in str(e.value)
    case = applying.submit(citizen, fresh(case), fresh(case).lock_version, commitment_agreed=True)
    case = fresh(case)
    assert case.state == "submitted" and case.commitment_text == letter
    assert case.commitment_signed_at is not None and case.intake_mode == "normal"


def test_the_check_period_is_the_items_own(draft, citizen, item):
    version = item.published_version
    version.commitment_check_days = 15
    assert "15个工作日" in commitment.letter_for(version, item.department_id)


def test_choosing_back_to_normal_clears_the_text(draft, citizen):
    case = commitment.choose(citizen, draft, draft.lock_version, True)
    case = commitment.choose(citizen, case, case.lock_version, False)
    assert fresh(case).commitment_text == ""
    assert applying.submit(citizen, case, case.lock_version).state == "submitted"


def test_an_item_that_does_not_allow_it_refuses_the_choice(plain_item, citizen):
    case = applying.create_draft(citizen, plain_item)
    with pytest.raises(ValidationError) as e:
        commitment.choose(citizen, case, case.lock_version, True)
    assert "不适用告知承诺" in str(e.value)


def _signed(draft, citizen):
    case = commitment.choose(citizen, draft, draft.lock_version, True)
    return fresh(applying.submit(citizen, case, case.lock_version, commitment_agreed=True))


def test_the_window_accepts_on_the_signed_text_and_cannot_change_it(draft, citizen, window_staff):
    case = _signed(draft, citizen)
    signed_at, text = case.commitment_signed_at, case.commitment_text
    with pytest.raises(ValidationError) as e:
        intake.accept_commitment(window_staff, case, case.lock_version, text + "补充一条", True)
    assert "不能修改" in str(e.value)
    intake.accept_commitment(window_staff, fresh(case), case.lock_version, text, False)
    case = fresh(case)
    assert case.intake_mode == "commitment" and case.commitment_text == text
    assert case.commitment_signed_at == signed_at  # the applicant's signature, not the window's tick


# -- pages -------------------------------------------------------------------------------------------
def test_the_apply_page_offers_commitment_with_the_letter(login, citizen, item, plain_item):
    html = login(citizen).get(reverse("cases:apply", args=[item.pk])).text
    assert 'id="commitment-section"' in html and 'name="intake_choice"' in html and 'value="commitment"' in html
    assert "我已阅读并承诺" in html and "信用记录" in html and "食品经营许可证核发" in html
    assert 'id="commitment-section"' not in login(citizen).get(reverse("cases:apply", args=[plain_item.pk])).text


def test_submitting_on_the_page_needs_the_tick(login, citizen, draft):
    c = login(citizen)
    url = reverse("cases:edit", args=[draft.pk])
    post = {"lock": draft.lock_version, "f_shop_name": "老王小吃", "f_area": "30", "delivery_method": "window",
            "intake_choice": "commitment", "action": "submit"}
    r = c.post(url, post)
    assert r.status_code == 400 and "请阅读告知承诺书并勾选“我已阅读并承诺”" in r.text
    case = fresh(draft)
    assert case.state == "draft" and case.commitment_text  # the choice is kept with the draft
    r = c.post(url, {**post, "lock": case.lock_version, "commitment_agreed": "on"})
    assert r.status_code == 302
    case = fresh(draft)
    assert case.state == "submitted" and case.commitment_signed_at is not None


def test_staff_page_shows_the_signed_text_prefilled_and_locked(staff_client, window_staff, draft, citizen):
    case = _signed(draft, citizen)
    html = staff_client(window_staff).get(reverse("cases:staff_case", args=[case.pk])).text
    panel = html[html.index('id="form-commitment"'):]
    assert "申请人已在线签署" in html
    assert case.commitment_text.splitlines()[0] in panel and "readonly" in panel[:panel.index("</textarea>")]


def test_the_citizen_sees_the_letter_they_signed(login, staff_client, window_staff, draft, citizen):
    case = _signed(draft, citizen)
    intake.accept_commitment(window_staff, case, case.lock_version, case.commitment_text, True)
    html = login(citizen).get(reverse("cases:my_case", args=[case.pk])).text
    assert 'id="commitment-letter"' in html and "签署时间" in html
    assert case.commitment_text.splitlines()[-1] in html


def test_the_citizen_sees_a_letter_the_window_took(login, window_staff, submitted_case, citizen):
    intake.accept_commitment(window_staff, submitted_case, submitted_case.lock_version, "本人承诺：材料真实。", True)
    html = login(citizen).get(reverse("cases:my_case", args=[submitted_case.pk])).text
    assert 'id="commitment-letter"' in html and "本人承诺：材料真实。" in html


# -- API ---------------------------------------------------------------------------------------------
def test_api_create_refuses_commitment_for_an_item_without_it(api, citizen, plain_item):
    r = api(citizen).post("", {"item_id": plain_item.pk, "commitment": True})
    assert r.status_code == 400 and "不适用告知承诺" in r.json()["detail"]
    assert "不适用告知承诺" in r.json()["errors"]["commitment"][0]
    assert not Case.objects.filter(service_item=plain_item).exists()


def test_api_applicant_chooses_reads_and_signs(api, citizen, item, pdf):
    c = api(citizen)
    body = c.post("", {"item_id": item.pk, "form_data": {"shop_name": "老王小吃", "area": 30}, "commitment": True}).json()
    assert "信用记录" in body["commitment_text"] and body["commitment_chosen"] is True
    for m in ("食品经营许可申请书", "营业执照"):
        c.upload(f"{body['id']}/materials", {"file": pdf(), "name": m})
    lock = c.get(f"{body['id']}").json()["lock_version"]
    r = c.post(f"{body['id']}/submit", {"lock_version": lock})
    assert r.status_code == 400 and "我已阅读并承诺" in r.json()["errors"]["commitment"][0]
    r = c.post(f"{body['id']}/submit", {"lock_version": lock, "commitment_agreed": True})
    assert r.status_code == 200 and r.json()["commitment_signed_at"]


def test_api_documents_the_choice(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "告知承诺" in schema["CaseCreateIn"]["properties"]["commitment"]["description"]
    assert "我已阅读并承诺" in schema["SubmitIn"]["properties"]["commitment_agreed"]["description"]
    assert "commitment_text" in schema["CaseDetailOut"]["properties"]
