"""Portal home (网上办事大厅首页): the search box and the ways into the catalogue."""

from django.shortcuts import render

from zhengwu.catalog import published
from zhengwu.catalog.overview import anonymous_page

from .views_catalog import HOT_SEARCHES


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
