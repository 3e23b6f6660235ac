"""Pure rules of the catalogue (no ORM): versions, guide checks, bundles, 四级四同, figures.

Everything here takes plain values (dicts, dataclasses, numbers) and returns plain values, so it
can be tested exhaustively without a database. The services in ``catalog.services`` load rows,
call these rules and write the result.

- :data:`VERSION_TRANSITIONS` — the life of a guide version (草稿 → 待审核 → 已发布 → 已替代) as
  one table; :func:`check_transition` refuses anything else with a Chinese message.
- :func:`check_guide` — 办事指南 validation: 承诺时限 ≤ 法定时限, 即办件 ⇒ 承诺 0, item codes
  well-formed (unknown provincial shapes are flagged, not refused), and for publication the
  elements a citizen needs.
- :func:`merge_materials` / :func:`bundle_figures` — 一件事: the merged material list and the
  figures a bureau reports (材料减少, 时限压缩, 跑动减少).
- :func:`four_same_deviations` — 四级四同: items sharing a 基本编码 must agree on 名称, 类型, 依据.
- :func:`catalogue_figures` / :func:`figures_from_counts` — 目录指标 (件数, 平均时限压缩率,
  即办件占比, 零跑动, 最多跑一次, 全程网办).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from zhengwu.core.identifiers import (
    ITEM_TYPES,
    classify_item_code,
    validate_base_code,
    validate_implementation_code,
)
from zhengwu.core.statemachine import StateMachine, Transition, TransitionRefused
from zhengwu.core.statemachine import t as _t

from . import fee_rules, special_rules

# 法定时限 and 承诺时限 are whole working days from 0 to MAX_DAYS: the importer, the editor and the
# service refuse the same bounds (docs/catalog-import.md).
MAX_DAYS = 3650
DAYS_TITLES = {"statutory_days": "法定时限", "promised_days": "承诺时限"}


def days_bound_problem(key: str, value) -> str | None:
    """The refusal for a 法定时限/承诺时限 outside 0…MAX_DAYS working days, or None."""
    if value is None:
        return None
    title = DAYS_TITLES[key]
    if value < 0:
        return f"{title}不能为负数：应为0至{MAX_DAYS}个工作日"
    if value > MAX_DAYS:
        return f"{title}不能超过{MAX_DAYS}个工作日（填写的是{value}个工作日）"
    return None


def compression_rate(statutory_days: int | None, promised_days: int | None) -> float | None:
    """时限压缩率 = (法定时限 − 承诺时限) / 法定时限; None when there is no statutory limit."""
    if not statutory_days or promised_days is None:
        return None
    return (statutory_days - promised_days) / statutory_days


# -- 版本流转 ------------------------------------------------------------------------------------
# Version states (same values as models.VersionState).
DRAFT, PENDING, PUBLISHED, SUPERSEDED, REJECTED = "draft", "pending", "published", "superseded", "rejected"
STATE_LABELS = {DRAFT: "草稿", PENDING: "待审核", PUBLISHED: "已发布", SUPERSEDED: "已替代", REJECTED: "退回修改"}
# A version in one of these states is "open": at most one per item, and it is the one being worked on.
OPEN_STATES = frozenset({DRAFT, PENDING, REJECTED})
EDITABLE_STATES = frozenset({DRAFT, REJECTED})

ITEM_ADMIN, DEPT_ADMIN = "item_admin", "dept_admin"


# The whole life of a 办事指南 version (who may take it: 事项管理员 always; 部门管理员 only where
# listed). Publishing a version supersedes the previous one.
_REFUSALS = {
    ("edit", PENDING): "该版本已提交审核，不能修改；如需修改请先撤回审核",
    ("edit", PUBLISHED): "已发布的版本不能修改，请新建草稿",
    ("edit", SUPERSEDED): "历史版本不能修改",
    ("submit", PENDING): "该版本已提交审核，请勿重复提交",
    ("submit", PUBLISHED): "该版本已发布，无需再提交审核",
    ("approve", DRAFT): "该版本尚未提交审核，不能发布",
    ("approve", REJECTED): "该版本已被退回修改，需重新提交审核后才能发布",
    ("approve", PUBLISHED): "该版本已经发布，请勿重复操作",
    ("reject", PUBLISHED): "该版本已经发布，不能退回",
    ("reject", DRAFT): "该版本尚未提交审核，不能退回",
    ("reject", REJECTED): "该版本已被退回，请勿重复操作",
    ("withdraw", DRAFT): "该版本未在审核中，无需撤回",
    ("withdraw", REJECTED): "该版本未在审核中，无需撤回",
}
VERSION_MACHINE = StateMachine([
    _t("edit", {DRAFT, REJECTED}, DRAFT, {ITEM_ADMIN, DEPT_ADMIN}, "修改草稿"),
    _t("submit", {DRAFT, REJECTED}, PENDING, {ITEM_ADMIN, DEPT_ADMIN}, "提交审核"),
    _t("withdraw", {PENDING}, DRAFT, {ITEM_ADMIN, DEPT_ADMIN}, "撤回审核"),
    _t("approve", {PENDING}, PUBLISHED, {ITEM_ADMIN}, "审核通过并发布"),
    _t("reject", {PENDING}, REJECTED, {ITEM_ADMIN}, "退回修改"),
    _t("supersede", {PUBLISHED}, SUPERSEDED, {ITEM_ADMIN}, "被新版本替代"),
], noun="版本", state_labels=STATE_LABELS, refusals=_REFUSALS, wrong_state="当前版本状态为“{state}”，不能{action}")
VERSION_TRANSITIONS: dict[str, Transition] = VERSION_MACHINE.table


def check_transition(state: str, action: str) -> str:
    """Return the state after ``action``, or raise a Chinese ValidationError (退回/拒绝原因).
    Who may act is checked by the services (role and department: :func:`roles_for`)."""
    if action not in VERSION_MACHINE:
        raise ValueError(f"unknown version action {action!r}")
    try:
        return VERSION_MACHINE.check(state, action)
    except TransitionRefused as exc:
        raise ValidationError(exc.message, code="transition") from None


def roles_for(action: str) -> frozenset[str]:
    return VERSION_TRANSITIONS[action].actors


# Item status (ServiceItem.status) as the public sees it.
ITEM_DRAFT, ITEM_PENDING, ITEM_PUBLISHED, ITEM_DISABLED = "draft", "pending", "published", "disabled"


def item_status_after(action: str, *, current: str, has_published: bool) -> str:
    """ServiceItem.status after an action. A published item stays published (its live version
    still serves citizens) while its next version is edited or reviewed; an item never
    published follows its first version; a disabled item stays disabled until enabled."""
    if action == "disable":
        if current == ITEM_DISABLED:
            raise ValidationError("该事项已停用，请勿重复操作", code="transition")
        return ITEM_DISABLED
    if action == "enable":
        if current != ITEM_DISABLED:
            raise ValidationError("该事项未停用，无需启用", code="transition")
        return ITEM_PUBLISHED if has_published else ITEM_DRAFT
    if current == ITEM_DISABLED:
        if action == "approve":
            raise ValidationError("该事项已停用，不能发布新版本；请先启用事项", code="transition")
        return ITEM_DISABLED
    if action == "approve" or has_published:
        return ITEM_PUBLISHED
    if action == "submit":
        return ITEM_PENDING
    return ITEM_DRAFT


# -- 办事指南校验 --------------------------------------------------------------------------------
@dataclass
class GuideCheck:
    """Result of :func:`check_guide`: refusals per field and flags (提示) that do not refuse."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    code_recognised: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, field_name: str, message: str) -> None:
        self.errors.setdefault(field_name, []).append(message)

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationError({k: [ValidationError(m, code="guide") for m in v] for k, v in self.errors.items()})


