"""Understanding a query: words, concepts, pinyin and typo repair (:func:`parse_query`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .analysis import (
    W_FUZZY,
    W_INITIALS,
    W_PINYIN,
    W_SUBWORD,
    W_TYPED,
    Analyzer,
    analyzer,
    is_cjk,
    normalise,
    pinyin_of,
    variant_words,
)
from .places import elsewhere_terms
from .vocabulary import Vocabulary, vocabulary

MAX_QUERY_CHARS = 100
W_CROSS = 0.85  # a synonym word found across jieba's cut
LONG_PHRASE = 5  # characters
W_LONG_PART = 0.7
MIN_EXPANDED = W_FUZZY  # terms weaker than this (sub-words) get no synonyms
# An unknown word opening with a negation (不办, 没领) says "not …": it is no typo of a word that
# sounds alike (不办 is not 补办), so it gets no pinyin or fuzzy repair.
NEGATIONS = ("不", "没", "未", "别")

_CODE_RE = re.compile(r"^[0-9A-Za-z]{10,}$")


@dataclass
class Concept:
    """One part of the question (a word the citizen typed) and the terms that can satisfy it."""

    label: str
    terms: dict[str, float] = field(default_factory=dict)
    # Terms that are only a part of a long synonym (医保 → 基本医疗保险 → 基本, 医疗, 保险), each with
    # the other parts of that synonym: such a part answers the concept only next to one of them.
    parts: dict[str, list[frozenset[str]]] = field(default_factory=dict)
    # Terms a place name stands for (成都 → 外地, 外省: places.elsewhere_terms); they take only the
    # lexicon's rules that need no context.
    placed: set[str] = field(default_factory=set)

    def add(self, term: str, weight: float) -> None:
        if term and self.terms.get(term, 0) < weight:
            self.terms[term] = weight

    def add_part(self, term: str, weight: float, siblings: frozenset[str]) -> None:
        """A part of a long synonym; it stays a part unless a stronger route to it is added."""
        if not term or not siblings:
            self.add(term, weight)
            return
        if self.terms.get(term, 0) < weight or term in self.parts:
            self.parts.setdefault(term, []).append(siblings)
        self.add(term, weight)

    def settle_parts(self, part_weights: dict[str, float]) -> None:
        """Forget part status for terms some other route gave more weight."""
        for term in [t for t in self.parts if self.terms.get(t, 0) > part_weights.get(t, 0) + 1e-9]:
            del self.parts[term]


@dataclass
class ParsedQuery:
    text: str
    concepts: list[Concept]
    code: str | None = None  # the query looks like an item code

    @property
    def terms(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for c in self.concepts:
            for t, w in c.terms.items():
                if out.get(t, 0) < w:
                    out[t] = w
        return out

    @property
    def highlight_words(self) -> list[str]:
        """Chinese words worth highlighting in a result (longest first)."""
        words = {t for t in self.terms if is_cjk(t) and len(t) > 1}
        return sorted(words, key=lambda w: (-len(w), w))


def _resolve_letters(run: str, vocab: Vocabulary) -> list[Concept]:
    """Letters typed as pinyin: full spelling, initials, a run of spellings, or a prefix."""
    words = vocab.words_for_pinyin(run)
    if words:
        c = Concept(run)
        for w in words[:3]:
            c.add(w, W_PINYIN)
        return [c]
    words = vocab.words_for_initials(run)
    if words and len(run) >= 2:
        c = Concept(run)
        for w in words[:3]:
            c.add(w, W_INITIALS)
        return [c]
    # A run of full spellings (gongjijintiqu): the segmentation with the fewest pieces.
    by_pinyin = vocab.derived[0]
    n = len(run)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(min(n, i + 30), i + 1, -1):
            piece = run[i:j]
            if piece in by_pinyin and (best[j] is None or len(best[j]) > len(best[i]) + 1):
                best[j] = [*best[i], piece]
    if best[n] and len(best[n]) > 1:
        concepts = []
        for piece in best[n]:
            c = Concept(piece)
            for w in by_pinyin[piece][:3]:
                c.add(w, W_PINYIN)
            concepts.append(c)
        return concepts
    if len(run) >= 3:
        words = vocab.pinyin_prefix(run)
        if words:
            c = Concept(run)
            for w in words:
                c.add(w, W_FUZZY)
            return [c]
    c = Concept(run)
    c.add(run, W_TYPED)
    if len(run) >= 4:
        from rapidfuzz import fuzz, process

        found = process.extract(run, list(by_pinyin), scorer=fuzz.ratio, score_cutoff=80, limit=2)
        for spelling, _, _ in found:
            for w in by_pinyin[spelling][:2]:
                c.add(w, W_FUZZY)
    return [c]


def _words_for_pinyin(spelling: str, vocab: Vocabulary, an: Analyzer) -> list[str]:
    """Indexed words spelt so (by how many documents hold them), then the lexicon's."""
    if not spelling:
        return []
    words = vocab.words_for_pinyin(spelling)
    return [*words, *(w for w in an.rule_words_for_pinyin(spelling) if w not in words)]


