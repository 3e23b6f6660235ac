"""No dead ends in the workbench: for each demo staff account, every page of its menu offers only
links it may follow. A link to a page the account is refused (403) is not shown, or points to a
page it may read — found by walking the menu pages with the test client, as a person clicking
through them would (one level deep: the menu pages and the links on them)."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.django_db

STAFF = ("chuangkou", "daishou", "shenpi_ga", "shenpi_sj", "shenpi_rs", "bumen_sj", "shixiang", "shenhe", "rexian",
         "duban", "shuju", "lingdao", "jijian")
HREF = re.compile(r'href="(/workbench/[^"#]*)"')
DOWNLOADS = re.compile(r"\.(xlsx|csv|pdf|zip|json|png|geojson)(\?|$)|[?&](format|download)=")
PER_ROUTE = 3  # links to one route (ticket 1, 2, 3 …) checked per account: a bounded walk


@pytest.fixture
def demo(monkeypatch, settings, tmp_path):
    from django.core.management import call_command

    from zhengwu.catalog import demo as catalog_demo

    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(catalog_demo, "_refresh_search_index", lambda *args: "")
    call_command("demo", no_history=True, stdout=io.StringIO())


def _route(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return path


def dead_links(username: str) -> list[tuple[str, str, int]]:
    """(link, the menu page it is on, status) of each link the account gets a 403 for."""
    from zhengwu.accounts.models import User
    from zhengwu.workbench.menu import entries_for

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    pages = ["/workbench/"] + [e["url"] for e in entries_for(user)]
    checked: dict[str, int] = {}
    per_route: dict[str, int] = defaultdict(int)
    dead = []
    for page in pages:
        response = client.get(page, follow=True)
        assert response.status_code == 200, (username, page, response.status_code)
        for link in sorted(set(HREF.findall(response.content.decode()))):
            link = link.replace("&amp;", "&")
            if DOWNLOADS.search(link):
                continue
            if link not in checked:
                route = _route(urlsplit(link).path)
                if per_route[route] >= PER_ROUTE:
                    continue
                per_route[route] += 1
                checked[link] = client.get(link, follow=True).status_code
            if checked[link] == 403:
                dead.append((link, page, 403))
    return dead


def test_no_menu_page_links_to_a_refused_page(demo):
    found = {name: dead_links(name) for name in STAFF}
    dead = [f"{name}: {page} → {link} ({status})" for name, links in found.items() for link, page, status in links]
    assert not dead, "\n".join(dead)


def test_may_open_asks_the_check_the_view_declares(make_staff, make_citizen):
    from zhengwu.workbench.views import may_open

    leader, clerk, hotline = make_staff("leader"), make_staff("window"), make_staff("hotline")
    assert may_open(leader, "/workbench/hotline/figures/tickets/?what=open_overdue")
    assert not may_open(leader, "/workbench/hotline/department/")  # roles_required: 承办单位 only
    assert may_open(clerk, "/workbench/cases/figures/") and not may_open(hotline, "/workbench/cases/figures/")
    assert may_open(leader, "/workbench/queueing/supervision/") and not may_open(clerk, "/workbench/queueing/supervision/")
    assert not may_open(make_citizen(), "/workbench/cases/figures/")
    assert not may_open(leader, "/workbench/no-such-page/") and not may_open(leader, None)
    # A view that decides on the object it shows declares nothing: not refused here.
    assert may_open(leader, "/workbench/data/systems/1/edit/")