# 办理形式: stored value → what pages, the import and the export call it.
CHANNEL_TITLES = {"window": "窗口办理", "online": "网上办理", "self_service": "自助终端", "express": "快递申请"}
CHANNEL_VALUES = tuple(CHANNEL_TITLES)
FULL_ONLINE_DEPTH = 4

# Elements a published guide must carry: field → how to say it is missing.
PUBLICATION_REQUIRED = {
    "name": "事项名称不能为空",
    "item_type": "请选择事项类型",
    "service_object": "请选择服务对象",
    "acceptance_conditions": "发布前须填写受理条件",
    "consult_phone": "发布前须填写咨询电话",
}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def check_item_code(value: str | None, kind: str, label: str) -> tuple[str, bool, str | None]:
    """Check one item code of ``kind`` ("base" or "implementation" or "handling").

    Returns (normalised value, recognised, error). A value shaped like the national code but
    wrong (bad check digit, wrong type) is an error; a value of another shape is kept as given
    and reported as not recognised (provincial shapes exist) — flagged, never refused.
    """
    code = (value or "").strip()
    if not code:
        return "", True, None
    upper = code.upper()
    if kind == "base":
        if re.fullmatch(r"\d{12}", code):
            try:
                return validate_base_code(code, label), True, None
            except ValidationError as exc:
                return code, False, exc.messages[0]
        return code, False, None
    if kind == "implementation":
        if re.fullmatch(r"[0-9A-Z]{31}", upper):
            try:
                return validate_implementation_code(upper, label), True, None
            except ValidationError as exc:
                return code, False, exc.messages[0]
        if classify_item_code(code) == "base":
            return code, False, f"{label}不正确：填写的是12位基本编码，实施编码应为31位"
        return code, False, None
    if kind == "handling":
        if re.fullmatch(r"[0-9A-Z]{33}", upper):
            if classify_item_code(upper) == "handling":
                return upper, True, None
            try:
                validate_implementation_code(upper[:31], f"{label}前31位（实施编码）")
            except ValidationError as exc:
                return code, False, exc.messages[0]
            return code, False, f"{label}不正确：最后两位应为数字顺序号"
        return code, False, None
    raise ValueError(kind)


