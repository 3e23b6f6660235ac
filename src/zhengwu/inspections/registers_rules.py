"""Pure rules of the registers (no ORM): 注册率, expiry windows, and the checks of imported rows.

The services read files and the database; these functions only judge values, so they are
unit-tested alone (tests/inspections/test_registers_rules.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zhengwu.core.identifiers import uscc_problem

EXPIRY_NOTICE_DAYS = 30
INSPECTOR_COLUMNS = ("姓名", "执法证号", "部门", "执法领域", "有效期至")
OBJECT_COLUMNS = ("名称", "统一社会信用代码", "对象类别", "行业", "所在区划", "地址", "风险等级")
OBJECT_REQUIRED = ("名称", "所在区划")
RISK_LEVELS = ("A", "B", "C", "D")
MAX_IMPORT_ROWS = 50_000


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in per cent with one decimal, None when there is nothing to divide."""
    if whole <= 0:
        return None
    return round(part * 100.0 / whole, 1)


@dataclass(frozen=True)
class RegistrationRate:
    """注册率 of one department: inspectors with a valid certificate (active, not expired) ÷ all
    listed (not 调离/退休), and those with a platform account ÷ all."""

    total: int
    valid: int
    with_account: int

    @property
    def valid_rate(self) -> float | None:
        return percent(self.valid, self.total)

    @property
    def account_rate(self) -> float | None:
        return percent(self.with_account, self.total)


def certificate_valid(status: str, valid_until: dt.date, today: dt.date) -> bool:
    return status == "active" and valid_until >= today


def expiry_notice_due(status: str, valid_until: dt.date, notified_for: dt.date | None, today: dt.date,
                      days: int = EXPIRY_NOTICE_DAYS) -> bool:
    """An active inspector whose certificate ends within ``days`` (and not yet) is noticed once per
    expiry date: a renewed certificate (a new valid_until) is noticed again."""
    return (status == "active" and today <= valid_until <= today + dt.timedelta(days=days)
            and notified_for != valid_until)


