"""Pure rules of 好差评 (国办发〔2019〕51号): levels, dimensions, the rectification state table,
figure definitions and the 红黑旗 score. No ORM here; unit-tested on worked examples.

Figure definitions (口径) — the same text is printed next to every figure:

- 评价数: valid ratings in the period (rated_at), i.e. ratings not excluded by an upheld appeal,
  follow-up ratings (追评) not counted (they amend, they are not a new event). 默认好评 *are*
  counted as ratings (they are valid ratings by local rule) but *not* as 主动评价.
- 主动评价率 = 主动评价数 / 可评价事件数. 主动评价数 = valid ratings that are not 默认好评;
  可评价事件数 = cases concluded in the period + window visits (现场服务) in the period +
  hotline tickets whose callback was completed in the period.
- 满意率 = (非常满意 + 满意 + 基本满意) / 有效评价数 (默认好评 included, they count as 满意).
- 差评数 = valid ratings whose level counts as 差评 (local rule; default 1 and 2).
- 差评整改率 = 已办结的差评整改 / 差评数 (差评 of the period, whatever the day they were closed).
- 实名差评回访率 = 已回访（联系上）的实名差评 / 实名差评数.
- 维度平均分 = sum of the dimension's scores / ratings that gave that dimension.

An appeal upheld by a supervisor (申诉成立) excludes the rating from every figure, and the
rating stays in the history (marked 已剔除).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from enum import StrEnum

from zhengwu.core import statemachine
from zhengwu.core.statemachine import t as _t

# -- levels ---------------------------------------------------------------------------------
LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
SATISFIED_LEVELS = frozenset({3, 4, 5})
DEFAULT_BAD_LEVELS = frozenset({1, 2})
DEFAULT_LEVEL = 4  # 默认好评 = 满意


class Kind(StrEnum):
    """What was rated (评价对象类型)."""

    CASE = "case"  # 网上 一事一评
    WINDOW = "window"  # 现场 一次一评
    HOTLINE = "hotline"  # 12345 热线


KIND_LABELS = {Kind.CASE: "办件（一事一评）", Kind.WINDOW: "现场服务（一次一评）", Kind.HOTLINE: "12345热线"}


class Channel(StrEnum):
    """How the rating was given (评价渠道); codes follow the upper-level system's channel list."""

    PC = "pc"  # 政务服务网
    MOBILE = "mobile"  # 移动端
    TABLET = "tablet"  # 窗口评价器/平板
    QR = "qr"  # 扫码评价
    PHONE = "phone"  # 热线电话回访
    SMS = "sms"  # 短信
    SYSTEM = "system"  # 默认好评


CHANNEL_LABELS = {Channel.PC: "政务服务网", Channel.MOBILE: "移动端", Channel.TABLET: "窗口评价器",
                  Channel.QR: "扫码评价", Channel.PHONE: "电话", Channel.SMS: "短信", Channel.SYSTEM: "系统默认"}
# Codes sent to the upper-level system (评价渠道): 1 PC端 2 移动端 3 政务服务大厅评价器 4 二维码 5 短信 6 热线
UPSTREAM_CHANNEL = {Channel.PC: "1", Channel.MOBILE: "2", Channel.TABLET: "3", Channel.QR: "4", Channel.SMS: "5",
                    Channel.PHONE: "6", Channel.SYSTEM: "1"}

# -- dimensions -----------------------------------------------------------------------------
ONLINE_DIMENSIONS = {"overall": "整体满意度", "efficiency": "办事效率", "guide": "办事指南精确度",
                     "convenience": "办事便捷度", "usability": "平台操作性"}
WINDOW_DIMENSIONS = {"overall": "整体满意度", "efficiency": "服务效率", "skill": "服务水平", "attitude": "服务态度"}
HOTLINE_DIMENSIONS = {"overall": "整体满意度", "efficiency": "办理效率", "attitude": "服务态度"}
ALL_DIMENSIONS = ("overall", "efficiency", "guide", "convenience", "usability", "skill", "attitude")
DIMENSION_LABELS = {**HOTLINE_DIMENSIONS, **WINDOW_DIMENSIONS, **ONLINE_DIMENSIONS}
# Column titles where online, window and hotline ratings are summed together.
FIGURE_DIMENSION_LABELS = {"overall": "整体满意度", "efficiency": "办事（服务）效率", "guide": "办事指南精确度",
                           "convenience": "办事便捷度", "usability": "平台操作性", "skill": "服务水平", "attitude": "服务态度"}