def check_guide(
    guide: Mapping,
    *,
    materials: Sequence[Mapping] | None = None,
    codes: Mapping | None = None,
    for_publication: bool = False,
) -> GuideCheck:
    """Check a 办事指南 (``guide``: the ItemVersion fields as a dict).

    Always: 法定时限 and 承诺时限 within 0…MAX_DAYS; 承诺时限 ≤ 法定时限; 即办件 ⇒ 承诺时限 0; 承诺件 ⇒ 承诺时限 ≥ 1; 网办深度四级 ⇒ 网上办理
    channel; codes (``codes``: base_code, implementation_code, handling_code) well-formed and
    consistent with each other and with 事项类型; 特别程序 (:mod:`.special_rules`). With ``for_publication``: name, type, service
    object, 受理条件, at least one material or 无需提交材料, 办理地点 or an online channel,
    咨询电话, 法定时限 for 行政许可.
    """
    result = GuideCheck()
    statutory = guide.get("statutory_days")
    promised = guide.get("promised_days")
    case_type = guide.get("case_type")
    item_type = guide.get("item_type")
    channels = list(guide.get("channels") or [])

    out_of_bounds = False
    for key, value in (("statutory_days", statutory), ("promised_days", promised)):
        problem = days_bound_problem(key, value)
        if problem:
            result.add(key, problem)
            out_of_bounds = True
    if not out_of_bounds and statutory is not None and promised is not None and promised > statutory:
        result.add("promised_days", f"承诺时限（{promised}个工作日）不能超过法定时限（{statutory}个工作日）")
    if case_type == "instant" and promised not in (0, None):
        result.add("promised_days", "即办件的承诺时限应为0个工作日（当场办结）")
    if case_type == "committed" and promised == 0:
        result.add("promised_days", "承诺件的承诺时限至少为1个工作日；当场办结的请选择“即办件”")
    check_days = guide.get("commitment_check_days")
    if check_days is not None and not 1 <= check_days <= 365:
        result.add("commitment_check_days", "告知承诺核查期限须为1至365个工作日")
    elif check_days is not None and not guide.get("allows_commitment"):
        result.add("commitment_check_days", "只有“可告知承诺”的事项才设告知承诺核查期限；不可告知承诺的请留空")
    if item_type and item_type not in ITEM_TYPES:
        result.add("item_type", f"事项类型“{item_type}”不存在")
    unknown_channels = [c for c in channels if c not in CHANNEL_VALUES]
    if unknown_channels:
        result.add("channels", f"办理形式“{'、'.join(unknown_channels)}”不存在")
    if guide.get("online_depth") == FULL_ONLINE_DEPTH and channels and "online" not in channels:
        result.add("online_depth", "网上办理深度为四级（全程网办）时，办理形式须包含“网上办理”")
    if (visits := guide.get("visits")) is not None and visits > 5:
        result.add("visits", "到办事现场次数不应超过5次（最多跑一次改革要求）")

    _check_codes(result, codes or {}, item_type)
    for problem in fee_rules.fee_problems(guide.get("fees")):  # 收费: amount or rule, basis, 减免
        result.add("fees", problem)
    special_rules.check(result, guide.get("special_procedures"))  # 特别程序: 行政许可法第四十五条 only

    if for_publication:
        for name, message in PUBLICATION_REQUIRED.items():
            if _blank(guide.get(name)):
                result.add(name, message)
        if not materials and not guide.get("no_materials"):
            result.add("materials", "发布前须至少填写一项申请材料，或勾选“无需提交申请材料”")
        if materials and guide.get("no_materials"):
            result.add("materials", "已勾选“无需提交申请材料”，但仍填写了申请材料，请二选一")
        if _blank(guide.get("locations")) and "online" not in channels:
            result.add("locations", "发布前须填写办理地点，或在办理形式中选择“网上办理”")
        if not channels:
            result.add("channels", "发布前须至少选择一种办理形式")
        if item_type == "01" and statutory is None:
            result.add("statutory_days", "行政许可事项须填写法定时限")
        if case_type is None or _blank(case_type):
            result.add("case_type", "请选择办件类型")
    if materials:
        for i, m in enumerate(materials, start=1):
            if _blank(m.get("name")):
                result.add("materials", f"第{i}项申请材料的名称不能为空")
    return result