def parse_date(value) -> dt.date | None:
    """A cell's date: a date/datetime, or text 2026-12-31, 2026/12/31, 2026.12.31, 20261231."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    text = text.split(" ")[0]
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def header_problem(header: list[str], expected: tuple[str, ...], required: tuple[str, ...]) -> str | None:
    missing = [c for c in required if c not in header]
    if missing:
        return f"第1行（表头）缺少列：{'、'.join(missing)}（应包含：{'、'.join(expected)}）"
    return None


@dataclass
class InspectorRow:
    row: int
    name: str
    cert_number: str
    department: str
    field: str
    valid_until: dt.date


def check_inspector_rows(rows: list[dict], departments: dict[str, int], existing_certs: set[str],
                         today: dt.date) -> tuple[list[InspectorRow], list[str]]:
    """The rows of an 执法人员 import (``{"row": n, "姓名": …}``), checked all together: the clean
    rows, or the Chinese errors, each naming its row number and field. ``departments`` maps the
    names (and short names) the importer may use to department ids; ``existing_certs`` are the
    执法证号 already listed. The import is all-or-nothing: any error refuses the whole file."""
    errors: list[str] = []
    clean: list[InspectorRow] = []
    seen: dict[str, int] = {}
    if not rows:
        return [], ["文件中没有数据行"]
    if len(rows) > MAX_IMPORT_ROWS:
        return [], [f"一次最多导入{MAX_IMPORT_ROWS}行"]
    for r in rows:
        n = r["row"]
        name, cert = cell(r.get("姓名")), cell(r.get("执法证号")).upper()
        dept, area = cell(r.get("部门")), cell(r.get("执法领域"))
        until = parse_date(r.get("有效期至"))
        bad = []
        if not name:
            bad.append("姓名不能为空")
        elif len(name) > 50:
            bad.append("姓名最多50个字")
        if not cert:
            bad.append("执法证号不能为空")
        elif len(cert) > 40:
            bad.append("执法证号最多40个字符")
        elif cert in seen:
            bad.append(f"执法证号“{cert}”与第{seen[cert]}行重复")
        elif cert in existing_certs:
            bad.append(f"执法证号“{cert}”已在名录中")
        if not dept:
            bad.append("部门不能为空")
        elif dept not in departments:
            bad.append(f"部门“{dept}”不存在或不在您的管理范围内")
        if len(area) > 60:
            bad.append("执法领域最多60个字")
        if until is None:
            raw = cell(r.get("有效期至"))
            bad.append(f"有效期至“{raw}”不是日期（应为 2026-12-31）" if raw else "有效期至不能为空")
        if cert and cert not in seen:
            seen[cert] = n
        if bad:
            errors.extend(f"第{n}行：{b}" for b in bad)
        else:
            clean.append(InspectorRow(n, name, cert, dept, area, until))
    return (clean, []) if not errors else ([], errors)


@dataclass
class ObjectRow:
    row: int
    uscc: str | None
    name: str
    category: str
    industry: str
    region_code: str
    address: str
    risk_level: str


@dataclass
class QualityReport:
    """What an 检查对象 import found: the rows it takes and the rows it leaves, with the reason."""

    total: int = 0
    good: list[ObjectRow] = field(default_factory=list)
    bad_uscc: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    added: int = 0
    updated: int = 0

    @property
    def rejected(self) -> int:
        return len(self.bad_uscc) + len(self.duplicates) + len(self.other)

    def as_dict(self) -> dict:
        return {"total": self.total, "good": len(self.good), "added": self.added, "updated": self.updated,
                "rejected": self.rejected,
                "bad_uscc": self.bad_uscc[:200], "duplicates": self.duplicates[:200], "other": self.other[:200],
                "truncated": max(len(self.bad_uscc), len(self.duplicates), len(self.other)) > 200}


def check_object_rows(rows: list[dict], region_prefixes: tuple[str, ...] | None) -> QualityReport:
    """Judge each row of an 检查对象 import on its own: a bad 统一社会信用代码 (checksum, shape), a
    duplicate within the file (by code, else by name + 区划), a region outside the importer's
    (``region_prefixes``; None = anywhere), missing fields. Good rows are kept; the rest reported."""
    report = QualityReport(total=len(rows))
    seen: dict[str, int] = {}
    for r in rows:
        n = r["row"]
        name = cell(r.get("名称"))
        code = cell(r.get("统一社会信用代码")).upper().replace(" ", "")
        region = cell(r.get("所在区划"))
        risk = cell(r.get("风险等级")).upper()[:1] or "B"
        if not name:
            report.other.append(f"第{n}行：名称不能为空")
            continue
        if len(name) > 200:
            report.other.append(f"第{n}行：名称最多200个字")
            continue
        if code:
            problem = uscc_problem(code)
            if problem:
                report.bad_uscc.append(f"第{n}行：统一社会信用代码“{code}”不正确：{problem}")
                continue
        if not (region.isascii() and region.isdigit() and len(region) in (6, 9, 12)):
            report.other.append(f"第{n}行：所在区划“{region}”应为6、9或12位数字区划代码")
            continue
        region = region.ljust(12, "0")
        if region_prefixes is not None and not any(region.startswith(p) for p in region_prefixes):
            report.other.append(f"第{n}行：所在区划“{region}”不在您的管理范围内")
            continue
        if risk not in RISK_LEVELS:
            report.other.append(f"第{n}行：风险等级“{cell(r.get('风险等级'))}”应为 A、B、C、D 之一")
            continue
        key = code or f"{name}|{region}"
        if key in seen:
            report.duplicates.append(f"第{n}行：与第{seen[key]}行重复（{code or name}）")
            continue
        seen[key] = n
        report.good.append(ObjectRow(n, code or None, name, cell(r.get("对象类别"))[:60] or "企业",
                                     cell(r.get("行业"))[:100], region, cell(r.get("地址"))[:300], risk))
    return report


def registry_status_active(status: str) -> bool:
    """法人库 登记状态 that stays in the 名录库: 存续 only (“存续（在营、开业、在册）” too)."""
    s = (status or "").strip()
    return s.startswith("存续")


def is_id(value) -> bool:
    """A row id as typed in a form or URL: ASCII digits, short enough for any integer column."""
    s = str(value or "")
    return s.isascii() and s.isdigit() and len(s) <= 9


def is_digits(value) -> bool:
    s = str(value or "")
    return s.isascii() and s.isdigit()
