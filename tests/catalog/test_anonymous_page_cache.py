"""Public pages are served whole from the cache to visitors without a session (ADR 0012): no
query, and still each visitor's own CSRF token; logged-in visitors, the large-font preference and
a new publication each get their own page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from zhengwu.speedups.pagecache import CSRF_PLACEHOLDER

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_second_anonymous_visit_runs_no_query(client, make_item, django_assert_num_queries):
    item = make_item(name="个体工商户设立登记")
    for url in ("/", reverse("catalog:item_guide", args=[item.pk]), reverse("catalog:browse_departments")):
        first = client.get(url).content.decode()
        with django_assert_num_queries(0):
            page = client.get(url).content.decode()
        assert CSRF_PLACEHOLDER not in page
        assert "Cookie" in client.get(url)["Vary"]  # no shared cache may give it to a logged-in visitor
        assert TOKEN.sub("", page) == TOKEN.sub("", first)  # the same page, but for the token


def test_each_visitor_gets_a_working_token_of_their_own():
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get("/")
    page = second.get("/").content.decode()  # served from the cache
    token = TOKEN.search(page).group(1)
    assert CSRF_PLACEHOLDER not in page and "csrftoken" in second.cookies
    assert token != TOKEN.search(first.get("/").content.decode()).group(1)
    # The served token belongs to this visitor: the large-font form posts with it.
    response = second.post(reverse("accounts:toggle_font"), {"csrfmiddlewaretoken": token, "next": "/"})
    assert response.status_code == 302 and second.cookies["zw_font"].value == "large"
    assert first.post(reverse("accounts:toggle_font"), {"csrfmiddlewaretoken": token}).status_code == 403
    # … and the large-font page is a page of its own.
    assert 'class="zw-large"' in second.get("/").content.decode()
    assert 'class="zw-large"' not in first.get("/").content.decode()


def test_logged_in_visitors_get_their_own_page(client, make_citizen):
    client.get("/")  # the anonymous page is cached
    user = make_citizen(name="王小二")
    client.force_login(user)
    page = client.get("/").content.decode()
    assert 'id="current-user"' in page and "登录</a>" not in page


def test_only_plain_200_pages_are_stored(rf):
    from django.http import HttpResponse, HttpResponseRedirect

    from zhengwu.catalog.overview import anonymous_page

    calls = []

    def make(response):
        @anonymous_page()
        def view(request):
            calls.append(request.path)
            return response()
        return view

    redirect = make(lambda: HttpResponseRedirect("/"))
    with_cookie = make(lambda: _with_cookie(HttpResponse("ok")))
    plain = make(lambda: HttpResponse("ok"))
    for view, path in ((redirect, "/r/"), (with_cookie, "/c/"), (plain, "/p/")):
        view(rf.get(path))
        view(rf.get(path))
    assert calls == ["/r/", "/r/", "/c/", "/c/", "/p/"]  # the plain page ran once, then came from the cache


def _with_cookie(response):
    response.set_cookie("seen", "1")
    return response
