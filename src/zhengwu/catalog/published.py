"""Reads of the published catalogue (已发布的事项、一件事、部门与主题): what the portal's pages and the
JSON API (``api.py``) show, through the same helpers, so a page and its API answer agree.
Published items and bundles only."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import BooleanField, Count, Prefetch, Q
from django.db.models.expressions import RawSQL

from zhengwu.speedups.prepared import ByPk
from zhengwu.org.models import Department, Region

from . import rules, search
from .models import Bundle, BundleItem, Material, ServiceItem
from .models.items import LEGAL_THEMES, PERSON_THEMES, ItemStatus
from .models.materials import VERSION_MATERIALS
from .models.search import SearchTerm
from .overview import cached_overview


def published_item(pk: int) -> ServiceItem | None:
    """A published item with everything its guide shows, in two queries.

    department/region/base_item/published_version are all shown: one joined query (without the
    version's form definition, which can be large and is not part of the guide); the materials of
    the published version, in order, in one more, as ``item.published_version.material_list``.
    Both are compiled once (zhengwu.speedups.prepared)."""
    item = _PUBLISHED_ITEM.get(pk)
    if item is not None:
        item.published_version.material_list = VERSION_MATERIALS.all(item.published_version_id)
    return item


# Every guide page and the guide API read these: compiled once (zhengwu.speedups.prepared).
_PUBLISHED_ITEM = ByPk(lambda: ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, published_version__isnull=False)
                       .select_related("department", "region", "base_item", "published_version")
                       .defer("published_version__form_schema", "published_version__change_note",
                              "published_version__review_note", "published_version__created_by",
                              "published_version__reviewed_by"))


@dataclass
class BundleData:
    bundle: Bundle
    items: list[ServiceItem]
    merged_materials: list[rules.MergedMaterial]
    figures: rules.BundleFigures


def published_bundle(pk: int) -> BundleData | None:
    """A published 一件事 with its published items, merged materials and figures (four queries)."""
    bundle = Bundle.objects.filter(pk=pk, status=Bundle.Status.PUBLISHED).select_related("region", "lead_department").first()
    if bundle is None:
        return None
    # Each member is shown with its department and region, and its published version's materials
    # are merged: join the first, prefetch the second — no query per member.
    members = (BundleItem.objects.filter(bundle=bundle, service_item__status=ItemStatus.PUBLISHED)
               .select_related("service_item__department", "service_item__region", "service_item__base_item",
                               "service_item__published_version")
               .prefetch_related(Prefetch("service_item__published_version__materials",
                                          queryset=Material.objects.order_by("seq")))
               .order_by("seq"))
    items = [bi.service_item for bi in members]
    per_item = []
    facts = []
    for item in items:
        mats = list(item.published_version.materials.all()) if item.published_version_id else []
        per_item.append((item.name, [{"name": m.name, "necessity": m.necessity, "copies": m.copies,
                                      "license_type": m.license_type} for m in mats]))
        facts.append(rules.BundleItemFacts(item.name, len(mats), item.promised_days, item.visits))
    merged = rules.merge_materials(per_item)
    figures = rules.bundle_figures(facts, merged_material_count=len(merged), bundle_promised_days=bundle.promised_days,
                                   bundle_visits=bundle.visits)
    return BundleData(bundle, items, merged, figures)


def bundle_overview(rng: tuple[str, str] | None = None, audience: str | None = None) -> list[Bundle]:
    """Published bundles with ``item_count`` (one grouped query)."""
    qs = (Bundle.objects.filter(status=Bundle.Status.PUBLISHED).select_related("region")
          .annotate(item_count=Count("bundle_items", filter=Q(bundle_items__service_item__status=ItemStatus.PUBLISHED))))
    if rng:
        qs = qs.filter(region__code__gte=rng[0], region__code__lte=rng[1])
    if audience:
        qs = qs.filter(target__in=[audience, Bundle.Target.BOTH])
    return list(qs.order_by("name"))


def department_cards(region: Region | None = None, limit: int | None = None) -> list[dict]:
    """:func:`departments_with_counts` as plain dicts (pk, name, short_name, item_count), cached."""
    def build():
        return [{"pk": d.pk, "name": d.name, "short_name": d.short_name, "item_count": d.item_count}
                for d in departments_with_counts(region, limit)]
    return cached_overview("departments", build, region.code if region else "", limit or "")


def home_region() -> Region | None:
    code = getattr(settings, "ZHENGWU_HOME_REGION", "")
    return Region.objects.filter(code=code).first() if code else None


def departments_with_counts(region: Region | None = None, limit: int | None = None) -> list[Department]:
    """Active departments (of the home region and below, when there is one) with their number of
    published items, busiest first within the configured order."""
    qs = Department.objects.filter(is_active=True)
    if region is not None:
        lo, hi = search.region_range(region.code)
        qs = qs.filter(region__code__gte=lo, region__code__lte=hi)
    qs = qs.annotate(item_count=Count("service_items", filter=Q(service_items__status=ItemStatus.PUBLISHED))) \
        .filter(item_count__gt=0).order_by("sort_order", "name")
    return list(qs[:limit] if limit else qs)


def theme_counts(audience: str) -> list[tuple[str, int]]:
    """Themes of one audience with how many published items carry them (one query, from the
    index's theme facet; cached like the other overviews)."""
    return cached_overview("themes", lambda: _theme_counts(audience), audience)


def _theme_counts(audience: str) -> list[tuple[str, int]]:
    themes = PERSON_THEMES if audience == "person" else LEGAL_THEMES
    facets = {f"{search.FACET_THEME}{t}": t for t in themes}
    counts = dict(SearchTerm.objects.filter(term__in=list(facets)).values_list("term", "df"))
    return [(t, counts.get(f, 0)) for f, t in facets.items()]


# Whether a published 一件事 lists the item (an index probe, read with the guide's head row).
_HAS_PUBLISHED_BUNDLE = RawSQL(
    f'EXISTS (SELECT 1 FROM "{BundleItem._meta.db_table}" bi '  # noqa: S608 - table names
    f'INNER JOIN "{Bundle._meta.db_table}" b ON b."id" = bi."bundle_id" '
    f'WHERE bi."service_item_id" = "{ServiceItem._meta.db_table}"."id" AND b."status" = %s)',
    [Bundle.Status.PUBLISHED], output_field=BooleanField())


_GUIDE_HEAD = ByPk(lambda: ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, published_version__isnull=False)
                   .annotate(has_bundles=_HAS_PUBLISHED_BUNDLE)
                   .values("published_version_id", "updated_at", "name", "department_id", "department__name",
                           "has_bundles", "service_object").order_by())


def guide_head(pk: int) -> dict | None:
    """The head row of a published item's guide: its published version, ``updated_at`` (the
    guide cache's key), name, department, 服务对象 and whether a published 一件事 lists it."""
    return _GUIDE_HEAD.get(pk)


def department_items(department: Department, audience: str = ""):
    """The published items of a department, for one audience or all (region/base_item appear on
    each row: joined, not fetched per row)."""
    qs = (ServiceItem.objects.filter(department=department, status=ItemStatus.PUBLISHED)
          .select_related("region", "department", "base_item").order_by("name", "pk"))
    if audience:
        qs = qs.filter(service_object__in=[audience, "both"])
    return qs


def items_in_order(ids: list[int]) -> list[ServiceItem]:
    """Published items by key, in the order of ``ids`` (department/region shown on each row:
    joined in the one query that loads them)."""
    items = ServiceItem.objects.filter(pk__in=ids, status=ItemStatus.PUBLISHED) \
        .select_related("department", "region", "base_item").in_bulk()
    return [items[i] for i in ids if i in items]
