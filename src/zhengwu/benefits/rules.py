"""免申即享 eligibility rules: pure functions, no database access.

A rule set is a list of conditions, all of which must hold (全部满足)::

    [{"field": "age", "op": "gte", "value": 80}, {"field": "region", "op": "prefix", "value": "410105"}]

- :func:`validate` returns the cleaned conditions or raises ``RuleError`` with one Chinese message
  per bad condition, naming it (第2条条件（年龄）：…);
- :func:`evaluate` decides one registry record (a dict of its fields) and explains every condition
  (条件, 实际值, 是否满足) — the explanation stored with each entitlement;
- :func:`compile_q` turns the conditions into a database filter (``Q`` over ``PersonRecord`` or
  ``LegalEntityRecord``) for the scan. Conditions SQL cannot decide (注册资本 is free text) are left
  to :func:`evaluate`, which the scan applies to every row the filter returns: it is the authority.

Age (周岁) on a reference date: the number of birthdays passed, the birthday itself counting
(born 1946-12-04 is 80 on 2026-12-04); someone born on 29 February has the birthday on 1 March in
a common year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q

from zhengwu.core.identifiers import age_on

PERSON, LEGAL = "person", "legal"


@dataclass(frozen=True)
class Field:
    label: str
    ops: dict[str, str]  # op → label
    column: str


FIELDS: dict[str, dict[str, Field]] = {
    PERSON: {
        "age": Field("年龄", {"gte": "不小于", "lte": "不大于", "between": "介于"}, "birth_date"),
        "gender": Field("性别", {"eq": "为"}, "gender"),
        "region": Field("户籍区划", {"prefix": "属于"}, "region_code"),
        "alive": Field("在世状态", {"eq": "为"}, "alive"),
        "nation": Field("民族", {"eq": "为"}, "nation"),
    },
    LEGAL: {
        "kind": Field("企业类型", {"contains": "包含"}, "kind"),
        "status": Field("登记状态", {"eq": "为"}, "status"),
        "established_on": Field("成立日期", {"after": "不早于", "before": "不晚于", "within_years": "在近N年内"},
                                "established_on"),
        "region": Field("登记区划", {"prefix": "属于"}, "region_code"),
        "registered_capital": Field("注册资本（万元）", {"lte": "不大于"}, "registered_capital"),
    },
}
GENDERS = ("男", "女")
MAX_CONDITIONS = 20


class RuleError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("；".join(messages))
        self.messages = messages


def columns(kind: str) -> list[str]:
    """The registry columns :func:`evaluate` reads (what the scan fetches besides the keys)."""
    return sorted({f.column for f in FIELDS[kind].values()})


# -- validation -------------------------------------------------------------------------------------
def _int(value, lo: int, hi: int) -> int | None:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if lo <= n <= hi else None


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _number(value) -> float | None:
    try:
        n = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None


def _clean_one(kind: str, c: dict) -> tuple[dict | None, str]:
    """(cleaned condition, "") or (None, the problem)."""
    fields = FIELDS[kind]
    field = fields.get(c.get("field"))
    if field is None:
        return None, "请选择条件项（可选：" + "、".join(f.label for f in fields.values()) + "）"
    name, op = c["field"], c.get("op")
    if op not in field.ops:
        return None, "比较方式应为" + "、".join(field.ops.values())
    value, out = c.get("value"), {"field": name, "op": op}
    if name == "age":
        n = _int(value, 0, 150)
        if n is None:
            return None, "年龄应为 0–150 的整数"
        out["value"] = n
        if op == "between":
            m = _int(c.get("value2"), 0, 150)
            if m is None:
                return None, "年龄上限应为 0–150 的整数"
            if m < n:
                return None, "年龄上限不能小于下限"
            out["value2"] = m
    elif name == "gender":
        if value not in GENDERS:
            return None, "性别应为 男 或 女"
        out["value"] = value
    elif name == "region":
        code = str(value or "").strip()
        if not re.fullmatch(r"\d{2,12}", code):
            return None, "区划代码应为 2–12 位数字（如 410105 表示金水区）"
        out["value"] = code
    elif name == "alive":
        if value in (True, "true", "1", 1, "在世"):
            out["value"] = True
        elif value in (False, "false", "0", 0, "已故"):
            out["value"] = False
        else:
            return None, "在世状态应为 在世 或 已故"
    elif name in ("nation", "kind", "status"):
        text = str(value or "").strip()
        if not text or len(text) > 60:
            return None, "请填写 1–60 个字的取值"
        out["value"] = text
    elif name == "established_on":
        if op == "within_years":
            n = _int(value, 1, 100)
            if n is None:
                return None, "年数应为 1–100 的整数"
            out["value"] = n
        else:
            d = _date(value)
            if d is None:
                return None, "日期格式应为 YYYY-MM-DD（如 2024-01-01）"
            out["value"] = d.isoformat()
    elif name == "registered_capital":
        n = _number(value)
        if n is None:
            return None, "注册资本应为不小于 0 的数字（单位：万元）"
        out["value"] = int(n) if n == int(n) else n
    return out, ""


def validate(kind: str, conditions) -> list[dict]:
    """The cleaned conditions, or ``RuleError`` naming each bad one."""
    if kind not in FIELDS:
        raise RuleError(["享受对象应为 个人 或 企业"])
    if not isinstance(conditions, list) or not conditions:
        raise RuleError(["请至少设置一条资格条件"])
    if len(conditions) > MAX_CONDITIONS:
        raise RuleError([f"资格条件最多 {MAX_CONDITIONS} 条"])
    cleaned, problems = [], []
    for i, c in enumerate(conditions, 1):
        if not isinstance(c, dict):
            problems.append(f"第{i}条条件：格式不正确")
            continue
        out, problem = _clean_one(kind, c)
        if problem:
            field = FIELDS[kind].get(c.get("field"))
            problems.append(f"第{i}条条件（{field.label if field else '未选择条件项'}）：{problem}")
        else:
            cleaned.append(out)
    if problems:
        raise RuleError(problems)
    return cleaned


# -- dates ------------------------------------------------------------------------------------------
def years_before(ref: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier; 29 February becomes the 28th in a common year."""
    year = ref.year - years
    return dt.date(year, ref.month, min(ref.day, calendar.monthrange(year, ref.month)[1]))