def _known(word: str, vocab: Vocabulary, an: Analyzer) -> bool:
    return word in vocab.df or word in an.rules_by_word


def _has_known_part(word: str, vocab: Vocabulary, an: Analyzer) -> bool:
    """An unknown word made of known ones (宠物狗 → 宠物) is kept rather than fuzzily replaced."""
    return any(_known(sub, vocab, an) for sub in an.subwords(word))


def _repair_runs(tokens: list[str], vocab: Vocabulary, an: Analyzer) -> list[str | Concept]:
    """Join adjacent pieces back into a word when one of them is unknown and the join is known —
    by its characters, by its sound (驾/使证 → 驾使证 → jiashizheng → 驾驶证) or, for a long
    join, within one wrong character (最低生活保证 → 最低生活保障)."""
    out: list[str | Concept] = []
    i = 0
    while i < len(tokens):
        found = None
        for attempt in ("exact", "fuzzy"):
            for size in (4, 3, 2):
                window = tokens[i:i + size]
                if len(window) < size or all(_known(t, vocab, an) for t in window):
                    continue
                joined = "".join(window)
                if len(joined) > 8 or not is_cjk(joined):
                    continue
                if attempt == "exact":
                    if _known(joined, vocab, an):
                        found = (size, [joined])
                        break
                    spelling, _ = pinyin_of(joined)
                    words, weight = _words_for_pinyin(spelling, vocab, an), W_PINYIN
                elif (len(joined) >= 4 and any(len(t) > 1 for t in window if not _known(t, vocab, an))
                      and not any(_has_known_part(t, vocab, an) for t in window if not _known(t, vocab, an))):
                    # An unknown single character (换, 挂, 销: a verb the index has no word for) is
                    # no typo: it must not glue 身份证|过期|换 into a near word and lose 过期.
                    words, weight = vocab.fuzzy(joined, limit=2, cutoff=79, slips_only=True), W_FUZZY
                else:
                    continue
                if words:
                    c = Concept(joined)
                    for w in words[:3]:
                        c.add(w, weight)
                    found = (size, _split_repair(c, words[0], weight, vocab, an))
                    break
            if found:
                break
        if found:
            out.extend(found[1])
            i += found[0]
        else:
            out.append(tokens[i])
            i += 1
    return out


def _glued_stopword(word: str, an: Analyzer) -> bool:
    """An unknown word that opens or ends with a stop word (改个, 司想) is two words jieba joined,
    not one misspelt: it is not repaired by its sound (改个 is no 改革, 盖个); _respell may still
    respell what follows the stop character (个功|墓 → 个 公墓)."""
    return len(word) > 1 and (word[0] in an.stopwords or word[-1] in an.stopwords)


RESPELL_SPAN = 6  # characters: the longest stretch respelt around an unknown word


