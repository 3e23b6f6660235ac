"""Pure rules of 用证 / 免提交 (no ORM): which licence may stand in for a material, why one may
not, and how a licence type named only in the catalogue's text is registered (ADR 0035).

Unit-tested on their own (tests/licenses/test_use_rules.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

VALID = "valid"
PERSON, LEGAL = "person", "legal"

# Why a licence the applicant holds cannot be used (the form asks for the upload instead).
STATUS_REASONS = {
    "expired": "已过期",
    "revoked": "已吊销",
    "cancelled": "已注销",
    "superseded": "已变更（请使用变更后的证照）",
}


@dataclass(frozen=True)
class Offer:
    """What the platform can do for one material: use ``licence`` (免提交), or ask for the upload
    and say why the held licence cannot be used (``reason``)."""

    licence: Any = None
    reason: str = ""

    @property
    def usable(self) -> bool:
        return self.licence is not None


def is_usable(status: str, valid_from: dt.date | None, valid_until: dt.date | None, today: dt.date) -> bool:
    """A licence stands in for a material only while it is 有效 on ``today`` (valid_until is
    inclusive; empty means 长期有效)."""
    if status != VALID:
        return False
    if valid_from is not None and valid_from > today:
        return False
    return valid_until is None or valid_until >= today


def refusal_reason(type_name: str, status: str, valid_from: dt.date | None, valid_until: dt.date | None,
                   today: dt.date) -> str:
    """The Chinese sentence shown next to the upload box when the held licence cannot be used."""
    if status == VALID and valid_until is not None and valid_until < today:
        status = "expired"
    if status == "expired":
        until = f"（有效期至{valid_until:%Y年%m月%d日}）" if valid_until else ""
        return f"您的{type_name}电子证照已过期{until}，请上传"
    if status == VALID and valid_from is not None and valid_from > today:
        return f"您的{type_name}电子证照自{valid_from:%Y年%m月%d日}起生效，目前不能使用，请上传"
    return f"您的{type_name}电子证照{STATUS_REASONS.get(status, '不可用')}，请上传"


def choose(licences: Iterable[Any], type_name: str, today: dt.date) -> Offer:
    """Among the applicant's licences of one type (any status), the usable one with the latest
    validity; else the reason given by the most recently issued one; else nothing to say."""
    usable, others = [], []
    for lic in licences:
        (usable if is_usable(lic.status, lic.valid_from, lic.valid_until, today) else others).append(lic)
    if usable:
        usable.sort(key=lambda lic: (lic.valid_until is None, lic.valid_until or dt.date.min, lic.issued_on, lic.pk),
                    reverse=True)
        return Offer(licence=usable[0])
    if others:
        latest = max(others, key=lambda lic: (lic.issued_on, lic.pk))
        return Offer(reason=refusal_reason(type_name, latest.status, latest.valid_from, latest.valid_until, today))
    return Offer()


def offers(materials: Iterable[Any], licences: Iterable[Any], *, holder_kind: str, today: dt.date) -> dict[Any, Offer]:
    """{material.pk: Offer} for the 必要 materials that name a licence type (``licence_type_id``).

    ``licences`` are the applicant's licences (any status) of those types; one held by the other
    kind of holder (a 法人's licence offered to a person) is never used.
    A material with no licence of its type held is left out (the usual upload box).
    """
    by_type: dict[int, list] = {}
    for lic in licences:
        if lic.holder_kind == holder_kind:
            by_type.setdefault(lic.type_id, []).append(lic)
    out = {}
    for m in materials:
        if m.necessity != "required" or not m.licence_type_id:
            continue
        held = by_type.get(m.licence_type_id)
        if not held:
            continue
        offer = choose(held, m.license_type or held[0].type.name, today)
        if offer.usable or offer.reason:
            out[m.pk] = offer
    return out


# -- registering a type named only in text (data migration, demo, service callers) ----------------
_PERSON_WORDS = ("身份证", "户口", "居住证", "结婚证", "离婚证", "出生医学证明", "驾驶证", "护照", "学历", "学位",
                 "毕业证", "残疾人证", "社会保障卡", "社保卡", "军官证", "退役军人", "独生子女", "个人", "医师执业证",
                 "资格证", "技能等级证", "死亡医学证明", "婚育", "执业药师", "预防接种证", "健康证明", "体检证明",
                 "退役证明", "行驶证")
_LEGAL_WORDS = ("营业执照", "许可证", "登记证书", "法人", "企业", "单位", "机构", "组织机构代码", "开户", "备案证明",
                "资质证书", "社会团体", "民办非企业")


def guess_holder_kind(name: str, service_object: str = "") -> str:
    """自然人 or 法人 for a licence type known only by name: the words of the name first
    (居民身份证 → 自然人, 营业执照 → 法人), else the item's 服务对象 (自然人 → 自然人, otherwise 法人)."""
    text = name or ""
    if any(w in text for w in _PERSON_WORDS):
        return PERSON
    if any(w in text for w in _LEGAL_WORDS):
        return LEGAL
    return PERSON if service_object == PERSON else LEGAL


# 18 zeros: GB 32100 assigns no 登记管理部门码 "0", so no real 定义部门 has this prefix; a type
# registered from catalogue text gets it until an administrator defines the type properly.
PLACEHOLDER_DEFINER = "0" * 18
_CODE_RE = re.compile(r"[0-9A-Z]{18}(\d{3})")


def next_type_code(definer_uscc: str | None, existing_codes: Iterable[str]) -> str:
    """The next free 21-character 证照类型代码 (定义部门代码 18 + 顺序号 3) under ``definer_uscc``
    (the issuing department's USCC when known, else :data:`PLACEHOLDER_DEFINER`)."""
    prefix = (definer_uscc or PLACEHOLDER_DEFINER).upper()
    if not re.fullmatch(r"[0-9A-Z]{18}", prefix):
        prefix = PLACEHOLDER_DEFINER
    used = {int(m.group(1)) for c in existing_codes if c.startswith(prefix) and (m := _CODE_RE.fullmatch(c))}
    n = 1
    while n in used:
        n += 1
    if n > 999:
        if prefix != PLACEHOLDER_DEFINER:
            return next_type_code(PLACEHOLDER_DEFINER, existing_codes)
        raise ValueError("证照类型代码已用尽")
    return f"{prefix}{n:03d}"


def licence_result_name(results: Iterable[dict] | None) -> str:
    """The name of the licence an item issues, from its 审批结果 rows (the first of type 证照)."""
    for r in results or []:
        if isinstance(r, dict) and str(r.get("type") or "").strip() == "证照" and str(r.get("name") or "").strip():
            return str(r["name"]).strip()
    return ""
