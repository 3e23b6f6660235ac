"""The daily aggregate (:class:`~zhengwu.ratings.models.RatingDaily`) every write keeps in step:
the figures are read from it, never from the ratings table."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from .. import queries, rules
from ..models import Rating, RatingDaily, Rectification
from ..rules import Kind


def _daily_key(day, kind, department_id, window_id, staff_id, item_id, region_id) -> str:
    return f"{day:%Y%m%d}|{department_id}|{window_id or ''}|{staff_id or ''}|{item_id or ''}|{region_id}|{kind}"


def bump(*, day, kind, department_id, window_id, staff_id, item_id, region_id, region_code, **deltas) -> None:
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    key = _daily_key(day, kind, department_id, window_id, staff_id, item_id, region_id)
    row, _ = RatingDaily.objects.get_or_create(key=key, defaults=dict(
        day=day, kind=kind, department_id=department_id, window_id=window_id, staff_id=staff_id, item_id=item_id,
        region_id=region_id, region_code=region_code))
    RatingDaily.objects.filter(pk=row.pk).update(**{k: F(k) + v for k, v in deltas.items()})
    transaction.on_commit(queries.figures_changed)  # cached figures are recomputed


def _bump_rating(r: Rating, sign: int = 1, **deltas) -> None:
    bump(day=r.day, kind=r.kind, department_id=r.department_id, window_id=r.window_id, staff_id=r.staff_id,
         item_id=r.item_id, region_id=r.region_id, region_code=r.region_code,
         **{k: sign * v for k, v in deltas.items()})


def rect_contribution(rect: Rectification) -> dict[str, int]:
    """What a 差评's rectification adds: 整改完成 and, real name, 回访整改完成 (rules.is_rectified)."""
    done = rules.is_rectified(rect.state, rect.measures, rect.real_name, rect.callback_satisfied)
    return {"bad_rectified": int(done), "bad_real_done": int(done and rect.real_name)}


def contribution(r: Rating, rect: Rectification | None) -> dict[str, int]:
    """What one valid rating adds to its aggregate row (subtracted again when excluded)."""
    d = {"ratings": 1, f"l{r.level}": 1, "defaults": int(r.is_default), "bad": int(r.is_bad),
         "bad_real": int(r.is_bad and r.real_name)}
    if r.dims:
        d["dim_n"] = 1
        for name, score in r.dims.items():
            d[f"dim_{name}"] = int(score)
    if rect is not None:
        d.update(rect_contribution(rect))
    return d


def bump_rated_event(r: Rating, sign: int = 1) -> None:
    """Count a 主动评价 among the events of its event's day and group (主动评价率's numerator), on
    the row where that event was counted: a case's (办结日, no staff: see signals.case_saved), a
    visit's (服务日, its staff) or a ticket's (RateableEvent.day). 默认好评 are not 主动评价."""
    if r.is_default or r.event_day is None:
        return
    bump(day=r.event_day, kind=r.kind, department_id=r.department_id, window_id=r.window_id,
         staff_id=r.staff_id if r.kind == Kind.WINDOW else None, item_id=r.item_id, region_id=r.region_id,
         region_code=r.region_code, rated=sign)
