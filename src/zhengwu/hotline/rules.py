"""Pure rules of the 12345 hotline (GB/T 33358-2016, 国办发〔2020〕53号): no ORM here.

The life of a ticket (工单) — one readable table, :data:`STATE_TABLE`::

    registered 已受理 ──dispatch 派单──▶ dispatched 待签收 ──claim 签收──▶ handling 办理中 ──reply 答复──▶ replied 待回访
        │  │                              │   ▲                            │  ▲ (extension 延期申请/批准/驳回,         │
        │  │                              │   └──── reject_return ────┐     │  │  urge 督办: state unchanged)        │
        │  │                              └─return 退单─▶ returned 退单待审核 ◀─return─┘                             │
        │  │                                              └──redispatch 审核通过并改派──▶ dispatched                  │
        │  ├──direct_close 直接办结 (知识库答复的咨询)──▶ closed 已办结                                              │
        │  └──merge 并单──▶ merged 已并单                                                                           │
        │                                                                           callback 回访 ◀────────────────┘
        │                     reopen 重办 (回访不满意) ◀── callbacked 已回访 ──close 办结──▶ closed ──archive 归档──▶ archived
        ▼
    (cancel 撤销 — a registration made in error, by the centre)

Who acts: ``centre`` (派单中心: 热线坐席 and 督办人员), ``department`` (承办单位), ``citizen`` (诉求人),
``system`` (API, Open311).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from zhengwu.core.statemachine import StateMachine, Transition, TransitionRefused  # noqa: F401 (re-exported)
from zhengwu.core.statemachine import t as _t


class State(StrEnum):
    REGISTERED = "registered"  # 已受理，待派单
    DISPATCHED = "dispatched"  # 已派单，待签收
    HANDLING = "handling"  # 已签收，办理中
    RETURNED = "returned"  # 退单，待派单中心审核
    REPLIED = "replied"  # 已答复，待回访
    CALLBACKED = "callbacked"  # 已回访，待办结
    CLOSED = "closed"  # 已办结
    ARCHIVED = "archived"  # 已归档
    MERGED = "merged"  # 已并单（并入主工单）
    CANCELLED = "cancelled"  # 已撤销（误登记）


STATE_LABELS = {
    State.REGISTERED: "待派单",
    State.DISPATCHED: "待签收",
    State.HANDLING: "办理中",
    State.RETURNED: "退单待审核",
    State.REPLIED: "待回访",
    State.CALLBACKED: "待办结",
    State.CLOSED: "已办结",
    State.ARCHIVED: "已归档",
    State.MERGED: "已并单",
    State.CANCELLED: "已撤销",
}

OPEN_STATES = (State.REGISTERED, State.DISPATCHED, State.HANDLING, State.RETURNED, State.REPLIED, State.CALLBACKED)
DONE_STATES = (State.CLOSED, State.ARCHIVED)
# At a department: the time limit runs.
DEPARTMENT_STATES = (State.DISPATCHED, State.HANDLING)
# Waiting for the dispatch centre (the centre's 待办 list; a partial index covers exactly these).
CENTRE_STATES = (State.REGISTERED, State.RETURNED, State.REPLIED, State.CALLBACKED)


class Actor(StrEnum):
    CENTRE = "centre"  # 派单中心：热线坐席、督办人员
    DEPARTMENT = "department"  # 承办单位
    CITIZEN = "citizen"
    SYSTEM = "system"


S, A = State, Actor
# The whole life of a ticket: action → from which states, to which state (None: unchanged — 延期、督办、
# 回访未接通), who may take it.
MACHINE = StateMachine([
    _t("dispatch", {S.REGISTERED}, S.DISPATCHED, {A.CENTRE}, "派单"),
    _t("direct_close", {S.REGISTERED}, S.CLOSED, {A.CENTRE}, "直接办结（知识库答复）"),
    _t("merge", {S.REGISTERED, S.DISPATCHED}, S.MERGED, {A.CENTRE}, "并单"),
    _t("cancel", {S.REGISTERED}, S.CANCELLED, {A.CENTRE}, "撤销（误登记）"),
    _t("claim", {S.DISPATCHED}, S.HANDLING, {A.DEPARTMENT}, "签收"),
    _t("return", {S.DISPATCHED, S.HANDLING}, S.RETURNED, {A.DEPARTMENT}, "退单"),
    _t("redispatch", {S.RETURNED}, S.DISPATCHED, {A.CENTRE}, "退单审核通过并改派"),
    _t("reject_return", {S.RETURNED}, S.DISPATCHED, {A.CENTRE}, "退单审核不通过（退回原单位）"),
    _t("request_extension", {S.HANDLING}, None, {A.DEPARTMENT}, "申请延期"),
    _t("approve_extension", {S.HANDLING}, None, {A.CENTRE}, "批准延期"),
    _t("reject_extension", {S.HANDLING}, None, {A.CENTRE}, "驳回延期"),
    _t("urge", {S.DISPATCHED, S.HANDLING, S.RETURNED}, None, {A.CENTRE, A.SYSTEM}, "督办"),
    _t("reply", {S.HANDLING}, S.REPLIED, {A.DEPARTMENT}, "答复"),
    _t("callback_failed", {S.REPLIED}, None, {A.CENTRE}, "回访未接通"),
    _t("callback", {S.REPLIED}, S.CALLBACKED, {A.CENTRE}, "回访"),
    _t("reopen", {S.CALLBACKED, S.REPLIED}, S.DISPATCHED, {A.CENTRE}, "重办（回访不满意）"),
    _t("close", {S.CALLBACKED, S.REPLIED}, S.CLOSED, {A.CENTRE}, "办结"),
    _t("archive", {S.CLOSED}, S.ARCHIVED, {A.CENTRE}, "归档"),
], noun="工单", state_labels=STATE_LABELS, state=State, actor=Actor)
del S, A
STATE_TABLE: dict[str, Transition] = MACHINE.table
check_transition = MACHINE.check  # (state, action, actor) → target (the same state for 延期/督办), or TransitionRefused
allowed_actions = MACHINE.allowed_actions

ACTION_LABELS = {a: t.label for a, t in STATE_TABLE.items()} | {
    "register": "受理登记", "submit": "网上提交诉求", "co_reply": "协办意见", "note": "备注", "rate": "诉求人评价",
    "ledger": "登记核查处理结果",
}
# What the staff are told they did ("已派单：工单 … 现为…"): "已" + the action's label, except the
# labels that do not read after 已.
DONE_PHRASES = {"co_reply": "已提交协办意见", "callback_failed": "已记录回访未接通", "note": "已添加备注",
                "rate": "已记录诉求人评价", "submit": "已网上提交诉求"}


def done_phrase(action: str) -> str:
    return DONE_PHRASES.get(action) or f"已{ACTION_LABELS.get(action, action)}"
# Who acted for which side, as the 流转记录 names them: the dispatch centre's staff act for 12345热线
# towards the department a ticket goes to (``TicketEvent.department``); a department's staff for it.
CENTRE_UNIT = "12345热线"
CENTRE_SIDE = frozenset(a for a, t in STATE_TABLE.items() if Actor.CENTRE in t.actors) | {"register"}
DEPARTMENT_SIDE = frozenset(a for a, t in STATE_TABLE.items() if t.actors == {Actor.DEPARTMENT}) | {"co_reply"}


def event_parties(action: str, actor_name: str, department: str = "", *, by_system: bool = False) -> str:
    """Who did it, and to whom: 吴坐席（12345热线）→ 市场监管局 (the centre towards a department),
    孙管理员（市场监管局） (a department's own step), 系统 → 市场监管局 (自动督办), 张市民 (the citizen)."""
    who = "系统" if by_system else (actor_name or "系统")
    if action in DEPARTMENT_SIDE and not by_system:
        return f"{who}（{department}）" if department else who
    if action in CENTRE_SIDE and not by_system:
        who = f"{who}（{CENTRE_UNIT}）"
    if not department:
        return who
    return f"{who}{'→ ' if who.endswith('）') else ' → '}{department}"  # no space after a full-width bracket


# The steps whose text (``TicketEvent.opinion``) the citizen's 办理进度 shows: notes written for the
# ticket's history that the citizen may read (“诉求人上传照片2张”, “工单…作为重复诉求并入本工单”) and
# the citizen's own rating. Other texts are the staff's working notes (派单意见, 退单理由, 延期理由,
# 协办意见, 回访记录 …): the citizen sees the step, the staff timeline its text. The answer itself
# is shown as 答复 on top of the page. Events with ``public=False`` are not shown at all.
CITIZEN_TEXT_ACTIONS = frozenset({"note", "rate"})


# -- ticket types and routing ------------------------------------------------------------------
class TicketType(StrEnum):
    CONSULT = "consult"
    HELP = "help"
    COMPLAINT = "complaint"
    REPORT = "report"
    SUGGESTION = "suggestion"
    PRAISE = "praise"
    CANNOT_DO = "cannot_do"  # 办不成事反映
    EFFICIENCY = "efficiency"  # 效能投诉
    ENTERPRISE = "enterprise"  # 企业诉求


TYPE_LABELS = {
    TicketType.CONSULT: "咨询", TicketType.HELP: "求助", TicketType.COMPLAINT: "投诉", TicketType.REPORT: "举报",
    TicketType.SUGGESTION: "建议", TicketType.PRAISE: "表扬", TicketType.CANNOT_DO: "办不成事反映",
    TicketType.EFFICIENCY: "效能投诉", TicketType.ENTERPRISE: "企业诉求",
}

# Handling time limit per type in working days (办结时限; 国办发〔2020〕53号: generally within 5).
TYPE_DAYS = {
    TicketType.CONSULT: 1, TicketType.HELP: 3, TicketType.COMPLAINT: 5, TicketType.REPORT: 5,
    TicketType.SUGGESTION: 10, TicketType.PRAISE: 5, TicketType.CANNOT_DO: 3, TicketType.EFFICIENCY: 5,
    TicketType.ENTERPRISE: 3,
}

# Types with their own routing: the department (short name) that always leads, whatever the category.
# 办不成事反映 goes to the bureau's 办不成事反映窗口, 效能投诉 to 效能监督 (also in the bureau).
TYPE_ROUTES = {
    TicketType.CANNOT_DO: "政务服务和大数据管理局",
    TicketType.EFFICIENCY: "政务服务和大数据管理局",
}
# Types the centre must also supervise (督办) from the start.
SUPERVISED_TYPES = frozenset({TicketType.CANNOT_DO, TicketType.EFFICIENCY, TicketType.ENTERPRISE})


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"  # 加急
    EMERGENCY = "emergency"  # 特急


URGENCY_LABELS = {Urgency.NORMAL: "一般", Urgency.URGENT: "加急", Urgency.EMERGENCY: "特急"}

# 签收时限: normal within one working day; urgent within 2 hours; emergency within 30 minutes.
CLAIM_HOURS = {Urgency.URGENT: 2, Urgency.EMERGENCY: 0.5}
# Urgent tickets: at most 2 working days; emergencies within 24 hours.
URGENT_MAX_DAYS = 2
EMERGENCY_HOURS = 24
MAX_EXTENSION_DAYS = 10  # 延期 up to 10 working days in total
CALLBACK_ATTEMPTS_BEFORE_CLOSE = 2  # 回访 not reached twice: the centre may close without it

# The end of a working day: a deadline "within N working days" runs to this local time.
DAY_END = dt.time(17, 30)


class Calendar(Protocol):
    def add_workdays(self, start: dt.date, n: int) -> dt.date: ...
    def workdays_between(self, a: dt.date, b: dt.date) -> int: ...
    def is_workday(self, day: dt.date) -> bool: ...
    def next_workday_on_or_after(self, day: dt.date) -> dt.date: ...


@dataclass(frozen=True)
class Deadlines:
    claim_due: dt.datetime
    handle_due: dt.datetime
    days: int  # working days (0 when counted in hours)
    hours: float  # hours (0 when counted in working days)

    @property
    def label(self) -> str:
        return f"{self.days}个工作日" if self.days else f"{self.hours:g}小时"


def handling_days(ticket_type: str, category_days: int | None) -> int:
    """The time limit in working days: the category leaf's own limit if it has one, else the type's;
    a type with its own routing keeps its (shorter) limit."""
    t = TicketType(ticket_type)
    if t in TYPE_ROUTES or t == TicketType.ENTERPRISE:
        return TYPE_DAYS[t] if not category_days else min(TYPE_DAYS[t], category_days)
    return category_days or TYPE_DAYS[t]


def _end_of_workday(cal: Calendar, day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day, DAY_END, tzinfo=tz)


def deadlines(cal: Calendar, start: dt.datetime, ticket_type: str, urgency: str,
              category_days: int | None = None) -> Deadlines:
    """签收 and 办结 deadlines of a ticket dispatched at ``start`` (an aware local datetime).

    Working days are counted from the day after dispatch, on the platform calendar (holidays and
    调休 included): dispatched on a Friday with 5 days runs to the next Friday's 17:30; dispatched
    during 国庆 the count starts on the first working day after it.
    """
    tz = start.tzinfo
    u = Urgency(urgency)
    day = start.date()
    if u == Urgency.EMERGENCY:
        return Deadlines(start + dt.timedelta(hours=CLAIM_HOURS[u]), start + dt.timedelta(hours=EMERGENCY_HOURS),
                         0, EMERGENCY_HOURS)
    days = handling_days(ticket_type, category_days)
    if u == Urgency.URGENT:
        days = min(days, URGENT_MAX_DAYS)
        claim = start + dt.timedelta(hours=CLAIM_HOURS[u])
    else:
        claim = _end_of_workday(cal, cal.add_workdays(day, 1), tz)
    handle = _end_of_workday(cal, cal.add_workdays(day, days), tz)
    return Deadlines(claim, handle, days, 0)


def extended_due(cal: Calendar, due: dt.datetime, days: int) -> dt.datetime:
    """The 办结 deadline after an approved extension of ``days`` working days."""
    return _end_of_workday(cal, cal.add_workdays(due.date(), days), due.tzinfo)


def check_extension(days: int, already: int) -> str | None:
    """Why an extension of ``days`` may not be requested (None when it may)."""
    if days < 1:
        return "延期天数应为正整数"
    if already + days > MAX_EXTENSION_DAYS:
        return f"延期累计不能超过{MAX_EXTENSION_DAYS}个工作日（已延期{already}个工作日）"
    return None


# -- the deadlines a ticket had (时限记录) and lateness -----------------------------------------
# Every deadline is kept in ``Ticket.due_history`` (oldest first), each entry a dict
# {"kind", "at", "due_at", "counted_due_at"} — the deadline the department is shown (``due_at``)
# and the one lateness is counted against (``counted_due_at``) — and every answer as
# {"kind": "reply", "at", "counted_due_at"}. Times are ISO strings in the history, datetimes here.
DEADLINE_KIND_LABELS = {"dispatch": "派单", "redispatch": "改派", "extension": "批准延期", "reopen": "重办",
                        "reply": "答复"}


def counted_deadline(kind: str, current: dt.datetime | None, new_due: dt.datetime) -> dt.datetime:
    """The deadline lateness counts against after a ``kind`` event sets the department's deadline
    to ``new_due`` (for "extension": ``new_due`` is the counted deadline moved by the approved days).

    - 派单 (dispatch): the first deadline;
    - 改派 after a 退单 (redispatch): the department gets a new deadline, the count does not — the
      first deadline stands (a ticket sent to the wrong department first is not made on time by
      sending it again);
    - 批准延期 (extension): the counted deadline moves by the approved working days (an extension
      the centre approved is part of the time limit, see :func:`check_extension`);
    - 重办 (reopen, the caller not satisfied): a new round with its own deadline.
    """
    if kind == "redispatch" and current is not None:
        return current
    return new_due


def answered_on_time(history: list[dict]) -> bool:
    """按时办结: at least one answer, and every answer (答复) came by the deadline counted at the
    time (``counted_due_at`` of its entry) — so a first answer after the first deadline stays late
    whatever later 改派 or 重办 set."""
    replies = [e for e in history if e.get("kind") == "reply"]
    return bool(replies) and all(e.get("counted_due_at") is not None and _when(e["at"]) <= _when(e["counted_due_at"])
                                 for e in replies)


def _when(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


class TimeStatus(StrEnum):
    NORMAL = "normal"
    WARNING = "warning"
    OVERDUE = "overdue"
    DONE = "done"


TIME_LABELS = {TimeStatus.NORMAL: "正常", TimeStatus.WARNING: "临期", TimeStatus.OVERDUE: "超期", TimeStatus.DONE: "—"}


def time_status(now: dt.datetime, due: dt.datetime | None, state: str, warn_hours: float = 8) -> TimeStatus:
    if state not in (State.DISPATCHED, State.HANDLING, State.RETURNED) or due is None:
        return TimeStatus.DONE
    if now > due:
        return TimeStatus.OVERDUE
    if (due - now).total_seconds() < warn_hours * 3600:
        return TimeStatus.WARNING
    return TimeStatus.NORMAL


def ticket_number(day: dt.date, serial: int) -> str:
    """工单编号: 'RX' + date + 7-digit serial, e.g. RX202611280001234 (unique with the serial)."""
    return f"RX{day:%Y%m%d}{serial:07d}"


# -- satisfaction (回访 and 好差评) --------------------------------------------------------------
SATISFACTION_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


# The citizen's own rating on the web (网上评价): three levels, on the same scale as the callback's.
CITIZEN_RATINGS = {4: "满意", 3: "基本满意", 2: "不满意"}
# Once answered the citizen may rate (once): the ticket waits for the callback, or is done.
RATEABLE_STATES = ("replied", "callbacked", "closed", "archived")


def is_satisfied(level: int | None) -> bool | None:
    return None if level is None else level >= 3


# -- duplicate detection (并单) ------------------------------------------------------------------
# Words every ticket says: they do not make two tickets alike.
COMMON_WORDS = ("市民来电反映", "来电反映", "市民反映", "反映", "来电", "希望", "要求", "相关部门", "尽快", "处理",
                "请", "市民", "解决", "问题", "情况", "咨询", "投诉", "举报", "附近", "我们", "这个", "已经")


# The common words (longest first, so that 市民来电反映 goes whole, not as 市民 + 来电 + 反映) and
# the punctuation and spaces, removed in one pass.
_NOISE = re.compile("|".join(sorted(map(re.escape, COMMON_WORDS), key=len, reverse=True)) + r"|[\s\W_]+",
                    re.UNICODE)


def normalise_text(text: str) -> str:
    """The text in lower case without :data:`COMMON_WORDS`, punctuation and spaces."""
    return _NOISE.sub("", (text or "").lower())


@functools.lru_cache(maxsize=2048)
def shingles(text: str, n: int = 2) -> frozenset[str]:
    """Character bigrams of the normalised text. Cached: while an operator types, the same open
    tickets are compared again on every keystroke."""
    t = normalise_text(text)
    if len(t) < n:
        return frozenset([t]) if t else frozenset()
    if n == 2:  # each character joined to the next, in C: a third of the time of the slices
        return frozenset(map(operator.add, t, t[1:]))
    return frozenset(t[i:i + n] for i in range(len(t) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller set found in the other: a short repeat call matches a long ticket."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True)
class SimilarScore:
    score: float
    reasons: tuple[str, ...]


DUPLICATE_THRESHOLD = 0.45
SAME_PLACE_METRES = 150


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def similarity(*, text_a: str, text_b: str, address_a: str = "", address_b: str = "", same_phone: bool = False,
               same_region: bool = False, same_category: bool = False, metres: float | None = None) -> SimilarScore:
    """How alike two tickets are, 0..1, and why (同一来电人、同一地点、诉求内容相似、同一分类).

    同一地点: the addresses share most of their wording, or the coordinates (``metres`` apart)
    are within :data:`SAME_PLACE_METRES`."""
    return similarity_of_sets(shingles(text_a), shingles(text_b), shingles(address_a), shingles(address_b),
                              same_phone=same_phone, same_region=same_region, same_category=same_category,
                              metres=metres)


def similarity_of_sets(ta: frozenset[str], tb: frozenset[str], aa: frozenset[str], ab: frozenset[str], *,
                       same_phone: bool = False, same_region: bool = False, same_category: bool = False,
                       metres: float | None = None) -> SimilarScore:
    """:func:`similarity` on precomputed shingles (the query's are computed once per search)."""
    reasons = []
    text = 0.5 * jaccard(ta, tb) + 0.5 * containment(ta, tb)
    place = containment(aa, ab) if aa and ab else 0.0
    if metres is not None and metres <= SAME_PLACE_METRES:
        place = 1.0  # coordinates within a street corner of each other
    score = 0.6 * text
    if place >= 0.6:
        score += 0.3 * place
        reasons.append("同一地点")
    elif same_region:
        score += 0.05
    if same_phone:
        score += 0.3
        reasons.append("同一来电人")
    if same_category:
        score += 0.05
    if text >= 0.3:
        reasons.append("诉求内容相似")
    if same_category and reasons:
        reasons.append("同一分类")
    return SimilarScore(round(min(1.0, score), 3), tuple(reasons))


# -- 重复诉求 (repeat calls) -------------------------------------------------------------------------
REPEAT_DAYS = 30  # an earlier ticket on the same matter within this many days makes a repeat
REPEAT_TEXT_SCORE = 0.3  # the text score at which two tickets are "诉求内容相似" (as in similarity)
REPEAT_PLACE_SCORE = 0.6  # the share of the shorter address found in the other: "同一地点"


def same_matter(*, type_a: str, type_b: str, category_a: int | None, category_b: int | None,
                text_a: str, text_b: str, address_a: str = "", address_b: str = "",
                metres: float | None = None) -> bool:
    """Two tickets of one caller are on the same matter (同一事项) when all of:

    1. the same 诉求类型 (咨询 and 投诉 about one shop are two matters);
    2. the 三级分类 do not differ (when both tickets have one, it is the same);
    3. the same place — the shorter address's bigrams are at least 60 % in the other, or the
       coordinates are within 150 m — or the content is alike (the text score of
       :func:`similarity_of_sets`, ≥ 0.3).
    """
    if type_a != type_b:
        return False
    if category_a and category_b and category_a != category_b:
        return False
    aa, ab = shingles(address_a), shingles(address_b)
    place = bool(aa and ab) and containment(aa, ab) >= REPEAT_PLACE_SCORE
    if metres is not None and metres <= SAME_PLACE_METRES:
        place = True
    ta, tb = shingles(text_a), shingles(text_b)
    text = 0.5 * jaccard(ta, tb) + 0.5 * containment(ta, tb)
    return place or text >= REPEAT_TEXT_SCORE


def counts_as_repeat(*, same_caller: bool, same_matter_: bool, earlier_open: bool, days_since: float) -> bool:
    """重复诉求: the same caller raises the same matter again while the earlier ticket is still
    open (not yet 办结), or within :data:`REPEAT_DAYS` days of it."""
    return same_caller and same_matter_ and (earlier_open or days_since <= REPEAT_DAYS)


# -- figures (pure formulas: zhengwu.hotline.figure_rules) ---------------------------------------
from .figure_rules import Counts, Figures, figures, rate  # noqa: E402,F401 (re-exported)


@dataclass(frozen=True)
class HotSpot:
    key: str
    label: str
    this_week: int
    last_week: int
    rise: int
    growth: float | None  # percent, None when last week had none
    kind: str = ""  # a place's level (PLACE_KINDS): 区县, 街道乡镇 … — tickets are filed at any level


# A ticket's place (所属区划) is a region of any level: the level said beside its name.
PLACE_KINDS = {1: "省", 2: "市", 3: "区县", 4: "街道乡镇", 5: "村社区"}


def hot_spots(this_week: dict[str, int], last_week: dict[str, int], labels: dict[str, str],
              min_count: int = 3, limit: int = 10, kinds: dict[str, str] | None = None) -> list[HotSpot]:
    """Categories or places rising this week against last week: biggest absolute rise first,
    ignoring groups with fewer than ``min_count`` tickets this week (noise). ``kinds``: what each
    key is (a place's level), shown beside its label."""
    out = []
    for key, n in this_week.items():
        prev = last_week.get(key, 0)
        if n < min_count or n <= prev:
            continue
        growth = rate(n - prev, prev)
        out.append(HotSpot(key, labels.get(key, key), n, prev, n - prev, growth, (kinds or {}).get(key, "")))
    out.sort(key=lambda h: (-h.rise, -(h.growth or math.inf), h.label))
    return out[:limit]


def week_bounds(today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """(start of last week, start of this week, start of next week): weeks run Monday–Sunday."""
    this = today - dt.timedelta(days=today.weekday())
    return this - dt.timedelta(days=7), this, this + dt.timedelta(days=7)


# -- taxonomy ------------------------------------------------------------------------------------
PATH_SEP = "/"


def split_path(path: str) -> list[str]:
    """'城乡建设/安全生产/事故处理' (also with ／, >, ＞ or -) → its names, blanks dropped."""
    parts = re.split(r"\s*[/／>＞]\s*", str(path or "").strip())
    return [p.strip() for p in parts if p.strip()]


def keyword_list(text: str) -> list[str]:
    """A category's 关键词 as words: a file or form may separate them by spaces, ，、；; each once."""
    return list(dict.fromkeys(w for w in re.split(r"[\s,，、;；]+", text or "") if w))


def normalise_keywords(text: str) -> str:
    """Keywords as stored: separated by single spaces."""
    return " ".join(keyword_list(text))


API_SCOPE = "hotline:tickets"  # 应用密钥 scope: file tickets through the API and Open311, read their state