def _check_codes(result: GuideCheck, codes: Mapping, item_type: str | None) -> None:
    base, base_ok, err = check_item_code(codes.get("base_code"), "base", "基本编码")
    if err:
        result.add("base_code", err)
    impl, impl_ok, err = check_item_code(codes.get("implementation_code"), "implementation", "实施编码")
    if err:
        result.add("implementation_code", err)
    handling, handling_ok, err = check_item_code(codes.get("handling_code"), "handling", "业务办理项编码")
    if err:
        result.add("handling_code", err)
    flagged = [label for value, ok, label in ((base, base_ok, "基本编码"), (impl, impl_ok, "实施编码"),
                                              (handling, handling_ok, "业务办理项编码")) if value and not ok]
    if flagged and not any(k in result.errors for k in ("base_code", "implementation_code", "handling_code")):
        result.warnings.append(f"{'、'.join(flagged)}不是国家标准格式，已按原样保存并标记为“未识别”")
    result.code_recognised = not flagged

    if base and base_ok and item_type and base[2:4] != item_type:
        result.add("item_type", f"事项类型与基本编码不一致：基本编码第3–4位为“{base[2:4]}”"
                                f"（{ITEM_TYPES.get(base[2:4], '未知')}）")
    if impl and impl_ok and base and base_ok and impl[19:31] != base:
        result.add("implementation_code", "实施编码最后12位应与基本编码一致")
    if handling and handling_ok and impl and impl_ok and not handling.startswith(impl):
        result.add("handling_code", "业务办理项编码的前31位应与实施编码一致")


