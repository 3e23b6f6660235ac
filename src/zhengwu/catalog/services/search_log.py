"""搜索日志: what citizens searched and which guide they opened afterwards — learning from use.

Writing (the portal search page and the search API, :func:`record_search`; the guide opened from
the results, :func:`record_open`) is one statement each and never fails the request: an error is
logged (without the query) and the citizen gets the answer anyway. No personal data is stored:
the query is masked (:func:`zhengwu.catalog.lexicon_rules.mask_query`), the session is a random
token from a cookie, never the user, never the address.

Reading (the 搜索分析 page): top, zero-result and abandoned queries over a period, grouped by the
query in the database (indexes by day and query), and a proposed synonym rule for a query.
Pruning: :func:`prune` (a periodic job) keeps KEEP_DAYS days.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import Counter

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from ..lexicon_rules import bigrams, mask_query, suggest_rule
from ..models import SearchLog

logger = logging.getLogger(__name__)

OPEN_WINDOW = dt.timedelta(minutes=30)  # a guide opened later than this no longer counts for the search
KEEP_DAYS = 180
TOP_ITEMS = 5
PRUNE_BATCH = 5000


@contextlib.contextmanager
def _savepoint():
    """Inside a caller's transaction, a failed log write must not break it (PostgreSQL): a
    savepoint. Outside one (a plain GET) on PostgreSQL, the write does not wait for the WAL flush
    (``synchronous_commit off`` for this transaction only): a log row lost in a crash is harmless,
    and the flush cost 1-4 ms per search on the development machine; SQLite: the statement alone."""
    conn = transaction.get_connection()
    if conn.in_atomic_block:
        with transaction.atomic():
            yield
    elif conn.vendor == "postgresql":
        with transaction.atomic():
            with conn.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit TO OFF")
            yield
    else:
        yield


def record_search(query: str, result_count: int, top_item_ids, *, session: str = "",
                  source: str = SearchLog.Source.PORTAL) -> int | None:
    """One INSERT; the new row's id, or None when nothing was written (never raises)."""
    try:
        text = mask_query(query)
        if not text:
            return None
        now = timezone.now()
        ids = ",".join(str(int(i)) for i in list(top_item_ids)[:TOP_ITEMS])
        with _savepoint():
            row = SearchLog.objects.create(created_at=now, day=timezone.localdate(now), query=text,
                                           result_count=max(0, int(result_count)), top_items=ids[:80],
                                           session=(session or "")[:16], source=source)
        return row.pk
    except Exception:  # the log must never cost the citizen the answer
        logger.warning("search log: a search was not recorded", exc_info=True)
        return None


def record_open(search_id, session: str, item_id: int, rank) -> bool:
    """The citizen opened ``item_id`` from the results of search ``search_id`` (its session must
    match, within OPEN_WINDOW; only the first guide opened counts). One UPDATE; never raises."""
    try:
        search_id, item_id = int(search_id), int(item_id)
        rank = int(rank) if rank not in (None, "") else None
        if rank is not None and not 1 <= rank <= 1000:
            rank = None
        now = timezone.now()
        with _savepoint():
            return bool(SearchLog.objects.filter(pk=search_id, session=session, opened_item_id__isnull=True,
                                                 created_at__gte=now - OPEN_WINDOW)
                        .update(opened_item_id=item_id, opened_rank=rank, opened_at=now))
    except Exception:
        logger.warning("search log: an opened guide was not recorded", exc_info=True)
        return False


# -- the 搜索分析 page ---------------------------------------------------------------------------
def _period(start: dt.date, end: dt.date):
    return SearchLog.objects.filter(day__gte=start, day__lte=end)


def top_queries(start: dt.date, end: dt.date, limit: int = 50) -> list[dict]:
    """Most searched queries: searches, with no result, with a guide opened."""
    return list(_period(start, end).values("query")
                .annotate(searches=Count("id"), zero=Count("id", filter=Q(result_count=0)),
                          opened=Count("opened_item_id"))
                .order_by("-searches", "query")[:limit])


def zero_result_queries(start: dt.date, end: dt.date, limit: int = 50) -> list[dict]:
    return list(_period(start, end).filter(result_count=0).values("query")
                .annotate(searches=Count("id")).order_by("-searches", "query")[:limit])


def abandoned_queries(start: dt.date, end: dt.date, limit: int = 50) -> list[dict]:
    """Portal searches with results after which no guide was opened within OPEN_WINDOW (searches
    of the last OPEN_WINDOW are still open; API searches cannot be followed and are left out)."""
    cutoff = timezone.now() - OPEN_WINDOW
    return list(_period(start, end).filter(source=SearchLog.Source.PORTAL, result_count__gt=0,
                                           opened_item_id__isnull=True, created_at__lt=cutoff)
                .values("query").annotate(searches=Count("id")).order_by("-searches", "query")[:limit])


def period_totals(start: dt.date, end: dt.date) -> dict:
    return _period(start, end).aggregate(searches=Count("id"), zero=Count("id", filter=Q(result_count=0)),
                                         opened=Count("opened_item_id"))


# -- the proposed rule -------------------------------------------------------------------------
def _item_opened_after(query: str):
    from ..models import ServiceItem
    from ..models.items import ItemStatus

    rows = (SearchLog.objects.filter(query=query, opened_item_id__isnull=False).values("opened_item_id")
            .annotate(n=Count("id")).order_by("-n", "opened_item_id")[:5])
    for row in rows:
        item = ServiceItem.objects.filter(pk=row["opened_item_id"], status=ItemStatus.PUBLISHED).first()
        if item is not None:
            return item
    return None


def _item_by_name_bigrams(query: str):
    """The published item whose name (or 通俗名称) shares most character pairs with the query."""
    from ..models import ServiceItem
    from ..models.items import ItemStatus

    hits: Counter = Counter()
    names: dict[int, str] = {}
    for bg in bigrams(query)[:8]:
        rows = (ServiceItem.objects.filter(Q(name__contains=bg) | Q(popular_name__contains=bg),
                                           status=ItemStatus.PUBLISHED)
                .order_by("pk").values_list("pk", "name")[:300])
        for pk, name in rows:
            hits[pk] += 1
            names[pk] = name
    if not hits:
        return None
    best = min(hits, key=lambda pk: (-hits[pk], len(names[pk]), pk))
    return ServiceItem.objects.filter(pk=best).first()


def suggestion(query: str) -> tuple[str, object | None]:
    """(proposed rule, the item it leads to) for a zero-result or abandoned query: the item most
    often opened after the same query, else the item whose name matches most of its character
    pairs; ("", None) when there is none."""
    from ..search import analyzer, normalise

    item = _item_opened_after(query) or _item_by_name_bigrams(query)
    if item is None:
        return "", None
    an = analyzer()
    words = [w for w in an.cut(normalise(item.name)) if w not in an.stopwords]
    rule = suggest_rule(query, words)
    if not rule and item.popular_name:
        rule = suggest_rule(query, [w for w in an.cut(normalise(item.popular_name)) if w not in an.stopwords])
    return rule, item


# -- pruning -----------------------------------------------------------------------------------
def prune(keep_days: int = KEEP_DAYS) -> int:
    """Delete searches older than ``keep_days`` days, in batches (a periodic job); how many."""
    from zhengwu.core.retention import delete_in_batches

    before = timezone.localdate() - dt.timedelta(days=keep_days)
    return delete_in_batches(SearchLog.objects.filter(day__lt=before), batch=PRUNE_BATCH)


def prune_job() -> str:
    return f"删除{prune()}条过期搜索日志"
