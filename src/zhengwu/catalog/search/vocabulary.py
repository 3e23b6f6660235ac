"""The per-process vocabulary of the index (terms, document frequencies, pinyin map)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable

from ..models.search import SearchIndexState, SearchTerm
from .analysis import initial_and_final
from .sql import fetch, quoted_table

FUZZY_CUTOFF = 70.0


def is_slip(typed: str, word: str) -> bool:
    """Whether ``typed`` can be ``word`` mistyped: ``word`` with characters glued on (要区卫健局 is
    区卫健局), or with characters swapped for ones that sound close, sharing the initial or the
    final (最低生活保证 is 最低生活保障). 社保卡领了 is no 社保卡丢了, 网约车证换 no 网约车办证."""
    if len(word) < len(typed):
        rest = iter(typed)
        return all(ch in rest for ch in word)
    if len(word) != len(typed):
        return False
    for a, b in zip(typed, word):
        if a != b:
            (ia, fa), (ib, fb) = initial_and_final(a), initial_and_final(b)
            if not ((ia and ia == ib) or (fa and fa == fb)):
                return False
    return True


class Vocabulary:
    """Terms of the index with their document frequency and pinyin, for typo and pinyin handling.

    Brought up to date on every use by comparing (token, generation) of the index state row:
    unchanged → nothing to do; a newer generation → read the terms changed since; another token
    (rebuild, restored database, test rollback) → read everything.
    """

    def __init__(self) -> None:
        self.token: str | None = None
        self.generation = -1
        self.doc_count = 0
        self.df: dict[str, int] = {}
        self._pinyin: dict[str, str] = {}
        self._initials: dict[str, str] = {}
        self._derived: tuple | None = None
        self._lock = threading.Lock()

    def sync(self) -> None:
        state = fetch(f"SELECT token, generation, doc_count FROM {quoted_table(SearchIndexState)} WHERE id = 1")
        token, generation, doc_count = state[0] if state else ("", 0, 0)
        if token == self.token and generation == self.generation:
            self.doc_count = doc_count
            return
        with self._lock:
            if token != self.token or generation < self.generation:
                rows = SearchTerm.objects.filter(df__gt=0)
                self.df, self._pinyin, self._initials = {}, {}, {}
            else:
                rows = SearchTerm.objects.filter(changed_gen__gt=self.generation)
            for term, df, py, ini in rows.values_list("term", "df", "pinyin", "initials").iterator(chunk_size=5000):
                if df > 0:
                    self.df[term] = df
                    if py:
                        self._pinyin[term] = py
                        self._initials[term] = ini
                else:
                    self.df.pop(term, None)
                    self._pinyin.pop(term, None)
                    self._initials.pop(term, None)
            self.token, self.generation, self.doc_count = token, generation, doc_count
            self._derived = None

    def _build_derived(self) -> tuple:
        by_pinyin: dict[str, list[str]] = defaultdict(list)
        by_initials: dict[str, list[str]] = defaultdict(list)
        for term, py in self._pinyin.items():
            by_pinyin[py].append(term)
            if len(term) >= 2:
                by_initials[self._initials[term]].append(term)
        for lst in (*by_pinyin.values(), *by_initials.values()):
            lst.sort(key=lambda t: (-self.df.get(t, 0), t))  # the word itself breaks ties: the same on every worker
        by_length: dict[int, list[str]] = defaultdict(list)
        for t in self._pinyin:
            if 2 <= len(t) <= 10:
                by_length[len(t)].append(t)
        return dict(by_pinyin), dict(by_initials), dict(by_length), sorted(by_pinyin)

    @property
    def derived(self) -> tuple:
        d = self._derived
        if d is None:
            d = self._derived = self._build_derived()
        return d

    def words_for_pinyin(self, spelling: str) -> list[str]:
        return self.derived[0].get(spelling, [])

    def words_for_initials(self, initials: str) -> list[str]:
        return self.derived[1].get(initials, [])

    def pinyin_prefix(self, prefix: str, limit: int = 3) -> list[str]:
        import bisect

        keys = self.derived[3]
        i = bisect.bisect_left(keys, prefix)
        words: list[str] = []
        while i < len(keys) and keys[i].startswith(prefix) and len(words) < 50:
            words.extend(self.derived[0][keys[i]])
            i += 1
        words.sort(key=lambda t: (-self.df.get(t, 0), t))
        return words[:limit]

    def fuzzy(self, word: str, extra: Iterable[str] = (), limit: int = 2, cutoff: float = FUZZY_CUTOFF,
              slips_only: bool = False) -> list[str]:
        """Indexed words (and ``extra`` words) within a small edit distance of ``word``; with
        ``slips_only``, only those ``word`` can be a slip of the keys for (``is_slip``)."""
        from rapidfuzz import fuzz, process

        by_length = self.derived[2]
        n = len(word)
        choices = [*by_length.get(n - 1, ()), *by_length.get(n, ()), *by_length.get(n + 1, ()),
                   *(w for w in extra if abs(len(w) - n) <= 1)]
        found = process.extract(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
        found = [f for f in found if f[0] != word and (not slips_only or is_slip(word, f[0]))]
        found.sort(key=lambda x: (-x[1], -self.df.get(x[0], 0), x[0]))
        return list(dict.fromkeys(w for w, _, _ in found))[:limit]


_vocabulary = Vocabulary()


def vocabulary() -> Vocabulary:
    _vocabulary.sync()
    return _vocabulary
