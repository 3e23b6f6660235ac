"""秒批: rules as data, checked at once on verified registry data and the form; all hold → 准予 with the
checks on the decision; otherwise a person handles it; the department reviews automatic approvals."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from zhengwu.cases import instant_rules as ir
from zhengwu.cases.models import Case, CaseEvent, InstantDecision
from zhengwu.cases.services import applying, instant

pytestmark = pytest.mark.django_db
RULES = "人口库有记录 = 是\n姓名一致 = 是\n年龄 >= 60\n在世 = 是\n户籍区划 开头 410105\n表单.area <= 100"


# -- rules (pure) ---------------------------------------------------------------------------------
def test_parse_names_the_bad_line():
    conditions, errors = ir.parse("年龄 >= 60\n身高 > 170\n在世 > 是\n年龄 >= 六十\n随便写写")
    assert [c.text for c in conditions] == ["年龄 >= 60"]
    assert errors[0].startswith("秒批规则第2行：不认识的来源“身高”")
    assert errors[1] == "秒批规则第3行：“在世”只能用 = 或 != 比较“是/否”"
    assert errors[2] == "秒批规则第4行：“年龄”须与数字比较"
    assert errors[3].startswith("秒批规则第5行：应为“来源 运算 值”")
    assert ir.parse("# 只有注释\n")[1] == ["秒批规则：至少一条"]


@pytest.mark.parametrize("line,fact,ok", [
    ("年龄 >= 60", 60, True), ("年龄 >= 60", 59, False), ("年龄 < 18", 17, True), ("年龄 != 18", None, False),
    ("户籍区划 开头 410105", "410105001000", True), ("户籍区划 开头 410105", "410102000000", False),
    ("登记状态 属于 存续,在业", "在业", True), ("登记状态 属于 存续,在业", "注销", False),
    ("企业类型 包含 个体", "个体工商户", True), ("在世 = 是", True, True), ("在世 = 是", False, False),
    ("在世 != 是", False, True), ("性别 = 女", "女", True),
])
def test_each_operator(line, fact, ok):
    conditions, errors = ir.parse(line)
    assert not errors
    source = conditions[0].source
    assert ir.evaluate(conditions, {source: fact}, {})[0] is ok


def test_conditions_read_as_sentences():
    assert ir.reads("在世 = 否") == "在世：否" and ir.reads("人口库有记录 = 是") == "人口库有记录"
    assert ir.reads("户籍区划 开头 410105", lambda c: f"金水区（{c}）") == "户籍区划属于金水区（410105）"
    assert ir.reads("登记状态 属于 存续,在业") == "登记状态为存续、在业之一"
    assert ir.reads("表单.area <= 100") == "area不大于100"
    assert ir.reads("表单.area <= 100", titles={"area": "面积"}) == "面积不大于100"


def test_form_values_and_missing_data_fail():
    conditions, _ = ir.parse("表单.area <= 100\n表单.kind = 餐饮")
    assert ir.evaluate(conditions, {}, {"area": 80, "kind": "餐饮"})[0]
    passed, checks = ir.evaluate(conditions, {}, {"area": "很大"})
    assert not passed and [c.actual for c in checks] == ["很大", "无数据"]


def test_age_on_birthdays_and_leap_days():
    assert ir.age_on(dt.date(1966, 12, 4), dt.date(2026, 12, 4)) == 60
    assert ir.age_on(dt.date(1966, 12, 5), dt.date(2026, 12, 4)) == 59
    assert ir.age_on(dt.date(1964, 2, 29), dt.date(2024, 2, 28)) == 59
    assert ir.age_on(dt.date(1964, 2, 29), dt.date(2025, 3, 1)) == 61
    assert ir.age_on(None, dt.date(2026, 1, 1)) is None


# -- services -------------------------------------------------------------------------------------
@pytest.fixture
def elder_item(publish_item, dept, make_staff):
    item = publish_item(dept, "老年人优待证办理", promised_days=5, materials=[("申请表", "required")],
                        form_schema={"type": "object", "properties": {"area": {"type": "number", "title": "面积"}}})
    admin = make_staff("item_admin", department=dept)
    instant.save_rule(admin, item, text=RULES, basis="《河南省老年人权益保障条例》第三十条", enabled=True,
                      expected_lock=None)
    return item


def _person(citizen, *, birth, region="410105001000", name=None, alive=True):
    from zhengwu.datashare.models import PersonRecord

    a = citizen.applicant
    return PersonRecord.objects.create(id_number=a.id_number.reveal_unaudited(), name=name or a.name, gender="男",
                                       birth_date=birth, region_code=region, alive=alive)


def _submit(citizen, item, pdf, form, django_capture_on_commit_callbacks):
    case = applying.create_draft(citizen, item, form_data=form)
    applying.upload_material(citizen, case, pdf(), name="申请表")
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        applying.submit(citizen, case, case.lock_version)
    return Case.objects.get(pk=case.pk)


def test_all_rules_hold_and_the_case_is_approved_at_once(elder_item, citizen, pdf, django_capture_on_commit_callbacks):
    from zhengwu.datashare.models import QueryCall

    today = timezone.localdate()
    _person(citizen, birth=today.replace(year=today.year - 70))
    case = _submit(citizen, elder_item, pdf, {"area": 60}, django_capture_on_commit_callbacks)
    assert case.state == "concluded" and case.outcome == "approved" and case.accepted_on == today
    decision = InstantDecision.objects.get(case=case)
    assert decision.outcome == "approved" and decision.review == "pending"
    assert [c["passed"] for c in decision.checks] == [True] * 6
    # The decision reads as sentences, the region by its name, not the rule's own notation.
    assert case.result.reason.startswith("秒批：经核验，符合《河南省老年人权益保障条例》第三十条规定的全部条件（人口库有记录；姓名一致；年龄不小于60；在世；户籍区划属于")
    assert "面积不大于100）" in case.result.reason and ">=" not in case.result.reason
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))[-2:] == ["instant_accept", "conclude"]
    call = QueryCall.objects.get(kind="verify")
    assert call.purpose.startswith("秒批") and call.result == "found"  # the registry read is recorded


@pytest.mark.parametrize("person,form", [
    ({"years": 50}, {"area": 60}),  # too young
    ({"years": 70, "region": "410102000000"}, {"area": 60}),  # not of the district
    ({"years": 70, "name": "别人"}, {"area": 60}),  # the registry names someone else
    ({"years": 70, "alive": False}, {"area": 60}),
    ({"years": 70}, {"area": 500}),  # the form fails a condition
    (None, {"area": 60}),  # no registry record: never decided on missing data
])
def test_any_failing_condition_leaves_it_to_a_person(elder_item, citizen, pdf, person, form,
                                                     django_capture_on_commit_callbacks):
    if person is not None:
        today = timezone.localdate()
        _person(citizen, birth=today.replace(year=today.year - person["years"]),
                region=person.get("region", "410105001000"), name=person.get("name"), alive=person.get("alive", True))
    case = _submit(citizen, elder_item, pdf, form, django_capture_on_commit_callbacks)
    assert case.state == "submitted"
    decision = InstantDecision.objects.get(case=case)
    assert decision.outcome == "manual" and decision.review == "none"
    assert any(not c["passed"] for c in decision.checks)


def test_a_disabled_rule_changes_nothing(elder_item, citizen, pdf, dept, make_staff, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    _person(citizen, birth=today.replace(year=today.year - 70))
    admin = make_staff("item_admin", department=dept)
    instant.save_rule(admin, elder_item, text=RULES, basis="依据", enabled=False, expected_lock=1)
    case = _submit(citizen, elder_item, pdf, {"area": 60}, django_capture_on_commit_callbacks)
    assert case.state == "submitted" and not InstantDecision.objects.exists()


def test_saving_rules_checks_who_and_what(elder_item, dept, make_staff, approver):
    admin = make_staff("item_admin", department=dept)
    with pytest.raises(PermissionDenied):
        instant.save_rule(approver, elder_item, text=RULES, basis="x", enabled=True, expected_lock=1)
    with pytest.raises(ValidationError) as bad:
        instant.save_rule(admin, elder_item, text="身高 > 1", basis="", enabled=True, expected_lock=1)
    assert "依据：必填" in str(bad.value) and "不认识的来源“身高”" in str(bad.value)
    with pytest.raises(ValidationError, match="已被他人修改"):
        instant.save_rule(admin, elder_item, text=RULES, basis="x", enabled=True, expected_lock=0)


def test_review_confirms_or_objects_once(elder_item, citizen, pdf, approver, make_staff, dept,
                                         django_capture_on_commit_callbacks):
    today = timezone.localdate()
    _person(citizen, birth=today.replace(year=today.year - 70))
    case = _submit(citizen, elder_item, pdf, {"area": 60}, django_capture_on_commit_callbacks)
    decision = InstantDecision.objects.get(case=case)
    assert [d.pk for d in instant.pending_reviews(approver)] == [decision.pk]
    with pytest.raises(ValidationError, match="须填写意见"):
        instant.review(approver, decision.pk, confirmed=False)
    with pytest.raises(PermissionDenied):
        instant.review(make_staff("window"), decision.pk, confirmed=True)
    instant.review(approver, decision.pk, confirmed=True)
    instant.review(approver, decision.pk, confirmed=True)  # twice: unchanged
    with pytest.raises(ValidationError, match="已复核无误"):
        instant.review(approver, decision.pk, confirmed=False, note="不对")
    assert list(instant.pending_reviews(approver)) == []


def test_pages(staff_client, elder_item, dept, make_staff, approver, citizen, pdf, django_capture_on_commit_callbacks):
    admin = make_staff("item_admin", department=dept)
    client = staff_client(admin)
    page = client.get(reverse("cases:staff_instant"), {"item": elder_item.pk})
    assert page.status_code == 200 and "年龄 &gt;= 60" in page.text
    bad = client.post(reverse("cases:staff_instant"), {"op": "save_rule", "item": elder_item.pk, "lock_version": 1,
                                                       "rules_text": "年龄 >= 六十", "basis": "x", "enabled": "on"})
    assert bad.status_code == 400 and "“年龄”须与数字比较" in bad.text and "年龄 &gt;= 六十" in bad.text
    today = timezone.localdate()
    _person(citizen, birth=today.replace(year=today.year - 70))
    case = _submit(citizen, elder_item, pdf, {"area": 60}, django_capture_on_commit_callbacks)
    review = staff_client(approver).get(reverse("cases:staff_instant"))
    decision = InstantDecision.objects.get(case=case)
    assert f'id="review-{decision.pk}"' in review.text
    detail = staff_client(approver).get(reverse("cases:staff_case", args=[case.pk]))
    assert 'id="case-instant"' in detail.text and "秒批准予" in detail.text
    done = staff_client(approver).post(reverse("cases:staff_instant_review", args=[decision.pk]), {"op": "confirm"})
    assert done.status_code == 302 and InstantDecision.objects.get(pk=decision.pk).review == "confirmed"
