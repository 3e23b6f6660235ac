"""基础库导入规则: columns, checksums, required fields, dates, regions."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core.identifiers import make_id_number, make_uscc
from zhengwu.datashare import registry_rules as rules

GOOD_ID = make_id_number("41010519900517123")
GOOD_USCC = make_uscc("9", "1", "410105", "MA44KX3P")
PERSON_HEADER = ["身份证号", "姓名", "性别", "出生日期", "民族", "户籍地址", "户籍区划", "联系电话"]


def person(**over):
    cols = rules.header_map("person", PERSON_HEADER)
    values = {"身份证号": GOOD_ID, "姓名": "张三", "性别": "", "出生日期": "", "民族": "汉族", "户籍地址": "郑州市花园路1号",
              "户籍区划": "410105000000", "联系电话": "138 0000 1234", **over}
    return rules.parse_person([values[h] for h in PERSON_HEADER], cols)


def test_header_in_any_order_with_aliases():
    cols = rules.header_map("person", ["姓名", " 公民身份号码 ", "其他"])
    assert cols == {"name": 0, "id_number": 1}


def test_header_missing_required_column_names_it():
    with pytest.raises(rules.HeaderError) as exc:
        rules.header_map("legal", ["名称", "住所"])
    assert "统一社会信用代码" in exc.value.message and "第1行" in exc.value.message


def test_good_person_fills_gender_and_birth_from_id():
    r = person()
    assert r.problems == [] and r.warnings == []
    assert r.record["birth_date"] == dt.date(1990, 5, 17)
    assert r.record["gender"] == "男"  # 17th digit 3 is odd
    assert r.record["phone"] == "13800001234"


@pytest.mark.parametrize("bad,reason", [
    (GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1"), "校验位"),
    ("41010519901317123X", "出生日期"),
    ("99010519900517123X", "地区码"),
    ("4101051990", "位数"),
])
def test_invalid_id_number(bad, reason):
    r = person(身份证号=bad)
    assert r.record is None
    assert r.problems[0].code == "invalid_id" and reason in r.problems[0].message
    assert "*" in r.problems[0].value  # masked in the report


def test_cached_check_agrees_with_identifiers():
    from zhengwu.core.identifiers import id_number_problem

    for value in (GOOD_ID, GOOD_ID[:-1] + "0", "41010519901317123X", "99010519900517123X", "1234"):
        assert (rules.id_number_problem(value) is None) == (id_number_problem(value) is None)


def test_missing_name_and_bad_dates():
    r = person(姓名="", 出生日期="1990-02-30")
    codes = {p.code for p in r.problems}
    assert r.record is None and codes == {"missing", "bad_date"}


@pytest.mark.parametrize("value", ["1990/5/17", "1990年5月17日", "19900517", dt.datetime(1990, 5, 17, 0, 0)])
def test_date_forms(value):
    assert rules.parse_date(value) == dt.date(1990, 5, 17)


def test_unknown_region_is_a_warning_not_a_refusal():
    r = person(户籍区划="419999000000")
    assert r.record is not None and r.warnings[0].code == "unknown_region"
    r = person(户籍区划="41A")
    assert r.record is None and r.problems[0].code == "bad_region"


def test_birth_date_mismatch_is_flagged():
    r = person(出生日期="1991-01-01")
    assert r.record is not None and r.warnings[0].code == "mismatch"


def test_legal_rows():
    cols = rules.header_map("legal", ["统一社会信用代码", "名称", "法定代表人身份证号", "成立日期"])
    good = rules.parse_legal([GOOD_USCC.lower(), "某某公司", GOOD_ID, "2010-01-02"], cols)
    assert good.record["uscc"] == GOOD_USCC and good.record["legal_rep_id_number"] == GOOD_ID
    bad = rules.parse_legal([GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1"), "", "x", "明天"], cols)
    assert bad.record is None
    assert {p.code for p in bad.problems} == {"invalid_uscc", "missing", "invalid_id", "bad_date"}
