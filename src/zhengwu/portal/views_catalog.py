"""Public pages of the catalogue (网上办事大厅): search, 办事指南, browse by department, theme and
一件事, material downloads. No login; published items and bundles only. Page composition only:
the reads are :mod:`zhengwu.catalog.published` (shared with the catalogue's JSON API) and
:mod:`zhengwu.catalog.search`; the URL names stay in the ``catalog`` namespace (``urls_catalog``).
"""

from __future__ import annotations

import re

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from zhengwu.cases.rules import applicant_kind_refusal
from zhengwu.catalog import guide_qr, published, search
from zhengwu.catalog.models import Bundle, Material
from zhengwu.catalog.models.items import CHANNELS, LEGAL_THEMES, PERSON_THEMES
from zhengwu.catalog.overview import OVERVIEW_CACHE_SECONDS, anonymous_page, overview_generation
from zhengwu.org.models import Department, Region
from zhengwu.payments import providers as payment_providers
from zhengwu.portal.search_tracking import logged_search, mark_search, tracked_guide
from zhengwu.queueing.services.booking import booking_url_for_item
from zhengwu.speedups import jinja_env

PAGE_SIZE = 20
GUIDE_CACHE_SECONDS = 300
MAX_SEARCH_PAGES = 25

# What people ask most, in their own words (shown under the search box).
HOT_SEARCHES = ["孩子出生上户口", "公积金怎么取", "开个小吃店要办啥", "驾照到期", "社保卡补办", "异地就医",
                "二手房过户", "领失业金", "办退休", "申请低保"]

AUDIENCES = {"person": "个人办事", "legal": "法人办事"}


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 1000))
    except ValueError:
        return 1


# == Pages ======================================================================================
@logged_search
@anonymous_page()
def item_search(request):
    """搜索结果：高亮、按服务对象和区划筛选。"""
    q = (request.GET.get("q") or "").strip()[:search.MAX_QUERY_CHARS]
    audience = request.GET.get("object") or ""
    if audience not in AUDIENCES:
        audience = ""
    region_code = (request.GET.get("region") or "").strip()
    page = min(_page_number(request), MAX_SEARCH_PAGES)  # relevance fades long before page 25
    home = published.home_region()
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
            has_next = len(result.items) > PAGE_SIZE and page < MAX_SEARCH_PAGES
            context.update(
                total=result.total,
                # What the page can say it found: the whole list when this is its last page. (The
                # ranking's total counts every item sharing a word with the question, most of which
                # are never listed: "约 126 项相关" over four results misled.)
                listed=None if has_next else (page - 1) * PAGE_SIZE + len(hits),
                has_next=has_next,
                concepts=[c.label for c in result.query.concepts],
                results=[{"item": h.obj, "score": h.score, "rank": (page - 1) * PAGE_SIZE + n,
                          "name_html": mark_safe(search.highlight(h.obj.name, words)),  # noqa: S308 - escaped
                          "popular_html": mark_safe(search.highlight(h.obj.popular_name, words))}  # noqa: S308
                         for n, h in enumerate(hits, start=1)],
                bundles=[{"bundle": h.obj, "name_html": mark_safe(search.highlight(h.obj.name, words)),  # noqa: S308
                          "popular_html": mark_safe(search.highlight(h.obj.popular_name, words))}  # noqa: S308
                         for h in result.bundles] if page == 1 else [],
            )
    response = render(request, "portal/catalog/search.html", context)
    if q and page == 1 and not context["error"]:
        mark_search(response, context.get("total", 0), [r["item"].pk for r in context["results"]])  # the search log
    return response


@tracked_guide
@anonymous_page(GUIDE_CACHE_SECONDS)
def item_guide(request, pk: int):
    """办事指南：一个事项群众需要知道的全部要素，可打印。

    The guide body is rendered once per published version and cached: a published version is
    immutable, and the key also carries the item's ``updated_at`` so that any change to the item
    (a new version, disabling) makes a new key. Only the bundles listed under the guide and the
    department's name can be up to GUIDE_CACHE_SECONDS old.
    """
    head = published.guide_head(pk)
    if head is None:
        raise Http404("该事项不存在或未发布")
    key = f"catalog:guide:{pk}:{head['published_version_id']}:{head['updated_at'].timestamp()}"
    body = cache.get(key)
    if body is None:
        item = published.published_item(pk)
        if item is None:
            raise Http404("该事项不存在或未发布")
        v = item.published_version
        compression = v.compression_rate
        # Jinja2 (ADR 17): a body rendered in a quarter of the time Django's engine took.
        body = jinja_env.render("portal/catalog/guide_body.html", {
            "item": item, "v": v, "materials": v.material_list,
            "channels": [CHANNELS.get(c, c) for c in (v.channels or [])],
            "compression_pct": None if compression is None else round(compression * 100),  # {% widthratio %}'s
            # 支持预约办理 is claimed, with the link to 预约, only when the item is marked 支持预约 and
            # a bookable business type of an open hall serves it (BusinessType.items, issue 25);
            # marked but served by none (户政…): "暂未开通网上预约" instead. Like the bundles, this can
            # be up to GUIDE_CACHE_SECONDS old after a hall changes its business types.
            "booking_url": booking_url_for_item(item.pk) if v.supports_appointment else "",
            # 支持网上支付 only where an online channel is connected: otherwise the applicant pays at the counter.
            "online_payment": "、".join(p.label for p in payment_providers.online()) if v.supports_online_payment else "",
            # Most items are in no 一件事: the head query says so, and then nothing is asked.
            "bundles": (list(item.bundles.filter(status=Bundle.Status.PUBLISHED).order_by("name")[:5])
                        if head["has_bundles"] else []),
        })
        cache.set(key, body, GUIDE_CACHE_SECONDS)
    body = _apply_button_for(request.user, head, body)
    link = guide_qr.guide_link(request, pk)
    return render(request, "portal/catalog/guide.html", {
        "head": head, "body": mark_safe(body),  # noqa: S308 - our template
        # Printed guides carry a QR code back to the guide online.
        "guide_link": link, "qr_svg": mark_safe(guide_qr.svg(link)),  # noqa: S308 - segno's SVG of our URL
    })


