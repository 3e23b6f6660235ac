"""Keeps every process's search analyzer in step with the 搜索词库 in the database.

:func:`sync` runs on every ``analyzer()`` call (registered in ``CatalogConfig.ready``) and costs
nothing in the common case: it reads the lexicon version (one primary-key read) only when

- the search index generation this process's vocabulary last read has changed — every lexicon
  write bumps it (:func:`zhengwu.catalog.services.lexicon.lexicon_changed`), and a search reads
  it before it parses the question, so a search never ranks with rules older than the generation
  its cached ranking is filed under; or
- RECHECK_SECONDS have passed (processes that index but do not search, e.g. the worker).

When the version differs from the one the analyzer loaded, the enabled rules are read and handed
to the analyzer (their new words join jieba's dictionary).
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import connection, transaction

logger = logging.getLogger(__name__)

RECHECK_SECONDS = 5.0

_lock = threading.Lock()
_seen: dict = {"pair": object(), "checked": -1e9}


def _read_version() -> str:
    from .models import SearchLexiconState

    return SearchLexiconState.objects.filter(pk=1).values_list("version", flat=True).first() or ""


def _read_rules() -> list[str]:
    from .models import SearchSynonym

    return list(SearchSynonym.objects.filter(enabled=True).order_by("pk").values_list("rule", flat=True))


def sync(an) -> None:
    from .search.vocabulary import _vocabulary

    pair = (_vocabulary.token, _vocabulary.generation)
    now = time.monotonic()
    if pair == _seen["pair"] and now - _seen["checked"] < RECHECK_SECONDS:
        return
    with _lock:
        _seen["pair"], _seen["checked"] = pair, now
        try:
            # A savepoint inside a transaction: a missing table (before migrate) must not break it.
            if connection.in_atomic_block:
                with transaction.atomic():
                    version = _read_version()
                    lines = _read_rules() if version != an.lexicon_version else None
            else:
                version = _read_version()
                lines = _read_rules() if version != an.lexicon_version else None
        except Exception:  # no database here (a unit test, a command before migrate): file rules only
            logger.debug("search lexicon not read", exc_info=True)
            return
        if lines is None:
            return
        from .search.analysis import parse_synonyms

        an.set_extra_rules(parse_synonyms(lines), version)


def reset() -> None:
    """Forget what was seen (tests): the next analyzer() reads the version again."""
    _seen["pair"], _seen["checked"] = object(), -1e9
