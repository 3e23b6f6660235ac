"""Where the page composition and the split modules live (issue 21): the public catalogue pages
are composed in the portal app under their old URL names, the navbar's unread count is a context
processor of its own, and the modules split by concern stay under ~600 lines."""

from pathlib import Path

from django.conf import settings
from django.urls import resolve, reverse

import zhengwu

SRC = Path(zhengwu.__file__).resolve().parent


def test_public_catalogue_pages_are_composed_in_the_portal_app_under_the_same_names():
    pages = {"catalog:item_search": ([], "/items/search/"), "catalog:item_guide": ([1], "/items/1/"),
             "catalog:browse_departments": ([], "/items/departments/"), "catalog:bundles": ([], "/items/bundles/"),
             "catalog:theme_items": (["person", "x"], "/items/themes/person/x/"),
             "catalog:material_file": ([1, "blank_form"], "/items/materials/1/blank_form/"),
             "portal:home": ([], "/")}
    for name, (args, path) in pages.items():
        assert reverse(name, args=args) == path
        assert resolve(path).func.__module__.startswith("zhengwu.portal."), name
    # The workbench side of the catalogue stays in the catalog app, in the same namespace.
    assert resolve(reverse("catalog:wb_items")).func.__module__ == "zhengwu.catalog.views_workbench"


def test_the_navbar_unread_count_is_a_context_processor_module_of_its_own():
    processors = [p for t in settings.TEMPLATES for p in t.get("OPTIONS", {}).get("context_processors", [])]
    assert "zhengwu.cases.context_processors.nav_context" in processors
    assert not any(p.startswith("zhengwu.cases.views") for p in processors)


def test_the_modules_split_by_concern_stay_under_600_lines():
    modules = [*SRC.glob("catalog/search*.py"), *SRC.glob("catalog/search/*.py"), *SRC.glob("cases/views_*.py"),
               *SRC.glob("portal/*.py"), *SRC.glob("catalog/views_*.py")]
    long = {str(m.relative_to(SRC)): n for m in modules if (n := len(m.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}