# -- 一件事：材料合并与成效指标 ---------------------------------------------------------------------
NECESSITY_RANK = {"required": 3, "tolerated": 2, "optional": 1}
_PUNCT = re.compile(r"[\s　,，.。;；:：、()（）《》<>\[\]【】\"“”'‘’-]+")


def material_key(name: str) -> str:
    """Normalised material name: whitespace, brackets and punctuation do not make a difference."""
    return _PUNCT.sub("", name or "").lower()


@dataclass
class MergedMaterial:
    name: str
    necessity: str
    copies: int
    license_type: str
    items: list[str]  # names of the items that ask for it
    count: int  # how many item-level entries were merged into this one


def merge_materials(item_materials: Sequence[tuple[str, Sequence[Mapping]]]) -> list[MergedMaterial]:
    """Merge the materials of a bundle's items (``[(item name, [material dict, ...]), ...]``).

    Two materials are the same when their normalised names are equal or when both can be
    replaced by the same licence type (可替代的电子证照) — "居民身份证" and "申请人身份证明（居民身份证）"
    with licence type 居民身份证 count once. The merged entry keeps the first name seen, the
    strictest necessity and the largest number of copies. Order: first appearance.
    """
    merged: list[MergedMaterial] = []
    by_key: dict[str, int] = {}
    for item_name, materials in item_materials:
        for m in materials:
            keys = [f"n:{material_key(m.get('name', ''))}"]
            lic = (m.get("license_type") or "").strip()
            if lic:
                keys.append(f"l:{material_key(lic)}")
            hits = sorted({by_key[k] for k in keys if k in by_key})
            if hits:
                index = hits[0]
                # A material can join two groups formed earlier (by name and by licence): fold them.
                for other in hits[1:]:
                    _fold(merged[index], merged[other])
                    merged[other] = None  # type: ignore[call-overload]
                    for k, v in list(by_key.items()):
                        if v == other:
                            by_key[k] = index
                target = merged[index]
                _fold(target, MergedMaterial(m.get("name", ""), m.get("necessity") or "required",
                                             int(m.get("copies") or 1), lic, [item_name], 1))
            else:
                index = len(merged)
                merged.append(MergedMaterial(m.get("name", ""), m.get("necessity") or "required",
                                             int(m.get("copies") or 1), lic, [item_name], 1))
            for k in keys:
                by_key[k] = index
    return [m for m in merged if m is not None]


def _fold(into: MergedMaterial, other: MergedMaterial) -> None:
    if NECESSITY_RANK.get(other.necessity, 0) > NECESSITY_RANK.get(into.necessity, 0):
        into.necessity = other.necessity
    into.copies = max(into.copies, other.copies)
    into.license_type = into.license_type or other.license_type
    for name in other.items:
        if name not in into.items:
            into.items.append(name)
    into.count += other.count


@dataclass(frozen=True)
class BundleItemFacts:
    """What the figures need to know of one item of a bundle."""

    name: str
    material_count: int
    promised_days: int
    visits: int


@dataclass(frozen=True)
class BundleFigures:
    """一件事 成效: before = each item applied for separately; after = one bundle application."""

    item_count: int
    materials_before: int
    materials_after: int
    days_before: int
    days_after: int
    visits_before: int
    visits_after: int

    @property
    def materials_saved(self) -> int:
        return max(self.materials_before - self.materials_after, 0)

    @property
    def days_saved(self) -> int:
        return max(self.days_before - self.days_after, 0)

    @property
    def visits_saved(self) -> int:
        return max(self.visits_before - self.visits_after, 0)

    @staticmethod
    def _rate(saved: int, before: int) -> float | None:
        return saved / before if before else None

    @property
    def materials_saved_rate(self) -> float | None:
        return self._rate(self.materials_saved, self.materials_before)

    @property
    def days_saved_rate(self) -> float | None:
        return self._rate(self.days_saved, self.days_before)

    @property
    def visits_saved_rate(self) -> float | None:
        return self._rate(self.visits_saved, self.visits_before)


