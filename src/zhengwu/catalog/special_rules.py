"""特别程序 of a 办事指南 (pure rules, no ORM): which entries stop the clock, and what a guide may say.

The case handling stops the clock only for the procedures 《中华人民共和国行政许可法》第四十五条 names
(:mod:`zhengwu.core.licensing_law`, the list the workbench's 特别程序 form offers). A guide that lists
another procedure (现场核查, 公示) is flagged — its time counts, the guide prints 计入办理时限, and it
belongs in the 办理流程 — and one whose text promises that such time is not counted is refused: the
system would not keep that promise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from zhengwu.core.licensing_law import LAWFUL_SUSPENSIONS, SUSPENSION_BASIS, article_45_kind

FIELD = "special_procedures"
_KINDS = "、".join(LAWFUL_SUSPENSIONS.values())
# 不计入（办理）时限, 不计算在…期限内, 暂停计时, 中止计时, 扣除: the time would not count.
CLOCK_STOP_CLAIM = re.compile(r"不计入|不计算|不占用|暂停计时|中止计时|停止计时|扣除")


def stops_clock(row: Mapping) -> bool:
    return article_45_kind(str(row.get("name") or "")) is not None


def shown(rows: Sequence[Mapping] | None) -> list[dict]:
    """The entries as a guide prints them, each with ``stops_clock`` (不计入 / 计入办理时限)."""
    return [{**row, "stops_clock": stops_clock(row)} for row in rows or [] if isinstance(row, Mapping)]


def problems(rows: Sequence[Mapping] | None) -> tuple[list[str], list[str]]:
    """(refusals, flags) of a guide's 特别程序, each message naming the entry and the rule."""
    errors: list[str] = []
    warnings: list[str] = []
    for i, row in enumerate(rows or [], start=1):
        if not isinstance(row, Mapping) or stops_clock(row):
            continue
        name = str(row.get("name") or "").strip()
        where = f"特别程序第{i}项“{name}”"
        if CLOCK_STOP_CLAIM.search(f"{name} {row.get('description') or ''}"):
            errors.append(f"{where}：不是{SUSPENSION_BASIS}规定的特别程序（{_KINDS}），所需时间计入办理时限，"
                          f"办理时也不会暂停计时；说明中不能写“不计入办理时限”")
        else:
            warnings.append(f"{where}不是{SUSPENSION_BASIS}规定的特别程序（{_KINDS}），所需时间计入办理时限，"
                            f"办事指南将注明“计入办理时限”；宜写入办理流程")
    return errors, warnings


def check(result, rows: Sequence[Mapping] | None) -> None:
    """Add the 特别程序 refusals and flags to a :class:`zhengwu.catalog.rules.GuideCheck`."""
    errors, warnings = problems(rows)
    for message in errors:
        result.add(FIELD, message)
    result.warnings.extend(warnings)
