"""Pure rules of 共享申请 and 交换监控 (no ORM): the request's state table, the checks of a request's
fields and period, the request number, p95 latency and the unusual-volume rule.

The life of a 共享申请::

    submitted 待提供方审核 ──provider_approve 提供方同意──▶ approved 已批准 (无条件共享)
        │                     └──────────────────────────▶ provider_approved 待管理机构会签 (有条件共享)
        │                                                     ├──countersign 会签同意──▶ approved
        │                                                     └──countersign_refuse 会签不同意──▶ refused
        ├──provider_refuse 提供方拒绝──▶ refused 已拒绝
        └──withdraw 撤回 (申请部门)──▶ withdrawn 已撤回
    approved ──revoke 撤销授权 (提供方或数据管理员)──▶ revoked 已撤销

Who acts: ``consumer`` (申请部门的部门管理员、审批人员), ``provider`` (提供方部门管理员),
``bureau`` (数据管理员, the data authority that countersigns 有条件共享).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Sequence
from enum import StrEnum

from zhengwu.core.statemachine import StateMachine
from zhengwu.core.statemachine import t as _t


class State(StrEnum):
    SUBMITTED = "submitted"
    PROVIDER_APPROVED = "provider_approved"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"


STATE_LABELS = {
    State.SUBMITTED: "待提供方审核",
    State.PROVIDER_APPROVED: "待管理机构会签",
    State.APPROVED: "已批准",
    State.REFUSED: "已拒绝",
    State.WITHDRAWN: "已撤回",
    State.REVOKED: "已撤销",
}
OPEN_STATES = frozenset({State.SUBMITTED, State.PROVIDER_APPROVED})


class Actor(StrEnum):
    CONSUMER = "consumer"
    PROVIDER = "provider"
    BUREAU = "bureau"


MACHINE = StateMachine([
    _t("withdraw", {State.SUBMITTED}, State.WITHDRAWN, {Actor.CONSUMER}, "撤回申请"),
    # The target (会签 or 直接批准) is decided from the share type: see needs_countersign.
    _t("provider_approve", {State.SUBMITTED}, None, {Actor.PROVIDER}, "提供方同意"),
    _t("provider_refuse", {State.SUBMITTED}, State.REFUSED, {Actor.PROVIDER}, "提供方拒绝"),
    _t("countersign", {State.PROVIDER_APPROVED}, State.APPROVED, {Actor.BUREAU}, "会签同意"),
    _t("countersign_refuse", {State.PROVIDER_APPROVED}, State.REFUSED, {Actor.BUREAU}, "会签不同意"),
    _t("revoke", {State.APPROVED}, State.REVOKED, {Actor.PROVIDER, Actor.BUREAU}, "撤销授权"),
], noun="共享申请", state_labels=STATE_LABELS, state=State, actor=Actor)

# -- a request's content --------------------------------------------------------------------------
MAX_PERIOD_DAYS = 3 * 366  # 使用期限 at most three years
MAX_DAILY_QUOTA = 1_000_000
REASON_MIN, REASON_MAX = 4, 300
UNCONDITIONAL, CONDITIONAL, NONE = "unconditional", "conditional", "none"  # ShareType values


def field_share_type(field_type: str, resource_type: str) -> str:
    """A field's own 共享类型, or the resource's when the field names none."""
    return field_type or resource_type


def check_fields(chosen: Iterable[str], field_types: dict[str, str], *, label: str = "申请信息项") -> list[str]:
    """``chosen`` keys, in the resource's order, or ValueError naming the problem. ``field_types``:
    key → effective share type, in the resource's order. 不予共享 fields may not be chosen."""
    chosen = list(dict.fromkeys(k.strip() for k in chosen if k and k.strip()))
    if not chosen:
        raise ValueError(f"{label}：至少选择一项（按最小必要原则，只选本次用途确需的信息项）")
    unknown = [k for k in chosen if k not in field_types]
    if unknown:
        raise ValueError(f"{label}：资源中没有信息项 {'、'.join(unknown)}")
    closed = [k for k in chosen if field_types[k] == NONE]
    if closed:
        raise ValueError(f"{label}：{'、'.join(closed)} 为不予共享信息项，不能申请")
    wanted = set(chosen)
    return [k for k in field_types if k in wanted]


def check_subset(approved: Iterable[str], requested: Sequence[str]) -> list[str]:
    """The approved fields: a non-empty subset of those requested (in the request's order)."""
    approved = {k for k in approved if k}
    if not approved:
        raise ValueError("批准信息项：至少批准一项；不同意共享请选择“拒绝”")
    extra = sorted(approved - set(requested))
    if extra:
        raise ValueError(f"批准信息项：{'、'.join(extra)} 不在申请范围内，只能批准申请的信息项")
    return [k for k in requested if k in approved]


def check_period(start: dt.date | None, end: dt.date | None, today: dt.date) -> None:
    """使用期限: both dates, start not in the past, start ≤ end, at most :data:`MAX_PERIOD_DAYS`."""
    if start is None or end is None:
        raise ValueError("使用期限：请填写起止日期")
    if start < today:
        raise ValueError(f"使用期限起：不能早于今天（{today.isoformat()}）")
    if end < start:
        raise ValueError("使用期限止：不能早于使用期限起")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValueError("使用期限：最长三年")


def check_quota(quota: int | None) -> int:
    if quota is None or quota < 1:
        raise ValueError("每日调用上限：请填写正整数")
    if quota > MAX_DAILY_QUOTA:
        raise ValueError(f"每日调用上限：不能超过 {MAX_DAILY_QUOTA}")
    return quota


def check_reason(reason: str, what: str = "理由") -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ValueError(f"{what}：不能少于{REASON_MIN}个字")
    if len(reason) > REASON_MAX:
        raise ValueError(f"{what}：不能超过{REASON_MAX}个字")
    return reason


def needs_countersign(resource_type: str, field_types: Iterable[str]) -> bool:
    """有条件共享 (the resource, or any approved field) needs the data authority's countersignature."""
    return resource_type == CONDITIONAL or any(t == CONDITIONAL for t in field_types)


def scopes_for(registry: str) -> list[str]:
    """应用密钥 scopes of a grant: the query-verify service reads 人口库/法人库 resources."""
    return ["data:query", "data:verify"]


def request_number(day: dt.date, serial: int) -> str:
    """申请编号: GX + date + serial (the row's id), e.g. GX20260401000123."""
    return f"GX{day:%Y%m%d}{serial:06d}"


# -- 交换监控 -------------------------------------------------------------------------------------
ANOMALY_FACTOR = 10
ANOMALY_MIN_CALLS = 100
BASELINE_DAYS = 14


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (nearest-rank: the smallest value with at least 95% of values ≤ it);
    0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(0.95 * len(ordered)))
    return float(ordered[rank - 1])


def unusual_volume(today: int, previous: Sequence[int], *, factor: int = ANOMALY_FACTOR,
                   minimum: int = ANOMALY_MIN_CALLS) -> str:
    """The reason a day's calls are unusual, or "". ``previous``: the daily calls of the
    :data:`BASELINE_DAYS` days before (a day without calls counts 0). Unusual: at least
    ``minimum`` calls and at least ``factor`` × the median of the previous days."""
    if today < minimum:
        return ""
    median = statistics.median(previous) if previous else 0
    if today < factor * median:
        return ""
    if median:
        return f"当日调用{today}次，为前{len(previous)}日日调用量中位数{median:g}次的{today / median:.1f}倍"
    return f"当日调用{today}次，前{len(previous)}日日调用量中位数为0（突增）"
