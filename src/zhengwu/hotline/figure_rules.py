"""Pure formulas of the hotline's figures (no ORM): what is counted, over what, in which period.

The words of each figure are in :data:`DEFINITIONS` (shown under the figures table, returned by the
figures API); :func:`figures` applies them to the raw :class:`Counts` of one group.

Periods (a figure belongs to the month in which its event happened):

- 受理 figures (受理量, 派单量, 直接办结量, 重复诉求, 退单, 签收) count tickets **registered** in the period;
- 办结 figures (办结量, 按时办结, 办理时长, 回访, 满意, 一次办结) count tickets **closed** (办结) in
  the period — a ticket registered in March and closed in April counts for April;
- 接通 figures count the calls the call system reported for the days of the period.

直接办结 (a 咨询 answered at once by the operator from the knowledge base) is never dispatched: it is
its own figure (直接办结率) and is left out of every figure about dispatched tickets.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


def rate(numerator: int | float, denominator: int | float) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return round(100.0 * numerator / denominator, 1)


@dataclass(frozen=True)
class Counts:
    """The raw counts of one group (a department, category, region, type or period). Additive: the
    counts of a total are the sums of the groups' counts."""

    # -- tickets registered in the period --
    received: int = 0  # 受理量: registered (duplicates included; cancelled ones not)
    dispatched: int = 0  # 派单量: registered and dispatched to a department (merged and direct closes not)
    dispatched_closed: int = 0  # of those, already closed (办结) — the 办结率's numerator
    direct_closed: int = 0  # 直接办结量
    claimed: int = 0
    claimed_on_time: int = 0
    returned: int = 0  # tickets returned (退单) at least once
    repeated: int = 0  # 重复诉求 (see rules.same_matter / rules.counts_as_repeat)
    # -- dispatched tickets closed in the period --
    closed: int = 0  # 办结量
    closed_on_time: int = 0
    first_time: int = 0  # closed without a 重办 (reopen_count = 0)
    callbacked: int = 0  # 回访 done: a callback call reached the caller
    rated: int = 0  # with a satisfaction level (回访 or the citizen's own rating on the web)
    satisfied: int = 0  # 满意 + 基本满意 (level ≥ 3) among rated
    handle_hours_sum: float = 0.0  # 派单 → 答复, in hours
    handle_count: int = 0
    # -- calls (from the call system) --
    calls_offered: int = 0  # 人工服务请求量 (calls asking for an operator)
    calls_answered: int = 0  # 人工应答量 (of those, answered by an operator)

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


@dataclass(frozen=True)
class Figures:
    received: int
    dispatched: int
    closed: int
    direct_closed: int
    close_rate: float | None
    direct_close_rate: float | None
    on_time_rate: float | None
    first_time_rate: float | None
    claim_on_time_rate: float | None
    callback_rate: float | None
    satisfaction_rate: float | None
    return_rate: float | None
    repeat_rate: float | None
    avg_handle_hours: float | None
    answer_rate: float | None


# The figures in words: (key, column title, definition). Where a national rule names the figure it
# is cited. 国办发〔2020〕53号 (关于进一步优化地方政务服务便民热线的指导意见) asks for the closed loop of
# 受理 … 办结、回访、评价 these figures measure; it names no formulas, so the formulas below are the
# platform's, written out in full.
DEFINITIONS: list[tuple[str, str, str]] = [
    ("received", "受理量", "本期登记的工单数（含重复诉求，不含撤销的误登记）。"),
    ("dispatched", "派单量", "本期登记并派往承办单位的工单数（不含直接办结和并单）。"),
    ("closed", "办结量", "本期办结的派单工单数（按办结日期统计，不含直接办结）。"),
    ("direct_closed", "直接办结量", "本期由坐席依据知识库当场答复办结的咨询工单数。"),
    ("close_rate", "办结率%", "本期派单的工单中已办结的比例 = 已办结 ÷ 派单量。"),
    ("direct_close_rate", "直接办结率%", "直接办结量 ÷ 受理量。"),
    ("on_time_rate", "按时办结率%", "本期办结的派单工单中按时的比例。按时：每次答复都在当时计算的时限内——"
                                 "首次答复对照首次派单的时限（只因批准的延期顺延，改派不重新计时），重办后的答复对照重办时的时限。"),
    ("first_time_rate", "一次办结率%", "本期办结的派单工单中未经重办（回访不满意后重新交办）即办结的比例。"),
    ("claim_on_time_rate", "签收及时率%", "本期登记的工单中按签收时限签收的 ÷ 已签收的。"),
    ("callback_rate", "回访率%", "本期办结的派单工单中回访接通（完成回访）的比例 = 回访量 ÷ 办结量。"),
    ("satisfaction_rate", "满意率%", "（非常满意＋满意＋基本满意）÷ 有满意度评价的办结工单（回访评价或诉求人网上评价）。"),
    ("return_rate", "退单率%", "本期派单的工单中发生过退单的比例。"),
    ("repeat_rate", "重复诉求率%", "重复诉求 ÷ 受理量。重复诉求：同一诉求人（同一电话）就同一事项再次反映——"
                                "诉求类型相同、分类不冲突，且地点相同（地址大部分相同或相距150米内）或诉求内容相似；"
                                "前一工单尚未办结，或在30日内。并入主工单（并单）的工单也是重复诉求。"),
    ("avg_handle_hours", "平均办理时长（小时）", "本期办结的派单工单从派单到答复的平均小时数（不含直接办结）。"),
    ("answer_rate", "接通率%", "人工服务接通率（GB/T 33358-2016《呼叫中心服务质量要求》所列服务水平指标）"
                             "= 人工应答量 ÷ 人工服务请求量，取话务系统按日报送的话务量；只在按月、按日和合计中显示。"),
]
COLUMNS = [(k, title) for k, title, _ in DEFINITIONS]


def figures(c: Counts) -> Figures:
    return Figures(
        received=c.received,
        dispatched=c.dispatched,
        closed=c.closed,
        direct_closed=c.direct_closed,
        close_rate=rate(c.dispatched_closed, c.dispatched),
        direct_close_rate=rate(c.direct_closed, c.received),
        on_time_rate=rate(c.closed_on_time, c.closed),
        first_time_rate=rate(c.first_time, c.closed),
        claim_on_time_rate=rate(c.claimed_on_time, c.claimed),
        callback_rate=rate(c.callbacked, c.closed),
        satisfaction_rate=rate(c.satisfied, c.rated),
        return_rate=rate(c.returned, c.dispatched),
        repeat_rate=rate(c.repeated, c.received),
        avg_handle_hours=round(c.handle_hours_sum / c.handle_count, 1) if c.handle_count else None,
        answer_rate=rate(c.calls_answered, c.calls_offered),
    )