TAGS_GOOD = ["办事效率高", "服务态度好", "一次办成", "指南清楚", "材料精简"]
TAGS_BAD = ["等待时间长", "多次跑动", "态度生硬", "指南不清", "系统难用", "材料反复要求"]


def dimensions_for(kind: str) -> dict[str, str]:
    return {Kind.CASE: ONLINE_DIMENSIONS, Kind.WINDOW: WINDOW_DIMENSIONS}.get(kind, HOTLINE_DIMENSIONS)


class RuleError(ValueError):
    """Bad input, with the field it concerns and a Chinese message naming the rule."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def check_level(level) -> int:
    try:
        value = int(level)
    except (TypeError, ValueError):
        raise RuleError("level", "评价等级必须是 1 至 5 的整数（5 非常满意 … 1 非常不满意）") from None
    if value not in LEVELS:
        raise RuleError("level", f"评价等级必须是 1 至 5（收到 {value}）")
    return value


def check_dimensions(kind: str, dims: dict | None) -> dict[str, int]:
    """Dimension scores (1–5) for the kind's dimensions; unknown names refused; all or none."""
    dims = {k: v for k, v in (dims or {}).items() if v not in (None, "")}
    if not dims:
        return {}
    allowed = dimensions_for(kind)
    out = {}
    for name, value in dims.items():
        if name not in allowed:
            raise RuleError(f"dims.{name}", f"评价维度“{name}”不适用于{KIND_LABELS.get(kind, kind)}，"
                                            f"可用维度：{'、'.join(allowed.values())}")
        try:
            score = int(value)
        except (TypeError, ValueError):
            raise RuleError(f"dims.{name}", f"{allowed[name]}评分必须是 1 至 5 的整数") from None
        if score not in LEVELS:
            raise RuleError(f"dims.{name}", f"{allowed[name]}评分必须是 1 至 5（收到 {score}）")
        out[name] = score
    missing = [label for name, label in allowed.items() if name not in out]
    if missing:
        raise RuleError("dims", f"请为每个维度评分，尚未评分：{'、'.join(missing)}")
    return out


def check_comment(comment: str, level: int, *, bad_levels=DEFAULT_BAD_LEVELS, max_length: int = 500) -> str:
    comment = (comment or "").strip()
    if len(comment) > max_length:
        raise RuleError("comment", f"评价内容不能超过 {max_length} 字（现为 {len(comment)} 字）")
    return comment


def check_tags(tags) -> list[str]:
    tags = [str(t).strip() for t in (tags or []) if str(t).strip()]
    if len(tags) > 10:
        raise RuleError("tags", "评价标签最多选择 10 个")
    for t in tags:
        if len(t) > 20:
            raise RuleError("tags", f"评价标签“{t[:20]}…”过长：每个标签不超过 20 字")
    return list(dict.fromkeys(tags))


def is_bad(level: int, bad_levels=DEFAULT_BAD_LEVELS) -> bool:
    return level in bad_levels


def parse_bad_levels(text: str) -> frozenset[int]:
    """'1,2' → {1, 2}; refuses anything that is not a subset of 1–3 (a 满意 cannot be 差评)."""
    try:
        values = frozenset(int(x) for x in str(text).replace("，", ",").split(",") if x.strip())
    except ValueError:
        raise RuleError("bad_levels", "差评等级应为以逗号分隔的数字，例如 1,2") from None
    if not values:
        raise RuleError("bad_levels", "差评等级不能为空，例如 1,2")
    if not values <= {1, 2, 3}:
        raise RuleError("bad_levels", "差评等级只能取 1（非常不满意）、2（不满意）、3（基本满意）")
    return values


