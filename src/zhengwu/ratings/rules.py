"""Pure rules of 好差评 (国办发〔2019〕51号): levels, dimensions, the rectification state table,
figure definitions and the 红黑旗 score. No ORM here; unit-tested on worked examples.

Figure definitions (口径) — the same text is printed next to every figure (:data:`DEFINITIONS`):

- 评价数: valid ratings in the period (rated_at), i.e. ratings not excluded by an upheld appeal,
  follow-up ratings (追评) not counted (they amend, they are not a new event). 默认好评 are counted
  here and in their own column, and nowhere else: they are not 主动评价 and not in 满意率.
- 主动评价率 = 已主动评价的可评价事件 / 可评价事件数, both counted on the event's day and group:
  可评价事件 = cases concluded + window visits (现场服务) + 12345 tickets closed (办结, with a
  responsible department: every closed ticket may be rated, rated or not). A case concluded on
  31 October and rated on 1 November counts for October. Not capped at 100 %.
- 满意率 = (非常满意 + 满意 + 基本满意) / 主动评价数 (默认好评 excluded).
- 差评数 = valid ratings of 不满意 or 非常不满意 (:data:`BAD_LEVELS`, fixed by 国办发〔2019〕51号).
- 差评整改率 = 整改完成的差评 / 差评数 (:func:`is_rectified`: 整改措施 registered and 办结; for a
  real-name 差评 closed with the rater satisfied on the callback).
- 实名差评回访整改率 = 实名差评中回访和整改均已完成的 / 实名差评数 (要求 100%).
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
# 国办发〔2019〕51号《国务院办公厅关于建立政务服务“好差评”制度提高政务服务水平的意见》: 政务服务评价
# 分为“非常满意”“满意”“基本满意”“不满意”“非常不满意”五个等级; “不满意”和“非常不满意”是差评.
# These two sets are the one definition used everywhere (满意率, 差评, rectification): a level is
# satisfied or bad, never both, and local rules cannot move a level from one set to the other.
LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
SATISFIED_LEVELS = frozenset({5, 4, 3})
BAD_LEVELS = frozenset({2, 1})
DEFAULT_BAD_LEVELS = BAD_LEVELS  # the name older callers use
assert not SATISFIED_LEVELS & BAD_LEVELS and SATISFIED_LEVELS | BAD_LEVELS == set(LEVELS)
DEFAULT_LEVEL = 4  # 默认好评 = 满意
BAD_LEVELS_FIXED = ("差评等级依据国办发〔2019〕51号固定为“不满意”和“非常不满意”（1,2），不能由本地规则配置；"
                    "“基本满意”计入满意率，不能同时计为差评")


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
# The one table of rating dimensions (评价维度) per what is rated, after the national 好差评 content
# (网上 一事一评: 整体满意度、办事效率、办事指南精确度、办事便捷度、平台操作性; 现场 一次一评: 整体满意度、
# 服务效率、服务水平、服务态度; DESIGN.md “National rules”). The forms ask these, the API accepts these,
# the figures and exports name them from here. A key several kinds share (overall, efficiency,
# attitude) is one question in each channel's words; figures that sum channels name it with every
# wording (:data:`FIGURE_DIMENSION_LABELS`).
DIMENSIONS = {
    Kind.CASE: {"overall": "整体满意度", "efficiency": "办事效率", "guide": "办事指南精确度",
                "convenience": "办事便捷度", "usability": "平台操作性"},
    Kind.WINDOW: {"overall": "整体满意度", "efficiency": "服务效率", "skill": "服务水平", "attitude": "服务态度"},
    Kind.HOTLINE: {"overall": "整体满意度", "efficiency": "办理效率", "attitude": "服务态度"},
}
ONLINE_DIMENSIONS = DIMENSIONS[Kind.CASE]
WINDOW_DIMENSIONS = DIMENSIONS[Kind.WINDOW]
HOTLINE_DIMENSIONS = DIMENSIONS[Kind.HOTLINE]
# Every key once, online first (the order of the aggregate's dim_* columns).
ALL_DIMENSIONS = tuple(dict.fromkeys(k for dims in DIMENSIONS.values() for k in dims))
FIGURE_DIMENSION_LABELS = {k: "／".join(dict.fromkeys(d[k] for d in DIMENSIONS.values() if k in d))
                           for k in ALL_DIMENSIONS}
DIMENSION_LABELS = FIGURE_DIMENSION_LABELS


def dimensions_for(kind: str) -> dict[str, str]:
    return DIMENSIONS.get(kind, HOTLINE_DIMENSIONS)


def dimension_label(kind: str, key: str) -> str:
    """A dimension's name as the rater was asked it (the kind's own wording)."""
    return DIMENSIONS.get(kind, {}).get(key) or FIGURE_DIMENSION_LABELS.get(key, key)


def dims_text(kind: str, dims: dict | None) -> str:
    return "；".join(f"{dimension_label(kind, k)} {v}分" for k, v in (dims or {}).items())


# -- tags and 差评 problems ------------------------------------------------------------------
TAGS_GOOD = ["办事效率高", "服务态度好", "一次办成", "指南清楚", "材料精简"]
# 差评问题 (what went wrong), one list per kind. A 差评 must say what it is about: at least one
# problem or a written comment (:func:`check_bad_reason`), so the responsible department knows
# what to verify and rectify (国办发〔2019〕51号: 差评要“件件有整改、有反馈”). The problems follow
# the dimensions of the kind above (one problem per dimension), plus the problems raised most in
# 差评 (跑动, 材料, 收费); “其他” asks for the comment.
BAD_PROBLEMS = {
    Kind.CASE: ["办理时间长、效率低", "办事指南不准确、不清楚", "要求材料多、反复提交", "需要多次跑动",
                "网上平台不好用、操作复杂", "违规收费或索要好处", "其他"],
    Kind.WINDOW: ["等候时间长、效率低", "业务不熟、解释不清", "服务态度差", "要求材料多、反复提交", "需要多次跑动",
                  "违规收费或索要好处", "其他"],
    Kind.HOTLINE: ["办理时间长、效率低", "问题未解决", "服务态度差", "推诿扯皮", "其他"],
}
OTHER_PROBLEM = "其他"
ALL_BAD_PROBLEMS = frozenset(t for ts in BAD_PROBLEMS.values() for t in ts)
TAGS_BAD = BAD_PROBLEMS[Kind.CASE]


def bad_problems_for(kind: str) -> list[str]:
    return BAD_PROBLEMS.get(kind, BAD_PROBLEMS[Kind.CASE])


class RuleError(ValueError):
    """Bad input, with the field it concerns and a Chinese message naming the rule."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def check_level(level) -> int:
    if level is None or str(level).strip() == "":
        raise RuleError("level", "请选择总体评价")
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


