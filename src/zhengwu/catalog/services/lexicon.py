"""搜索词库: the write path of the synonym rules 事项管理员 keep in the database.

Every write checks the rule (:func:`zhengwu.catalog.lexicon_rules.clean_rule`), writes the row and
an audit event, renews the lexicon version, and bumps the search index generation in the same
transaction — so that every process's analyzer reloads the rules on its next search and no cached
ranking or page made with the old rules is served again (ADR 10: rankings are cached under the
index generation, public pages under the overview generation, bumped after the commit).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from zhengwu.core import audit
from zhengwu.org.permissions import is_sysadmin, roles_of

from ..lexicon_rules import RuleError, clean_rule, covers, cuts_across, swallows_an_object
from ..models import SearchIndexState, SearchLexiconState, SearchSynonym

AUDIT_TYPE = "catalog.search_synonym"
MAX_NOTE_CHARS = 200
EDITOR_ROLES = frozenset({"item_admin"})


def can_edit(actor) -> bool:
    return bool(actor and actor.is_authenticated and (roles_of(actor) & EDITOR_ROLES or is_sysadmin(actor)))


def _require(actor) -> None:
    if not can_edit(actor):
        raise PermissionDenied("您没有维护搜索词库的权限：仅事项管理员可以操作")


def _checked(rule: str, note: str) -> tuple[str, str]:
    try:
        text, _ = clean_rule(rule)
    except RuleError as exc:
        raise ValidationError({"rule": [str(exc)]}) from None
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationError({"note": [f"说明：不能超过{MAX_NOTE_CHARS}个字"]})
    return text, note


def lexicon_changed() -> None:
    """Inside the writing transaction: a new lexicon version, a new index generation (rankings
    cached under the old one are not served again) and, after the commit, new public pages."""
    from ..search.index import _overview_changed_on_commit

    updated = SearchLexiconState.objects.filter(pk=1).update(version=uuid.uuid4().hex)
    if not updated:
        SearchLexiconState.objects.update_or_create(pk=1, defaults={"version": uuid.uuid4().hex})
    SearchIndexState.objects.filter(pk=1).update(generation=F("generation") + 1)
    _overview_changed_on_commit()


def words_not_indexed(rule: str) -> list[str]:
    """The words a rule expands to that no indexed document contains: a search cannot find
    anything through them until the catalogue is re-indexed with them in the dictionary
    (``zhengwu reindex-items``) — the page warns the admin. Empty for an invalid rule."""
    from ..models import SearchTerm

    try:
        _, parsed = clean_rule(rule)
    except RuleError:
        return []
    words = [w for w in parsed.targets if w not in parsed.sources or parsed.two_way]
    known = set(SearchTerm.objects.filter(term__in=words, df__gt=0).values_list("term", flat=True))
    return [w for w in words if w not in known]


def covering_rule(rule: str, exclude_pk: int | None = None) -> str:
    """Where an existing rule already says all that ``rule`` says (:func:`covers`): "内置词库第N行
    “…”" for a line of ``data/synonyms.txt``, "词库里的“…”" for an enabled rule kept here (other than
    row ``exclude_pk``, the one being edited); "" when none does, or the rule is invalid. Saving
    such a rule changes no search: the page tells the editor."""
    from ..search.analysis import numbered_file_rules, parse_synonyms

    try:
        _, parsed = clean_rule(rule)
    except RuleError:
        return ""
    for number, line, shipped in numbered_file_rules():
        if covers(shipped, parsed):
            return f"内置词库第{number}行“{line}”"
    kept = SearchSynonym.objects.filter(enabled=True).exclude(pk=exclude_pk).values_list("rule", flat=True)
    for text in kept.iterator():
        if any(covers(r, parsed) for r in parse_synonyms([text])):
            return f"词库里的“{text}”"
    return ""


RECUT_SCAN = 300  # item names and logged questions read per word
RECUT_WORDS = 12  # words of one rule checked


def _new_words(parsed, an) -> list[str]:
    """The words of a rule that saving it would add to the segmentation dictionary (its sources and
    targets, :attr:`SynonymRule.words`, that are not words yet), at most RECUT_WORDS."""
    from ..search.analysis import is_dictionary_word

    return [w for w in parsed.words if is_dictionary_word(w) and not an.is_word(w)][:RECUT_WORDS]


def checks_before_save(rule: str, exclude_pk: int | None = None) -> dict:
    """What the workbench tells the editor about ``rule``, worked out before it is saved (afterwards
    its words are in the dictionary): ``recuts`` (:func:`recut_examples`), ``hidden``
    (:func:`hidden_rule_words`), ``lone`` (:func:`lone_context_characters`), ``covered_by``
    (:func:`covering_rule`, other than row ``exclude_pk``)."""
    return {"recuts": recut_examples(rule), "hidden": hidden_rule_words(rule),
            "lone": lone_context_characters(rule), "covered_by": covering_rule(rule, exclude_pk=exclude_pk)}


def recut_examples(rule: str, per_word: int = 2) -> dict[str, list[tuple[str, str]]]:
    """分词影响: for each word of ``rule`` that is not yet in the segmentation dictionary (a rule's
    sources and targets join it, :attr:`SynonymRule.words`), the published item names and logged questions it could cut in a new
    place or whose thing it would join to what happened to it, with their segmentation today
    (``经营许可/证明``). A word like 经营许可证 turns 经营许可证明 into 经营许可证/明, and 地址变了
    takes 地址 out of 营业执照地址变了: each makes some
    search worse, so the page tells the editor. Call it before the rule is saved (afterwards its
    words are in the dictionary). Empty for an invalid rule and for a rule that re-cuts nothing."""
    from ..models import SearchLog, ServiceItem
    from ..models.items import ItemStatus
    from ..search import analyzer, normalise
    from ..search.query import object_word

    try:
        _, parsed = clean_rule(rule)
    except RuleError:
        return {}
    an = analyzer()
    out: dict[str, list[tuple[str, str]]] = {}
    for word in _new_words(parsed, an):
        names = (ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, name__contains=word)
                 .order_by().values_list("name", flat=True).distinct()[:RECUT_SCAN])
        queries = (SearchLog.objects.filter(query__contains=word).order_by()
                   .values_list("query", flat=True).distinct()[:RECUT_SCAN])
        found = []
        for text in [*names, *queries]:
            tokens = an.cut(normalise(text))
            if cuts_across(tokens, word) or swallows_an_object(tokens, word, lambda t: object_word(t, an)):
                found.append((text, "/".join(tokens)))
                if len(found) >= per_word:
                    break
        if found:
            out[word] = found
    return out


def hidden_rule_words(rule: str, per_word: int = 3) -> dict[str, dict[str, list[str]]]:
    """For each word of ``rule`` not yet in the segmentation dictionary, the lexicon's words it
    would swallow (丢了 in 弄丢了, 改 in 要改, 老板 in 换了老板): once it is a word, a question that holds
    it is cut with it whole, so what those words lead to without context (丢了 → 遗失, 补领 …) no
    longer applies there — unless this rule leads there too. Each with at most ``per_word`` of the
    targets lost. Call it before the rule is saved. Empty for an invalid rule and when nothing is lost."""
    from ..search import analyzer

    try:
        _, parsed = clean_rule(rule)
    except RuleError:
        return {}
    an = analyzer()
    kept = set(parsed.targets)
    out: dict[str, dict[str, list[str]]] = {}
    for word in _new_words(parsed, an):
        lost = {}
        for inner in dict.fromkeys(an.cut(word)):
            if inner == word:
                continue
            targets = [t for t in an.expansions(inner, set()) if t not in kept and t != word]
            if targets:
                lost[inner] = targets[:per_word]
        if lost:
            out[word] = lost
    return out


def lone_context_characters(rule: str) -> dict[str, tuple[int, int]]:
    """The rule's context words of one Chinese character (店, 地) that logged questions seldom cut
    out on their own — such a context applies only when the question has it as a word (a longer one
    wherever the question holds it), and 开饭店 is 开/饭店, with no 店 — each with (questions where it stands alone, logged questions holding it)
    of at most RECUT_SCAN; (0, 0) when no logged question holds it. Those standing alone in at
    least half of them are left out. The page suggests longer words as the context."""
    from ..models import SearchLog
    from ..search import analyzer, is_cjk, normalise

    try:
        _, parsed = clean_rule(rule)
    except RuleError:
        return {}
    an = analyzer()
    out = {}
    for word in sorted(w for w in parsed.context if len(w) == 1 and is_cjk(w)):
        queries = list(SearchLog.objects.filter(query__contains=word).order_by()
                       .values_list("query", flat=True).distinct()[:RECUT_SCAN])
        alone = sum(word in an.cut(normalise(text)) for text in queries)
        if alone * 2 < len(queries) or not queries:
            out[word] = (alone, len(queries))
    return out


def _snapshot(row: SearchSynonym) -> dict:
    return {"rule": row.rule, "enabled": row.enabled, "note": row.note}


def add_rule(actor, *, rule: str, note: str = "", enabled: bool = True) -> SearchSynonym:
    """A new rule; ValidationError naming the field (规则, 说明) when it cannot be saved."""
    _require(actor)
    text, note = _checked(rule, note)
    with transaction.atomic():
        if SearchSynonym.objects.filter(rule=text).exists():
            raise ValidationError({"rule": [f"规则：词库里已有“{text}”"]})
        row = SearchSynonym.objects.create(rule=text, note=note, enabled=bool(enabled), created_by=actor,
                                           updated_by=actor)
        audit.record("catalog.search_synonym.create", actor=actor, obj=row, object_type=AUDIT_TYPE,
                     after=_snapshot(row))
        lexicon_changed()
    return row


def update_rule(actor, pk: int, *, rule: str, note: str = "", enabled: bool = True) -> SearchSynonym:
    _require(actor)
    text, note = _checked(rule, note)
    with transaction.atomic():
        row = SearchSynonym.objects.select_for_update().get(pk=pk)
        if SearchSynonym.objects.filter(rule=text).exclude(pk=pk).exists():
            raise ValidationError({"rule": [f"规则：词库里已有“{text}”"]})
        before = _snapshot(row)
        row.rule, row.note, row.enabled, row.updated_by = text, note, bool(enabled), actor
        row.save()
        audit.record("catalog.search_synonym.edit", actor=actor, obj=row, object_type=AUDIT_TYPE,
                     before=before, after=_snapshot(row))
        lexicon_changed()
    return row


def set_enabled(actor, pk: int, enabled: bool) -> SearchSynonym:
    """停用 / 启用 a rule (rules are never deleted: the audit trail names them)."""
    _require(actor)
    with transaction.atomic():
        row = SearchSynonym.objects.select_for_update().get(pk=pk)
        if row.enabled == bool(enabled):
            return row
        before = _snapshot(row)
        row.enabled, row.updated_by = bool(enabled), actor
        row.save(update_fields=["enabled", "updated_by", "updated_at"])
        audit.record("catalog.search_synonym." + ("enable" if enabled else "disable"), actor=actor, obj=row,
                     object_type=AUDIT_TYPE, before=before, after=_snapshot(row))
        lexicon_changed()
    return row
