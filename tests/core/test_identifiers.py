"""Identifiers: 身份证号, 统一社会信用代码, 事项编码, 电子证照标识 (GB/T 36904)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core import identifiers as ids

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def test_id_number_valid_and_normalised():
    number = ids.make_id_number("11010519491231002")
    assert ids.validate_id_number(number.lower()) == number.upper()


@pytest.mark.parametrize("value, reason", [
    ("11010519491231002", "位数不对"),
    ("1101051949123100X1", "含有不允许的字符"),
    ("11010519491231002A", "校验位不正确"),
    ("110105194913310026", "出生日期"),
])
def test_id_number_invalid_messages_name_field_and_rule(value, reason):
    with pytest.raises(ValidationError) as exc:
        ids.validate_id_number(value, "申请人身份证号")
    msg = exc.value.messages[0]
    assert msg.startswith("申请人身份证号不正确")
    assert reason in msg or "校验位" in msg or "不存在" in msg


def test_uscc():
    code = ids.make_uscc("9", "1", "410105", "MA9XKT3Q")
    assert ids.validate_uscc(code) == code
    broken = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="统一社会信用代码不正确：校验位不正确"):
        ids.validate_uscc(broken)
    with pytest.raises(ValidationError, match="位数不对"):
        ids.validate_uscc("91410105")


def test_base_code_shape():
    assert ids.validate_base_code("000120001000") == "000120001000"
    assert ids.validate_base_code("410720003001") == "410720003001"
    with pytest.raises(ValidationError, match="事项类型代码"):
        ids.validate_base_code("001120001000")
    with pytest.raises(ValidationError, match="12位数字"):
        ids.validate_base_code("00012000100")
    with pytest.raises(ValidationError, match="前两位"):
        ids.validate_base_code("990120001000")


def test_implementation_code_and_classification():
    uscc = ids.make_uscc("1", "1", "410105", "00000001")
    impl = ids.make_implementation_code(uscc, "4", "000120001000")
    assert len(impl) == 31
    assert ids.classify_item_code("000120001000") == "base"
    assert ids.classify_item_code(impl) == "implementation"
    assert ids.classify_item_code(impl + "01") == "handling"
    # A provincial shape is recognised as unknown, not refused.
    assert ids.classify_item_code(f"511A0138000000-511602000000-000-{uscc}-1-00") == "unknown"


def test_region_code_levels():
    assert ids.region_level("410000000000") == 1
    assert ids.region_level("410100000000") == 2
    assert ids.region_level("410105000000") == 3
    assert ids.region_level("410105001000") == 4
    assert ids.region_level("410105001001") == 5
    assert ids.region_parent_code("410105001001") == "410105001000"
    assert ids.validate_region_code("410105") == "410105000000"
    with pytest.raises(ValidationError, match="区划代码不正确"):
        ids.validate_region_code("41010")


def test_license_identifier_known_value():
    ident = ids.make_license_identifier("11100000000013338W001", ids.make_uscc("1", "1", "410105", "00000001"), "000123", 1)
    parts = ident.split(".")
    assert ".".join(parts[:5]) == "1.2.156.3005.2"
    assert len(parts[5]) == 21 and parts[8] == "001" and len(parts[9]) == 1
    assert ids.validate_license_identifier(ident) == ident


@given(
    type_code=st.text(ALNUM, min_size=21, max_size=21),
    org=st.text(USCC_CHARS, min_size=8, max_size=8),
    serial=st.text(ALNUM, min_size=1, max_size=20),
    version=st.integers(1, 999),
)
def test_license_identifier_roundtrip_and_single_error_detected(type_code, org, serial, version):
    issuer = ids.make_uscc("1", "1", "410105", org)
    ident = ids.make_license_identifier(type_code, issuer, serial, version)
    assert ids.validate_license_identifier(ident) == ident
    # MOD 37,36 detects every single-character substitution in the checked part.
    pos = len("1.2.156.3005.2.")
    original = ident[pos]
    replacement = "0" if original != "0" else "1"
    tampered = ident[:pos] + replacement + ident[pos + 1:]
    with pytest.raises(ValidationError):
        ids.validate_license_identifier(tampered)


def test_phone():
    assert ids.validate_phone("138 0371 0001") == "13803710001"
    assert ids.validate_phone("0371-65500000", allow_landline=True) == "0371-65500000"
    with pytest.raises(ValidationError, match="手机号码不正确"):
        ids.validate_phone("12345")
