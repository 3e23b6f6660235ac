"""Pure rules of the 政务信息资源目录 (no database): the resource code's shape, the sharing
attributes a resource must carry, its 信息项, and the review state machine.

资源代码 (GB/T 21063.4-2007 分类 + 《政务信息资源目录编制指南（试行）》 发改高技〔2017〕1272号)::

    前段码 (分类码)                     / 后段码
    类(1 digit, 1-9) 项(2) 目(3) 细目(0-9 digits) / 资源顺序码 (1-10 digits)

e.g. ``101001/000001`` (类1 基础信息资源 · 项01 · 目001, 顺序码 000001). See ADR 0036 for what
of this was verified against published text and what was not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SHARE_TYPES = ("unconditional", "conditional", "none")
OPEN_TYPES = ("open", "conditional", "closed")
REGISTRIES = ("", "person", "legal")
DATA_TYPES = ("字符型", "数值型", "日期型", "日期时间型", "布尔型", "二进制")

# 类 (the first digit) of the 资源属性分类 in the guide: 1 基础, 2 主题, 3 部门.
CODE_CLASSES = {"1": "基础信息资源", "2": "主题信息资源", "3": "部门信息资源"}
_CODE = re.compile(r"^([1-9])(\d{2})(\d{3})(\d{0,9})/(\d{1,10})$")
_FIELD_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,59}$")


@dataclass(frozen=True)
class ResourceCode:
    cls: str  # 类
    item: str  # 项
    category: str  # 目
    detail: str  # 细目 ("" when the code stops at 目)
    sequence: str  # 资源顺序码

    @property
    def prefix(self) -> str:
        """前段码 (the classification part)."""
        return self.cls + self.item + self.category + self.detail

    def __str__(self) -> str:
        return f"{self.prefix}/{self.sequence}"


def parse_code(code: str) -> ResourceCode:
    """The parts of a resource code; ValueError (Chinese) when it does not have the shape."""
    text = (code or "").strip()
    m = _CODE.match(text)
    if not m:
        raise ValueError("资源代码格式应为“类(1位)项(2位)目(3位)细目(0-9位)/资源顺序码(1-10位)”，"
                         "均为数字，例如 101001/000001")
    cls, item, category, detail, seq = m.groups()
    if item == "00" or category == "000":
        raise ValueError("资源代码的“项”“目”不能为全零")
    if int(seq) == 0:
        raise ValueError("资源顺序码不能为全零")
    return ResourceCode(cls, item, category, detail, seq)


def code_error(code: str) -> str | None:
    try:
        parse_code(code)
    except ValueError as exc:
        return str(exc)
    return None


def next_code(prefix: str, used: Iterable[str], width: int = 6) -> str:
    """The next free 资源顺序码 under a 前段码 (one higher than the largest used)."""
    top = 0
    for c in used:
        head, _, seq = c.partition("/")
        if head == prefix and seq.isdigit():
            top = max(top, int(seq))
    return f"{prefix}/{top + 1:0{width}d}"


def sharing_errors(share_type: str, share_condition: str, no_share_basis: str, open_type: str,
                   registry: str = "") -> dict[str, str]:
    """有条件共享 needs its condition; 不予共享 needs its legal basis (国发〔2016〕51号 第九条); a
    resource that is not shared cannot be opened to the public."""
    errors: dict[str, str] = {}
    if share_type not in SHARE_TYPES:
        errors["share_type"] = "共享类型只能是无条件共享、有条件共享或不予共享"
    elif share_type == "conditional" and not (share_condition or "").strip():
        errors["share_condition"] = "有条件共享的资源必须写明共享条件"
    elif share_type == "none" and not (no_share_basis or "").strip():
        errors["no_share_basis"] = "不予共享的资源必须写明法律、行政法规或政策依据"
    if open_type not in OPEN_TYPES:
        errors["open_type"] = "开放属性只能是无条件开放、有条件开放或不予开放"
    elif share_type == "none" and open_type != "closed":
        errors["open_type"] = "不予共享的资源不能向社会开放"
    if registry not in REGISTRIES:
        errors["registry"] = "对应基础库只能为空、人口库或法人库"
    return errors


def field_errors(fields: Iterable[Mapping], resource_share_type: str = "") -> list[str]:
    """信息项 rows: key (letters, digits, _), name, known data type, positive length, unique key;
    an item of a 不予共享 resource cannot itself be shared."""
    errors: list[str] = []
    seen: set[str] = set()
    for i, f in enumerate(fields, start=1):
        key = str(f.get("key") or "").strip()
        name = str(f.get("name") or "").strip()
        where = f"第{i}个信息项"
        if not _FIELD_KEY.match(key):
            errors.append(f"{where}：字段标识须以字母开头，只含字母、数字、下划线，最长60位")
        elif key.lower() in seen:
            errors.append(f"{where}：字段标识“{key}”重复")
        seen.add(key.lower())
        if not name:
            errors.append(f"{where}：信息项名称不能为空")
        if (f.get("data_type") or "字符型") not in DATA_TYPES:
            errors.append(f"{where}：数据类型只能是{'、'.join(DATA_TYPES)}")
        length = f.get("length")
        if length not in (None, ""):
            try:
                if int(length) <= 0:
                    raise ValueError
            except (TypeError, ValueError):
                errors.append(f"{where}：长度应为正整数")
        if (f.get("share_type") or "") not in ("", *SHARE_TYPES):
            errors.append(f"{where}：共享类型只能为空（同资源）、无条件共享、有条件共享或不予共享")
        elif resource_share_type == "none" and (f.get("share_type") or "none") != "none":
            errors.append(f"{where}：资源不予共享，其信息项不能设为共享")
    return errors


# -- review state machine ----------------------------------------------------------------------------
DRAFT, REVIEW, PUBLISHED, WITHDRAWN = "draft", "review", "published", "withdrawn"
TRANSITIONS = {
    "submit": ({DRAFT, WITHDRAWN}, REVIEW),
    "approve": ({REVIEW}, PUBLISHED),
    "reject": ({REVIEW}, DRAFT),
    "withdraw": ({PUBLISHED}, WITHDRAWN),
}
ACTION_LABELS = {"submit": "提交审核", "approve": "审核通过并发布", "reject": "退回修改", "withdraw": "撤销发布"}
EDITABLE = {DRAFT, PUBLISHED, WITHDRAWN}  # editing a published resource makes a new draft


def next_status(status: str, action: str) -> str:
    """The status after ``action``; ValueError (Chinese) when the action is not allowed now."""
    if action not in TRANSITIONS:
        raise ValueError(f"未知操作：{action}")
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise ValueError(f"当前状态不能{ACTION_LABELS[action]}")
    return target


def is_open(open_type: str, status: str, version: int) -> bool:
    """A resource readable through 开放数据: 无条件开放 and published at least once and not withdrawn
    (a revision under way keeps its last published version open)."""
    return open_type == "open" and version > 0 and status != WITHDRAWN