# -- rectification (差评整改) state table ---------------------------------------------------
class RState(StrEnum):
    VERIFY = "verify"  # 待核实
    RECTIFY = "rectify"  # 整改中
    CALLBACK = "callback"  # 待回访
    CLOSED = "closed"  # 已办结
    REOPENED = "reopened"  # 重新整改


RSTATE_LABELS = {RState.VERIFY: "待核实", RState.RECTIFY: "整改中", RState.CALLBACK: "待回访",
                 RState.CLOSED: "已办结", RState.REOPENED: "重新整改"}
OPEN_RSTATES = frozenset({RState.VERIFY, RState.RECTIFY, RState.CALLBACK, RState.REOPENED})
MAX_CALLBACK_ATTEMPTS = 3


class TransitionRefused(RuleError, statemachine.TransitionRefused):
    def __init__(self, message: str):
        super().__init__("state", message)


# Where each action may start and who takes it; where it ends depends on the answer (属实 or not,
# 实名 or not, 回访 reached or not) and is decided by the after_* rules below.
_WRONG = "当前状态为“{state}”，"
MACHINE = statemachine.StateMachine([
    _t("verify", {RState.VERIFY}, None, {"department"}, "核实"),
    _t("rectify", {RState.RECTIFY, RState.REOPENED}, None, {"department"}, "登记整改"),
    _t("callback", {RState.CALLBACK}, None, {"department"}, "登记回访"),
    _t("close_excluded", OPEN_RSTATES, RState.CLOSED, {"supervisor"}, "申诉成立，整改办结"),
], noun="差评整改", state_labels=RSTATE_LABELS, state=RState, refused=TransitionRefused, refusals={
    "verify": _WRONG + "不能核实（只有待核实的差评可以核实）",
    "rectify": _WRONG + "不能登记整改（只有整改中的差评可以登记）",
    "callback": _WRONG + "不能登记回访（只有待回访的差评可以登记）",
})


def after_verify(state: str, valid: bool, reason: str, real_name: bool) -> RState:
    """核实: valid → 整改中; not valid (不属实, reason required) → 待回访 (real-name: explain to the
    rater) or 已办结 (anonymous: nobody to call)."""
    MACHINE.check(state, "verify")
    if not valid:
        if not (reason or "").strip():
            raise RuleError("reason", "核实为不属实时必须填写理由")
        return RState.CALLBACK if real_name else RState.CLOSED
    return RState.RECTIFY


def after_rectify(state: str, measures: str, real_name: bool) -> RState:
    MACHINE.check(state, "rectify")
    if len((measures or "").strip()) < 5:
        raise RuleError("measures", "整改措施至少填写 5 个字，说明做了什么")
    return RState.CALLBACK if real_name else RState.CLOSED


def after_callback(state: str, reached: bool, satisfied: bool | None, attempts: int, verified_valid: bool | None
                   ) -> RState:
    """回访: reached and satisfied → 已办结; reached and not satisfied → 重新整改 (a rating verified
    不属实 goes back to 整改中 too: the department must deal with it); not reached → stays 待回访
    until the third failed attempt, which closes it as 多次联系未果."""
    MACHINE.check(state, "callback")
    if reached:
        if satisfied is None:
            raise RuleError("satisfied", "联系上评价人时必须登记其是否满意")
        return RState.CLOSED if satisfied else RState.REOPENED
    return RState.CLOSED if attempts + 1 >= MAX_CALLBACK_ATTEMPTS else RState.CALLBACK


def is_overdue(state: str, due: dt.date | None, today: dt.date) -> bool:
    return state in OPEN_RSTATES and due is not None and today > due


