"""Text analysis for search: normalising, jieba with the domain dictionaries, pinyin, synonyms
(no ORM)."""

from __future__ import annotations

import functools
import os
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Query weights: what the citizen typed counts fully; what we inferred counts less.
W_TYPED = 1.0
W_PINYIN = 0.9
W_SYNONYM = 0.85
W_EXPANSION = 0.75
W_SUBWORD = 0.5
W_FUZZY = 0.6
W_INITIALS = 0.8

# 非 in front of a word negates it: 非公司企业法人 are enterprises that are not companies, 非煤矿山 are
# mines that are not coal mines, 民办非企业单位 are not enterprises. The negated word is kept joined to
# it (非公司), so a question about a 公司 or a 煤矿 does not find them, and one that says 非公司 does.
NEGATING_PREFIX = "非"

# How many characters of the neighbouring word a lone character is joined with (see Analyzer.orphan_words).
ORPHAN_REACH = 4

# The CJK ideograph ranges (a regex character class body).
CJK_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(rf"^[{CJK_CLASS}]+$")
# Chinese with letters or digits in it (x光机, 4s店, 满60岁): jieba keeps such a dictionary word whole
# (its text blocks hold letters and digits), where it would otherwise cut x/光机 and lose the x.
_MIXED_RE = re.compile(rf"^(?=.*[{CJK_CLASS}])[{CJK_CLASS}a-z0-9]+$")


def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), lower case, trimmed."""
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def is_cjk(word: str) -> bool:
    return bool(_CJK_RE.match(word))


def is_dictionary_word(word: str) -> bool:
    """Whether a lexicon word joins jieba's dictionary: two characters or more, Chinese, or Chinese
    with lower-case letters or digits (x光机, 4s店, 满60岁)."""
    return len(word) > 1 and bool(_MIXED_RE.match(word))


def pinyin_of(word: str) -> tuple[str, str]:
    """(full pinyin, initials) of a Chinese word, without tones: 公积金 → (gongjijin, gjj)."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(word, errors="ignore")
    if len(syllables) != len(word):  # a character pypinyin does not know: no reliable spelling
        return "", ""
    full = "".join(syllables)
    initials = "".join(s[0] for s in lazy_pinyin(word, style=Style.FIRST_LETTER, errors="ignore") if s)
    return full, initials


@functools.lru_cache(maxsize=8192)
def initial_and_final(ch: str) -> tuple[str, str]:
    """(声母, 韵母) of one character without tone, "" where it has none or pypinyin does not know it:
    障 → (zh, ang), 爱 → ("", ai)."""
    from pypinyin import Style, lazy_pinyin

    initial = lazy_pinyin(ch, style=Style.INITIALS, strict=False, errors="ignore")
    final = lazy_pinyin(ch, style=Style.FINALS, strict=False, errors="ignore")
    return (initial[0] if initial else ""), (final[0] if final else "")



@dataclass(frozen=True)
class SynonymRule:
    """One line of synonyms.txt. ``sources`` expand to ``targets``; a two-way rule has both equal."""

    sources: frozenset[str]
    targets: tuple[str, ...]
    context: frozenset[str] = frozenset()
    two_way: bool = False

    @property
    def words(self) -> tuple[str, ...]:
        """The words the analyzer adds to the segmentation dictionary: sources and targets (a
        context word only has to be found, it is not added)."""
        return tuple(dict.fromkeys((*sorted(self.sources), *self.targets)))


def _read_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def parse_synonyms(lines: Iterable[str]) -> list[SynonymRule]:
    """Parse the synonyms file format (see the header of data/synonyms.txt)."""
    rules: list[SynonymRule] = []
    for line in lines:
        parts = line.split()
        body = parts[-1]
        context = frozenset(normalise(w) for c in parts[:-1] for w in c.split("|") if w)
        if ">" in body:
            left, right = body.split(">", 1)
            sources = [normalise(w) for w in re.split(r"[=,，]", left) if w]
            targets = [normalise(w) for w in re.split(r"[=,，]", right) if w]
            if sources and targets:
                rules.append(SynonymRule(frozenset(sources), tuple(targets), context, False))
        else:
            words = [normalise(w) for w in body.split("=") if w]
            if len(words) > 1:
                rules.append(SynonymRule(frozenset(words), tuple(words), context, True))
    return rules


_numbered: dict[str, tuple[float, list[tuple[int, str, SynonymRule]]]] = {}


def numbered_file_rules(path: Path | None = None) -> list[tuple[int, str, SynonymRule]]:
    """Each rule of a synonyms file (data/synonyms.txt by default) with its 1-based line number and
    the line as written: the workbench names the line that already says a new rule. Parsed once per
    process and again only when the file changes."""
    path = path or DATA_DIR / "synonyms.txt"
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return []
    kept = _numbered.get(str(path))
    if kept is None or kept[0] != mtime:
        out = []
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = raw.strip()
            if line and not line.startswith("#"):
                out.extend((number, line, rule) for rule in parse_synonyms([line]))
        kept = _numbered[str(path)] = (mtime, out)
    return kept[1]


