"""身份证号 (GB 11643-1999) and 统一社会信用代码 (GB 32100-2015, GB 11714-1997): worked examples.

Each example's check characters are recomputed here with the standards' algorithms before the
example is used, so a test never rests on a number copied without checking."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from zhengwu.core import identifiers as ids

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def mod11_2(body17: str) -> str:
    """GB 11643-1999 §5.5 (ISO 7064 MOD 11-2), written out: Σ ai·Wi, Wi = 2^(17-i) mod 11."""
    total = sum(int(a) * pow(2, 17 - i, 11) for i, a in enumerate(body17))
    return "10X98765432"[total % 11]


def with_check(body17: str) -> str:
    return body17 + mod11_2(body17)


# -- 身份证号 ---------------------------------------------------------------------------------------
def test_the_written_out_algorithm_agrees_with_stdnum():
    for body in ("11010519491231002", "44052418800101001", "44052419500101001"):
        assert mod11_2(body) == ric.calc_check_digit(body + "0")
    assert with_check("44052418800101001") == "440524188001010014"  # the issue's example is well-formed


def test_current_region_is_not_flagged():
    number = with_check("11010519491231002")
    check = ids.check_id_number(number)
    assert check.number == number and not check.region_historical and check.region_name == "朝阳区"
    assert check.birth_date == dt.date(1949, 12, 31)


def test_historical_region_is_accepted_and_flagged():
    # 440524 潮阳县 was a GB/T 2260 code from 1983 to 1993 (now 汕头市潮阳区 440513).
    number = with_check("44052419850101001")
    check = ids.check_id_number(number)
    assert check.region_historical and "潮阳县" in check.region_name and "1983–1993年使用" in check.region_name
    assert check.region_label.endswith("（历史区划代码）")
    assert ids.validate_id_number(number) == number


def test_historical_region_assigned_after_the_birth_year_is_accepted():
    # Born 1950, number issued under the 1983 code: stdnum compares the code's years with the birth
    # year and refuses it; GB 11643 §5.2 takes the code of the 常住户口 when the number was assigned.
    number = with_check("44052419500101001")
    assert not ric.is_valid(number)
    assert ids.check_id_number(number).region_historical


def test_unknown_region_is_refused():
    with pytest.raises(ValidationError, match="地区码（前6位）不存在"):
        ids.validate_id_number(with_check("99999919850101001"))


def test_future_birth_date_is_refused():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    number = with_check(f"110105{tomorrow:%Y%m%d}001")
    with pytest.raises(ValidationError, match="出生日期（第7–14位）晚于今天"):
        ids.validate_id_number(number)
    today = dt.date.today()
    assert ids.validate_id_number(with_check(f"110105{today:%Y%m%d}001"))  # a newborn is fine


def test_the_issues_example_with_a_retired_region_and_an_1880_birth_is_accepted_and_flagged():
    # GB 11643 §5.3 sets no lower bound on the birth date, and numbers of the deceased are used too
    # (死亡登记, 继承): 440524188001010014 is valid, its region 440524 retired, so it is flagged.
    check = ids.check_id_number("440524188001010014")
    assert check.birth_date == dt.date(1880, 1, 1) and check.region_historical
    with pytest.raises(ValidationError, match="早于1800年"):
        ids.validate_id_number(with_check("11010517991231001"))


def test_login_maps_every_well_formed_number_to_the_blind_username():
    from zhengwu.accounts.backends import login_username

    assert login_username(with_check("44052419500101001")).startswith("p-")
    assert login_username(with_check("11010519491231002")).startswith("p-")
    assert login_username("zhangsan") == "zhangsan"


# -- 统一社会信用代码 ----------------------------------------------------------------------------------
def test_real_uscc_is_accepted():
    code = "91350100M000100Y43"
    # Recomputed: GB 11714 check of M000100Y is 4, GB 32100's final check character is 3.
    assert ids.org_code_check_char("M000100Y") == "4"
    assert uscc.calc_check_digit(code[:17]) == "3"
    assert ids.validate_uscc(code) == code


def _uscc(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


def test_wrong_organisation_code_check_is_refused():
    bad = _uscc("91350100M000100Y5")  # the final check is right, the embedded GB 11714 one is not
    assert uscc.is_valid(bad)
    with pytest.raises(ValidationError, match="组织机构代码的校验位"):
        ids.validate_uscc(bad)


def test_department_zero_is_refused():
    bad = _uscc("01350100M000100Y4")
    assert uscc.is_valid(bad)
    with pytest.raises(ValidationError, match="第1位登记管理部门代码“0”不存在"):
        ids.validate_uscc(bad)


@pytest.mark.parametrize("body", ["94350100M000100Y4", "90350100M000100Y4", "Y2350100M000100Y4"])
def test_category_outside_the_departments_table_is_refused(body):
    with pytest.raises(ValidationError, match="第2位机构类别代码"):
        ids.validate_uscc(_uscc(body))


def test_region_000000_is_refused():
    bad = ids.make_uscc("9", "1", "000000", "M000100Y")
    assert uscc.is_valid(bad)
    with pytest.raises(ValidationError, match="行政区划码不能为000000"):
        ids.validate_uscc(bad)


@pytest.mark.parametrize("dept, category", [("1", "1"), ("1", "2"), ("5", "1"), ("5", "3"), ("9", "2"), ("9", "3"),
                                            ("Y", "1"), ("3", "1"), ("7", "1"), ("N", "2")])
def test_departments_and_categories_in_use_are_accepted(dept, category):
    code = ids.make_uscc(dept, category, "410105", "MA9XKT3Q")
    assert ids.validate_uscc(code) == code


@given(org=st.text(USCC_CHARS, min_size=8, max_size=8))
def test_built_codes_validate_and_a_changed_org_code_check_is_caught(org):
    code = ids.make_uscc("9", "1", "410105", org)
    assert ids.validate_uscc(code) == code
    other = "0" if code[16] != "0" else "1"
    tampered = _uscc(code[:16] + other)
    with pytest.raises(ValidationError):
        ids.validate_uscc(tampered)
