"""Public pages of the catalogue (网上办事大厅): search, 办事指南, browse by department, theme and
一件事. No login; published items and bundles only. The JSON API (``api.py``) reads through the
same helpers at the top of this module, so a page and its API answer agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe

from zhengwu.org.models import Department, Region
from zhengwu.speedups import jinja_env
from zhengwu.speedups.prepared import ByPk

from . import rules, search
from .overview import OVERVIEW_CACHE_SECONDS, anonymous_page, cached_overview, overview_generation
from .models import Bundle, BundleItem, Material, ServiceItem
from .models.items import CHANNELS, LEGAL_THEMES, PERSON_THEMES, ItemStatus
from .models.materials import VERSION_MATERIALS
from .models.search import SearchTerm

PAGE_SIZE = 20
GUIDE_CACHE_SECONDS = 300
MAX_SEARCH_PAGES = 25

# What people ask most, in their own words (shown under the search box).
HOT_SEARCHES = ["孩子出生上户口", "公积金怎么取", "开个小吃店要办啥", "驾照到期", "社保卡补办", "异地就医",
                "二手房过户", "领失业金", "办退休", "申请低保"]

AUDIENCES = {"person": "个人办事", "legal": "法人办事"}


# == Read helpers shared with the API ===========================================================
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
        qs = qs.filter(target=audience)
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


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 1000))
    except ValueError:
        return 1


# == Pages ======================================================================================
@anonymous_page()
def item_search(request):
    """搜索结果：高亮、按服务对象和区划筛选。"""
    q = (request.GET.get("q") or "").strip()[:search.MAX_QUERY_CHARS]
    audience = request.GET.get("object") or ""
    if audience not in AUDIENCES:
        audience = ""
    region_code = (request.GET.get("region") or "").strip()
    page = min(_page_number(request), MAX_SEARCH_PAGES)  # relevance fades long before page 25
    home = home_region()
    regions = [home, *Region.objects.filter(parent=home).order_by("code")] if home else []
    context = {"q": q, "audience": audience, "region_code": region_code, "regions": regions,
               "audiences": AUDIENCES, "hot_searches": HOT_SEARCHES, "results": [], "bundles": [],
               "error": "", "page": page, "has_next": False, "searched": bool(q)}
    if q:
        try:
            result = search.search(q, region=region_code or None, audience=audience or None,
                                   limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        except ValueError as exc:
            context["error"] = str(exc)
        else:
            words = result.highlight_words
            hits = result.items[:PAGE_SIZE]
            context.update(
                total=result.total,
                has_next=len(result.items) > PAGE_SIZE and page < MAX_SEARCH_PAGES,
                concepts=[c.label for c in result.query.concepts],
                results=[{"item": h.obj, "score": h.score,
                          "name_html": mark_safe(search.highlight(h.obj.name, words)),  # noqa: S308 - escaped
                          "popular_html": mark_safe(search.highlight(h.obj.popular_name, words))}  # noqa: S308
                         for h in hits],
                bundles=[{"bundle": h.obj, "name_html": mark_safe(search.highlight(h.obj.name, words)),  # noqa: S308
                          "popular_html": mark_safe(search.highlight(h.obj.popular_name, words))}  # noqa: S308
                         for h in result.bundles] if page == 1 else [],
            )
    return render(request, "catalog/portal/search.html", context)


# Whether a published 一件事 lists the item (an index probe, read with the guide's head row).
_HAS_PUBLISHED_BUNDLE = RawSQL(
    f'EXISTS (SELECT 1 FROM "{BundleItem._meta.db_table}" bi '  # noqa: S608 - table names
    f'INNER JOIN "{Bundle._meta.db_table}" b ON b."id" = bi."bundle_id" '
    f'WHERE bi."service_item_id" = "{ServiceItem._meta.db_table}"."id" AND b."status" = %s)',
    [Bundle.Status.PUBLISHED], output_field=BooleanField())


_GUIDE_HEAD = ByPk(lambda: ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, published_version__isnull=False)
                   .annotate(has_bundles=_HAS_PUBLISHED_BUNDLE)
                   .values("published_version_id", "updated_at", "name", "department_id", "department__name",
                           "has_bundles").order_by())


@anonymous_page(GUIDE_CACHE_SECONDS)
def item_guide(request, pk: int):
    """办事指南：一个事项群众需要知道的全部要素，可打印。

    The guide body is rendered once per published version and cached: a published version is
    immutable, and the key also carries the item's ``updated_at`` so that any change to the item
    (a new version, disabling) makes a new key. Only the bundles listed under the guide and the
    department's name can be up to GUIDE_CACHE_SECONDS old.
    """
    head = _GUIDE_HEAD.get(pk)
    if head is None:
        raise Http404("该事项不存在或未发布")
    key = f"catalog:guide:{pk}:{head['published_version_id']}:{head['updated_at'].timestamp()}"
    body = cache.get(key)
    if body is None:
        item = published_item(pk)
        if item is None:
            raise Http404("该事项不存在或未发布")
        v = item.published_version
        compression = v.compression_rate
        # Jinja2 (ADR 17): a body rendered in a quarter of the time Django's engine took.
        body = jinja_env.render("catalog/portal/guide_body.html", {
            "item": item, "v": v, "materials": v.material_list,
            "channels": [CHANNELS.get(c, c) for c in (v.channels or [])],
            "compression_pct": None if compression is None else round(compression * 100),  # {% widthratio %}'s
            # Most items are in no 一件事: the head query says so, and then nothing is asked.
            "bundles": (list(item.bundles.filter(status=Bundle.Status.PUBLISHED).order_by("name")[:5])
                        if head["has_bundles"] else []),
        })
        cache.set(key, body, GUIDE_CACHE_SECONDS)
    return render(request, "catalog/portal/guide.html", {"head": head, "body": mark_safe(body)})  # noqa: S308 - our template


@anonymous_page()
def browse_departments(request):
    """按部门浏览。"""
    home = home_region()
    return render(request, "catalog/portal/departments.html", {
        "home": home,
        # The list of every department is also rendered once per overview generation (3,000
        # cards on a city's catalogue): the template's fragment cache calls this only on a miss.
        "departments": lambda: department_cards(home),
        "overview_generation": overview_generation(),
        "overview_seconds": OVERVIEW_CACHE_SECONDS,
    })


@anonymous_page()
def department_items(request, pk: int):
    """一个部门的已发布事项。"""
    department = get_object_or_404(Department.objects.select_related("region"), pk=pk, is_active=True)
    audience = request.GET.get("object") or ""
    # region/base_item appear on each row: joined, not fetched per row.
    qs = (ServiceItem.objects.filter(department=department, status=ItemStatus.PUBLISHED)
          .select_related("region", "department", "base_item").order_by("name", "pk"))
    if audience in AUDIENCES:
        qs = qs.filter(service_object__in=[audience, "both"])
    page = Paginator(qs, PAGE_SIZE).get_page(_page_number(request))
    return render(request, "catalog/portal/department_items.html",
                  {"department": department, "page": page, "audience": audience, "audiences": AUDIENCES})


@anonymous_page()
def browse_themes(request):
    """按主题浏览：个人主题、法人主题、一件事。"""
    return render(request, "catalog/portal/themes.html", {
        "person_themes": theme_counts("person"), "legal_themes": theme_counts("legal"),
        "bundles": bundle_overview()[:12],
    })


@anonymous_page()
def theme_items(request, audience: str, theme: str):
    """一个主题下的已发布事项。"""
    if audience not in AUDIENCES or theme not in (PERSON_THEMES if audience == "person" else LEGAL_THEMES):
        raise Http404("没有这个主题")
    page_no = _page_number(request)
    ids, total = search.items_with_theme(theme, audience=audience, offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    # department/region are shown on each row: joined in the one query that loads the page.
    items = ServiceItem.objects.filter(pk__in=ids, status=ItemStatus.PUBLISHED) \
        .select_related("department", "region", "base_item").in_bulk()
    pages = max(1, -(-total // PAGE_SIZE))
    return render(request, "catalog/portal/theme_items.html", {
        "audience": audience, "audience_name": AUDIENCES[audience], "theme": theme,
        "items": [items[i] for i in ids if i in items], "total": total, "page": page_no, "pages": pages,
        "has_next": page_no < pages, "has_previous": page_no > 1,
    })


@anonymous_page()
def bundles(request):
    """一件事一次办。"""
    audience = request.GET.get("object") or ""
    rows = bundle_overview(None, audience if audience in AUDIENCES else None)
    return render(request, "catalog/portal/bundles.html", {"bundles": rows, "audience": audience,
                                                           "audiences": {"person": "个人", "legal": "企业"}})


@anonymous_page()
def bundle_detail(request, pk: int):
    """一件事详情：包含事项、合并后的材料清单、减材料减时限减跑动。"""
    data = published_bundle(pk)
    if data is None:
        raise Http404("该一件事不存在或未发布")
    return render(request, "catalog/portal/bundle_detail.html", {"data": data, "bundle": data.bundle})


def material_file(request, pk: int, kind: str):
    """Download a material's 空白表格 or 示例样表. Public for published (and superseded) versions;
    a draft's files only for staff who may edit the item."""
    from django.http import FileResponse

    from .models.items import VersionState
    from .services import items as item_svc

    label = item_svc.MATERIAL_FILE_KINDS.get(kind)
    m = Material.objects.select_related("version__service_item__department").filter(pk=pk).first()
    if label is None or m is None or not getattr(m, kind):
        raise Http404("该材料没有可下载的文件")
    if m.version.state not in (VersionState.PUBLISHED, VersionState.SUPERSEDED):
        if not (request.user.is_authenticated and item_svc.can_edit(request.user, m.version.service_item)):
            raise Http404("该材料没有可下载的文件")
    f = getattr(m, kind)
    ext = f.name.rsplit(".", 1)[-1] if "." in f.name else "bin"
    try:
        handle = f.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在，请联系事项管理员") from None
    return FileResponse(handle, as_attachment=True, filename=f"{m.name}-{label}.{ext}")