def _respell(run: str, vocab: Vocabulary, an: Analyzer) -> tuple[str, list[str]]:
    """The run with each stretch that holds an unknown word (no dictionary has it: jieba made it up
    from a typo) and sounds like a known one written as that word. A typo cuts the text in odd
    places (社抱|卡上 is 社保卡 上, 银性|卡 is 银行卡), so the stretch is looked for by characters
    across jieba's cut, the longest that sounds right. A known word is never cut into. Returns the
    run and its segmentation (cut again only when something was respelt)."""
    tokens = an.cut(run)
    pos = 0
    inside: set[int] = set()  # offsets strictly inside a known word
    in_words: set[int] = set()  # offsets of words jieba's dictionary has (自己, 锅炉工)
    unknown: list[tuple[int, int, bool]] = []  # (start, end, glued to a stop character)
    for t in tokens:
        if len(t) > 1 and an.is_word(t):
            in_words.update(range(pos, pos + len(t)))
        if len(t) > 1 and _known(t, vocab, an):
            inside.update(range(pos + 1, pos + len(t)))
        elif len(t) > 1 and is_cjk(t) and not an.is_word(t) and not _known(t, vocab, an) and not t.startswith(NEGATIONS):
            # A word no dictionary knows: jieba's guess at a typo. Glued to a stop character (个功 of
            # 建个功墓), the rest is respelt together with what follows it, never with the stop
            # character or a dictionary word: 个功墓 is 个公墓, 改个 stays (no 改革), 想考锅炉工 stays.
            if not _glued_stopword(t, an):
                unknown.append((pos, pos + len(t), False))
            else:
                rest = [k for k in range(pos, pos + len(t)) if t[k - pos] not in an.stopwords]
                if rest and rest == list(range(rest[0], rest[-1] + 1)):
                    unknown.append((rest[0], rest[-1] + 1, True))
        pos += len(t)
    fixes: list[tuple[int, int, str]] = []
    for u0, u1, glued in unknown:
        if fixes and u0 < fixes[-1][1]:
            continue
        best = None
        starts = [u0] if glued else range(max(u0 - 2, fixes[-1][1] if fixes else 0), u1)
        for a in starts:
            for b in range(max(a + 2, u0 + 1), min(len(run), a + RESPELL_SPAN) + 1):
                if a in inside or b in inside or (best and b - a <= best[1] - best[0]):
                    continue
                if glued and (any(k in in_words for k in range(a, b)) or any(run[k] in an.stopwords for k in range(a, b))):
                    continue
                stretch = run[a:b]
                if not is_cjk(stretch) or _known(stretch, vocab, an) or an.is_word(stretch):
                    continue
                spelling, _ = pinyin_of(stretch)
                words = [w for w in _words_for_pinyin(spelling, vocab, an) if len(w) == len(stretch)]
                if words:
                    best = (a, b, words[0])
        if best:
            fixes.append(best)
    if not fixes:
        return run, tokens
    for a, b, word in reversed(fixes):
        run = run[:a] + word + run[b:]
    return run, an.cut(run)


def _split_repair(c: Concept, word: str, weight: float, vocab: Vocabulary, an: Analyzer) -> list[Concept]:
    """A repair that spans words (社保卡|丢|乐 → 社保卡丢了) stands for each of them, as if typed
    right (社保卡, 丢了: each with its own synonyms), the whole word kept with the first."""
    parts = an.cut(word)
    if len(parts) < 2 or not all(len(p) > 1 and _known(p, vocab, an) for p in parts):
        return [c]
    concepts = [Concept(p, {p: weight}) for p in parts]
    for t, w in c.terms.items():
        concepts[0].add(t, w)
    return concepts


def _cross_words(run: str, tokens: list[str], concepts: list[Concept], vocab: Vocabulary, an: Analyzer) -> None:
    """Synonym words that jieba cut across (汽车|租赁备案 hides 汽车租赁; 第|一次办 hides 第一次) or
    that sit inside a word the index does not know (宠物狗 → 宠物): each joins the concept where it
    starts, as if typed, so that its synonyms apply too."""
    bounds, pos = set(), 0
    unknown_spans = []
    for t in tokens:
        if len(t) > 2 and not _known(t, vocab, an):
            unknown_spans.append((pos, pos + len(t)))
        pos += len(t)
        bounds.add(pos)
    spans, pos = [], 0
    for c in concepts:
        at = run.find(c.label, pos)
        if at >= 0:
            spans.append((at, at + len(c.label), c))
            pos = at + len(c.label)
    if not spans:
        return
    n = len(run)
    for a in range(n - 1):
        for b in range(a + 2, min(n, a + 8) + 1):
            word = run[a:b]
            if not any(a < k < b for k in bounds) and not any(a >= s0 and b <= e0 and (b - a) < (e0 - s0)
                                                            for s0, e0 in unknown_spans):
                continue
            if word not in an.rules_by_word:
                continue
            for start, end, c in spans:
                if start <= a < end or (a < start < b):
                    c.add(word, W_CROSS)
                    break


def object_word(label: str, an: Analyzer | None = None) -> bool:
    """A word naming a thing (身份证, 营业执照, 社保卡), not an operation or a situation (丢了, 过期,
    注销, 封存, 开通): Chinese, two characters at least, holding no operation word of
    data/search/variantwords.txt, not a verb, adverb, adjective or time word to jieba, and not a
    lexicon phrase whose rules lead mostly to operations (不干了, 撤掉: Analyzer.is_operation_phrase)."""
    if len(label) < 2 or not is_cjk(label) or any(op in label for op in variant_words()):
        return False
    an = an or analyzer()
    return label not in an.action_words and not an.is_operation_phrase(label)


