"""基础库导入规则 (pure): the columns of 人口库 and 法人库 files and the check of one row.

:func:`header_map` finds the columns by their Chinese names (order free, extra columns ignored)
and refuses a file without the required ones; :func:`parse_row` turns one row's cells into
``(record, problems, warnings)``: ``record`` is None when a problem stops the row (invalid
身份证号 GB 11643, invalid 统一社会信用代码 GB 32100, a missing required field, a bad date);
warnings (an unknown 区划代码, a 出生日期 that differs from the one in the 身份证号) flag the row
but let it load. Duplicates within a file are found by the loader across the whole file.

The 身份证号 check is :mod:`zhengwu.core.identifiers`' rule (its GB/T 2260 region lookup is
cached there: uncached, the check cost ~37 µs a row, too slow for 10,000,000 rows).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any


from zhengwu.core import identifiers

PERSON = "person"
LEGAL = "legal"

# (header, field, required). Headers are matched after stripping spaces; aliases map to the same field.
PERSON_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("身份证号", "id_number", True),
    ("姓名", "name", True),
    ("性别", "gender", False),
    ("出生日期", "birth_date", False),
    ("民族", "nation", False),
    ("户籍地址", "household_address", False),
    ("户籍区划", "region_code", False),
    ("联系电话", "phone", False),
)
LEGAL_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("统一社会信用代码", "uscc", True),
    ("名称", "name", True),
    ("法定代表人", "legal_rep", False),
    ("法定代表人身份证号", "legal_rep_id_number", False),
    ("类型", "kind", False),
    ("住所", "address", False),
    ("登记区划", "region_code", False),
    ("登记状态", "status", False),
    ("成立日期", "established_on", False),
    ("注册资本", "registered_capital", False),
)
ALIASES = {
    "公民身份号码": "身份证号", "身份证号码": "身份证号", "户籍区划代码": "户籍区划", "电话": "联系电话",
    "手机号码": "联系电话", "企业名称": "名称", "主体名称": "名称", "登记区划代码": "登记区划",
    "法定代表人证件号码": "法定代表人身份证号", "经营状态": "登记状态",
}
MAX_LENGTHS = {"name": 200, "legal_rep": 50, "kind": 60, "address": 300, "status": 20, "registered_capital": 60,
               "nation": 20, "household_address": 300}
KIND_LABELS = {PERSON: "人口库", LEGAL: "法人库"}


def columns(kind: str) -> tuple[tuple[str, str, bool], ...]:
    return PERSON_COLUMNS if kind == PERSON else LEGAL_COLUMNS


class HeaderError(ValueError):
    """The file's first row does not name the required columns; ``message`` is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def header_map(kind: str, header: list[Any]) -> dict[str, int]:
    """field → column index from the header row, or :class:`HeaderError`."""
    names = [ALIASES.get(h, h) for h in (re.sub(r"\s+", "", str(c or "")).lstrip("\ufeff*") for c in header)]
    found: dict[str, int] = {}
    for label, name, _required in columns(kind):
        if label in names:
            found[name] = names.index(label)
    missing = [label for label, name, required in columns(kind) if required and name not in found]
    if missing:
        expected = "、".join(label for label, _n, _r in columns(kind))
        raise HeaderError(f"第1行列名不对：缺少必填列“{'、'.join(missing)}”。{KIND_LABELS[kind]}文件的列名应为：{expected}")
    return found


@dataclass
class Problem:
    column: str
    message: str
    value: str = ""  # masked when personal
    code: str = "other"  # the summary's category: invalid_id, invalid_uscc, missing, bad_date, unknown_region …


@dataclass
class RowResult:
    record: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