@functools.cache
def variant_words() -> frozenset[str]:
    """The operation words of data/search/variantwords.txt (注销, 变更, 补办 …): an item whose name
    has one the question does not ask for is a variant of its plain sibling."""
    words: set[str] = set()
    for line in _read_lines(DATA_DIR / "search" / "variantwords.txt"):
        words.update(normalise(w) for w in line.split("#", 1)[0].split() if w)
    return frozenset(words)


# The words of variantwords.txt that name a kind of service about a thing (its 投诉, its 政策), not
# something done to it: a word whose rules lead to them is no operation (Analyzer.is_operation_phrase).
KINDS_OF_SERVICE = frozenset({"投诉", "指引", "政策", "咨询", "查询"})

# jieba's part-of-speech tags of words that are not things: verbs, adverbs, adjectives, time words.
ACTION_TAGS = frozenset({"v", "vd", "vi", "vg", "a", "ad", "d", "t"})
PLACE_TAG = "ns"  # jieba's tag of a place name (成都, 重庆)


@functools.lru_cache(maxsize=1)
def dictionary_tags() -> dict[str, frozenset[str]]:
    """jieba's dictionary words by the part-of-speech tags the search reads (ACTION_TAGS, PLACE_TAG),
    normalised; one read of its dict.txt per process (about 0.2 s, in warm-up)."""
    import jieba

    wanted = ACTION_TAGS | {PLACE_TAG}
    found: dict[str, set[str]] = defaultdict(set)
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[2] in wanted:
                    found[parts[2]].add(normalise(parts[0]))
    return {tag: frozenset(words) for tag, words in found.items()}


