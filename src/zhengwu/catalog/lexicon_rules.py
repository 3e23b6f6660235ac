"""Pure rules of the 搜索词库 and the search log (no ORM): checking a synonym rule as typed in the
workbench, masking personal data out of a query before it is stored, proposing a rule."""

from __future__ import annotations

import re

from .search.analysis import CJK_CLASS, SynonymRule, is_cjk, normalise, parse_synonyms

MAX_RULE_CHARS = 200
MAX_WORD_CHARS = 20
MAX_LOGGED_QUERY_CHARS = 100  # search.MAX_QUERY_CHARS: what a search reads of a question

_WORD_RE = re.compile(rf"^[0-9a-z{CJK_CLASS}]+$")
# Six digits or more, possibly grouped by single spaces or hyphens (138 0013 8000, 4101-0519…),
# with an ID number's final check letter: ID numbers, phone numbers, bank cards, case numbers.
_DIGITS_RE = re.compile(r"\d(?:[ \-]?\d){5,}(?:[ \-]?[xX](?![a-zA-Z]))?")


class RuleError(ValueError):
    """A rule that cannot be saved; the message is Chinese and names the field."""


def clean_rule(text: str) -> tuple[str, SynonymRule]:
    """The rule as stored (NFKC, lower case, one space between context and body, ASCII commas)
    and its parsed form; RuleError (Chinese, naming 规则) when it is not a valid rule."""
    raw = normalise(text or "")
    raw = " ".join(raw.split()).replace("，", ",")
    if not raw:
        raise RuleError("规则：不能为空，请按“A=B=C”或“A>B,C”的格式填写")
    if len(raw) > MAX_RULE_CHARS:
        raise RuleError(f"规则：不能超过{MAX_RULE_CHARS}个字")
    if raw.startswith("#"):
        raise RuleError("规则：不能以“#”开头（那是注释）")
    parts = raw.split(" ")
    if len(parts) > 2:
        raise RuleError("规则：最多一个语境和一条规则，用一个空格分开，如“公积金|住房公积金 取>提取”")
    body = parts[-1]
    if body.count(">") > 1:
        raise RuleError("规则：只能有一个“>”")
    if ">" in body and "=" in body.split(">", 1)[1]:
        raise RuleError("规则：“>”右边的词用逗号分隔，不能用“=”")
    if ">" not in body and "," in body:
        raise RuleError("规则：互为同义的词用“=”连接；单向扩展写作“A>B,C”")
    words = [w for w in re.split(r"[=,>| ]", raw) if w]
    for w in words:
        w = w.strip()
        if not _WORD_RE.match(w):
            raise RuleError(f"规则：词“{w}”只能由汉字、字母或数字组成")
        if len(w) > MAX_WORD_CHARS:
            raise RuleError(f"规则：词“{w}”超过{MAX_WORD_CHARS}个字")
    if re.search(r"(^|[=,>|])([=,>|]|$)", body) or (len(parts) == 2 and re.search(r"(^|\|)(\||$)", parts[0])):
        raise RuleError("规则：有空的词（两个符号之间或开头结尾缺少词）")
    rules = parse_synonyms([raw])
    if len(rules) != 1:
        raise RuleError("规则：至少要有两个词，如“驾照=驾驶证”或“开饭店>食品经营许可”")
    rule = rules[0]
    if rule.two_way and len(set(rule.words)) < 2:  # 狗牌子=狗牌子: a word only "synonymous" with itself changes nothing
        raise RuleError(f"规则：“{rule.words[0]}”只和它自己相同，至少要有两个不同的词，如“驾照=驾驶证”")
    if not rule.two_way and set(rule.targets) <= rule.sources:
        raise RuleError("规则：“>”右边要有左边没有的词")
    return raw, rule


