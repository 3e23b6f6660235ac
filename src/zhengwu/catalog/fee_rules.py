"""收费项目 of a 办事指南: pure rules (no ORM), used by the guide check, the editor and payments.

A fee item in ``ItemVersion.fees`` (a JSON list) is::

    {"name": "工本费", "standard": "20元/证", "basis": "《…》",
     "amount": "20.00",            # 元, two decimals, as a string (never a float); or None
     "rule": "",                   # the rule when the amount depends on the case (the clerk enters it)
     "reductions": [{"name": "低保家庭", "condition": "持有效低保证", "percent": null, "waive": true},
                    {"name": "残疾人", "condition": "持残疾人证", "percent": 50, "waive": false}]}

Older rows carry only ``name``/``standard``/``basis`` (and imported spreadsheets may give a bare
name): their ``standard`` text is read as the rule (the clerk enters the amount), so every guide
already published, and every import that passed before, stays valid; a row with the new keys
(the editor's) must have an amount or a rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_AMOUNT = Decimal("10000000")  # 一千万元: above this a fee item is a typing error
_AMOUNT_RE = re.compile(r"^\d+(?:\.\d{1,2})?$")
_STANDARD_AMOUNT_RE = re.compile(r"^(\d+(?:\.\d{1,2})?)元(?:/\S*)?$")
WAIVE_WORDS = ("免收", "免费", "免")


def parse_amount(text) -> Decimal | None:
    """"20" / "20.5" / "20.50" (元) → Decimal('20.50'); None when blank; ValueError when not a sum of money."""
    if text is None:
        return None
    s = str(text).strip().replace("元", "").replace(",", "").replace("，", "")
    if s == "":
        return None
    if not _AMOUNT_RE.match(s):
        raise ValueError(s)
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError(s) from None
    return value.quantize(Decimal("0.01"))


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def yuan(fen: int | None) -> str:
    """Integer 分 → "1,234.50" (元, two decimals)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def amount_from_standard(standard: str) -> Decimal | None:
    """A fixed sum written as the standard ("10元/证", "20元") → Decimal; anything else None."""
    m = _STANDARD_AMOUNT_RE.match((standard or "").strip())
    return Decimal(m[1]).quantize(Decimal("0.01")) if m else None


def parse_reductions(text: str) -> list[dict]:
    """The editor's one-line form of 减免 → the structured list (ValueError with a Chinese message).

    One reduction per ``；`` (or new line): ``名称|条件|免收`` or ``名称|条件|50%`` (减收50%)."""
    out = []
    for i, part in enumerate([p.strip() for p in re.split(r"[；;\n]", text or "") if p.strip()], start=1):
        bits = [b.strip() for b in re.split(r"[|｜]", part)]
        if len(bits) != 3:
            raise ValueError(f"第{i}条减免应写成“名称|条件|免收”或“名称|条件|50%”")
        name, condition, how = bits
        out.append({"name": name, "condition": condition, **_reduction_kind(how, i)})
    return out


def _reduction_kind(how: str, i: int) -> dict:
    if how in WAIVE_WORDS:
        return {"percent": None, "waive": True}
    m = re.match(r"^(?:减收|减)?\s*(\d{1,3})\s*[%％]$", how)
    if not m:
        raise ValueError(f"第{i}条减免的方式“{how}”应为“免收”或减收百分比（如50%）")
    return {"percent": int(m[1]), "waive": False}


def format_reductions(reductions: Sequence[Mapping] | None) -> str:
    parts = []
    for r in reductions or []:
        how = "免收" if r.get("waive") else f"{r.get('percent')}%"
        parts.append(f"{r.get('name', '')}|{r.get('condition', '')}|{how}")
    return "；".join(parts)


def describe_reduction(r: Mapping) -> str:
    return "免收" if r.get("waive") else f"减收{r.get('percent')}%"