class Analyzer:
    """Segmentation, stop words and synonyms. One per process (:func:`analyzer`), thread-safe."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.stopwords = frozenset(normalise(w) for w in _read_lines(data_dir / "search" / "stopwords.txt"))
        self.splitwords = [normalise(w) for w in _read_lines(data_dir / "search" / "splitwords.txt")]
        self.userwords: list[tuple[str, int | None]] = []
        for line in _read_lines(data_dir / "search" / "userdict.txt"):
            word, _, freq = line.partition(" ")
            self.userwords.append((normalise(word), int(freq) if freq.strip().isdigit() else None))
        self.file_rules = [r for _, _, r in numbered_file_rules(data_dir / "synonyms.txt")]
        self.extra_rules: list[SynonymRule] = []
        self.lexicon_version = ""  # which set of extra rules (the 搜索词库 in the database) is loaded
        self._added_words: set[str] = set()
        self._tokenizer = None
        self._action_words: frozenset[str] | None = None
        self._cache: dict[str, tuple[tuple[str, ...], int]] = {}
        self._lock = threading.Lock()
        self._index_rules()

    def _index_rules(self) -> None:
        rules = [*self.file_rules, *self.extra_rules]
        # A one-way rule (A>B) applies to the words A is a synonym of (a two-way line without
        # context, A=A2): with 搬家=换地址 and 换地址>变更, 搬家 finds 变更 too. One step only.
        same: dict[str, set[str]] = defaultdict(set)
        for rule in rules:
            if rule.two_way and not rule.context:
                for w in rule.sources:
                    same[w] |= rule.sources
        by_word: dict[str, list[SynonymRule]] = defaultdict(list)
        for rule in rules:
            words = set(rule.sources)
            if not rule.two_way:
                for w in rule.sources:
                    words |= same.get(w, set())
            for w in sorted(words):  # sorted: the same order in every process (str hashes differ)
                by_word[w].append(rule)
        self.rules, self.rules_by_word = rules, by_word
        self._operation_phrases: dict[str, bool] = {}
        self._rule_pinyin: dict[str, list[str]] | None = None
        # Words with letters or digits (x光机) join the dictionary and are read as one run even when
        # only a context: otherwise the question is read x / 光机 and loses the thing it is about.
        mixed = {w for r in rules for w in r.context if is_dictionary_word(w) and not is_cjk(w)}
        self.synonym_words = frozenset(w for r in rules for w in r.words) | mixed
        # A context of two characters or more is met wherever the question holds it, though the
        # dictionary cuts it apart (经营许可证 is 经营/许可证): a rule must not depend on a cut.
        self.long_contexts = frozenset(w for r in rules for w in r.context if len(w) > 1)
        mixed |= {w for w in (*self.synonym_words, *(w for w, _ in self.userwords))
                  if is_dictionary_word(w) and not is_cjk(w)}
        # A question is read in runs of Chinese, of letters and of digits; such a word is one run.
        self.runs = re.compile("|".join([*(re.escape(w) for w in sorted(mixed, key=lambda w: (-len(w), w))),
                                         rf"[{CJK_CLASS}]+", "[a-z]+", "[0-9]+"]))

    def set_extra_rules(self, rules: list[SynonymRule], version: str) -> None:
        """Synonym rules besides the file's (the 搜索词库 kept in the database), replacing the
        previous extra rules; their new words join jieba's dictionary, words no longer in any rule
        or dictionary leave it. Cached analyses are dropped (segmentation may have changed)."""
        with self._lock:
            before = self.synonym_words
            self.extra_rules = list(rules)
            self._index_rules()
            tk = self._tokenizer
            if tk is not None:
                for word in sorted(self.synonym_words - before):
                    if is_dictionary_word(word) and tk.FREQ.get(word, 0) <= 0:
                        tk.add_word(word, freq=500)
                        self._added_words.add(word)
                for word in sorted((before - self.synonym_words) & self._added_words):
                    tk.del_word(word)  # only words this method added: jieba's own words stay
                    self._added_words.discard(word)
            self._cache = {}
            self.lexicon_version = version

    # -- jieba ---------------------------------------------------------------------------------
    @property
    def tokenizer(self):
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self._tokenizer = self._build_tokenizer()
        return self._tokenizer

    def _build_tokenizer(self):
        import logging

        import jieba

        # jieba's import sets its logger to DEBUG with a handler of its own (plain lines among the
        # JSON ones of ZHENGWU_LOG_FORMAT=json); warnings only, as hotline.text does.
        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        tk.initialize()
        known = {w for w, _ in self.userwords}
        for word, freq in self.userwords:
            if len(word) > 1:
                tk.add_word(word, freq=freq or 1000)
        file_words = {w for r in self.file_rules for w in r.words}
        # A word jieba already knows as common (个人, 公司) keeps its frequency: lowered to the
        # lexicon's 500 it would be cut apart in every name that holds it (维护/个/人).
        for word in sorted(file_words - known):
            if is_dictionary_word(word) and tk.FREQ.get(word, 0) < 500:
                tk.add_word(word, freq=500)
        for word in self.splitwords:
            tk.del_word(word)
        # The database rules' words (set_extra_rules removes them again when no rule uses them).
        for word in sorted(self.synonym_words - file_words - known):
            if is_dictionary_word(word) and tk.FREQ.get(word, 0) <= 0:
                tk.add_word(word, freq=500)
                self._added_words.add(word)
        pinyin_of("预热")  # pypinyin loads its phrase dictionaries on first use (slowly): do it here
        return tk

    @property
    def action_words(self) -> frozenset[str]:
        """Words jieba's dictionary tags as a verb, adverb, adjective or time word (封存, 开通, 重新,
        过期): in a question they say what is done or what happened, not which thing it is about."""
        if self._action_words is None:
            tags = dictionary_tags()
            self._action_words = frozenset().union(*(tags.get(t, ()) for t in ACTION_TAGS))
        return self._action_words

    def is_operation_phrase(self, word: str) -> bool:
        """A word of the lexicon that says what is done or happened, not which thing (不干了, 撤掉,
        换负责人): jieba's dictionary does not know it, so its tag cannot tell; its rules can. At least
        half the words its context-free rules lead to hold an operation of variantwords.txt (注销,
        变更, 补办 …; not the kinds of service, KINDS_OF_SERVICE: 科技型企业 → 政策 is a thing)."""
        known = self._operation_phrases.get(word)
        if known is None:
            targets = {t for r in self.rules_by_word.get(word, ()) if not r.context for t in r.targets} - {word}
            ops = variant_words() - KINDS_OF_SERVICE
            hits = sum(1 for t in targets if any(op in t for op in ops))
            known = self._operation_phrases[word] = bool(targets) and hits * 2 >= len(targets)
        return known

    def rule_words_for_pinyin(self, spelling: str) -> list[str]:
        """The lexicon's words spelt ``spelling`` (掉了 for diaole): a typo of a citizen's word (掉乐)
        is repaired as one of an indexed word is (Vocabulary.words_for_pinyin). Built on first use
        (a third of a second; search.warm_up does it) and again after the rules change."""
        by_pinyin = self._rule_pinyin
        if by_pinyin is None:
            by_pinyin = defaultdict(list)
            for word in sorted(self.rules_by_word):
                if len(word) > 1 and is_cjk(word):
                    full, _ = pinyin_of(word)
                    if full:
                        by_pinyin[full].append(word)
            self._rule_pinyin = by_pinyin = dict(by_pinyin)
        return by_pinyin.get(spelling, [])

    def is_word(self, text: str) -> bool:
        return self.tokenizer.FREQ.get(text, 0) > 0

    def cut(self, text: str) -> list[str]:
        """Precise segmentation of normalised text, punctuation and spaces dropped."""
        out = []
        for tok in self.tokenizer.cut(text, HMM=True):
            tok = tok.strip()
            if tok and (tok.isalnum()):
                if out and out[-1] == NEGATING_PREFIX and is_cjk(tok):
                    out[-1] += tok  # 非 + 公司 → 非公司 (see NEGATING_PREFIX)
                else:
                    out.append(tok)
        return out

    def subwords(self, word: str) -> list[str]:
        """Dictionary words inside a longer word (机动车驾驶证 → 机动车, 驾驶证, 驾驶 …)."""
        n = len(word)
        if n < 3 or not is_cjk(word) or n > 16:
            return []
        freq = self.tokenizer.FREQ
        found = []
        for size in range(n - 1, 1, -1):
            for i in range(0, n - size + 1):
                s = word[i:i + size]
                if i and word[i - 1] == NEGATING_PREFIX:
                    continue  # what 非 negates is not in the word: no 公司 in 非公司…, no 企业 in 民办非企业单位
                if freq.get(s, 0) > 0 and s not in self.stopwords:
                    found.append(s)
        return found

    def orphan_words(self, tokens: list[str], i: int) -> list[str]:
        """The dictionary words a single character ``tokens[i]`` makes with the end of the word
        before it or the start of the word after it. A longer word of the lexicon can leave a
        character behind and take a word with it: 经营许可 cuts 网约车经营许可证 as 经营许可/证 (no
        许可证), 公司设立登记 cuts 分公司设立登记 as 分/公司设立登记 (no 分公司). The index gets
        those words back (许可证, 分公司), so the lexicon adds words to a name and takes none away."""
        ch, freq, found = tokens[i], self.tokenizer.FREQ, []
        if i > 0 and is_cjk(tokens[i - 1]):
            prev = tokens[i - 1]
            found += [prev[-k:] + ch for k in range(1, min(ORPHAN_REACH, len(prev)) + 1)]
        if i + 1 < len(tokens) and is_cjk(tokens[i + 1]):
            nxt = tokens[i + 1]
            found += [ch + nxt[:k] for k in range(1, min(ORPHAN_REACH, len(nxt)) + 1)]
        return [w for w in found if freq.get(w, 0) > 0 and w not in self.stopwords
                and w not in self.splitwords and not w.startswith(NEGATING_PREFIX)]

    def analyse(self, text: str) -> tuple[tuple[str, ...], int]:
        """The terms a text contributes to the index — words and their sub-words, with repeats
        (term frequency); no stop words, no single Chinese characters — and its length in words.

        Cached per text: a catalogue repeats itself (the same 基本目录 names, materials and
        conditions in every region), and segmentation is most of the cost of indexing.
        """
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        out: list[str] = []
        length = 0
        tokens = self.cut(normalise(text))
        for i, tok in enumerate(tokens):
            if tok in self.stopwords:
                continue
            length += 1
            if is_cjk(tok):
                # Single characters carry meaning only where the synonyms give them one (开, 取).
                if len(tok) > 1 or tok in self.rules_by_word:
                    out.append(tok)
                if len(tok) == 1:
                    out.extend(self.orphan_words(tokens, i))
                out.extend(self.subwords(tok))
            elif len(tok) > 1 or tok.isdigit():
                out.append(tok)
        result = (tuple(out), length)
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[text] = result
        return result

    def index_words(self, text: str) -> list[str]:
        return list(self.analyse(text)[0])

    # -- synonyms ------------------------------------------------------------------------------
    def expansions(self, word: str, context: set[str]) -> dict[str, float]:
        """Synonyms of ``word`` that apply given the query's other words, with their weights."""
        out: dict[str, float] = {}
        for rule in self.rules_by_word.get(word, ()):
            if rule.context and not (rule.context & context):
                continue
            weight = W_SYNONYM if rule.two_way else W_EXPANSION
            for t in rule.targets:
                if t != word and out.get(t, 0) < weight:
                    out[t] = weight
        return out


_analyzer: Analyzer | None = None
_analyzer_lock = threading.Lock()


# Brings the analyzer's extra synonym rules up to date (registered by the catalogue app, which
# reads them from the database; this module stays free of the ORM). Called on every analyzer().
_rule_source: Callable[[Analyzer], None] | None = None


def set_rule_source(source: Callable[[Analyzer], None] | None) -> None:
    global _rule_source
    _rule_source = source


def analyzer() -> Analyzer:
    global _analyzer
    if _analyzer is None:
        with _analyzer_lock:
            if _analyzer is None:
                _analyzer = Analyzer()
    if _rule_source is not None:
        _rule_source(_analyzer)
    return _analyzer
