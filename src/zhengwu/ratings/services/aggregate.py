"""The daily aggregate (:class:`~zhengwu.ratings.models.RatingDaily`) every write keeps in step:
the figures are read from it, never from the ratings table."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from .. import queries
from ..models import Rating, RatingDaily, Rectification
from ..rules import RState


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


def contribution(r: Rating, rect: Rectification | None) -> dict[str, int]:
    """What one valid rating adds to its aggregate row (subtracted again when excluded)."""
    d = {"ratings": 1, f"l{r.level}": 1, "defaults": int(r.is_default), "bad": int(r.is_bad),
         "bad_real": int(r.is_bad and r.real_name)}
    if r.dims:
        d["dim_n"] = 1
        for name, score in r.dims.items():
            d[f"dim_{name}"] = int(score)
    if rect is not None:
        d["bad_closed"] = int(rect.state == RState.CLOSED)
        d["bad_real_called"] = int(rect.real_name and rect.called_back)
    return d

