"""秒批 rules (pure): an item's automatic-approval rules, one condition per line, and their evaluation
over verified facts (人口库/法人库 through the platform's own read, the applicant's form).

A line is ``<来源> <运算> <值>``, e.g.::

    年龄 >= 60
    在世 = 是
    户籍区划 开头 410105
    表单.area <= 100
    登记状态 属于 存续,在业

Sources (``FACTS``): 人口库 — 人口库有记录, 姓名一致 (the applicant's name equals the registry's), 年龄
(whole years on the decision day), 性别, 户籍区划, 在世; 法人库 — 法人库有记录, 登记状态, 企业类型,
成立年限, 登记区划; and ``表单.<字段>`` — a field of the application form. Operators: = != > >= < <=
开头 包含 属于 (a comma-separated list). A fact that is missing fails its condition: a case is decided
automatically only when every condition holds on data the platform has verified; otherwise a person
handles it as usual (秒批 never refuses).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from zhengwu.core import identifiers

PERSON_FACTS = {"人口库有记录": "bool", "姓名一致": "bool", "年龄": "number", "性别": "text", "户籍区划": "text",
                "在世": "bool"}
LEGAL_FACTS = {"法人库有记录": "bool", "登记状态": "text", "企业类型": "text", "成立年限": "number", "登记区划": "text"}
FACTS = {**PERSON_FACTS, **LEGAL_FACTS}
FORM_PREFIX = "表单."
OPERATORS = ("!=", ">=", "<=", "=", ">", "<", "开头", "包含", "属于")
MAX_CONDITIONS = 20
_TRUE, _FALSE = {"是", "true", "1", "有"}, {"否", "false", "0", "无"}
_LINE = re.compile(r"^\s*(\S+)\s*(!=|>=|<=|=|>|<|开头|包含|属于)\s*(.+?)\s*$")


@dataclass(frozen=True)
class Condition:
    source: str
    op: str
    value: str

    @property
    def text(self) -> str:
        return f"{self.source} {self.op} {self.value}"


@dataclass(frozen=True)
class Check:
    condition: str
    actual: str  # shown to staff; never a whole personal value (年龄 and 区划 are facts, not identifiers)
    passed: bool


def parse(text: str) -> tuple[list[Condition], list[str]]:
    """The conditions of a rule text and the problems (Chinese, naming the line)."""
    conditions, errors = [], []
    lines = [(n, raw.strip()) for n, raw in enumerate((text or "").splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line and not line.startswith("#")]
    if len(lines) > MAX_CONDITIONS:
        errors.append(f"秒批规则：最多 {MAX_CONDITIONS} 条")
    for n, line in lines[:MAX_CONDITIONS]:
        m = _LINE.match(line)
        if not m:
            errors.append(f"秒批规则第{n}行：应为“来源 运算 值”，如“年龄 >= 60”")
            continue
        source, op, value = m.groups()
        kind = _kind(source)
        if kind is None:
            errors.append(f"秒批规则第{n}行：不认识的来源“{source}”，可用：{'、'.join(FACTS)}、表单.<字段>")
            continue
        if kind == "bool" and (op not in ("=", "!=") or value.lower() not in _TRUE | _FALSE):
            errors.append(f"秒批规则第{n}行：“{source}”只能用 = 或 != 比较“是/否”")
            continue
        if kind == "number" and op in (">", ">=", "<", "<=", "=", "!=") and _number(value) is None:
            errors.append(f"秒批规则第{n}行：“{source}”须与数字比较")
            continue
        conditions.append(Condition(source, op, value))
    if not lines:
        errors.append("秒批规则：至少一条")
    return conditions, errors


def _kind(source: str) -> str | None:
    if source.startswith(FORM_PREFIX) and len(source) > len(FORM_PREFIX):
        return "form"
    return FACTS.get(source)


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def age_on(birth: dt.date | None, day: dt.date) -> int | None:
    """Whole years on ``day`` (a 29 February birthday comes on 1 March in other years)."""
    return None if birth is None else identifiers.age_on(birth, day)


def holds(cond: Condition, actual) -> bool:
    """One condition on one fact (None: the fact is missing — the condition fails)."""
    if actual is None or actual == "":
        return False
    kind = _kind(cond.source)
    if kind == "bool":
        want = cond.value.lower() in _TRUE
        return (bool(actual) == want) if cond.op == "=" else (bool(actual) != want)
    if cond.op in ("开头", "包含", "属于"):
        text = str(actual)
        if cond.op == "开头":
            return text.startswith(cond.value)
        if cond.op == "包含":
            return cond.value in text
        return text in {v.strip() for v in re.split(r"[,，、]", cond.value) if v.strip()}
    a, b = _number(actual), _number(cond.value)
    if a is not None and b is not None:
        return {"=": a == b, "!=": a != b, ">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[cond.op]
    if cond.op in ("=", "!="):
        return (str(actual) == cond.value) == (cond.op == "=")
    return False  # an order between texts is not a rule


_OP_WORDS = {"=": "为", "!=": "不为", ">": "大于", ">=": "不小于", "<": "小于", "<=": "不大于", "包含": "包含"}
_REGION_FACTS = {"户籍区划", "登记区划"}


def reads(condition: str, namer=None, titles: dict | None = None) -> str:
    """A condition as the applicant reads it in a decision: "人口库有记录 = 是" → "人口库有记录",
    "年龄 >= 60" → "年龄不小于60", "户籍区划 开头 410105" → "户籍区划属于金水区（410105）" (``namer``: region
    code → name, org.regions.region_namer), "登记状态 属于 存续,在业" → "登记状态为存续、在业之一"; a form
    field by its title (``titles``: field → title): "表单.area <= 100" → "面积不大于100"."""
    m = _LINE.match(condition)
    if not m:
        return condition
    source, op, value = m.groups()
    label = source
    if source.startswith(FORM_PREFIX):
        field = source[len(FORM_PREFIX):]
        label = (titles or {}).get(field) or field
    if _kind(source) == "bool" and op in ("=", "!="):
        yes = (value.lower() in _TRUE) == (op == "=")
        return label if yes else f"{label}：否"
    if op == "开头":
        if source in _REGION_FACTS:
            return f"{label}属于{namer(value) if namer else value}"
        return f"{label}以“{value}”开头"
    if op == "属于":
        return f"{label}为{'、'.join(v.strip() for v in re.split(r'[,，、]', value) if v.strip())}之一"
    return f"{label}{_OP_WORDS.get(op, op)}{value}"


def evaluate(conditions: list[Condition], facts: dict, form: dict) -> tuple[bool, list[Check]]:
    """Every condition on the facts; True only when all hold (and there is at least one)."""
    checks = []
    for cond in conditions:
        actual = form.get(cond.source[len(FORM_PREFIX):]) if cond.source.startswith(FORM_PREFIX) else facts.get(cond.source)
        shown = "无数据" if actual is None or actual == "" else ("是" if actual is True else "否" if actual is False else str(actual))
        checks.append(Check(cond.text, shown[:60], holds(cond, actual)))
    return bool(checks) and all(c.passed for c in checks), checks
