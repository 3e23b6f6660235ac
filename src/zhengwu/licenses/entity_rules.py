"""The new 市场主体 a 设立登记 registers (pure rules, no ORM).

A 设立登记 (个体工商户设立登记, 企业设立登记, 分公司设立登记 …) is applied for before the entity exists:
the applicant is its 经营者, 投资人 or 法定代表人, and the 营业执照 it issues is held by the new entity,
named as the application form names it, with the 统一社会信用代码 the registration authority
assigns when it approves (《市场主体登记管理条例》第二十一条: 准予登记的, 发给营业执照).

统一社会信用代码 (GB 32100-2015 §4): 登记管理部门码 9 (工商, 市场监管), 机构类别码 (1 企业,
2 个体工商户, 3 农民专业合作社), the 6-digit 登记管理机关行政区划码 (the deciding department's
区划), the 9-character 主体标识码 (组织机构代码: 8 characters + the GB 11714 check character) and
the final GB/T 17710 check character. :func:`new_uscc` builds one from a sequence number; the
sequence itself is the assigner's (:mod:`zhengwu.licenses.uscc_assign`).
"""

from __future__ import annotations

from zhengwu.core.identifiers import make_uscc, uscc_problem

AUTHORITY = "9"  # 登记管理部门码: 工商 (市场监督管理部门)
ENTERPRISE, SOLE_TRADER, COOPERATIVE = "1", "2", "3"  # 机构类别码 of 登记管理部门 9
CATEGORY_LABELS = {ENTERPRISE: "企业", SOLE_TRADER: "个体工商户", COOPERATIVE: "农民专业合作社"}

# The application form's field that names the new entity (企业名称, 个体工商户名称（字号）): the first
# of these keys the form answers. A form designed later names its field one of these.
ENTITY_NAME_KEYS = ("entity_name", "company_name", "enterprise_name", "trade_name")

# 主体标识码 the platform assigns: "MA" (the block of 组织机构代码 given to entities registered since the
# unified code, as on 营业执照 issued since 2015) + 6 characters of the sequence in base 31.
BODY_PREFIX = "MA"
# The USCC's characters (GB 32100-2015: digits and capitals without I、O、Z、S、V), in value order.
DIGITS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
BODY_WIDTH = 8 - len(BODY_PREFIX)
MAX_SEQUENCE = len(DIGITS) ** BODY_WIDTH - 1


def is_establishment(item_name: str) -> bool:
    """Whether an item registers a new entity (its name says 设立登记)."""
    return "设立登记" in (item_name or "")


def category_for(item_name: str) -> str:
    """机构类别码 of the entity an item registers: 个体工商户 2, 农民专业合作社 3, otherwise 企业 1."""
    name = item_name or ""
    if "个体工商户" in name:
        return SOLE_TRADER
    if "农民专业合作社" in name:
        return COOPERATIVE
    return ENTERPRISE


def entity_name(form_data: dict) -> str:
    """The new entity's name as the application form gives it ("" when it gives none)."""
    for key in ENTITY_NAME_KEYS:
        value = str((form_data or {}).get(key) or "").strip()
        if value:
            return value
    return ""


def region6(region_code: str) -> str:
    """登记管理机关行政区划码: the first 6 digits of a 12-digit 区划代码 (a county's; a street's county)."""
    code = str(region_code or "")
    if len(code) < 6 or not code[:6].isdigit() or code[:6] == "000000":
        raise ValueError(f"区划代码“{code}”不能作为登记管理机关行政区划码")
    return code[:6]


def body_for(sequence: int) -> str:
    """The 8 characters of the 主体标识码 before its check character, for sequence number ``sequence``."""
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError("主体标识码序号超出范围")
    chars = []
    n = sequence
    for _ in range(BODY_WIDTH):
        n, r = divmod(n, len(DIGITS))
        chars.append(DIGITS[r])
    return BODY_PREFIX + "".join(reversed(chars))


def new_uscc(category: str, region: str, sequence: int) -> str:
    """The 统一社会信用代码 of entity number ``sequence``: 9 + category + region + 主体标识码 (with its
    GB 11714 check character) + the GB/T 17710 check character."""
    if category not in CATEGORY_LABELS:
        raise ValueError(f"机构类别码“{category}”不是登记管理部门9的类别")
    code = make_uscc(AUTHORITY, category, region6(region), body_for(sequence))
    problem = uscc_problem(code)
    if problem:  # a broken rule above, never the input
        raise ValueError(f"生成的统一社会信用代码{code}不正确：{problem}")
    return code
