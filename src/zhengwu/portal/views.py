"""Portal home (网上办事大厅首页): the search box and the ways into the catalogue; the 长辈版 home;
/favicon.ico."""

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from zhengwu.catalog import published, search
from zhengwu.catalog.overview import anonymous_page

from .views_catalog import HOT_SEARCHES

# 长辈版 (适老化): a few large entries for what older people come for, each a search of the real
# catalogue (its word, shown as the entry) with the first items it finds listed under it.
# 工业和信息化部《互联网网站适老化通用设计规范》(2020) 3.1: large fonts, few functions, plain words.
ELDER_TOPICS = [
    ("社保", "shield-check", "社保卡、参保登记、权益记录"),
    ("医保", "heart-pulse", "参保缴费、异地就医、医疗报销"),
    ("养老", "house-heart", "养老金、高龄津贴、养老服务"),
    ("证明", "file-earmark-text", "户籍、学历、完税、公积金等证明"),
]
ELDER_ITEMS_PER_TOPIC = 3


@anonymous_page()
def home(request):
    home_region = published.home_region()
    return render(request, "portal/home.html", {
        "hot_searches": HOT_SEARCHES,
        "person_themes": [t for t in published.theme_counts("person") if t[1]][:12],
        "legal_themes": [t for t in published.theme_counts("legal") if t[1]][:12],
        "departments": published.department_cards(home_region, limit=12),
        "bundles": published.bundle_overview()[:6],
    })


def elder(request):
    """长辈版首页. Large font unless the person chose the standard size (cookie ``zw_font=normal``);
    not in the anonymous page cache, whose key knows only "large" or not."""
    topics = []
    for word, icon, hint in ELDER_TOPICS:
        try:
            items = [h.obj for h in search.search(word, audience="person", limit=ELDER_ITEMS_PER_TOPIC, bundle_limit=0).items]
        except ValueError:  # a catalogue without the word: the entry still leads to the search page
            items = []
        topics.append({"word": word, "icon": icon, "hint": hint, "items": items})
    return render(request, "portal/elder.html", {
        "topics": topics,
        "large_font": request.COOKIES.get("zw_font") != "normal",
    })


@cache_control(max_age=86400)
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, Swagger UI, a PDF): the
    platform's SVG icon, from the static files (a temporary redirect: its address has a hash)."""
    return HttpResponseRedirect(static("zhengwu/favicon.svg"))