# -- figures --------------------------------------------------------------------------------
@dataclass(slots=True)
class Counts:
    """Additive counters of one group (what the daily aggregate table stores per row)."""

    ratings: int = 0  # valid (not excluded) ratings
    l5: int = 0
    l4: int = 0
    l3: int = 0
    l2: int = 0
    l1: int = 0
    defaults: int = 0  # 默认好评 among the valid ratings
    bad: int = 0  # valid 差评
    bad_closed: int = 0  # valid 差评 whose rectification is 已办结
    bad_real: int = 0  # valid real-name 差评
    bad_real_called: int = 0  # ... of which the rater was reached by a callback
    excluded: int = 0  # ratings excluded by an upheld appeal (shown, never in the rates)
    events: int = 0  # 可评价事件数
    dim_n: dict[str, int] = field(default_factory=dict)
    dim_sum: dict[str, int] = field(default_factory=dict)


# The counters the daily aggregate stores per row, in the order :func:`counts_of` and
# :func:`total_of` read them: the plain counters of :class:`Counts` (its fields, in order), then
# ``dim_n`` (the ratings that scored dimensions) and one sum per dimension of :data:`ALL_DIMENSIONS`.
PLAIN_COUNTERS = tuple(f.name for f in fields(Counts) if f.name not in ("dim_n", "dim_sum"))
COUNTER_COLUMNS = (*PLAIN_COUNTERS, "dim_n", *[f"dim_{d}" for d in ALL_DIMENSIONS])
_N_PLAIN = len(PLAIN_COUNTERS)
_DIMS_AT = tuple(enumerate(ALL_DIMENSIONS, start=_N_PLAIN + 1))


def counts_of(sums) -> Counts:
    """One group's :class:`Counts` from its sums in :data:`COUNTER_COLUMNS` order. A dimension
    counts only where its sum is not 0 (the group's ratings that scored dimensions may all be of
    a kind without it: a window has no 平台操作性)."""
    c = Counts(*sums[:_N_PLAIN])
    n = sums[_N_PLAIN]
    if n:
        for i, d in _DIMS_AT:
            if s := sums[i]:
                c.dim_n[d] = n
                c.dim_sum[d] = s
    return c


def total_of(rows) -> Counts:
    """The :class:`Counts` of several groups' sums (each in :data:`COUNTER_COLUMNS` order) together,
    summed column by column: a dimension's count adds up the ratings of the groups that scored it."""
    if not rows:
        return Counts()
    columns = list(zip(*rows, strict=True))
    c = Counts(*[sum(col) for col in columns[:_N_PLAIN]])
    ns = columns[_N_PLAIN]
    for i, d in _DIMS_AT:
        sums = columns[i]
        if any(sums):
            c.dim_n[d] = sum(n for n, s in zip(ns, sums, strict=True) if s)
            c.dim_sum[d] = sum(sums)
    return c


def share(part: int, whole: int) -> float | None:
    """A rate in [0, 1], None when the base is 0 (shown as “—”, never as 0 % or 100 %)."""
    return None if not whole else part / whole


@dataclass(slots=True)
class Figures:
    ratings: int
    active: int
    events: int
    active_rate: float | None
    satisfied: int
    satisfaction_rate: float | None
    bad: int
    rectify_rate: float | None
    bad_real: int
    callback_rate: float | None
    defaults: int
    excluded: int
    dimension_avg: dict[str, float]
    levels: dict[int, int]


def figures(c: Counts) -> Figures:
    satisfied = c.l5 + c.l4 + c.l3
    active = c.ratings - c.defaults
    return Figures(
        ratings=c.ratings, active=active, events=c.events,
        # A rated event whose rateable count is missing (e.g. a hotline ticket rated before its
        # callback was recorded) must not push the rate above 100 %.
        active_rate=None if not c.events else min(1.0, active / c.events),
        satisfied=satisfied, satisfaction_rate=share(satisfied, c.ratings),
        bad=c.bad, rectify_rate=share(c.bad_closed, c.bad),
        bad_real=c.bad_real, callback_rate=share(c.bad_real_called, c.bad_real),
        defaults=c.defaults, excluded=c.excluded,
        dimension_avg={d: round(c.dim_sum.get(d, 0) / n, 2) for d, n in c.dim_n.items() if n},
        levels={5: c.l5, 4: c.l4, 3: c.l3, 2: c.l2, 1: c.l1},
    )