def check_comment(comment: str, level: int, *, max_length: int = 500, **_ignored) -> str:
    comment = (comment or "").strip()
    if len(comment) > max_length:
        raise RuleError("comment", f"评价内容不能超过 {max_length} 字（现为 {len(comment)} 字）")
    return comment


def check_tags(tags, kind: str | None = None) -> list[str]:
    """Tags chosen from the lists (好评标签 and the kind's 差评问题); each at most once."""
    tags = [str(t).strip() for t in (tags or []) if str(t).strip()]
    if len(tags) > 10:
        raise RuleError("tags", "评价标签最多选择 10 个")
    allowed = {*TAGS_GOOD, *(bad_problems_for(kind) if kind else ALL_BAD_PROBLEMS)}
    for t in tags:
        if t not in allowed:
            raise RuleError("tags", f"评价标签“{t[:20]}”不在可选列表中，请从页面列出的标签中选择")
    return list(dict.fromkeys(tags))


def bad_problems_of(tags) -> list[str]:
    """The 差评问题 among a rating's tags (in the order chosen)."""
    return [t for t in (tags or []) if t in ALL_BAD_PROBLEMS]


def check_bad_reason(kind: str, level: int, tags: list[str], comment: str) -> None:
    """A 差评 (不满意, 非常不满意) says what went wrong: at least one 差评问题 of the kind's list, or a
    written comment; “其他” alone needs the comment. Other levels need neither."""
    if level not in BAD_LEVELS:
        return
    problems = [t for t in tags if t in bad_problems_for(kind)]
    if not problems and not comment:
        raise RuleError("tags", f"“{LEVELS[level]}”属于差评：请至少选择一个遇到的问题，或填写评价内容，"
                                "以便责任部门核实整改")
    if problems == [OTHER_PROBLEM] and not comment:
        raise RuleError("comment", "选择了“其他”问题：请在评价内容中写明遇到的问题")


def is_bad(level: int, *_ignored) -> bool:
    return level in BAD_LEVELS


def is_satisfied(level: int) -> bool:
    return level in SATISFIED_LEVELS


def check_bad_levels(text) -> frozenset[int]:
    """The 差评 levels a local rule names: only the national set (1,2) is accepted, whatever the
    order or separator; anything else — in particular 3 基本满意 — is refused (:data:`BAD_LEVELS`)."""
    try:
        values = frozenset(int(x) for x in str(text).replace("，", ",").split(",") if x.strip())
    except ValueError:
        raise RuleError("bad_levels", BAD_LEVELS_FIXED) from None
    if values != BAD_LEVELS:
        raise RuleError("bad_levels", BAD_LEVELS_FIXED)
    return values


parse_bad_levels = check_bad_levels


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