def bundle_figures(items: Sequence[BundleItemFacts], *, merged_material_count: int,
                   bundle_promised_days: int | None, bundle_visits: int) -> BundleFigures:
    """Figures of a 一件事: 材料减少 (sum of items' materials − merged list), 时限减少 (sum of
    items' 承诺时限 − the bundle's 承诺时限, or the longest item's when the bundle sets none),
    跑动减少 (sum of items' 到现场次数 − the bundle's)."""
    days_after = bundle_promised_days if bundle_promised_days is not None else max(
        (i.promised_days for i in items), default=0)
    return BundleFigures(
        item_count=len(items),
        materials_before=sum(i.material_count for i in items),
        materials_after=merged_material_count,
        days_before=sum(i.promised_days for i in items),
        days_after=days_after,
        visits_before=sum(i.visits for i in items),
        visits_after=bundle_visits,
    )


def check_bundle(data: Mapping, items: Sequence[Mapping], *, for_publication: bool = False) -> GuideCheck:
    """Check a bundle: ``items`` are dicts with name, status, promised_days. For publication at
    least two items, all published, and a bundle time limit no longer than the items' sum."""
    result = GuideCheck()
    if _blank(data.get("name")):
        result.add("name", "一件事名称不能为空")
    promised = data.get("promised_days")
    if promised is not None and items:
        total = sum(int(i.get("promised_days") or 0) for i in items)
        if promised > total:
            result.add("promised_days", f"一件事承诺时限（{promised}个工作日）不应超过各事项承诺时限之和（{total}个工作日）")
    visits = data.get("visits")
    if visits is not None and items and visits > sum(int(i.get("visits") or 0) for i in items):
        result.add("visits", "一件事到现场次数不应多于各事项分别办理的到现场次数之和")
    if for_publication:
        if len(items) < 2:
            result.add("items", "一件事至少包含两个事项才能发布")
        not_live = [i["name"] for i in items if i.get("status") != "published"]
        if not_live:
            result.add("items", f"以下事项尚未发布或已停用，不能纳入已发布的一件事：{'、'.join(not_live)}")
    return result


# -- 四级四同 ------------------------------------------------------------------------------------
FOUR_SAME_FIELDS = {"name": "事项名称", "item_type": "事项类型", "legal_basis": "设定依据"}


def _norm_text(value) -> str:
    return _PUNCT.sub("", str(value or ""))


@dataclass(frozen=True)
class Deviation:
    base_code: str
    item_id: int
    field: str
    label: str
    expected: str
    actual: str


def four_same_deviations(base_code: str, reference: Mapping | None, rows: Sequence[Mapping]) -> list[Deviation]:
    """Deviations among items sharing one 基本编码 (四级四同: 名称、编码、类型、依据 相同).

    ``reference`` is the 基本目录 entry (name, item_type, legal_basis); where it leaves a field
    empty, the value most items use is the reference for that field. ``rows`` are dicts with id
    and the three fields. Comparison ignores whitespace and punctuation; an empty legal basis on
    an item is a deviation (依据缺失) when the reference has one.
    """
    out: list[Deviation] = []
    for f, label in FOUR_SAME_FIELDS.items():
        expected = (reference or {}).get(f) or ""
        if _blank(expected):
            counts = Counter(_norm_text(r.get(f)) for r in rows if not _blank(r.get(f)))
            if not counts:
                continue
            top = counts.most_common(1)[0][0]
            expected = next(r.get(f) for r in rows if _norm_text(r.get(f)) == top)
        for r in rows:
            if _norm_text(r.get(f)) != _norm_text(expected):
                out.append(Deviation(base_code, r["id"], f, label, _display(f, expected), _display(f, r.get(f))))
    return out


def _display(f: str, value) -> str:
    if f == "item_type":
        return f"{value}（{ITEM_TYPES.get(value, '未知')}）" if value else "（空）"
    return str(value) if not _blank(value) else "（空）"


