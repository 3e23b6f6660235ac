"""The pure rules of the 效能投诉 and 办不成事 ledgers: the checks of a recorded outcome, 已处理, 是否超期."""

import datetime as dt

from zhengwu.hotline import ledger_rules as lr

NOW = dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC)


def test_a_finding_is_required_and_named_by_its_field():
    cleaned, errors = lr.clean_outcome("efficiency", {})
    assert errors == {"finding": "请选择核查结论（属实、部分属实或不属实）"}
    assert cleaned["handled"] is False


def test_labels_are_accepted_as_well_as_codes():
    cleaned, errors = lr.clean_outcome("efficiency", {"finding": "属实", "rectification": "已整改",
                                                      "accountability": "通报批评"})
    assert errors == {}
    assert (cleaned["finding"], cleaned["accountability"], cleaned["handled"]) == ("verified", "criticism", True)


def test_unknown_choices_list_the_valid_ones():
    _, errors = lr.clean_outcome("efficiency", {"finding": "maybe", "accountability": "罚款"})
    assert errors["finding"] == "核查结论不正确：应为 属实、部分属实、不属实 之一"
    assert errors["accountability"].startswith("问责情况不正确：应为 无、约谈、通报批评、诫勉、组织处理、移送纪检监察")


def test_unfounded_holds_nobody_accountable_and_needs_no_rectification():
    _, errors = lr.clean_outcome("efficiency", {"finding": "unfounded", "accountability": "talk"})
    assert errors == {"accountability": "核查结论为“不属实”时不能问责：问责情况应为“无”"}
    cleaned, errors = lr.clean_outcome("efficiency", {"finding": "unfounded", "accountability": "none"})
    assert errors == {} and cleaned["handled"] is True


def test_verified_needs_the_rectification_and_heavy_measures_a_note():
    _, errors = lr.clean_outcome("efficiency", {"finding": "partly", "accountability": "referred"})
    assert errors["rectification"] == "核查结论为“部分属实”时，请填写整改情况"
    assert errors["accountability_note"] == "问责情况为“移送纪检监察”时，请写明问责对象和文号"


def test_resolution_only_on_cannot_do_and_explained_needs_the_reason():
    _, errors = lr.clean_outcome("efficiency", {"finding": "unfounded", "resolution": "done"})
    assert errors == {"resolution": "办理结果（协调办成情况）只用于办不成事反映工单"}
    _, errors = lr.clean_outcome("cannot_do", {"finding": "unfounded", "accountability": "none",
                                               "resolution": "explained"})
    assert errors == {"resolution_note": "办理结果为“依法不能办理，已解释”时，请写明不能办理的依据"}


def test_handled_for_cannot_do_needs_a_resolution_other_than_coordinating():
    assert lr.is_handled("cannot_do", "verified", "none", "done") is True
    assert lr.is_handled("cannot_do", "verified", "none", "coordinating") is False
    assert lr.is_handled("cannot_do", "verified", "none", "") is False
    assert lr.is_handled("efficiency", "verified", "", "") is False  # 问责情况 not decided yet
    assert lr.is_handled("efficiency", "verified", "none", "") is True


def test_too_long_texts_are_refused_with_the_length():
    _, errors = lr.clean_outcome("efficiency", {"finding": "verified", "rectification": "整" * 1001})
    assert errors["rectification"] == "整改情况不能超过1000个字（现在1001个字）"


def test_overdue():
    due = NOW - dt.timedelta(hours=1)
    assert lr.is_overdue("handling", None, due, NOW) is True  # open, past the deadline
    assert lr.is_overdue("handling", None, NOW + dt.timedelta(hours=1), NOW) is False
    assert lr.is_overdue("registered", None, None, NOW) is False  # never dispatched: no deadline
    assert lr.is_overdue("closed", False, due, NOW) is True  # closed late
    assert lr.is_overdue("closed", True, due, NOW) is False  # closed on time, whatever the clock says now
    assert lr.is_overdue("archived", None, None, NOW) is False
    # Answered, waiting for the callback: late only if the answer came after the deadline.
    assert lr.is_overdue("replied", None, due, NOW, replied_at=due - dt.timedelta(hours=2)) is False
    assert lr.is_overdue("callbacked", None, due, NOW, replied_at=due + dt.timedelta(minutes=1)) is True


def test_summary_and_outcome_text():
    assert lr.summary("", "一" * 70) == "一" * 59 + "…"
    assert lr.summary("标题", "内容") == "标题"
    assert lr.outcome_text("talk", "窗口人员王某") == "约谈：窗口人员王某"
    assert lr.outcome_text("none", "") == "无"
    assert lr.ledger_type("cannot-do") == "cannot_do" and lr.ledger_type("complaint") is None
