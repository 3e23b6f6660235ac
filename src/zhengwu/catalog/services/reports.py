"""Catalogue reports: 四级四同 deviations and 目录指标, aggregated in SQL.

Both read only the denormalised columns of ServiceItem (plus the published version's 设定依据
for 四级四同), grouped in the database, so they stay fast at 100,000 items: no Python loop runs
over every item. Callers pass ``items`` — a queryset already scoped to what the viewer may see
(:func:`zhengwu.org.permissions.scope`) — and/or a ``region_prefix``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Avg, Count, F, FloatField, Q, QuerySet
from django.db.models.functions import Cast

from .. import rules
from ..models import ServiceItem
from ..models.items import CaseType, ItemStatus, OnlineDepth


def _published(items: QuerySet | None, region_prefix: str | None) -> QuerySet:
    qs = items if items is not None else ServiceItem.objects.all()
    qs = qs.filter(status=ItemStatus.PUBLISHED)
    if region_prefix:
        qs = qs.filter(region__code__startswith=region_prefix)
    return qs


def _aggregates() -> dict:
    statutory = Cast("statutory_days", FloatField())
    return {
        "item_count": Count("pk"),
        # (法定 − 承诺) / 法定 averaged over items that have a statutory limit.
        "avg_compression": Avg((statutory - Cast("promised_days", FloatField())) / statutory,
                               filter=Q(statutory_days__gt=0)),
        "instant_count": Count("pk", filter=Q(case_type=CaseType.INSTANT)),
        "zero_visit_count": Count("pk", filter=Q(visits=0)),
        # Not recorded (NULL) counts as neither, as in rules.catalogue_figures (the one definition).
        "max_one_visit_count": Count("pk", filter=Q(visits__isnull=False, visits__lte=1)),
        "full_online_count": Count("pk", filter=Q(online_depth=OnlineDepth.FULL)),
    }


@dataclass
class FigureRow:
    key: int | None
    label: str
    figures: rules.CatalogueFigures


@dataclass
class FiguresReport:
    group_by: str
    rows: list[FigureRow]
    total: rules.CatalogueFigures


GROUPS = {
    "department": ("department_id", "department__name"),
    "region": ("region_id", "region__name"),
}


def catalogue_figures(group_by: str = "department", *, region_prefix: str | None = None,
                      items: QuerySet | None = None) -> FiguresReport:
    """目录指标 of published items per department or per region, and the total.

    One GROUP BY query plus one aggregate query, whatever the number of items.
    """
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {sorted(GROUPS)}")
    key, label = GROUPS[group_by]
    qs = _published(items, region_prefix)
    grouped = qs.order_by().values(key, label).annotate(**_aggregates()).order_by("-item_count", label)
    rows = [FigureRow(r[key], r[label], rules.figures_from_counts(r)) for r in grouped]
    total = rules.figures_from_counts(qs.order_by().aggregate(**_aggregates()))
    return FiguresReport(group_by, rows, total)


@dataclass
class DeviationRow:
    deviation: rules.Deviation
    item_id: int
    item_name: str
    department: str
    region: str


@dataclass
class FourSameGroup:
    base_code: str
    base_name: str
    item_count: int
    deviations: list[DeviationRow] = field(default_factory=list)


@dataclass
class FourSameReport:
    groups: list[FourSameGroup]
    truncated: bool  # more deviating base codes exist than were listed

    @property
    def deviation_count(self) -> int:
        return sum(len(g.deviations) for g in self.groups)


def four_same_report(region_prefix: str | None = None, *, items: QuerySet | None = None,
                     limit: int = 200) -> FourSameReport:
    """四级四同: published items sharing a 基本编码 that disagree on 名称, 类型 or 设定依据.

    Step 1 (SQL, one GROUP BY over all items): find the base items whose implementations
    disagree with each other or with the 基本目录 entry. Step 2: load only those groups (at most
    ``limit`` base codes) and list each deviation with the pure rule.
    """
    qs = _published(items, region_prefix).filter(base_item__isnull=False)
    basis = "published_version__legal_basis"
    grouped = (
        qs.order_by().values("base_item_id")
        .annotate(
            names=Count("name", distinct=True),
            types=Count("item_type", distinct=True),
            bases=Count(basis, distinct=True),
            off_name=Count("pk", filter=~Q(name=F("base_item__name"))),
            off_type=Count("pk", filter=~Q(item_type=F("base_item__item_type"))),
            off_basis=Count("pk", filter=~Q(base_item__legal_basis="") & ~Q(**{basis: F("base_item__legal_basis")})),
        )
        .filter(Q(names__gt=1) | Q(types__gt=1) | Q(bases__gt=1) | Q(off_name__gt=0) | Q(off_type__gt=0)
                | Q(off_basis__gt=0))
        .order_by("base_item_id")
        .values_list("base_item_id", flat=True)
    )
    base_ids = list(grouped[: limit + 1])
    truncated = len(base_ids) > limit
    base_ids = base_ids[:limit]
    rows = (qs.filter(base_item_id__in=base_ids).order_by("base_item__code", "region__code", "pk")
            .values("pk", "name", "item_type", basis, "department__name", "region__name", "base_item_id",
                    "base_item__code", "base_item__name", "base_item__item_type", "base_item__legal_basis"))
    by_base: dict[int, list[dict]] = {}
    for r in rows:
        by_base.setdefault(r["base_item_id"], []).append(r)
    groups = []
    for base_id, members in by_base.items():
        first = members[0]
        reference = {"name": first["base_item__name"], "item_type": first["base_item__item_type"],
                     "legal_basis": first["base_item__legal_basis"]}
        plain = [{"id": r["pk"], "name": r["name"], "item_type": r["item_type"], "legal_basis": r[basis] or ""}
                 for r in members]
        code = first["base_item__code"] or ""
        found = rules.four_same_deviations(code, reference, plain)
        if not found:
            continue
        index = {r["pk"]: r for r in members}
        groups.append(FourSameGroup(code, first["base_item__name"], len(members), [
            DeviationRow(d, d.item_id, index[d.item_id]["name"], index[d.item_id]["department__name"],
                         index[d.item_id]["region__name"]) for d in found
        ]))
    return FourSameReport(groups, truncated)
