"""The cell values of a 实施清单 spreadsheet: one parser per column, pure.

Each parser turns what a bureau typed into a cell (numbers Excel made of codes, "15个工作日",
"即办", numbered material lists, fee lines) into the stored value, or raises :class:`CellError`
with a Chinese message naming the column and the rule. :mod:`zhengwu.catalog.importer` applies
them row by row (:data:`PARSERS`, one per column key) and re-exports the public ones.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

from zhengwu.core.identifiers import ITEM_TYPES

from . import rules


# -- cell values -------------------------------------------------------------------------------
def _shown(value: Any, limit: int = 60) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CellError(ValueError):
    """A cell value breaks a rule; the message names the column and the rule in Chinese."""


def text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def code_value(value: Any, key: str) -> str:
    """Codes are text; Excel turns an all-digit code into a number and drops leading zeros."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = int(value)
        text = str(number)
        if key == "base_code" and len(text) < 12:
            text = text.zfill(12)  # 001... national codes typed into a number cell
        return text
    text = text_value(value)
    return "".join(text.split()) if _SPACE_RE.search(text) else text


_SPACE_RE = re.compile(r"\s")


_DAYS_RE = re.compile(r"(\d+)\s*(?:个)?\s*(?:工作日|日|天)?")
_INSTANT_WORDS = {"即办", "即时办结", "当场办结", "即来即办", "立即办结"}


def days_value(value: Any, title: str, *, allow_instant: bool = False) -> int:
    """A non-negative whole number of working days; ``20``, ``20.0``, ``"20个工作日"``."""
    if isinstance(value, bool):
        raise CellError(f"{title}应为不小于0的整数（工作日），例如：20")
    if isinstance(value, (int, float)):
        if value < 0:
            raise CellError(f"{title}不能为负数：应为不小于0的整数（工作日）")
        if isinstance(value, float) and not value.is_integer():
            raise CellError(f"{title}应为整数个工作日（不能有小数），例如：20")
        number = int(value)
    else:
        text = text_value(value)
        if allow_instant and text in _INSTANT_WORDS:
            return 0
        m = _DAYS_RE.fullmatch(text)
        if not m:
            if re.fullmatch(r"-\s*\d+.*", text):
                raise CellError(f"{title}不能为负数：应为不小于0的整数（工作日）")
            raise CellError(f"{title}应为不小于0的整数（工作日），例如：20")
        number = int(m.group(1))
    if number > rules.MAX_DAYS:
        raise CellError(f"{title}不能超过{rules.MAX_DAYS}个工作日")
    return number


_VISITS_RE = re.compile(r"(\d+)\s*次?")


def visits_value(value: Any, title: str) -> int:
    if isinstance(value, bool):
        raise CellError(f"{title}应为不小于0的整数，例如：0（零跑动）或1")
    if isinstance(value, (int, float)):
        if value < 0:
            raise CellError(f"{title}不能为负数：应为不小于0的整数")
        if isinstance(value, float) and not value.is_integer():
            raise CellError(f"{title}应为整数，例如：0（零跑动）或1")
        number = int(value)
    else:
        text = text_value(value)
        if text in ("零跑动", "零次", "不跑动"):
            return 0
        m = _VISITS_RE.fullmatch(text)
        if not m:
            if text.startswith("-"):
                raise CellError(f"{title}不能为负数：应为不小于0的整数")
            raise CellError(f"{title}应为不小于0的整数，例如：0（零跑动）或1")
        number = int(m.group(1))
    if number > 99:
        raise CellError(f"{title}不能超过99次")
    return number


_TYPE_BY_NAME = {name: code for code, name in ITEM_TYPES.items()}
_TYPE_BY_NAME.update({"其他权力": "10", "其它行政权力": "10", "其他行政职权": "10", "公共服务事项": "20"})


