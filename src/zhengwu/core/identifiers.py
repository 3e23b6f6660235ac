"""Identifiers of the domain: 身份证号, 统一社会信用代码, 事项编码, 电子证照标识.

身份证号 (GB 11643) and 统一社会信用代码 (GB 32100) are checked by python-stdnum. Item codes follow
the national exchange shapes described in DESIGN.md; provinces use other shapes too, so
:func:`classify_item_code` recognises the national ones and reports anything else as
``unknown`` for the caller to store and flag (never refuse). The electronic licence identifier
(GB/T 36904) carries an ISO 7064 MOD 37,36 check character computed with python-stdnum.

Each ``validate_*`` function returns the normalised value or raises
:class:`django.core.exceptions.ValidationError` with a Chinese message naming the rule.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.iso7064 import mod_37_36


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day`` (周岁; a 29 February birthday comes on 1 March in other years)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


ITEM_TYPES: dict[str, str] = {
    "01": "行政许可",
    "02": "行政处罚",
    "03": "行政强制",
    "04": "行政征收",
    "05": "行政给付",
    "06": "行政检查",
    "07": "行政确认",
    "08": "行政奖励",
    "09": "行政裁决",
    "10": "其他行政权力",
    "20": "公共服务",
}

# 行使层级 in the 31-character 实施编码.
EXERCISE_LEVELS: dict[str, str] = {
    "1": "国家级",
    "2": "省级",
    "3": "市级",
    "4": "县级",
    "5": "镇（乡、街道）级",
    "6": "村（社区）级",
}

PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65"
    " 71 81 82".split()
)


def _stdnum_reason(exc: StdnumError) -> str:
    name = type(exc).__name__
    return {
        "InvalidLength": "位数不对",
        "InvalidFormat": "含有不允许的字符",
        "InvalidChecksum": "校验位不正确",
        "InvalidComponent": "其中的地区码或出生日期不存在",
    }.get(name, "格式不正确")


# -- 身份证号 -----------------------------------------------------------------------------------
# GB 11643-1999 公民身份号码 §5.1: 6-digit 地址码, 8-digit 出生日期码, 3-digit 顺序码, 1 check character.
# §5.2 地址码: the GB/T 2260 code of the county of 常住户口 *when the number was assigned*. Codes are
# retired when counties merge or are renamed, but a number is a person's for life (§4: 终身不变), so a
# retired code is accepted and flagged (历史区划代码), never refused. stdnum's table knows when each code
# was in use; it compares that with the *birth* year, which is wrong for people born before their
# county's code existed, so the table is read here directly.
# §5.3 出生日期码 (GB/T 7408): a real date, four-digit year. The standard sets no lower bound, and a
# number is also used for the deceased (死亡登记, 继承, 户籍注销), so any date from 1800 — the earliest
# century the 18-digit scheme writes — up to today is accepted; a date in the future is refused.
EARLIEST_BIRTH = dt.date(1800, 1, 1)


@dataclass(frozen=True)
class IdNumberCheck:
    """A valid 身份证号 and what it says."""

    number: str
    birth_date: dt.date
    region_code: str
    region_name: str
    region_historical: bool  # §5.2: a GB/T 2260 code no longer in use (still valid for its holder)

    @property
    def region_label(self) -> str:
        return f"{self.region_name}（历史区划代码）" if self.region_historical else self.region_name


@functools.lru_cache(maxsize=8192)
def _region(code6: str) -> tuple[str, bool] | None:
    """(name, historical) of a 6-digit 地址码 from stdnum's GB/T 2260 table, or None if unknown.
    Cached: a bulk load of the 人口库 asks for the same few thousand codes millions of times."""
    from stdnum import numdb

    info = {k: v for _, props in numdb.get("cn/loc").info(code6) for k, v in props.items()}
    if "county" not in info:
        return None
    names = info["county"].split(",")
    current = [n for n in names if not n.startswith("[") or n.split("]")[0].endswith("-")]
    if current:
        return current[-1].split("]")[-1], False
    def used(n: str) -> str:
        start, end = n[1:].split("]")[0].split("-")
        return f"{start}–{end}年使用" if start else f"{end}年前使用"

    return "、".join(f"{n.split(']')[-1]}（{used(n)}）" for n in names), True


def compact_id_number(value: str) -> str:
    """stdnum's ``ric.compact`` (spaces and hyphens out, upper case) without its per-character
    loop: the same result for the 18-character form, fast enough for a 10,000,000-row import."""
    return str(value or "").replace(" ", "").replace("-", "").strip().upper()


def _id_problem_and_check(value: str, today: dt.date | None = None) -> tuple[str | None, IdNumberCheck | None]:
    number = compact_id_number(value)
    if len(number) != 18:  # stdnum also knows the old 15-digit form; we do not.
        return "位数不对", None
    if not number[:17].isdigit():
        return "含有不允许的字符", None
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "出生日期（第7–14位）不存在", None
    if born > (today or dt.date.today()):
        return "出生日期（第7–14位）晚于今天", None
    if born < EARLIEST_BIRTH:
        return "出生日期（第7–14位）早于1800年", None
    region = _region(number[:6])
    if region is None:
        return "地区码（前6位）不存在", None
    if number[17] != ric.calc_check_digit(number):  # §5.5: ISO 7064 MOD 11-2
        return "校验位（第18位）不正确", None
    return None, IdNumberCheck(number, born, number[:6], region[0], region[1])


def id_number_problem(value: str, today: dt.date | None = None) -> str | None:
    """Why ``value`` is not a valid 18-character 身份证号 (GB 11643), or None when it is.

    Named in the order a person can act on: a birth date or region code that does not exist is
    said as such (a mistyped digit there upsets the check character too, which alone would hide
    where the mistake is); the check character last."""
    return _id_problem_and_check(value, today)[0]


def check_id_number(value: str, field: str = "身份证号") -> IdNumberCheck:
    """Validate and describe a 身份证号; ``region_historical`` marks a retired 地址码 (§5.2)."""
    problem, result = _id_problem_and_check(value)
    if problem:
        raise ValidationError(f"{field}不正确：{problem}（应为18位居民身份证号码，最后一位可为X）",
                              code="id_number")
    return result


def resembles_id_number(value: str) -> bool:
    """Shaped like a 身份证号 — 17 digits and a digit or X, a birth date from 1800 to today and a
    known region code (current or historical) — whether or not its check character is right. A
    mistyped ID number can pass the other identifiers' checks (about 1 in 30 is a valid 统一社会
    信用代码); this says which one the person meant."""
    number = ric.compact(str(value or ""))
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        return False
    try:
        born = ric.get_birth_date(number)
    except StdnumError:
        return False
    return EARLIEST_BIRTH <= born <= dt.date.today() and _region(number[:6]) is not None


def is_id_number_form(value: str) -> bool:
    """A real date, a known region code (current or historical) and the right check character, with
    no range on the birth date: how a login box tells a 身份证号 from a username, so that every
    number ever registered maps to the same account."""
    number = ric.compact(str(value or ""))
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        return False
    try:
        ric.get_birth_date(number)
    except StdnumError:
        return False
    return _region(number[:6]) is not None and number[17] == ric.calc_check_digit(number)


def validate_id_number(value: str, field: str = "身份证号") -> str:
    """A citizen identity number (18 characters, GB 11643), normalised to upper case."""
    return check_id_number(value, field).number


def make_id_number(body17: str) -> str:
    """Complete 17 digits with their GB 11643 check character (demo and test data)."""
    return body17 + ric.calc_check_digit(body17 + "0")


def id_number_birth_date(number: str) -> dt.date:
    return ric.get_birth_date(number)


# -- 统一社会信用代码 -----------------------------------------------------------------------------
# GB 32100-2015 §4 代码结构: 18 characters of 0–9 and A–Z without I、O、Z、S、V — position 1 登记管理
# 部门代码, 2 机构类别代码, 3–8 登记管理机关行政区划码 (GB/T 2260), 9–17 主体标识码 (组织机构代码,
# GB 11714), 18 校验码 (GB/T 17710, checked by stdnum). 表1 assigns the department and category
# codes: 1 机构编制, 5 民政, 9 工商 and Y 其他 with their categories below. The departments added
# later by the code authority (2 外交, 3 司法行政, 4 文化, 6 旅游, 7 宗教, 8 工会, A 军队, N 农业) are
# accepted with any category except 0, so that a real organisation is never refused for a
# category we do not list.
USCC_CATEGORIES: dict[str, str | None] = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "9": "123",  # 工商: 企业, 个体工商户, 农民专业合作社
    "Y": "1",  # 其他
    "2": None, "3": None, "4": None, "6": None, "7": None, "8": None, "A": None, "N": None,
}
USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714-1997 §5 校验码
ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def org_code_check_char(body8: str) -> str:
    """GB 11714-1997 §5: C9 = 11 − MOD(Σ Ci·Wi, 11); 10 is written X and 11 is written 0."""
    total = sum(ORG_CODE_ALPHABET.index(c) * w for c, w in zip(body8, ORG_CODE_WEIGHTS))
    return {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))


def uscc_problem(value: str) -> str | None:
    """Why ``value`` is not a valid 统一社会信用代码, or None when it is."""
    # Not stdnum's uscc.validate: it wants positions 1–8 to be digits, but §4 allows letters in
    # positions 1–2 (Y 其他, N 农业 …), so the format is checked here and stdnum computes the check.
    code = uscc.compact(str(value or ""))
    if len(code) != 18:
        return "位数不对"
    if any(c not in USCC_ALPHABET for c in code) or not code[2:8].isdigit():
        return "含有不允许的字符"
    if code[17] != uscc.calc_check_digit(code[:17]):
        return "校验位不正确"
    dept, category, region, org = code[0], code[1], code[2:8], code[8:17]
    if dept not in USCC_CATEGORIES:
        return f"第1位登记管理部门代码“{dept}”不存在"
    allowed = USCC_CATEGORIES[dept]
    if category == "0" or (allowed is not None and category not in allowed):
        return f"第2位机构类别代码“{category}”不是该登记管理部门的类别"
    if region == "000000":
        return "第3–8位登记管理机关行政区划码不能为000000"
    if org[8] != org_code_check_char(org[:8]):
        return "第9–17位组织机构代码的校验位（第17位）不正确"
    return None


def validate_uscc(value: str, field: str = "统一社会信用代码") -> str:
    problem = uscc_problem(value)
    if problem:
        raise ValidationError(
            f"{field}不正确：{problem}（应为18位，由数字和大写字母组成，不含I、O、Z、S、V）",
            code="uscc",
        )
    return uscc.compact(str(value or "").strip())


def make_uscc(authority: str, entity_type: str, region6: str, org_code8: str) -> str:
    """Build a valid USCC from its parts (used for demo and test data).

    ``org_code8`` is the body of the 9-character 组织机构代码; its own check character
    (GB 11714) and the USCC's final check character are computed here.
    """
    org_check = org_code_check_char(org_code8)
    body = f"{authority}{entity_type}{region6}{org_code8}{org_check}"
    return body + uscc.calc_check_digit(body)


# -- 行政区划代码 -------------------------------------------------------------------------------
REGION_LEVELS = {1: "省级", 2: "市级", 3: "县级", 4: "乡级", 5: "村级"}


def region_level(code: str) -> int:
    """The level of a 12-digit region code: 1 province … 5 village (村/社区)."""
    if code[2:] == "0" * 10:
        return 1
    if code[4:] == "0" * 8:
        return 2
    if code[6:] == "0" * 6:
        return 3
    if code[9:] == "000":
        return 4
    return 5


def region_prefix(code: str) -> str:
    """The significant leading digits of a region code: descendants share this prefix."""
    return code[: {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}[region_level(code)]]


def validate_region_code(value: str, field: str = "区划代码") -> str:
    code = str(value or "").strip()
    if len(code) == 6 and code.isdigit():
        code += "000000"
    if not re.fullmatch(r"\d{12}", code):
        raise ValidationError(f"{field}不正确：应为12位数字（县级以上可写6位）", code="region_code")
    if code[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(f"{field}不正确：前两位“{code[:2]}”不是省级区划代码", code="region_code")
    return code


def region_parent_code(code: str) -> str | None:
    level = region_level(code)
    if level == 1:
        return None
    keep = {2: 2, 3: 4, 4: 6, 5: 9}[level]
    return code[:keep].ljust(12, "0")


# -- 事项编码 -----------------------------------------------------------------------------------
BASE_CODE_RE = re.compile(r"(?P<prefix>\d{2})(?P<type>\d{2})(?P<main>\d{5})(?P<sub>\d{3})")
IMPL_CODE_RE = re.compile(r"(?P<uscc>[0-9A-Z]{18})(?P<level>[1-6])(?P<base>\d{12})")


def validate_base_code(value: str, field: str = "基本编码") -> str:
    """基本编码 (12): catalogue prefix (00 national or a province) + 事项类型 + 主项 + 子项."""
    code = str(value or "").strip()
    m = BASE_CODE_RE.fullmatch(code)
    if not m:
        raise ValidationError(f"{field}不正确：应为12位数字", code="base_code")
    if m["prefix"] != "00" and m["prefix"] not in PROVINCE_PREFIXES:
        raise ValidationError(
            f"{field}不正确：前两位应为00（国家目录）或省级区划代码", code="base_code"
        )
    if m["type"] not in ITEM_TYPES:
        raise ValidationError(
            f"{field}不正确：第3–4位“{m['type']}”不是有效的事项类型代码", code="base_code"
        )
    return code


def base_code_parts(code: str) -> dict[str, str]:
    m = BASE_CODE_RE.fullmatch(code)
    if not m:
        raise ValueError(code)
    return m.groupdict()


def validate_implementation_code(value: str, field: str = "实施编码") -> str:
    """实施编码 (31) = 实施主体统一社会信用代码 (18) + 行使层级 (1) + 基本编码 (12)."""
    code = str(value or "").strip().upper()
    m = IMPL_CODE_RE.fullmatch(code)
    if not m:
        raise ValidationError(
            f"{field}不正确：应为31位（18位统一社会信用代码+1位行使层级+12位基本编码）",
            code="implementation_code",
        )
    validate_uscc(m["uscc"], f"{field}中的统一社会信用代码")
    validate_base_code(m["base"], f"{field}中的基本编码")
    return code


def make_implementation_code(implementer_uscc: str, level: str, base_code: str) -> str:
    return validate_implementation_code(f"{implementer_uscc}{level}{base_code}")


def classify_item_code(value: str) -> str:
    """Which known shape an imported code has: base / implementation / handling / unknown.

    Provinces publish their own shapes; an ``unknown`` code is stored as given and flagged.
    """
    code = str(value or "").strip().upper()
    for kind, check in (
        ("base", validate_base_code),
        ("implementation", validate_implementation_code),
    ):
        try:
            check(code)
            return kind
        except ValidationError:
            pass
    if len(code) == 33 and code[-2:].isdigit():
        try:
            validate_implementation_code(code[:31])
            return "handling"  # 业务办理项编码 = 实施编码 + 2-digit sequence
        except ValidationError:
            pass
    return "unknown"


# -- 电子证照标识 (GB/T 36904) --------------------------------------------------------------------
LICENSE_OID_PREFIX = "1.2.156.3005.2"
LICENSE_RE = re.compile(
    r"1\.2\.156\.3005\.2\.(?P<type>[0-9A-Z]{21})\.(?P<issuer>[0-9A-Z]{18})\."
    r"(?P<serial>[0-9A-Z]+)\.(?P<version>\d{3})\.(?P<check>[0-9A-Z])"
)


def license_check_char(type_code: str, issuer_uscc: str, serial: str, version: str) -> str:
    return mod_37_36.calc_check_digit(f"{type_code}{issuer_uscc}{serial}{version}")


def make_license_identifier(type_code: str, issuer_uscc: str, serial: str, version: int = 1) -> str:
    """`1.2.156.3005.2.<type 21>.<issuer USCC 18>.<serial>.<version 3>.<check>`."""
    type_code, serial = type_code.upper(), serial.upper()
    if not re.fullmatch(r"[0-9A-Z]{21}", type_code):
        raise ValidationError("证照类型代码不正确：应为21位数字或大写字母", code="license_type")
    if not re.fullmatch(r"[0-9A-Z]{1,40}", serial):
        raise ValidationError("证照顺序号不正确：应为1–40位数字或大写字母", code="license_serial")
    if not 1 <= version <= 999:
        raise ValidationError("证照版本号不正确：应为1–999", code="license_version")
    issuer = validate_uscc(issuer_uscc, "颁发机构统一社会信用代码")
    ver = f"{version:03d}"
    check = license_check_char(type_code, issuer, serial, ver)
    return f"{LICENSE_OID_PREFIX}.{type_code}.{issuer}.{serial}.{ver}.{check}"


def validate_license_identifier(value: str, field: str = "电子证照标识") -> str:
    ident = str(value or "").strip().upper()
    m = LICENSE_RE.fullmatch(ident)
    if not m:
        raise ValidationError(
            f"{field}格式不正确：应为 1.2.156.3005.2.证照类型代码(21).颁发机构代码(18).顺序号.版本号(3).校验位",
            code="license_identifier",
        )
    expected = license_check_char(m["type"], m["issuer"], m["serial"], m["version"])
    if m["check"] != expected:
        raise ValidationError(f"{field}校验位不正确", code="license_identifier")
    return ident


# -- phone numbers -------------------------------------------------------------------------
PHONE_RE = re.compile(r"1[3-9]\d{9}")
LANDLINE_RE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")


def validate_phone(value: str, field: str = "手机号码", allow_landline: bool = False) -> str:
    phone = re.sub(r"[\s]", "", str(value or "")).removeprefix("+86")
    if PHONE_RE.fullmatch(phone) or (allow_landline and LANDLINE_RE.fullmatch(phone)):
        return phone
    rule = "11位手机号码或带区号的固定电话" if allow_landline else "以1开头的11位手机号码"
    raise ValidationError(f"{field}不正确：应为{rule}", code="phone")