def normalise_fee(row: Mapping) -> dict:
    """A fee row as stored: every key present, the amount as "20.00", legacy rows read as rules."""
    fee = {"name": str(row.get("name") or "").strip(), "standard": str(row.get("standard") or "").strip(),
           "basis": str(row.get("basis") or "").strip(), "rule": str(row.get("rule") or "").strip()}
    raw_amount = row.get("amount")
    try:
        amount = parse_amount(raw_amount)
    except ValueError:
        amount = raw_amount  # kept as given: fee_problems names it
    fee["amount"] = f"{amount:.2f}" if isinstance(amount, Decimal) else amount
    reductions = row.get("reductions") or []
    fee["reductions"] = reductions if isinstance(reductions, list) else reductions
    if fee["amount"] is None and not fee["rule"] and fee["standard"]:
        guessed = amount_from_standard(fee["standard"])
        if guessed is not None:
            fee["amount"] = f"{guessed:.2f}"
        else:
            fee["rule"] = fee["standard"]
    if not fee["standard"]:
        fee["standard"] = f"{fee['amount']}元" if isinstance(fee["amount"], str) and fee["amount"] else fee["rule"]
    return fee


def fee_problems(fees: Sequence[Mapping] | None) -> list[str]:
    """Refusals of a fee list, each naming the row, the item and the rule (Chinese)."""
    problems: list[str] = []
    if fees is None:
        return problems
    if not isinstance(fees, list):
        return ["收费应为收费项目的列表"]
    names: set[str] = set()
    for i, raw in enumerate(fees, start=1):
        if not isinstance(raw, Mapping):
            problems.append(f"第{i}项收费格式不正确")
            continue
        name = str(raw.get("name") or "").strip()
        where = f"第{i}项收费“{name}”" if name else f"第{i}项收费"
        if not name:
            problems.append(f"{where}须填写收费项目名称")
        elif name in names:
            problems.append(f"{where}与前面的收费项目重名")
        names.add(name)
        amount_text, rule = raw.get("amount"), str(raw.get("rule") or "").strip()
        try:
            amount = parse_amount(amount_text)
        except ValueError:
            problems.append(f"{where}的金额“{amount_text}”应为以元为单位、最多两位小数的数字，如 20 或 12.50")
            amount = None
        else:
            if amount is not None and amount <= 0:
                problems.append(f"{where}的金额应大于0；不收费的请删除该行")
            elif amount is not None and amount > MAX_AMOUNT:
                problems.append(f"{where}的金额不应超过一千万元")
        if amount is not None and rule:
            problems.append(f"{where}的“金额”与“计费规则”只能填一项：固定金额填金额，按情况计费的填规则")
        structured = "amount" in raw or "rule" in raw  # written by this version's editor or API
        if structured and amount is None and not rule and not str(raw.get("standard") or "").strip() \
                and amount_text in (None, ""):
            problems.append(f"{where}须填写金额（元）或计费规则")
        if amount is not None and not str(raw.get("basis") or "").strip():
            problems.append(f"{where}须填写收费依据（法律依据）")
        problems += _reduction_problems(where, raw.get("reductions"))
    return problems


def _reduction_problems(where: str, reductions) -> list[str]:
    if reductions in (None, "", []):
        return []
    if not isinstance(reductions, list):
        return [f"{where}的减免格式不正确"]
    out = []
    for j, r in enumerate(reductions, start=1):
        if not isinstance(r, Mapping):
            out.append(f"{where}的第{j}条减免格式不正确")
            continue
        if not str(r.get("name") or "").strip() or not str(r.get("condition") or "").strip():
            out.append(f"{where}的第{j}条减免须填写名称和适用条件")
        waive, percent = bool(r.get("waive")), r.get("percent")
        if waive and percent not in (None, ""):
            out.append(f"{where}的第{j}条减免“免收”与减收比例只能选一种")
        elif not waive:
            if not isinstance(percent, int) or isinstance(percent, bool) or not 1 <= percent <= 100:
                out.append(f"{where}的第{j}条减免的减收比例应为1至100的整数（免收请写“免收”）")
    return out


def reduced_fen(amount_fen: int, reduction: Mapping | None) -> int:
    """What is due after one 减免 (rounded to the 分, half up): 免收 → 0; 减收 p% → amount × (100-p)%."""
    if not reduction:
        return amount_fen
    if reduction.get("waive"):
        return 0
    percent = int(reduction.get("percent") or 0)
    return int((Decimal(amount_fen) * (100 - percent) / 100).to_integral_value(rounding=ROUND_HALF_UP))