def item_type_value(value: Any, title: str = "事项类型") -> str:
    """事项类型 by name (行政许可) or code (01, 1)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        text = f"{int(value):02d}"
    else:
        text = re.sub(r"\s+", "", text_value(value))
    if re.fullmatch(r"\d{1,2}", text):
        text = text.zfill(2)
        if text in ITEM_TYPES:
            return text
    else:
        m = re.fullmatch(r"(\d{2})[-_.、:：]?(.+)", text)
        if m and m.group(1) in ITEM_TYPES and ITEM_TYPES[m.group(1)] == m.group(2).removesuffix("类"):
            return m.group(1)
        name = text.removesuffix("类").removesuffix("事项") if text not in _TYPE_BY_NAME else text
        if name in _TYPE_BY_NAME:
            return _TYPE_BY_NAME[name]
        if text in _TYPE_BY_NAME:
            return _TYPE_BY_NAME[text]
    allowed = "、".join(ITEM_TYPES.values())
    raise CellError(f"{title}“{_shown(text, 30)}”不存在：应为{allowed}之一，或其两位代码（如01、20）")


_CASE_TYPES = {"即办件": "instant", "即办": "instant", "instant": "instant",
               "承诺件": "committed", "承诺": "committed", "committed": "committed"}


def case_type_value(value: Any, title: str = "办件类型") -> str:
    text = re.sub(r"\s+", "", text_value(value))
    try:
        return _CASE_TYPES[text]
    except KeyError:
        raise CellError(f"{title}应为“即办件”或“承诺件”，不能是“{_shown(text, 30)}”") from None


_PERSON_WORDS = ("自然人", "个人", "公民")
_LEGAL_WORDS = ("法人", "企业", "其他组织", "组织")


def service_object_value(value: Any, title: str = "服务对象") -> str:
    text = re.sub(r"\s+", "", text_value(value))
    if text in ("person", "legal", "both"):
        return text
    person = any(w in text for w in _PERSON_WORDS)
    legal = any(w in text for w in _LEGAL_WORDS)
    leftover = text
    for w in sorted(_PERSON_WORDS + _LEGAL_WORDS + ("或", "和", "及", "与", "、", ",", "，", "/", ";", "；"),
                    key=len, reverse=True):
        leftover = leftover.replace(w, "")
    if leftover in ("", "其他", "其它", "法") and (person or legal):
        return "both" if person and legal else ("person" if person else "legal")
    raise CellError(f"服务对象应为“自然人”“法人”或“自然人、法人”，不能是“{_shown(text, 30)}”")


SERVICE_OBJECT_TITLES = {"person": "自然人", "legal": "法人", "both": "自然人、法人"}
CASE_TYPE_TITLES = {"instant": "即办件", "committed": "承诺件"}

_NUMBERING = re.compile(r"^\s*(?:\d{1,3}\s*[.、．)）](?!\d)|[（(]\s*\d{1,3}\s*[)）]|[①-⑳])\s*")


def list_value(value: Any) -> list[str]:
    """One entry per line; in a cell without line breaks, entries are separated by ；or ;.

    Leading numbering (``1.``, ``2、``, ``（3）``, ``④``) is dropped.
    """
    text = text_value(value)
    if not text:
        return []
    parts = text.split("\n") if "\n" in text else re.split(r"[；;]", text)
    out = []
    for part in parts:
        part = _clean_entry(part)
        if part:
            out.append(part)
    return out


@functools.lru_cache(maxsize=8192)
def _clean_entry(part: str) -> str:
    """Materials repeat across thousands of rows (居民身份证, 营业执照 …): clean each spelling once."""
    return _NUMBERING.sub("", part).strip().rstrip("；;").strip()


_material_key = functools.lru_cache(maxsize=8192)(rules.material_key)


# A 申请材料 cell saying the item needs none (无需提交申请材料, as the editor's checkbox says): no
# material, and the version's ``no_materials`` set — what the publication check accepts.
NO_MATERIALS = "无需提交申请材料"
_NO_MATERIALS_WORDS = {NO_MATERIALS, "无需提交材料", "无需申请材料", "无需材料", "不需要提交材料", "不需提交材料",
                       "无需提交任何材料", "零材料", "无"}


def materials_value(value: Any, title: str = "申请材料") -> list[str]:
    """One material per line (or ；); ``无需提交申请材料`` (or 无, 零材料 …) → ``[]``: none needed."""
    if re.sub(r"\s+", "", text_value(value)).rstrip("。") in _NO_MATERIALS_WORDS:
        return []
    names = list_value(value)
    seen: dict[str, str] = {}
    for name in names:
        if len(name) > 300:
            raise CellError(f"{title}中“{_shown(name, 20)}”过长：每项材料名称不能超过300个字")
        key = _material_key(name)
        if key in seen:
            raise CellError(f"{title}“{_shown(name, 40)}”重复填写了")
        seen[key] = name
    return names


_NO_FEE = {"", "不收费", "无", "免费", "否", "无收费", "不涉及", "无收费项目", "0", "0元"}
_FEE_RE = re.compile(r"(?P<name>[^：:]+?)\s*[：:]\s*(?P<standard>.*?)(?:\s*[（(]依据[：:]\s*(?P<basis>.*)[)）])?")


def fees_value(value: Any, title: str = "收费") -> list[dict[str, str]]:
    """收费: ``工本费：20元/证（依据：豫发改收费〔2017〕1号）`` per line; 不收费 or blank → []."""
    if text_value(value) in _NO_FEE:
        return []
    fees = []
    for part in list_value(value):
        m = _FEE_RE.fullmatch(part)
        if m:
            fees.append({"name": m["name"].strip(), "standard": m["standard"].strip(), "basis": (m["basis"] or "").strip()})
        else:
            fees.append({"name": part, "standard": "", "basis": ""})
    return fees


def format_fees(fees: Sequence[dict] | None) -> str:
    """The text a cell shows for a fee list (what :func:`fees_value` reads back)."""
    if not fees:
        return "不收费"
    lines = []
    for fee in fees:
        name = str(fee.get("name") or "").strip()
        standard = str(fee.get("standard") or "").strip()
        basis = str(fee.get("basis") or "").strip()
        line = f"{name}：{standard}" if standard else name
        if basis:
            line += f"（依据：{basis}）"
        lines.append(line)
    return "\n".join(lines)


def format_materials(names: Sequence[str], no_materials: bool = False) -> str:
    return NO_MATERIALS if no_materials and not names else "\n".join(names)


# 办理形式: the model's four choices by their titles and the usual spellings of 实施清单.
_CHANNEL_BY_NAME = {title: value for value, title in rules.CHANNEL_TITLES.items()}
_CHANNEL_BY_NAME.update({value: value for value in rules.CHANNEL_VALUES})
_CHANNEL_BY_NAME.update({
    "窗口": "window", "窗口受理": "window", "现场办理": "window", "大厅办理": "window", "线下办理": "window",
    "网上": "online", "网办": "online", "网上申请": "online", "在线办理": "online", "全程网办": "online",
    "自助": "self_service", "自助办理": "self_service", "自助终端办理": "self_service",
    "快递": "express", "邮寄": "express", "邮寄申请": "express", "快递办理": "express", "邮寄办理": "express",
})
_CHANNEL_SPLIT = re.compile(r"[、；;，,/\s]+")


def channels_value(value: Any, title: str = "办理形式") -> list[str]:
    """办理形式: ``窗口办理、网上办理`` (also ``；`` ``，`` or one per line) → ``["window", "online"]``,
    in the cell's order, each once. An unknown form is refused by name."""
    out: list[str] = []
    for part in _CHANNEL_SPLIT.split(text_value(value)):
        if not part:
            continue
        channel = _CHANNEL_BY_NAME.get(part)
        if channel is None:
            allowed = "、".join(rules.CHANNEL_TITLES.values())
            raise CellError(f"{title}“{_shown(part, 30)}”不存在：应为{allowed}中的一种或几种，多种用“、”或“；”分隔")
        if channel not in out:
            out.append(channel)
    return out