DEFINITIONS = {
    "ratings": ("评价数", "条", "统计期内的有效评价（不含申诉成立被剔除的评价和追评；含默认好评）"),
    "active_rate": ("主动评价率", "%", "主动评价数（有效评价数 − 默认好评数）÷ 可评价事件数（统计期内办结的办件 + 窗口现场服务 + 完成回访的热线工单）"),
    "satisfaction_rate": ("满意率", "%", "（非常满意 + 满意 + 基本满意）÷ 有效评价数（默认好评按满意计）"),
    "bad": ("差评数", "条", "有效评价中等级属于差评的条数（本地规则，默认“不满意”和“非常不满意”）"),
    "rectify_rate": ("差评整改率", "%", "整改已办结的差评 ÷ 差评数"),
    "callback_rate": ("实名差评回访率", "%", "已回访（联系上评价人）的实名差评 ÷ 实名差评数（要求 100%）"),
    "defaults": ("默认好评", "条", "超过规定期限未评价、按本地规则默认为满意的评价"),
    "excluded": ("申诉剔除", "条", "经督办人员审核申诉成立、不计入指标的评价（历史保留）"),
}


# -- 红黑旗 ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScoreWeights:
    satisfaction: float = 60.0
    active: float = 20.0
    rectify: float = 20.0
    bad_penalty: float = 1.0  # points off per 差评 per 100 ratings


def score(f: Figures, w: ScoreWeights) -> float | None:
    """综合得分 (0–100): weighted 满意率, 主动评价率 and 差评整改率 (a missing rate scores full marks
    for 整改 — nothing to rectify — and zero for the others), minus a penalty per 差评 per 100."""
    if not f.ratings:
        return None
    total = w.satisfaction + w.active + w.rectify
    if total <= 0:
        return None
    points = (w.satisfaction * (f.satisfaction_rate or 0) + w.active * (f.active_rate or 0)
              + w.rectify * (1.0 if f.rectify_rate is None else f.rectify_rate)) * 100 / total
    points -= w.bad_penalty * 100 * f.bad / f.ratings
    return round(max(0.0, points), 2)


@dataclass
class Ranked:
    key: object
    label: str
    score: float | None
    ratings: int
    flag: str  # "red" | "black" | ""
    rank: int


def flags(rows: list[tuple[object, str, float | None, int]], *, red: int, black: int, min_ratings: int
          ) -> list[Ranked]:
    """Rank (key, label, score, ratings) by score; the top ``red`` get 红旗, the bottom ``black``
    黑旗. Groups with fewer than ``min_ratings`` ratings are listed but not flagged; ties share a
    rank; a group is never both red and black (a short list gives red first)."""
    eligible = sorted((r for r in rows if r[2] is not None and r[3] >= min_ratings), key=lambda r: (-r[2], r[1]))
    others = sorted((r for r in rows if not (r[2] is not None and r[3] >= min_ratings)),
                    key=lambda r: (r[2] is None, -(r[2] or 0), r[1]))
    out: list[Ranked] = []
    rank, prev = 0, None
    for i, (key, label, sc, n) in enumerate(eligible):
        if sc != prev:
            rank, prev = i + 1, sc
        out.append(Ranked(key, label, sc, n, "", rank))
    n = len(out)
    red_n = min(red, n)
    black_n = min(black, n - red_n)
    for r in out[:red_n]:
        r.flag = "red"
    for r in out[n - black_n:] if black_n else []:
        r.flag = "black"
    out += [Ranked(key, label, sc, n_, "", 0) for key, label, sc, n_ in others]
    return out


# -- default ratings, periods ---------------------------------------------------------------
def default_due(event_day: dt.date, days: int) -> dt.date:
    """The day from which an unrated event may be recorded as 默认好评 (calendar days)."""
    return event_day + dt.timedelta(days=days)


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    """'2026-10' → (2026-10-01, 2026-10-31)."""
    try:
        year, month = (int(x) for x in str(period).split("-"))
        start = dt.date(year, month, 1)
    except (TypeError, ValueError):
        raise RuleError("period", "统计期格式不正确：应为 YYYY-MM，例如 2026-10") from None
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end