def is_rectified(state: str, measures: str, real_name: bool, callback_satisfied: bool | None) -> bool:
    """整改完成 (what 差评整改率 counts): the department registered 整改措施 and the rectification is
    办结; for a real-name 差评 it was closed by the rater, reached on the callback, being satisfied.
    Not counted: a 差评 closed as 不属实 without 整改 (anonymous, or 多次联系未果), one closed as 多次联系未果
    (the rater never confirmed the 整改), and any still open or 重新整改. A 差评 the department holds
    untrue leaves the figures by an upheld 申诉, not by being counted as rectified."""
    if state != RState.CLOSED or not (measures or "").strip():
        return False
    return bool(callback_satisfied) if real_name else True


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
    bad_rectified: int = 0  # valid 差评 whose 整改 is complete (:func:`is_rectified`)
    bad_real: int = 0  # valid real-name 差评
    bad_real_done: int = 0  # ... of which 回访 and 整改 are both done (:func:`is_rectified`, real name)
    excluded: int = 0  # ratings excluded by an upheld appeal (shown, never in the rates)
    events: int = 0  # 可评价事件数, on the event's day (concluded, served, ticket closed)
    rated: int = 0  # ... of those events, the ones given a valid 主动评价 (counted on the event's day)
    dim_n: dict[str, int] = field(default_factory=dict)
    dim_sum: dict[str, int] = field(default_factory=dict)


# The counters a report reads per group, in the order :func:`counts_of` and :func:`total_of` read
# them: the plain counters of :class:`Counts` (its fields, in order), then per dimension of
# :data:`ALL_DIMENSIONS` the ratings that scored it (``dim_n_<d>``: the day rows' ``dim_n`` summed
# over the rows whose ``dim_<d>`` is not 0 — a day row is of one kind, and a rating of that kind
# scores all its kind's dimensions or none), then per dimension the sum of its scores (``dim_<d>``).
# Summing ``dim_n`` over all the rows instead divided, say, a department's 办事指南精确度 by its
# window ratings too (issue: 0.61 shown for 4.67).
PLAIN_COUNTERS = tuple(f.name for f in fields(Counts) if f.name not in ("dim_n", "dim_sum"))
DIMENSION_COUNT_COLUMNS = tuple(f"dim_n_{d}" for d in ALL_DIMENSIONS)
DIMENSION_SUM_COLUMNS = tuple(f"dim_{d}" for d in ALL_DIMENSIONS)
COUNTER_COLUMNS = (*PLAIN_COUNTERS, *DIMENSION_COUNT_COLUMNS, *DIMENSION_SUM_COLUMNS)
# What a day row stores: the plain counters, ``dim_n`` (its ratings that scored dimensions) and the sums.
STORED_COUNTERS = (*PLAIN_COUNTERS, "dim_n", *DIMENSION_SUM_COLUMNS)
_N_PLAIN = len(PLAIN_COUNTERS)
_N_DIMS = len(ALL_DIMENSIONS)


def counts_of(sums) -> Counts:
    """One group's :class:`Counts` from its sums in :data:`COUNTER_COLUMNS` order. A dimension
    counts only where it was scored (a window has no 平台操作性)."""
    c = Counts(*sums[:_N_PLAIN])
    for i, d in enumerate(ALL_DIMENSIONS):
        n, s = sums[_N_PLAIN + i], sums[_N_PLAIN + _N_DIMS + i]
        if n and s:
            c.dim_n[d] = n
            c.dim_sum[d] = s
    return c


def total_of(rows) -> Counts:
    """The :class:`Counts` of several groups' sums (each in :data:`COUNTER_COLUMNS` order) together,
    summed column by column."""
    if not rows:
        return Counts()
    return counts_of([sum(col) for col in zip(*rows, strict=True)])


def share(part: int, whole: int) -> float | None:
    """A rate in [0, 1], None when the base is 0 (shown as “—”, never as 0 % or 100 %)."""
    return None if not whole else part / whole


@dataclass(slots=True)
class Figures:
    ratings: int
    active: int
    events: int
    rated: int
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
    """The figures of one group. 默认好评 (always 满意, never 差评) stand apart: they are counted in
    ``defaults`` and in nothing else — not in 主动评价, not in 满意率, not in the level counts."""
    active = c.ratings - c.defaults
    levels = {5: c.l5, 4: c.l4 - c.defaults, 3: c.l3, 2: c.l2, 1: c.l1}
    satisfied = sum(levels[lv] for lv in SATISFIED_LEVELS)
    return Figures(
        ratings=c.ratings, active=active, events=c.events, rated=c.rated,
        # Not capped: the rated events are counted among the events of the same day and group, so
        # a rate above 100 % is a counting error to find, not to hide.
        active_rate=share(c.rated, c.events),
        satisfied=satisfied, satisfaction_rate=share(satisfied, active),
        bad=c.bad, rectify_rate=share(c.bad_rectified, c.bad),
        bad_real=c.bad_real, callback_rate=share(c.bad_real_done, c.bad_real),
        defaults=c.defaults, excluded=c.excluded,
        dimension_avg={d: round(c.dim_sum.get(d, 0) / n, 2) for d, n in c.dim_n.items() if n},
        levels=levels,
    )