_APPLY_BUTTON = re.compile(r'<a [^>]*id="apply-online"[^>]*>申请办理</a>')


def _apply_button_for(user, head: dict, body: str) -> str:
    """The guide's 申请办理 button for this visitor: an applicant of a kind the item does not serve
    (its 服务对象, :func:`zhengwu.cases.rules.applicant_kind_refusal`) is told why instead of being
    sent to a refusal. The cached body is the same for everyone; only a signed-in visitor's copy
    (never cached whole: :mod:`zhengwu.speedups.pagecache`) is changed here."""
    applicant = getattr(user, "applicant", None) if user.is_authenticated else None
    if applicant is None:
        return body
    refusal = applicant_kind_refusal(head["service_object"], applicant.kind, f"“{head['name']}”")
    if refusal is None:
        return body
    note = format_html('<p class="alert alert-warning small mb-0 py-2" id="apply-refused" role="note">{}</p>', refusal)
    return _APPLY_BUTTON.sub(lambda _m: str(note), body, count=1)


@anonymous_page()
def browse_departments(request):
    """按部门浏览。"""
    home = published.home_region()
    return render(request, "portal/catalog/departments.html", {
        "home": home,
        # The list of every department is also rendered once per overview generation (3,000
        # cards on a city's catalogue): the template's fragment cache calls this only on a miss.
        "departments": lambda: published.department_cards(home),
        "overview_generation": overview_generation(),
        "overview_seconds": OVERVIEW_CACHE_SECONDS,
    })


@anonymous_page()
def department_items(request, pk: int):
    """一个部门的已发布事项。"""
    department = get_object_or_404(Department.objects.select_related("region"), pk=pk, is_active=True)
    audience = request.GET.get("object") or ""
    qs = published.department_items(department, audience if audience in AUDIENCES else "")
    page = Paginator(qs, PAGE_SIZE).get_page(_page_number(request))
    return render(request, "portal/catalog/department_items.html",
                  {"department": department, "page": page, "audience": audience, "audiences": AUDIENCES})


@anonymous_page()
def browse_themes(request):
    """按主题浏览：个人主题、法人主题、一件事。"""
    return render(request, "portal/catalog/themes.html", {
        "person_themes": published.theme_counts("person"), "legal_themes": published.theme_counts("legal"),
        "bundles": published.bundle_overview()[:12],
    })


@anonymous_page()
def theme_items(request, audience: str, theme: str):
    """一个主题下的已发布事项。"""
    if audience not in AUDIENCES or theme not in (PERSON_THEMES if audience == "person" else LEGAL_THEMES):
        raise Http404("没有这个主题")
    page_no = _page_number(request)
    ids, total = search.items_with_theme(theme, audience=audience, offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return render(request, "portal/catalog/theme_items.html", {
        "audience": audience, "audience_name": AUDIENCES[audience], "theme": theme,
        "items": published.items_in_order(ids), "total": total, "page": page_no, "pages": pages,
        "has_next": page_no < pages, "has_previous": page_no > 1,
    })


@anonymous_page()
def bundles(request):
    """一件事一次办。"""
    audience = request.GET.get("object") or ""
    rows = published.bundle_overview(None, audience if audience in AUDIENCES else None)
    return render(request, "portal/catalog/bundles.html", {"bundles": rows, "audience": audience,
                                                           "audiences": {"person": "个人", "legal": "企业"}})


@anonymous_page()
def bundle_detail(request, pk: int):
    """一件事详情：包含事项、合并后的材料清单、减材料减时限减跑动。"""
    data = published.published_bundle(pk)
    if data is None:
        raise Http404("该一件事不存在或未发布")
    return render(request, "portal/catalog/bundle_detail.html", {"data": data, "bundle": data.bundle})


def material_file(request, pk: int, kind: str):
    """Download a material's 空白表格 or 示例样表. Public for published (and superseded) versions;
    a draft's files only for staff who may edit the item."""
    from django.http import FileResponse

    from zhengwu.catalog.models.items import VersionState
    from zhengwu.catalog.services import items as item_svc

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