def parse_capital(text: str) -> float | None:
    """注册资本 in 万元 from the registry's text ("100万元人民币", "100万元", "50000元"); None when
    it is not a plain RMB amount."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(万)?元?\s*(人民币)?\s*", str(text or ""))
    if not m:
        return None
    n = float(m.group(1))
    return n if m.group(2) else n / 10_000


# -- description and evaluation --------------------------------------------------------------------
def describe(kind: str, c: dict, region_name=None) -> str:
    """``region_name``: code → what a reader calls it (金水区（410105）); the code itself without it."""
    field = FIELDS[kind][c["field"]]
    op, v = c["op"], c["value"]
    if c["field"] == "age":
        return f"年龄介于 {v}–{c['value2']} 周岁" if op == "between" else \
            f"年龄 {'≥' if op == 'gte' else '≤'} {v} 周岁"
    if c["field"] == "alive":
        return "在世" if v else "已故"
    if c["field"] == "region":
        return f"{field.label}属于{region_name(v) if region_name else ' ' + v}"
    if c["field"] == "established_on":
        return f"成立于近 {v} 年内" if op == "within_years" else f"成立日期{field.ops[op]} {v}"
    if c["field"] == "registered_capital":
        return f"注册资本 ≤ {v} 万元"
    return f"{field.label}{field.ops[op]}“{v}”"


def describe_all(kind: str, conditions: list[dict], region_name=None) -> list[str]:
    return [describe(kind, c, region_name) for c in conditions]


def _check(c: dict, record: dict, ref: dt.date, region_name=None) -> tuple[bool, str]:
    name, op, v = c["field"], c["op"], c["value"]
    if name == "age":
        birth = record.get("birth_date")
        if birth is None:
            return False, "出生日期未登记"
        age = age_on(birth, ref)
        ok = age >= v if op == "gte" else age <= v if op == "lte" else v <= age <= c["value2"]
        return ok, f"{age} 周岁"
    if name == "gender":
        actual = record.get("gender") or ""
        return actual == v, actual or "未登记"
    if name == "region":
        actual = record.get("region_code") or ""
        shown = region_name(actual) if region_name and actual else actual
        return actual.startswith(v), shown or "未登记"
    if name == "alive":
        actual = bool(record.get("alive"))
        return actual == v, "在世" if actual else "已故"
    if name in ("nation", "status"):
        actual = record.get(name) or ""
        return actual == v, actual or "未登记"
    if name == "kind":
        actual = record.get("kind") or ""
        return v in actual, actual or "未登记"
    if name == "established_on":
        day = record.get("established_on")
        if day is None:
            return False, "成立日期未登记"
        if op == "within_years":
            return day > years_before(ref, v), day.isoformat()
        limit = dt.date.fromisoformat(v)
        return (day >= limit if op == "after" else day <= limit), day.isoformat()
    if name == "registered_capital":
        text = record.get("registered_capital") or ""
        amount = parse_capital(text)
        if amount is None:
            return False, f"{text or '未登记'}（无法识别金额）"
        return amount <= v, text
    raise ValueError(name)


def evaluate(kind: str, conditions: list[dict], record: dict, ref: dt.date,
             region_name=None) -> tuple[bool, list[dict]]:
    """(eligible, [{"label", "actual", "ok"} per condition]). ``conditions`` must be validated."""
    return evaluator(kind, conditions, ref, region_name)(record)


def evaluator(kind: str, conditions: list[dict], ref: dt.date, region_name=None):
    """:func:`evaluate` for many records: the labels made once (the scan's per-row function)."""
    labelled = [(describe(kind, c, region_name), c) for c in conditions]

    def decide(record: dict) -> tuple[bool, list[dict]]:
        explained, eligible = [], True
        for label, c in labelled:
            ok, actual = _check(c, record, ref, region_name)
            eligible = eligible and ok
            explained.append({"label": label, "actual": actual, "ok": ok})
        return eligible, explained

    return decide


# -- compilation to a database filter -----------------------------------------------------------------
def _q(c: dict, ref: dt.date) -> Q | None:
    name, op, v = c["field"], c["op"], c["value"]
    if name == "age":
        # age ≥ n  ⇔  born on or before the day n years before ref; age ≤ m  ⇔  age < m + 1.
        if op == "gte":
            return Q(birth_date__lte=years_before(ref, v))
        if op == "lte":
            return Q(birth_date__gt=years_before(ref, v + 1))
        return Q(birth_date__lte=years_before(ref, v), birth_date__gt=years_before(ref, c["value2"] + 1))
    if name == "gender":
        return Q(gender=v)
    if name == "region":
        return Q(region_code__startswith=v)
    if name == "alive":
        return Q(alive=v)
    if name in ("nation", "status"):
        return Q(**{name: v})
    if name == "kind":
        return Q(kind__contains=v)
    if name == "established_on":
        if op == "within_years":
            return Q(established_on__gt=years_before(ref, v))
        return Q(established_on__gte=v) if op == "after" else Q(established_on__lte=v)
    return None  # 注册资本: free text, decided by evaluate()


def compile_q(kind: str, conditions: list[dict], ref: dt.date) -> Q:
    """The conditions SQL can decide, ANDed; rows it returns still go through :func:`evaluate`."""
    q = Q()
    for c in conditions:
        part = _q(c, ref)
        if part is not None:
            q &= part
    return q
