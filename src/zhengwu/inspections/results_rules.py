"""Pure rules of 检查结果 and 公示 (no ORM): which results count as problems, the 公示 deadline, the
check date's bounds, the public page's cursor, and the three figures.

- 公示期限: results are published within 20 working days of the check (双随机、一公开):
  ``publish_due = checked_on + 20 工作日`` on the platform calendar (statutory holidays, 调休).
- 抽查覆盖率 = objects checked ÷ objects in the register matching the department's plans' filters;
  任务完成率 = tasks with a result ÷ tasks (of the plans' current draws);
  问题发现率 = results finding a problem ÷ results. A rate with a zero denominator is None ("—").
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PUBLISH_WITHIN_WORKDAYS = 20
# InspectionTask.Result values (the model's choices; repeated here so the rules stay ORM-free).
PENDING = ""
RESULTS = ("ok", "rectify", "penalty", "transfer", "not_found", "closed")
PROBLEM_RESULTS = frozenset({"rectify", "penalty", "transfer"})  # 发现问题（整改、立案、移送）
NOTE_REQUIRED = PROBLEM_RESULTS | {"not_found", "closed"}  # anything but 未发现问题 is explained
MAX_NOTE = 2000


def publish_due(checked_on: dt.date, add_workdays: Callable[[dt.date, int], dt.date]) -> dt.date:
    """The last day the result may stay unpublished (``add_workdays``: the platform calendar's)."""
    return add_workdays(checked_on, PUBLISH_WITHIN_WORKDAYS)


def check_result(result: str, note: str, checked_on: dt.date | None, *, today: dt.date,
                 period_start: dt.date) -> dict[str, str]:
    """Field → Chinese message for a result that cannot be recorded (empty when fine)."""
    errors: dict[str, str] = {}
    if result not in RESULTS:
        errors["result"] = "检查结果必须选择：未发现问题、发现问题责令整改、立案查处、移送、查无下落或已注销/停业"
    note = (note or "").strip()
    if result in NOTE_REQUIRED and not note:
        errors["note"] = "结果说明必须填写：发现问题、移送、查无下落或已注销/停业时须说明具体情况"
    elif len(note) > MAX_NOTE:
        errors["note"] = f"结果说明不能超过{MAX_NOTE}字（现在{len(note)}字）"
    if checked_on is None:
        errors["checked_on"] = "检查日期必须填写"
    elif checked_on > today:
        errors["checked_on"] = f"检查日期不能晚于今天（{today:%Y-%m-%d}）"
    elif checked_on < period_start:
        errors["checked_on"] = f"检查日期不能早于抽查计划的检查开始日期（{period_start:%Y-%m-%d}）"
    return errors


def is_problem(result: str) -> bool:
    return result in PROBLEM_RESULTS


# -- the public page's keyset cursor ---------------------------------------------------------------
def encode_cursor(checked_on: dt.date, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{checked_on:%Y%m%d}.{pk}".encode()).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[dt.date, int] | None:
    """(checked_on, id) of a cursor, None for anything malformed (the page then starts over)."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        day, pk = raw.split(".")
        return dt.datetime.strptime(day, "%Y%m%d").date(), int(pk)
    except (ValueError, UnicodeDecodeError, TypeError):
        return None


# -- periods and figures -----------------------------------------------------------------------------
def quarter_of(day: dt.date) -> str:
    return f"{day.year}年第{(day.month - 1) // 3 + 1}季度"


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with one decimal (half up); None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class FigureRow:
    department: str
    period: str
    objects: int = 0          # objects in the register matching the plans' filters
    checked_objects: int = 0  # distinct objects with a result
    tasks: int = 0
    done: int = 0             # tasks with a result
    problems: int = 0         # results finding a problem

    @property
    def coverage(self) -> Decimal | None:
        return rate(self.checked_objects, self.objects)

    @property
    def completion(self) -> Decimal | None:
        return rate(self.done, self.tasks)

    @property
    def problem_rate(self) -> Decimal | None:
        return rate(self.problems, self.done)


def total(rows: list[FigureRow]) -> FigureRow:
    """The 合计 row: the sums (the rates are recomputed from them, not averaged)."""
    t = FigureRow("合计", "")
    for r in rows:
        t.objects += r.objects
        t.checked_objects += r.checked_objects
        t.tasks += r.tasks
        t.done += r.done
        t.problems += r.problems
    return t


def fmt_rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"