def covers(existing: SynonymRule, new: SynonymRule) -> bool:
    """Whether ``existing`` already says all that ``new`` says, so that adding ``new`` changes no
    search: it applies wherever ``new`` would (no context, or one holding all of ``new``'s), it
    takes each of ``new``'s words to each of its targets, and at least as strongly (a two-way rule
    is only covered by a two-way one)."""
    if new.two_way and not existing.two_way:
        return False
    if existing.context and not (new.context and new.context <= existing.context):
        return False
    targets = set(existing.targets)
    return new.sources <= existing.sources and all(t in targets for t in new.targets)


def mask_query(text: str, limit: int = MAX_LOGGED_QUERY_CHARS) -> str:
    """A query as the search log keeps it: normalised, spaces collapsed, at most ``limit``
    characters, and every run of six or more digits (ID numbers, phone and card numbers, with an
    ID number's check letter) replaced by asterisks. Done on the text as searched (the first
    ``limit`` characters), so that a number cut by the limit is masked too."""
    q = " ".join(normalise(text or "")[:limit].split())
    return _DIGITS_RE.sub(lambda m: "*" * len(m.group(0)), q)


def rule_source(query: str) -> str:
    """The word a query becomes on the left of a proposed rule: its Chinese, letters and digits
    run together (开个 饭馆 → 开个饭馆), at most MAX_WORD_CHARS; "" when nothing usable is left."""
    word = "".join(re.findall(rf"[0-9a-z{CJK_CLASS}]+", normalise(query)))
    return word[:MAX_WORD_CHARS] if "*" not in query else ""


def suggest_rule(query: str, name_words: list[str], max_targets: int = 2) -> str:
    """``<query>><words of an item's name>``: the query as one word expanding to the longest
    (most specific) words of the item's name, in the name's order; "" when nothing fits."""
    source = rule_source(query)
    words = [w for w in dict.fromkeys(name_words) if len(w) > 1 and is_cjk(w) and len(w) <= MAX_WORD_CHARS
             and w != source]
    chosen = set(sorted(words, key=lambda w: -len(w))[:max_targets])
    targets = [w for w in words if w in chosen]
    if not source or not targets:
        return ""
    return f"{source}>{','.join(targets)}"


def bigrams(text: str) -> list[str]:
    """The Chinese character pairs of a text (for matching a query against item names)."""
    out: list[str] = []
    for run in re.findall(rf"[{CJK_CLASS}]+", normalise(text)):
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return list(dict.fromkeys(out))


def _token_edges(tokens: list[str]) -> tuple[dict[int, int], dict[int, int]]:
    """{offset where token i starts: i} and {offset where token i ends: i} in "".join(tokens)."""
    starts, ends, at = {}, {}, 0
    for i, t in enumerate(tokens):
        starts[at] = i
        at += len(t)
        ends[at] = i
    return starts, ends

def cuts_across(tokens: list[str], word: str) -> bool:
    """Whether ``word``, once a dictionary word, could re-cut a text segmented as ``tokens``: some
    occurrence of it begins or ends inside a token (经营许可证 in 经营许可/证明, 号码错了 in
    身份证号码/错了). An occurrence that only joins whole tokens (营业/执照 → 营业执照) does not."""
    text = "".join(tokens)
    starts, ends = _token_edges(tokens)
    start = text.find(word)
    while start != -1:
        if start not in starts or start + len(word) not in ends:
            return True
        start = text.find(word, start + 1)
    return False


def swallows_an_object(tokens: list[str], word: str, is_object) -> bool:
    """Whether ``word`` joins whole tokens of which the last tells what happened (ends in 了) and
    an earlier one names a thing (``is_object``): 地址变了 would make 地址/变了 one word, and a
    question about a changed 地址 would no longer ask about the 地址 itself."""
    starts, ends = _token_edges(tokens)
    text = "".join(tokens)
    start = text.find(word)
    while start != -1:
        first, last = starts.get(start), ends.get(start + len(word))
        if first is not None and last is not None and last > first and tokens[last].endswith("了") \
                and any(is_object(t) for t in tokens[first:last]):
            return True
        start = text.find(word, start + 1)
    return False
