"""Cached overviews and search rankings follow the catalogue: a publication shows at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengwu.catalog import search

pytestmark = pytest.mark.django_db


def test_departments_page_and_home_recount_after_a_publication(client, make_item, make_department, department,
                                                               django_capture_on_commit_callbacks):
    from zhengwu.org.models import Department

    with django_capture_on_commit_callbacks(execute=True):
        make_item(name="缓存测试事项甲")
    assert department.name in client.get(reverse("catalog:browse_departments")).content.decode()
    assert department.name in client.get("/").content.decode()
    # A rename that publishes nothing is not seen until the overview expires or the catalogue
    # changes: the list (and the home page's) comes from the cache.
    Department.objects.filter(pk=department.pk).update(name="改名后的审批科")
    assert department.name in client.get(reverse("catalog:browse_departments")).content.decode()
    assert "改名后的审批科" not in client.get("/").content.decode()

    newcomer = make_department(name="新设立的审批服务科")
    with django_capture_on_commit_callbacks(execute=True):
        make_item(name="缓存测试事项乙", dept=newcomer)
    page = client.get(reverse("catalog:browse_departments")).content.decode()
    assert newcomer.name in page and "1项" in page and "改名后的审批科" in page
    assert reverse("catalog:department_items", args=[newcomer.pk]) in client.get("/").content.decode()


def test_a_cached_ranking_gives_way_to_a_new_publication(make_item, django_capture_on_commit_callbacks,
                                                         django_assert_max_num_queries):
    with django_capture_on_commit_callbacks(execute=True):
        first = make_item(name="古树名木迁移审批")
    assert [h.pk for h in search.search("古树名木迁移").items] == [first.pk]
    with django_assert_max_num_queries(2):  # the index state and the result rows: the ranking is cached
        assert [h.pk for h in search.search("古树名木迁移").items] == [first.pk]

    with django_capture_on_commit_callbacks(execute=True):
        second = make_item(name="古树名木迁移移植审批")
    assert {h.pk for h in search.search("古树名木迁移").items} == {first.pk, second.pk}


def test_the_search_api_answers_from_the_cache_until_a_publication(client, make_item, django_assert_num_queries,
                                                                   django_capture_on_commit_callbacks):
    url = "/api/v1/items/search"
    with django_capture_on_commit_callbacks(execute=True):
        first = make_item(name="古树名木迁移审批")
    assert [i["id"] for i in client.get(url, {"q": "古树名木迁移"}).json()["items"]] == [first.pk]
    with CaptureQueriesContext(connection) as ctx:
        assert [i["id"] for i in client.get(url, {"q": "古树名木迁移"}).json()["items"]] == [first.pk]
    # Nothing read: the only statement is the search log's INSERT (in a savepoint inside the test's transaction).
    sqls = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sqls) == 1 and sqls[0].startswith('INSERT INTO "catalog_searchlog"'), sqls
    with django_capture_on_commit_callbacks(execute=True):
        second = make_item(name="古树名木迁移移植审批")
    assert {i["id"] for i in client.get(url, {"q": "古树名木迁移"}).json()["items"]} == {first.pk, second.pk}