def format_channels(channels: Sequence[str] | None) -> str:
    """The text a cell shows for 办理形式 (what :func:`channels_value` reads back)."""
    return "、".join(rules.CHANNEL_TITLES.get(c, c) for c in channels or [])


def _text(value: Any, title: str = "") -> str:
    if type(value) is str:  # already stripped by parse_row
        return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    return text_value(value)


def _one_line(value: Any, title: str = "") -> str:
    """A name: no line breaks, runs of blanks become one space."""
    text = _text(value)
    return " ".join(text.split()) if ("  " in text or "\n" in text or "\t" in text or "\u3000" in text) else text


def _small_int(value: Any) -> int | None:
    """The common cell: an int, or (CSV) a string of digits."""
    if type(value) is int:
        return value
    if type(value) is str and value.isascii() and value.isdigit():
        return int(value)
    return None


def _days(value: Any, title: str) -> int:
    n = _small_int(value)
    if n is not None and 0 <= n <= rules.MAX_DAYS:
        return n
    return days_value(value, title)


def _promised(value: Any, title: str) -> int:
    n = _small_int(value)
    if n is not None and 0 <= n <= rules.MAX_DAYS:
        return n
    return days_value(value, title, allow_instant=True)


def _visits(value: Any, title: str) -> int:
    n = _small_int(value)
    if n is not None and 0 <= n <= 99:
        return n
    return visits_value(value, title)


# Choice columns repeat a handful of spellings over and over: remember what each one meant.
_cached_item_type = functools.lru_cache(maxsize=512)(lambda value, title: item_type_value(value, title))
_cached_case_type = functools.lru_cache(maxsize=512)(lambda value, title: case_type_value(value, title))
_cached_service_object = functools.lru_cache(maxsize=512)(lambda value, title: service_object_value(value, title))

PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "department": _one_line,
    "name": _one_line,
    "item_type": _cached_item_type,
    "base_code": lambda v, t: code_value(v, "base_code"),
    "implementation_code": lambda v, t: code_value(v, "implementation_code"),
    "handling_code": lambda v, t: code_value(v, "handling_code"),
    "main_item": _one_line,
    "statutory_days": _days,
    "promised_days": _promised,
    "case_type": _cached_case_type,
    "visits": _visits,
    "acceptance_conditions": _text,
    "legal_basis": _text,
    "service_object": _cached_service_object,
    "materials": materials_value,
    "fees": fees_value,
    "popular_name": _one_line,
    "keywords": _text,
    "handling_name": _one_line,
    "channels": channels_value,
    "locations": _text,
    "office_hours": _text,
    "consult_phone": _text,
    "complaint_phone": _text,
}