def parse_query(q: str, vocab: Vocabulary | None = None, region: str | None = None) -> ParsedQuery:
    """Turn what the citizen typed into concepts and weighted terms (see the module docstring).
    ``region``: where the search is (a region code or its leading digits): a place the question
    names elsewhere stands for 外地 / 外省 too (places.py)."""
    an = analyzer()
    vocab = vocab if vocab is not None else vocabulary()
    text = normalise(q)[:MAX_QUERY_CHARS]
    compact = re.sub(r"[\s-]+", "", text)
    if _CODE_RE.match(compact) and any(ch.isdigit() for ch in compact) and sum(ch.isdigit() for ch in compact) >= 8:
        return ParsedQuery(text, [], code=compact.upper())
    concepts: list[Concept] = []
    leftovers: list[Concept] = []  # single unknown characters: a question only when nothing else is
    for run in an.runs.findall(text):
        if run.isdigit():
            c = Concept(run)
            c.add(run, W_TYPED)
            concepts.append(c)
        elif run.isascii():
            concepts.extend(_resolve_letters(run, vocab))
        else:
            first = len(concepts)
            run, all_tokens = _respell(run, vocab, an)
            tokens = [t for t in all_tokens if t not in an.stopwords]
            for piece in _repair_runs(tokens, vocab, an):
                if isinstance(piece, Concept):
                    for word, weight in list(piece.terms.items()):
                        for sub in an.subwords(word):
                            piece.add(sub, round(weight * W_SUBWORD, 4))
                    concepts.append(piece)
                    continue
                c = Concept(piece)
                if len(piece) > 1 or piece in an.rules_by_word:
                    c.add(piece, W_TYPED)
                # A long phrase some catalogue keeps as a keyword (第一次办身份证) is, in another
                # catalogue, its words: they weigh enough to bring their own synonyms.
                sub_weight = W_LONG_PART if len(piece) >= LONG_PHRASE else W_SUBWORD
                for sub in an.subwords(piece):
                    c.add(sub, sub_weight)
                if len(piece) > 1 and not _known(piece, vocab, an) and not piece.startswith(NEGATIONS) \
                        and not _glued_stopword(piece, an):
                    spelling, _ = pinyin_of(piece)
                    for w in _words_for_pinyin(spelling, vocab, an)[:3]:
                        c.add(w, W_PINYIN)
                    if len(c.terms) <= 1 + len(an.subwords(piece)):
                        for w in vocab.fuzzy(piece, extra=an.rules_by_word):
                            c.add(w, W_FUZZY)
                if c.terms or (is_cjk(piece) and len(piece) > 1):  # still looked for by its characters
                    concepts.append(c)
                elif is_cjk(piece):
                    leftovers.append(c)
            _cross_words(run, all_tokens, concepts[first:], vocab, an)
    if not concepts:
        concepts = leftovers
    # 成都 is also 外地 (and 外省) when the search is elsewhere; those words take only the lexicon's
    # rules that need no context: "转到重庆去读书" leaves, it is no 随迁子女 coming here.
    for c in concepts:
        for term, weight in elsewhere_terms(c.label, region).items():
            if term not in c.terms:
                c.add(term, weight)
                c.placed.add(term)
    # Synonyms, with the whole question as context ("公积金 取>提取" needs 公积金 somewhere).
    context = {t for c in concepts for t in c.terms} | {c.label for c in concepts}
    context |= {w for w in an.long_contexts if w in compact}
    operations = variant_words()
    for c in concepts:
        part_weights: dict[str, float] = {}
        for term, weight in list(c.terms.items()):
            if weight < MIN_EXPANDED:
                continue
            for syn, sw in an.expansions(term, set() if term in c.placed else context).items():
                if syn in operations and object_word(c.label, an):
                    sw *= W_SUBWORD  # an object (身份证) satisfied by an operation alone (换领) is not the object
                c.add(syn, round(weight * sw, 4))
                # A long official phrase is written differently in each catalogue (医疗机构执业登记 /
                # 医疗机构执业审批): its parts count too, at a sub-word's weight — each only next to
                # another part of the phrase (基本 and 保险 of 基本医疗保险 are no 医保 alone).
                if len(syn) >= 4:
                    subs = an.subwords(syn)
                    for sub in subs:
                        pw = round(weight * sw * W_SUBWORD, 4)
                        part_weights[sub] = max(part_weights.get(sub, 0), pw)
                        c.add_part(sub, pw, frozenset(x for x in subs if x != sub))
        c.settle_parts(part_weights)
    # Merge duplicate concepts (the same word typed twice counts once).
    merged: dict[str, Concept] = {}
    for c in concepts:
        key = c.label
        if key in merged:
            for t, w in c.terms.items():
                merged[key].add(t, w)
            for t in [t for t in merged[key].parts if t in c.terms and t not in c.parts]:
                del merged[key].parts[t]  # the other copy reaches it whole
            for t, groups in c.parts.items():
                if t in merged[key].parts:
                    merged[key].parts[t].extend(groups)
        else:
            merged[key] = c
    return ParsedQuery(text, list(merged.values()))
