"""Place names in a question (地名): 成都, 重庆市, 海淀区.

A citizen names the city: "公司派我长期在成都上班，医保要备案不", "想在重庆配假肢". A catalogue names
the situation instead: 常驻异地工作人员备案, 辅助器具异地配置申请, 省际间调运…. Whether 成都 is 外地 (and
外省) depends on where the catalogue is: for 广安区 (四川) it is 省内异地, for 金水区 (河南) 外省; for a
search of 成都's own items it is no other place at all. So a place the question names, when it is
not the searched region and does not contain it, also stands for 外地 (and 外省 when it lies in
another province); the lexicon takes those words on to 异地, 跨省, 省外 ….

The names are those of the administrative division codes (GB/T 2260) that python-stdnum ships for
checking an ID number's birthplace (``stdnum/cn/loc.dat``), current names only. A province or a
prefecture is known by its full name and its short one (四川省 / 四川, 成都市 / 成都); a county only by
its full name (武侯区, 岳池县), since short county names are too often ordinary words (朝阳, 和平, 东方).
A short name counts only where jieba's dictionary tags it a place (``ns``): 白银, 来宾 and 安康 are
cities, and in a question are silver, guests and good health.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .analysis import PLACE_TAG, dictionary_tags

W_ELSEWHERE = 0.85  # 外地 / 外省 for a place that is not the searched one

_LINE_RE = re.compile(r'^(\s*)(\d{2}|\d{4}) (province|county)="([^"]*)"')
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市", "地区", "盟")
_COUNTY_ENDS = ("区", "县", "市", "旗")
_PREFECTURE_ENDS = ("市", "地区", "盟", "自治州")


def _current(names: str) -> list[str]:
    """The names of a code still in use: "[1998-]广安区" or a plain name, not "[-2010]崇文区"."""
    out = []
    for part in names.split(","):
        m = re.match(r"^\[(\d*)-(\d*)\](.*)$", part)
        if m is None:
            out.append(part)
        elif not m.group(2):
            out.append(m.group(3))
    return [n for n in out if n and "辖" not in n and len(n) > 1]


def _short(name: str) -> str:
    for s in _SUFFIXES:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[:-len(s)]
    return name


@lru_cache(maxsize=1)
def places() -> dict[str, frozenset[str]]:
    """Place word → the division codes (2, 4 or 6 digits) it names."""
    from importlib import resources

    try:
        text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):  # an stdnum without the data: no places
        return {}
    tagged = dictionary_tags().get(PLACE_TAG, frozenset())
    found: dict[str, set[str]] = {}

    def add(word: str, code: str) -> None:
        found.setdefault(word, set()).add(code)

    province = ""
    for line in text.splitlines():
        m = _LINE_RE.match(line)
        if m is None:
            continue
        indent, code, kind, names = m.groups()
        if kind == "province" and not indent:
            province = code
            for name in _current(names):
                add(name, province)
                if _short(name) in tagged:
                    add(_short(name), province)
            continue
        if not province or len(code) != 4:
            continue
        full = province + code
        for name in _current(names):
            if code == "0000":  # the province's (or municipality's) own name again
                add(name, province)
            elif code.endswith("00"):  # a prefecture; 县, 市辖区, 林区 … head a group
                if name.endswith(_PREFECTURE_ENDS):
                    add(name, full[:4])
                    if _short(name) in tagged:
                        add(_short(name), full[:4])
            elif name.endswith(_COUNTY_ENDS) and len(name) >= 3:
                add(name, full)
    return {w: frozenset(c) for w, c in found.items()}


def home_code(region: str | None) -> str:
    """The leading digits that say where a region code is: 511602000000 → 511602, 410100 → 4101."""
    code = re.sub(r"\D", "", region or "")[:6]
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code if len(code) >= 2 else ""


def elsewhere_terms(word: str, region: str | None) -> dict[str, float]:
    """What a place word of the question stands for besides itself, searched in ``region``:
    {外地} for another place of the same province, {外地, 外省} for one of another province,
    nothing for the region itself, a place inside it or around it, or a word that is no place."""
    home = home_code(region)
    codes = places().get(word)
    if not home or not codes:
        return {}
    if any(c.startswith(home) or home.startswith(c) for c in codes):
        return {}
    out = {"外地": W_ELSEWHERE}
    if all(c[:2] != home[:2] for c in codes):
        out["外省"] = W_ELSEWHERE
    return out


_home: tuple[tuple, str] | None = None  # (index token and generation, home) of the last lookup


def catalogue_home(index_state: tuple = ()) -> str:
    """Where the published catalogue is, for a search given no region on a platform whose operator
    set no ZHENGWU_HOME_REGION: the longest province / prefecture / county prefix that all regions
    with a published item share (4101 for the demo's 金水区 and 二七区); "" when they share no
    province. ``index_state``: the search index's (token, generation): the answer is kept until
    the index changes (an item published or withdrawn), one query of a few milliseconds then."""
    global _home
    memo = _home
    if index_state and memo is not None and memo[0] == index_state:
        return memo[1]
    from django.db.models import Exists, Max, Min, OuterRef

    from ...org.models import Region
    from ..models import ServiceItem
    from ..models.items import ItemStatus

    published = ServiceItem.objects.filter(region=OuterRef("pk"), status=ItemStatus.PUBLISHED)
    span = Region.objects.filter(Exists(published)).aggregate(lo=Min("code"), hi=Max("code"))
    lo, hi = span["lo"] or "", span["hi"] or ""
    home = next((lo[:n] for n in (6, 4, 2) if lo and lo[:n] == hi[:n]), "")
    _home = (index_state, home)
    return home
