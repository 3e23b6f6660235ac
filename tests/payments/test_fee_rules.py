"""收费项目 rules (catalog/fee_rules.py) and the 缴款码 (payments/rules.py): pure, no database."""

from decimal import Decimal

import pytest

from zhengwu.catalog import fee_rules
from zhengwu.payments import rules


def test_amount_parsing_is_decimal_and_two_places():
    assert fee_rules.parse_amount("20") == Decimal("20.00")
    assert fee_rules.parse_amount("12.5元") == Decimal("12.50")
    assert fee_rules.parse_amount("") is None
    for bad in ("12.345", "-1", "abc", "1e3"):
        with pytest.raises(ValueError):
            fee_rules.parse_amount(bad)
    assert fee_rules.to_fen(Decimal("0.29")) == 29  # no float rounding (0.29*100 = 28.999… as a float)
    assert fee_rules.yuan(123456) == "1,234.56" and fee_rules.yuan(5) == "0.05"


def test_fee_problems_name_the_row_and_the_rule():
    ok = [{"name": "工本费", "amount": "20", "basis": "《文件》"},
          {"name": "检测费", "rule": "按项目计费"},
          {"name": "旧数据", "standard": "按规定收取"}, {"name": "邮寄费"}]  # legacy and imported rows stay valid
    assert fee_rules.fee_problems(ok) == []
    problems = fee_rules.fee_problems([
        {"name": "工本费", "amount": "abc", "basis": "x"},
        {"name": "检测费", "amount": "10", "rule": "按项目", "basis": "x"},
        {"name": "空项", "amount": "", "rule": ""},
        {"name": "无依据", "amount": "5"},
        {"name": "零元", "amount": "0", "basis": "x"},
        {"name": "减免", "amount": "5", "basis": "x", "reductions": [{"name": "低保", "condition": "", "percent": 150}]},
    ])
    text = "\n".join(problems)
    assert "第1项收费“工本费”的金额“abc”应为以元为单位" in text
    assert "第2项收费“检测费”的“金额”与“计费规则”只能填一项" in text
    assert "第3项收费“空项”须填写金额（元）或计费规则" in text  # a row of the editor (amount/rule keys)
    assert "第4项收费“无依据”须填写收费依据" in text
    assert "第5项收费“零元”的金额应大于0" in text
    assert "第1条减免须填写名称和适用条件" in text and "减收比例应为1至100的整数" in text


def test_reductions_one_line_form_round_trips():
    parsed = fee_rules.parse_reductions("低保家庭|持有效低保证|免收；残疾人|持残疾人证|50%")
    assert parsed == [{"name": "低保家庭", "condition": "持有效低保证", "percent": None, "waive": True},
                      {"name": "残疾人", "condition": "持残疾人证", "percent": 50, "waive": False}]
    assert fee_rules.parse_reductions(fee_rules.format_reductions(parsed)) == parsed
    with pytest.raises(ValueError, match="第1条减免应写成"):
        fee_rules.parse_reductions("低保家庭 免收")
    with pytest.raises(ValueError, match="应为“免收”或减收百分比"):
        fee_rules.parse_reductions("低保|有证|打折")


def test_reduced_amount_rounds_half_up_to_the_fen():
    assert fee_rules.reduced_fen(2000, {"waive": True}) == 0
    assert fee_rules.reduced_fen(2000, {"percent": 50}) == 1000
    assert fee_rules.reduced_fen(1001, {"percent": 50}) == 501  # 500.5 → 501


def test_legacy_standard_becomes_amount_or_rule():
    assert fee_rules.normalise_fee({"name": "a", "standard": "10元/证", "basis": "b"})["amount"] == "10.00"
    legacy = fee_rules.normalise_fee({"name": "a", "standard": "汽车号牌100元/副", "basis": "b"})
    assert legacy["amount"] is None and legacy["rule"] == "汽车号牌100元/副"


def test_pay_code_is_20_digits_with_a_check_digit_that_catches_typing_errors():
    code = rules.pay_code("410105001000", 2026, 123)
    assert len(code) == 20 and code.isdigit() and code.startswith("41010526" + "00000000123")
    assert rules.pay_code_problem(code) is None
    wrong_digit = code[:10] + str((int(code[10]) + 1) % 10) + code[11:]
    assert rules.pay_code_problem(wrong_digit) == "缴款码校验位不正确，请核对是否输错"
    swapped = code[:-3] + code[-2] + code[-3] + code[-1]
    if swapped != code:
        assert rules.pay_code_problem(swapped) is not None
    assert rules.pay_code_problem("123") == "缴款码应为20位数字"


def test_order_lines_need_the_clerk_amount_for_rule_fees_and_a_reason_for_reductions():
    fees = [{"name": "工本费", "amount": "20.00", "basis": "x",
             "reductions": [{"name": "残疾人", "condition": "持证", "percent": 50, "waive": False}]},
            {"name": "检测费", "rule": "按项目", "basis": "y"}]
    lines, problems = rules.order_lines(fees)
    assert problems == ["收费项目“检测费”按“按项目”计费，须填写本办件的应缴金额"]
    lines, problems = rules.order_lines(fees, {"检测费": 3550}, {"工本费": {"name": "残疾人", "reason": ""}})
    assert problems == ["收费项目“工本费”适用减免“残疾人”须填写理由（如核验的证件）"]
    lines, problems = rules.order_lines(fees, {"检测费": 3550}, {"工本费": {"name": "残疾人", "reason": "核验残疾人证"}})
    assert problems == [] and [line["due_fen"] for line in lines] == [1000, 3550]
    assert lines[0]["reduction"]["reason"] == "核验残疾人证"


def test_refund_may_not_exceed_paid_minus_refunded():
    assert rules.refund_problem(1500, 2000, 1000, "多收退还") == \
        "退款金额 15.00 元超过可退金额 10.00 元（已缴 20.00 元，已退 10.00 元）"
    assert rules.refund_problem(1000, 2000, 1000, "多收退还") is None
    assert rules.refund_problem(0, 2000, 0, "多收退还") == "退款金额应大于0"
    assert rules.refund_problem(100, 2000, 0, "退") == "退款须填写原因（不少于4个字）"