# -- cells ----------------------------------------------------------------------------------------
def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value: Any) -> dt.date | None:
    """A date cell: a date/datetime (Excel), 2020-01-02, 2020/1/2, 2020.1.2, 2020年1月2日, 20200102.
    Raises ValueError when not a real date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = text(value)
    if not s:
        return None
    s = s.split(" ")[0].split("T")[0]
    m = _DATE_RE.match(s)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if len(s) == 8 and s.isdigit():
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    raise ValueError(s)


def region_known(code6: str) -> bool:
    """Whether a 6-digit 地址码 is in the GB/T 2260 table (current or historical; cached there)."""
    return identifiers._region(code6) is not None


compact = identifiers.compact_id_number
id_number_problem = identifiers.id_number_problem  # GB 11643, one rule for the platform


def mask_id(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def _region_code(raw: str, label: str, result: RowResult) -> str:
    if not raw:
        return ""
    code = raw + "000000" if len(raw) == 6 and raw.isdigit() else raw
    if not re.fullmatch(r"\d{12}", code):
        result.problems.append(Problem(label, f"{label}不正确：应为12位数字（县级以上可写6位）", raw, "bad_region"))
        return ""
    if code[:2] not in identifiers.PROVINCE_PREFIXES or not region_known(code[:6]):
        result.warnings.append(Problem(label, f"{label}“{code}”不在行政区划代码表中（已导入，请核实）", code, "unknown_region"))
    return code


def _date(cells: list[Any], cols: dict[str, int], name: str, label: str, result: RowResult) -> dt.date | None:
    raw = _cell(cells, cols, name)
    try:
        value = parse_date(raw)
    except (ValueError, TypeError):
        result.problems.append(Problem(label, f"{label}不是有效日期：应为 YYYY-MM-DD，例如 1990-05-17", text(raw), "bad_date"))
        return None
    if value is not None and (value > dt.date.today() or value < identifiers.EARLIEST_BIRTH):
        result.problems.append(Problem(label, f"{label}不在合理范围（1800年至今天）", value.isoformat(), "bad_date"))
        return None
    return value


def _cell(cells: list[Any], cols: dict[str, int], name: str) -> Any:
    i = cols.get(name)
    return cells[i] if i is not None and i < len(cells) else None


def _lengths(record: dict[str, Any], labels: dict[str, str], result: RowResult) -> None:
    for name, limit in MAX_LENGTHS.items():
        value = record.get(name)
        if isinstance(value, str) and len(value) > limit:
            result.problems.append(Problem(labels[name], f"{labels[name]}过长：不能超过{limit}个字", value[:20] + "…", "too_long"))


GENDERS = {"男": "男", "女": "女", "1": "男", "2": "女", "M": "男", "F": "女", "男性": "男", "女性": "女"}


def parse_person(cells: list[Any], cols: dict[str, int]) -> RowResult:
    result = RowResult(None)
    raw_id = text(_cell(cells, cols, "id_number")).upper()
    name = text(_cell(cells, cols, "name"))
    id_number = ""
    if not raw_id:
        result.problems.append(Problem("身份证号", "身份证号为必填项", code="missing"))
    else:
        problem = id_number_problem(raw_id)
        if problem:
            result.problems.append(Problem("身份证号", f"身份证号不正确：{problem}", mask_id(raw_id), "invalid_id"))
        else:
            id_number = compact(raw_id)
    if not name:
        result.problems.append(Problem("姓名", "姓名为必填项", mask_id(id_number) if id_number else "", "missing"))
    birth = _date(cells, cols, "birth_date", "出生日期", result)
    gender_raw = text(_cell(cells, cols, "gender"))
    gender = GENDERS.get(gender_raw.upper(), None) if gender_raw else ""
    if gender is None:
        result.problems.append(Problem("性别", "性别应为“男”或“女”", gender_raw, "bad_value"))
        gender = ""
    region = _region_code(text(_cell(cells, cols, "region_code")), "户籍区划", result)
    if id_number:
        id_birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        id_gender = "男" if int(id_number[16]) % 2 else "女"
        if birth is None:
            birth = id_birth
        elif birth != id_birth:
            result.warnings.append(Problem("出生日期", "出生日期与身份证号中的出生日期不一致（已按文件导入）",
                                           birth.isoformat(), "mismatch"))
        if not gender:
            gender = id_gender
        elif gender != id_gender:
            result.warnings.append(Problem("性别", "性别与身份证号第17位不一致（已按文件导入）", gender, "mismatch"))
    record = {
        "id_number": id_number, "name": name, "gender": gender, "birth_date": birth,
        "nation": text(_cell(cells, cols, "nation")), "household_address": text(_cell(cells, cols, "household_address")),
        "region_code": region, "phone": text(_cell(cells, cols, "phone")).replace(" ", "").replace("-", ""),
    }
    _lengths(record, {"name": "姓名", "nation": "民族", "household_address": "户籍地址"}, result)
    if not result.problems:
        result.record = record
    return result


def parse_legal(cells: list[Any], cols: dict[str, int]) -> RowResult:
    result = RowResult(None)
    raw = text(_cell(cells, cols, "uscc")).upper()
    uscc = ""
    if not raw:
        result.problems.append(Problem("统一社会信用代码", "统一社会信用代码为必填项", code="missing"))
    else:
        problem = identifiers.uscc_problem(raw)
        if problem:
            result.problems.append(Problem("统一社会信用代码", f"统一社会信用代码不正确：{problem}", raw, "invalid_uscc"))
        else:
            uscc = raw.replace(" ", "").replace("-", "")
    name = text(_cell(cells, cols, "name"))
    if not name:
        result.problems.append(Problem("名称", "名称为必填项", uscc, "missing"))
    rep_id_raw = text(_cell(cells, cols, "legal_rep_id_number")).upper()
    rep_id = ""
    if rep_id_raw:
        problem = id_number_problem(rep_id_raw)
        if problem:
            result.problems.append(Problem("法定代表人身份证号", f"法定代表人身份证号不正确：{problem}", mask_id(rep_id_raw), "invalid_id"))
        else:
            rep_id = compact(rep_id_raw)
    established = _date(cells, cols, "established_on", "成立日期", result)
    region = _region_code(text(_cell(cells, cols, "region_code")), "登记区划", result)
    record = {
        "uscc": uscc, "name": name, "legal_rep": text(_cell(cells, cols, "legal_rep")),
        "legal_rep_id_number": rep_id, "kind": text(_cell(cells, cols, "kind")),
        "address": text(_cell(cells, cols, "address")), "region_code": region,
        "status": text(_cell(cells, cols, "status")), "established_on": established,
        "registered_capital": text(_cell(cells, cols, "registered_capital")),
    }
    _lengths(record, {"name": "名称", "legal_rep": "法定代表人", "kind": "类型", "address": "住所", "status": "登记状态",
                      "registered_capital": "注册资本"}, result)
    if not result.problems:
        result.record = record
    return result


def parse_row(kind: str, cells: list[Any], cols: dict[str, int]) -> RowResult:
    return parse_person(cells, cols) if kind == PERSON else parse_legal(cells, cols)


def row_key_label(kind: str, record: dict[str, Any]) -> str:
    """What the report shows for a row's key: the masked 身份证号, or the (public) 统一社会信用代码."""
    return mask_id(record["id_number"]) if kind == PERSON else record["uscc"]


def is_blank(cells: list[Any]) -> bool:
    return all(text(c) == "" for c in cells)
