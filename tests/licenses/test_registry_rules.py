"""Pure rules of the registry: type codes, fields, validity, the status table, serials."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from zhengwu.core.identifiers import make_license_identifier, make_uscc, validate_license_identifier
from zhengwu.licenses import rules

USCC = make_uscc("1", "1", "410105", "T0000001")


def test_type_code_is_a_uscc_and_three_digits():
    assert rules.type_code_problem(USCC + "001") is None
    assert rules.type_code_problem(USCC.lower() + "001") is None  # compared in upper case
    assert "21位" in rules.type_code_problem(USCC + "01")
    assert "后3位应为数字" in rules.type_code_problem(USCC + "0A1")
    bad = USCC[:17] + ("0" if USCC[17] != "0" else "1")
    assert "前18位应为定义部门的统一社会信用代码：校验位不正确" in rules.type_code_problem(bad + "001")


def test_schema_rows_checked_and_cleaned():
    rows = rules.clean_schema([{"key": "name", "label": "姓名", "type": "string", "required": True},
                               {"key": "", "label": ""}, {"key": " 1x", "label": "", "type": "blob"},
                               {"key": "name", "label": "重复", "type": "date"}])
    assert len(rows) == 3
    problems = rules.schema_problems(rows)
    assert any("第2项字段代码“1x”不正确" in p for p in problems)
    assert any("第2项名称不能为空" in p for p in problems)
    assert any("第2项类型应为" in p for p in problems)
    assert any("第3项字段代码“name”重复" in p for p in problems)
    assert rules.schema_problems(rows[:1]) == []


def test_data_checked_against_schema_and_picked_from_sources():
    schema = [{"key": "name", "label": "姓名", "type": "string", "required": True},
              {"key": "born", "label": "出生日期", "type": "date", "required": False},
              {"key": "area", "label": "面积", "type": "number", "required": False}]
    assert rules.data_problems(schema, {}) == ["照面信息“姓名”缺少：该项为必填"]
    assert rules.data_problems(schema, {"name": "张三", "born": "1990-13-01", "area": "x"}) == [
        "照面信息“出生日期”应为日期 YYYY-MM-DD", "照面信息“面积”应为数字"]
    assert rules.pick_data(schema, {"name": ""}, {"name": "李四", "area": 30}, {"born": "1990-01-02"}) == {
        "name": "李四", "area": 30, "born": "1990-01-02"}


def test_the_application_form_fills_the_licence_fields_of_the_same_label():
    """The form's 经营项目 (a multiple choice, key business_items) fills the licence's 经营项目
    (key business_scope) as one line; before, the licence printed 经营项目 —."""
    schema = [{"key": "business_scope", "label": "经营项目", "type": "string"},
              {"key": "name", "label": "经营者名称", "type": "string"}]
    form_schema = {"properties": {"business_items": {"type": "array", "title": "经营项目"},
                                  "shop": {"type": "string", "title": "店名"}}}
    form = {"business_items": ["热食类食品制售", "冷食类食品制售"], "shop": "小店"}
    picked = rules.by_label(schema, form_schema, form)
    assert picked == {"business_scope": ["热食类食品制售", "冷食类食品制售"]}
    assert rules.pick_data(schema, form, picked) == {"business_scope": "热食类食品制售、冷食类食品制售"}


def test_a_field_may_carry_a_default_that_comes_last():
    """默认值: what every licence of the type prints unless the case gives a value (投诉举报电话 12315)."""
    rows = rules.clean_schema([{"key": "complaint_phone", "label": "投诉举报电话", "default": " 12315 "},
                               {"key": "shop", "label": "经营场所", "default": ""}])
    assert rows[0]["default"] == "12315" and "default" not in rows[1]
    assert rules.schema_problems(rows) == []
    assert rules.schema_problems([{**rows[0], "default": "1" * 101}]) == ["第1项默认值最多100个字"]
    defaults = rules.defaults(rows)
    assert defaults == {"complaint_phone": "12315"}
    assert rules.pick_data(rows, {"shop": "经三路68号"}, defaults) == {"complaint_phone": "12315", "shop": "经三路68号"}
    assert rules.pick_data(rows, {"complaint_phone": "0371-12315"}, defaults)["complaint_phone"] == "0371-12315"


def test_template_checks_and_order():
    schema = [{"key": "a", "label": "甲"}, {"key": "b", "label": "乙"}]
    assert rules.template_problems({"field_order": ["b", "x"], "seal_x": 900}, schema) == [
        "版式字段顺序中有照面信息项以外的字段：x", "印章位置横坐标应为0–595的整数（单位：磅，自页面左下角起）"]
    assert [f["key"] for f in rules.field_order({"field_order": ["b"]}, schema)] == ["b", "a"]
    assert rules.seal_position({}) == rules.DEFAULT_SEAL


@pytest.mark.parametrize(("issued", "years", "until"), [
    (dt.date(2026, 3, 7), 20, dt.date(2046, 3, 7)),
    (dt.date(2024, 2, 29), 5, dt.date(2029, 2, 28)),  # leap day into a common year
    (dt.date(2024, 2, 29), 4, dt.date(2028, 2, 29)),  # leap year to leap year keeps the day
    (dt.date(2026, 1, 1), None, None),  # 长期
])
def test_validity(issued, years, until):
    assert rules.valid_until(issued, years) == until


def test_status_table_and_terminal_refusal():
    assert rules.MACHINE.check("valid", "revoke", "staff") == "revoked"
    assert rules.MACHINE.check("valid", "expire", "system") == "expired"
    for final in ("superseded", "cancelled", "revoked", "expired"):
        for action in ("change", "cancel", "revoke", "expire"):
            assert rules.refusal_for(final, action) is not None
    assert rules.refusal_for("revoked", "cancel") == "该证照已吊销，不能再注销：已变更、注销、吊销或过期的证照不可再变动"
    assert rules.refusal_for("valid", "cancel") is None
    from zhengwu.core.statemachine import TransitionRefused

    with pytest.raises(TransitionRefused, match="无权执行“过期”"):
        rules.MACHINE.check("valid", "expire", "staff")


def test_reason_required():
    assert rules.reason_problem("  ", "吊销") == "吊销原因不能少于4个字：请写明事实和依据"
    assert rules.reason_problem("违法经营被处罚", "吊销") is None
    assert "最多300个字" in rules.reason_problem("字" * 301, "注销")


def test_seen_status_computes_expiry_before_the_job():
    today = dt.date(2026, 6, 1)
    assert rules.seen_status("valid", dt.date(2026, 6, 1), today) == ("valid", "有效")  # the last day still counts
    assert rules.seen_status("valid", dt.date(2026, 5, 31), today) == ("expired", "已过期")
    assert rules.seen_status("valid", None, today) == ("valid", "有效")
    assert rules.seen_status("revoked", dt.date(2020, 1, 1), today) == ("revoked", "已吊销")
    assert rules.seen_status("superseded", None, today) == ("superseded", "已变更")
    assert rules.seen_status("cancelled", None, today) == ("cancelled", "已注销")


def test_serial_number_and_identifier():
    serial = rules.make_serial(dt.date(2026, 5, 4), 123)
    assert serial == "20260000000123"
    code = USCC + "007"
    assert rules.make_number(code, serial) == "00720260000000123"
    ident = make_license_identifier(code, USCC, serial, 2)
    assert validate_license_identifier(ident) == ident and ".002." in ident
    with pytest.raises(ValueError):
        rules.make_serial(dt.date(2026, 1, 1), 0)


def test_canonical_is_sorted_and_stable():
    a = rules.canonical("I", "T", {"name": "甲", "kind": "person"}, {"uscc": "U", "name": "局"}, {"issued_on": "2026-01-01"},
                        {"b": 1, "a": "乙"})
    body = json.loads(a)
    assert list(body) == sorted(body) and "乙" in a.decode()
    assert a == rules.canonical("I", "T", {"kind": "person", "name": "甲"}, {"name": "局", "uscc": "U"},
                                {"issued_on": "2026-01-01"}, {"a": "乙", "b": 1})