DEFINITIONS = {
    "ratings": ("评价数", "条", "统计期内的有效评价（不含申诉成立被剔除的评价和追评；默认好评单列，见“默认好评”）"),
    "active": ("主动评价数", "条", "评价人自己给出的有效评价（评价数 − 默认好评数）"),
    "active_rate": ("主动评价率", "%", "可评价事件中已主动评价的 ÷ 可评价事件数（按事件发生日计：统计期内办结的办件 + 窗口现场服务"
                                     " + 办结的12345工单，不论是否评价；不设 100% 上限）"),
    "satisfaction_rate": ("满意率", "%", "（非常满意 + 满意 + 基本满意）÷ 主动评价数（不含默认好评）"),
    "bad": ("差评数", "条", "有效评价中“不满意”和“非常不满意”的条数（国办发〔2019〕51号，不可配置）"),
    "rectify_rate": ("差评整改率", "%", "整改完成的差评 ÷ 差评数。整改完成：已登记整改措施并办结，实名差评还须回访联系上评价人且其满意；"
                                      "核实不属实未整改的、多次联系未果办结的不计为整改完成"),
    "callback_rate": ("实名差评回访整改率", "%", "回访和整改均已完成的实名差评 ÷ 实名差评数（要求 100%）"),
    "defaults": ("默认好评", "条", "超过规定期限未评价、按本地规则默认为满意的评价（单列，不计入主动评价和满意率）"),
    "excluded": ("申诉剔除", "条", "经督办人员审核申诉成立、不计入指标的评价（历史保留）"),
}


# -- 红黑旗 ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScoreWeights:
    satisfaction: float = 60.0
    active: float = 20.0
    rectify: float = 20.0
    bad_penalty: float = 1.0  # points off per 差评 per 100 ratings
    on_time: float = 0.0  # 按时办结率 (department rankings only)
    overdue_penalty: float = 0.0  # points off per 超期办件 (department rankings only)
    complaint_penalty: float = 0.0  # points off per 12345 投诉/效能投诉 (department rankings only)


@dataclass(frozen=True)
class ServiceFigures:
    """What a department's ranking counts besides its ratings (the seeds' 红黑旗: 按时办结率, 超期办件,
    投诉): ``on_time_rate`` a fraction (None: nothing concluded in the period), ``overdue`` its
    逾期办结 + 期末超期在办 cases, ``complaints`` the 12345 投诉 and 效能投诉 tickets it handles."""

    on_time_rate: float | None = None
    overdue: int = 0
    complaints: int = 0


def score(f: Figures, w: ScoreWeights, service: ServiceFigures | None = None) -> float | None:
    """综合得分 (0–100): weighted 满意率, 主动评价率 and 差评整改率 (a missing rate scores full marks
    for 整改 — nothing to rectify — and zero for the others), minus a penalty per 差评 per 100.

    A department (``service`` given) also has 按时办结率 in the weighted part (nothing concluded:
    full marks, nothing was late) and loses ``overdue_penalty`` per 超期办件 and
    ``complaint_penalty`` per 投诉. A window (``service`` None) is scored on its ratings only."""
    if not f.ratings:
        return None
    on_time_weight = w.on_time if service is not None else 0.0
    total = w.satisfaction + w.active + w.rectify + on_time_weight
    if total <= 0:
        return None
    points = (w.satisfaction * (f.satisfaction_rate or 0) + w.active * (f.active_rate or 0)
              + w.rectify * (1.0 if f.rectify_rate is None else f.rectify_rate)) * 100 / total
    if service is not None:
        on_time = 1.0 if service.on_time_rate is None else service.on_time_rate
        points += on_time_weight * on_time * 100 / total
        points -= w.overdue_penalty * service.overdue + w.complaint_penalty * service.complaints
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
    service: ServiceFigures | None = None  # a department's 按时办结率, 超期 and 投诉 (its score counts them)


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


def min_sample_rule(min_ratings: int) -> str:
    """The minimum-sample rule of 红黑旗 in words (printed on the ranking page and the hall screen)."""
    if min_ratings <= 1:
        return "没有评价的单位不参与红黑旗评定"
    return f"评价数少于{min_ratings}条的单位不参与红黑旗评定"


def left_out(ranked: list[Ranked]) -> list[Ranked]:
    """The groups :func:`flags` did not rank (too few ratings, or none), most ratings first: listed
    apart, with their count, never silently dropped."""
    return sorted((r for r in ranked if not r.rank), key=lambda r: (-r.ratings, r.label))


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
