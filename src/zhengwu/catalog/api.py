"""Public catalogue API (/api/v1/items/…): search, the published 办事指南, lists and 一件事.

Everything here is public (no login) and read-only, and shows published items and bundles only:
an item that is a draft, under review or disabled answers 404 like one that does not exist.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime

from django.db.models import F
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from ninja import Query, Router
from ninja.errors import HttpError
from pydantic import Field

from zhengwu.core.schemas import ErrorOut, Schema

from . import search
from .models import Bundle, SearchLog, ServiceItem
from .models.items import ItemStatus
from .models.search import SearchPosting, SearchTerm
from .overview import cached_overview
from .published import bundle_overview, published_bundle, published_item
from .services import search_log

PREFIX = "/items/"
router = Router(tags=["事项目录"], auth=None)

MAX_LIMIT = 100


# -- schemas ---------------------------------------------------------------------------------
class ItemBrief(Schema):
    id: int = Field(description="事项ID")
    name: str = Field(description="事项名称")
    popular_name: str = Field(description="通俗名称")
    department: str = Field(description="实施主体")
    department_id: int
    region_code: str = Field(description="实施区划代码（12位）")
    region_name: str
    base_code: str = Field(description="基本编码")
    implementation_code: str = Field(description="实施编码")
    handling_code: str = Field(description="业务办理项编码")
    item_type: str = Field(description="事项类型代码，如 01 行政许可、20 公共服务")
    item_type_name: str
    service_object: str = Field(description="服务对象：person 自然人 / legal 法人 / both")
    promised_days: int = Field(description="承诺时限（工作日）")
    statutory_days: int | None = Field(description="法定时限（工作日），无规定为空")
    visits: int = Field(description="到办事现场次数，0 为零跑动")
    online_depth: int = Field(description="网上办理深度 1-4")
    url: str = Field(description="办事指南页面地址")


class SearchHitOut(ItemBrief):
    score: float = Field(description="相关度得分，越大越相关")
    matched: list[str] = Field(description="命中的查询词")


class BundleBrief(Schema):
    id: int
    name: str = Field(description="一件事名称")
    popular_name: str
    target: str = Field(description="person 个人 / legal 企业")
    region_code: str
    item_count: int | None = None
    url: str


class BundleHitOut(BundleBrief):
    score: float


class SearchOut(Schema):
    query: str = Field(description="查询原文")
    words: list[str] = Field(description="理解出的检索词（含同义词、拼音纠正），可用于高亮")
    total: int = Field(description="匹配的文档数（估计值）")
    items: list[SearchHitOut]
    bundles: list[BundleHitOut] = Field(description="相关的一件事")


class ItemListOut(Schema):
    items: list[ItemBrief]
    next_cursor: str | None = Field(description="下一页游标；为空表示没有更多")


class GuideMaterialOut(Schema):
    seq: int
    name: str = Field(description="材料名称")
    necessity: str = Field(description="required 必要 / optional 非必要 / tolerated 容缺可后补")
    necessity_name: str
    form: str
    form_name: str = Field(description="原件/复印件/电子材料")
    copies: int = Field(description="份数")
    source: str
    source_name: str = Field(description="来源渠道")
    source_department: str
    license_type: str = Field(description="可替代的电子证照")
    acceptance_standard: str = Field(description="受理标准")
    note: str
    has_blank_form: bool
    has_sample: bool
    blank_form_url: str | None = Field(description="空白表格的下载地址（本站路径）；没有空白表格时为 null")
    sample_url: str | None = Field(description="示例样表（示范文本）的下载地址（本站路径）；没有时为 null")


class GuideOut(ItemBrief):
    version: int = Field(description="指南版本号")
    published_at: datetime | None
    keywords: str
    legal_basis: str = Field(description="设定依据")
    themes: list[str]
    acceptance_conditions: str = Field(description="受理条件")
    case_type: str = Field(description="instant 即办件 / committed 承诺件")
    case_type_name: str
    channels: list[str] = Field(description="办理形式：window/online/self_service/express")
    allows_commitment: bool = Field(description="可告知承诺")
    commitment_check_days: int | None = Field(
        None, description="告知承诺核查期限（工作日）：受理后多少个工作日内核查承诺是否属实；空：按部门设定")
    allows_tolerance: bool = Field(description="可容缺受理")
    process_steps: list[dict] = Field(description="办理流程")
    locations: str = Field(description="办理地点")
    office_hours: str = Field(description="办理时间")
    consult_phone: str = Field(description="咨询电话")
    complaint_phone: str = Field(description="监督投诉电话")
    fees: list[dict] = Field(description="收费项目；空表示不收费")
    results: list[dict] = Field(description="审批结果")
    special_procedures: list[dict] = Field(description="特别程序")
    supports_appointment: bool = Field(description="事项登记的“支持预约”；能否网上预约以大厅可预约业务类型是否包含本事项为准"
                                                   "（办事指南只在能预约时显示“在线预约”）")
    supports_express: bool
    supports_online_payment: bool
    tongban_scope: str = Field(description="通办范围")
    tongban_scope_name: str
    materials: list[GuideMaterialOut]


class MergedMaterialOut(Schema):
    name: str
    necessity: str
    copies: int
    license_type: str
    items: list[str] = Field(description="需要该材料的事项")


class BundleFiguresOut(Schema):
    item_count: int
    materials_before: int
    materials_after: int
    materials_saved: int
    days_before: int
    days_after: int
    days_saved: int
    visits_before: int
    visits_after: int
    visits_saved: int


class BundleDetailOut(BundleBrief):
    description: str
    lead_department: str | None
    promised_days: int | None
    visits: int
    items: list[ItemBrief]
    merged_materials: list[MergedMaterialOut] = Field(description="合并去重后的材料清单")
    figures: BundleFiguresOut = Field(description="一件事成效：减材料、减时限、减跑动")


# -- helpers ---------------------------------------------------------------------------------
def item_brief(item: ServiceItem) -> dict:
    """``item`` with department, region and base_item loaded (select_related by every caller)."""
    return {
        "id": item.pk, "name": item.name, "popular_name": item.popular_name,
        "department": item.department.name, "department_id": item.department_id,
        "region_code": item.region.code, "region_name": item.region.name,
        "base_code": (item.base_item.code or "") if item.base_item_id else "",
        "implementation_code": item.implementation_code, "handling_code": item.handling_code,
        "item_type": item.item_type, "item_type_name": item.get_item_type_display(),
        "service_object": item.service_object, "promised_days": item.promised_days,
        "statutory_days": item.statutory_days, "visits": item.visits, "online_depth": item.online_depth,
        "url": reverse("catalog:item_guide", args=[item.pk]),
    }


def bundle_brief(bundle: Bundle, item_count: int | None = None) -> dict:
    return {"id": bundle.pk, "name": bundle.name, "popular_name": bundle.popular_name, "target": bundle.target,
            "region_code": bundle.region.code, "item_count": item_count,
            "url": reverse("catalog:bundle_detail", args=[bundle.pk])}


def _check_object(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if value not in ("person", "legal"):
        raise HttpError(400, "参数 object（服务对象）只能是 person（个人）或 legal（法人）")
    return value


def _region_range(region: str | None):
    try:
        return search.region_range(region)
    except ValueError as exc:
        raise HttpError(400, f"参数 region（区划代码）不正确：{exc}") from None


def _check_range(name: str, label: str, value: int, lo: int, hi: int) -> int:
    # Checked here rather than by the schema so that the message is in Chinese.
    if not lo <= value <= hi:
        raise HttpError(400, f"参数 {name}（{label}）应在 {lo} 到 {hi} 之间")
    return value


def _encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"id:{pk}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        if kind != "id":
            raise ValueError
        return int(value)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise HttpError(400, "参数 cursor（分页游标）无效，请使用上一页返回的 next_cursor") from None


# -- endpoints -------------------------------------------------------------------------------
class SearchParams(Schema):
    q: str = Field("", description="用自己的话描述要办的事（最多100字），如：孩子出生上户口、公积金怎么取、gjj")
    region: str | None = Field(None, description="区划代码或其前几位（含下级区划）")
    object: str | None = Field(None, description="服务对象：person 个人 / legal 法人")
    limit: int = Field(20, description="返回条数（1-50）")
    offset: int = Field(0, description="跳过条数（0-500）")


@router.get("/search", response={200: SearchOut, 400: ErrorOut}, summary="事项搜索（群众口语、同义词、拼音）")
def search_items(request, params: Query[SearchParams]):
    """按群众的说法搜索已发布的事项和一件事，按相关度排序。"""
    q = (params.q or "").strip()
    if not q:
        raise HttpError(400, "请输入要搜索的内容，例如：孩子出生上户口")
    if len(q) > search.MAX_QUERY_CHARS:
        raise HttpError(400, f"搜索内容不能超过{search.MAX_QUERY_CHARS}个字")
    _check_range("limit", "返回条数", params.limit, 1, 50)
    _check_range("offset", "跳过条数", params.offset, 0, 500)
    audience = _check_object(params.object)
    question = hashlib.sha1(repr((q, params.region, audience, params.limit, params.offset)).encode()).hexdigest()  # noqa: S324

    def answer() -> tuple[bytes, int, list[int]]:
        try:
            result = search.search(q, region=params.region, audience=audience, limit=params.limit,
                                   offset=params.offset)
        except ValueError as exc:
            raise HttpError(400, str(exc)) from None
        body = {
            "query": q,
            "words": result.highlight_words,
            "total": result.total,
            "items": [{**item_brief(h.obj), "score": h.score, "matched": h.matched} for h in result.items],
            "bundles": [{**bundle_brief(h.obj), "score": h.score} for h in result.bundles],
        }
        # Built from plain values in the documented shape (SearchOut, tested): serialised directly.
        # Validating it again through the schema was a third of a cached search's CPU.
        content = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")}).content
        return content, result.total, [h.pk for h in result.items[:search_log.TOP_ITEMS]]

    # The same question answers the same until the catalogue changes: the whole body is cached
    # under the overview generation, like the public pages (ADR 0012).
    content, total, top = cached_overview("search-api-v2", answer, question)
    if params.offset == 0:  # the search log (masked, no user, no address; never fails the answer)
        search_log.record_search(q, total, top, source=SearchLog.Source.API)
    return HttpResponse(content, content_type="application/json")


class ListParams(Schema):
    region: str | None = Field(None, description="区划代码或其前几位（含下级区划）")
    department: int | None = Field(None, description="部门ID")
    object: str | None = Field(None, description="服务对象：person 个人 / legal 法人")
    item_type: str | None = Field(None, description="事项类型代码，如 01")
    theme: str | None = Field(None, description="主题分类，如：户籍办理")
    cursor: str | None = Field(None, description="上一页返回的 next_cursor")
    limit: int = Field(20, description="每页条数（1-100）")


@router.get("/", response={200: ItemListOut, 400: ErrorOut}, summary="事项清单（筛选、游标分页）")
def list_items(request, params: Query[ListParams]):
    """已发布事项，按ID顺序，游标分页（适合百万级清单）。"""
    # department/region/base_item are part of every row: one query with joins, no per-row lookups.
    qs = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).select_related("department", "region", "base_item")
    rng = _region_range(params.region)
    if rng:
        qs = qs.filter(region__code__gte=rng[0], region__code__lte=rng[1])
    if params.department:
        qs = qs.filter(department_id=params.department)
    audience = _check_object(params.object)
    if audience:
        qs = qs.filter(service_object__in=[audience, "both"])
    if params.item_type:
        qs = qs.filter(item_type=params.item_type)
    if params.theme:
        # 主题 is a JSON list: filter through the search index's theme facet (works on SQLite
        # and PostgreSQL alike, and is an index range rather than a scan of every guide).
        term_id = SearchTerm.objects.filter(term=f"{search.FACET_THEME}{params.theme}"[:64]).values_list("id", flat=True).first()
        docs = SearchPosting.objects.filter(term_id=term_id or 0).annotate(item_id=F("doc") / 2).values("item_id")
        qs = qs.filter(pk__in=docs)
    _check_range("limit", "每页条数", params.limit, 1, MAX_LIMIT)
    if params.cursor:
        qs = qs.filter(pk__gt=_decode_cursor(params.cursor))
    rows = list(qs.order_by("pk")[:params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[:params.limit]
    return {"items": [item_brief(i) for i in rows], "next_cursor": _encode_cursor(rows[-1].pk) if more and rows else None}


@router.get("/bundles/", response={200: list[BundleBrief], 400: ErrorOut}, summary="一件事列表")
def list_bundles(request, region: str | None = None, object: str | None = None):
    """已发布的一件事一次办主题。"""
    rng = _region_range(region)
    audience = _check_object(object)
    bundles = bundle_overview(rng, audience)
    return [bundle_brief(b, b.item_count) for b in bundles]


@router.get("/bundles/{int:bundle_id}", response={200: BundleDetailOut, 404: ErrorOut}, summary="一件事详情（合并材料）")
def get_bundle(request, bundle_id: int):
    """一件事包含的事项、合并去重后的材料清单和成效指标。"""
    data = published_bundle(bundle_id)
    if data is None:
        raise HttpError(404, "该一件事不存在或未发布")
    b = data.bundle
    f = data.figures
    return {
        **bundle_brief(b, len(data.items)),
        "description": b.description,
        "lead_department": b.lead_department.name if b.lead_department_id else None,
        "promised_days": b.promised_days, "visits": b.visits,
        "items": [item_brief(i) for i in data.items],
        "merged_materials": [{"name": m.name, "necessity": m.necessity, "copies": m.copies,
                              "license_type": m.license_type, "items": m.items} for m in data.merged_materials],
        "figures": {
            "item_count": f.item_count, "materials_before": f.materials_before, "materials_after": f.materials_after,
            "materials_saved": f.materials_saved, "days_before": f.days_before, "days_after": f.days_after,
            "days_saved": f.days_saved, "visits_before": f.visits_before, "visits_after": f.visits_after,
            "visits_saved": f.visits_saved,
        },
    }


@router.get("/{int:item_id}", response={200: GuideOut, 404: ErrorOut}, summary="办事指南（已发布版本）")
def get_item(request, item_id: int):
    """事项的现行办事指南，含申请材料。未发布或已停用的事项返回 404。"""
    item = published_item(item_id)
    if item is None:
        raise HttpError(404, "该事项不存在或未发布")
    v = item.published_version
    return {
        **item_brief(item),
        "version": v.number, "published_at": v.published_at, "keywords": v.keywords, "legal_basis": v.legal_basis,
        "themes": v.themes or [], "acceptance_conditions": v.acceptance_conditions,
        "case_type": v.case_type, "case_type_name": v.get_case_type_display(), "channels": v.channels or [],
        "allows_commitment": v.allows_commitment, "commitment_check_days": v.commitment_check_days,
        "allows_tolerance": v.allows_tolerance,
        "process_steps": v.process_steps or [], "locations": v.locations, "office_hours": v.office_hours,
        "consult_phone": v.consult_phone, "complaint_phone": v.complaint_phone, "fees": v.fees or [],
        "results": v.results or [], "special_procedures": v.special_procedures or [],
        "supports_appointment": v.supports_appointment, "supports_express": v.supports_express,
        "supports_online_payment": v.supports_online_payment, "tongban_scope": v.tongban_scope,
        "tongban_scope_name": v.get_tongban_scope_display(),
        "materials": [{
            "seq": m.seq, "name": m.name, "necessity": m.necessity, "necessity_name": m.get_necessity_display(),
            "form": m.form, "form_name": m.get_form_display(), "copies": m.copies, "source": m.source,
            "source_name": m.get_source_display(), "source_department": m.source_department,
            "license_type": m.license_type, "acceptance_standard": m.acceptance_standard, "note": m.note,
            "has_blank_form": bool(m.blank_form), "has_sample": bool(m.sample),
            "blank_form_url": reverse("catalog:material_file", args=[m.pk, "blank_form"]) if m.blank_form else None,
            "sample_url": reverse("catalog:material_file", args=[m.pk, "sample"]) if m.sample else None,
        } for m in v.material_list],
    }