# -- 目录指标 ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CatalogueFigures:
    """目录指标 for one group (a department, a region, or everything)."""

    item_count: int
    avg_compression_rate: float | None  # over items with a statutory limit
    instant_count: int
    zero_visit_count: int
    max_one_visit_count: int
    full_online_count: int

    def _share(self, n: int) -> float | None:
        return n / self.item_count if self.item_count else None

    @property
    def instant_share(self) -> float | None:
        return self._share(self.instant_count)

    @property
    def zero_visit_share(self) -> float | None:
        return self._share(self.zero_visit_count)

    @property
    def max_one_visit_share(self) -> float | None:
        return self._share(self.max_one_visit_count)

    @property
    def full_online_share(self) -> float | None:
        return self._share(self.full_online_count)


def figures_from_counts(row: Mapping) -> CatalogueFigures:
    """Build figures from an aggregated row (the SQL in services.reports produces these keys)."""
    avg = row.get("avg_compression")
    return CatalogueFigures(
        item_count=int(row.get("item_count") or 0),
        avg_compression_rate=float(avg) if avg is not None else None,
        instant_count=int(row.get("instant_count") or 0),
        zero_visit_count=int(row.get("zero_visit_count") or 0),
        max_one_visit_count=int(row.get("max_one_visit_count") or 0),
        full_online_count=int(row.get("full_online_count") or 0),
    )


def catalogue_figures(items: Iterable[Mapping]) -> CatalogueFigures:
    """The definition of the figures over plain item dicts (statutory_days, promised_days,
    case_type, visits, online_depth); the SQL aggregation in services.reports must agree."""
    n = instant = zero = one = full = 0
    rates: list[float] = []
    for i in items:
        n += 1
        rate = compression_rate(i.get("statutory_days"), i.get("promised_days"))
        if rate is not None:
            rates.append(rate)
        instant += i.get("case_type") == "instant"
        # One definition with the SQL (services.reports): an item whose 到现场次数 is not recorded
        # counts as neither 零跑动 nor 最多跑一次 — an unknown is not a reform achieved.
        visits = i.get("visits")
        zero += visits == 0
        one += visits is not None and visits <= 1
        full += i.get("online_depth") == FULL_ONLINE_DEPTH
    return CatalogueFigures(n, sum(rates) / len(rates) if rates else None, instant, zero, one, full)


# -- 情形引导 of a 一件事 ------------------------------------------------------------------------------
def scenario_question_problems(text: str, options: list[dict], bundle_item_ids: set[int]) -> dict[str, str]:
    """What is wrong with a 情形 question (field → message): ``options`` rows in order, each
    ``{"label", "select": item ids, "skip": item ids, "waive": str}``; the items an answer selects
    or skips must be items of the bundle, and one answer cannot both select and skip an item."""
    problems: dict[str, str] = {}
    text = (text or "").strip()
    if not text:
        problems["text"] = "问题：必填"
    elif len(text) > 200:
        problems["text"] = "问题：不能超过200个字"
    if len(options) < 2:
        problems["options"] = "选项：至少设置两个选项（如“是”“否”）"
    seen: dict[str, int] = {}
    for n, o in enumerate(options, start=1):
        label, key = (o.get("label") or "").strip(), f"option-{n}"
        if not label:
            problems[key] = f"第{n}个选项：名称必填"
        elif len(label) > 100:
            problems[key] = f"第{n}个选项：名称不能超过100个字"
        elif label in seen:
            problems[key] = f"第{n}个选项：与第{seen[label]}个选项同名"
        elif not set(o.get("select") or ()) | set(o.get("skip") or ()) <= bundle_item_ids:
            problems[key] = f"第{n}个选项：所选事项不属于本一件事"
        elif set(o.get("select") or ()) & set(o.get("skip") or ()):
            problems[key] = f"第{n}个选项：同一事项不能既“需要办理”又“无需办理”"
        elif len(o.get("waive") or "") > 500:
            problems[key] = f"第{n}个选项：免交材料不能超过500个字"
        seen.setdefault(label, n)
    return problems
