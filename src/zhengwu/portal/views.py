"""Portal home (网上办事大厅首页): the search box and the ways into the catalogue."""

from django.shortcuts import render

from zhengwu.catalog import views_portal as catalog
from zhengwu.catalog.overview import anonymous_page


@anonymous_page()
def home(request):
    home_region = catalog.home_region()
    return render(request, "portal/home.html", {
        "hot_searches": catalog.HOT_SEARCHES,
        "person_themes": [t for t in catalog.theme_counts("person") if t[1]][:12],
        "legal_themes": [t for t in catalog.theme_counts("legal") if t[1]][:12],
        "departments": catalog.department_cards(home_region, limit=12),
        "bundles": catalog.bundle_overview()[:6],
    })
