"""办事指南 page: a small fixed number of queries, a cached body per published version, and a
newly published version (or a disabled item) visible at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhengwu.catalog.services import items as svc

pytestmark = pytest.mark.django_db

GUIDE_UNCACHED = 3  # head + item (joined) + its materials (+ its 一件事, when it is in one)
GUIDE_CACHED = 1  # head only (a logged-in visitor: the page around the body is theirs)
GUIDE_ANONYMOUS_CACHED = 0  # the whole page (zhengwu.speedups.pagecache)


def test_guide_query_budget(client, make_item, make_citizen, django_assert_max_num_queries,
                            django_assert_num_queries):
    item = make_item(name="食品经营许可（预算）")
    url = reverse("catalog:item_guide", args=[item.pk])
    client.get(reverse("catalog:item_guide", args=[make_item().pk]))  # warm the process (templates)
    with django_assert_max_num_queries(GUIDE_UNCACHED):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(GUIDE_ANONYMOUS_CACHED):
        assert "食品经营许可（预算）" in client.get(url).content.decode()
    client.force_login(make_citizen())
    client.get(url)  # the session's own first request (the user, the session)
    with django_assert_num_queries(GUIDE_CACHED + 2):  # + the session and the user
        assert "食品经营许可（预算）" in client.get(url).content.decode()


def test_a_newly_published_version_shows_at_once(client, make_item, city_item_admin, city_reviewer,
                                                django_capture_on_commit_callbacks):
    item = make_item(office_hours="工作日上午")
    url = reverse("catalog:item_guide", args=[item.pk])
    assert "工作日上午" in client.get(url).content.decode()  # now cached
    svc.start_new_draft(city_item_admin, item, lock_version=item.lock_version, change_note="延长办理时间")
    item.refresh_from_db()
    svc.edit_draft(city_item_admin, item, lock_version=item.lock_version, data={"office_hours": "全天（含周末）"})
    item.refresh_from_db()
    assert "工作日上午" in client.get(url).content.decode()  # the draft is not public
    svc.submit_for_review(city_item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):  # the commit bumps the page generation
        svc.approve_and_publish(city_reviewer, item, lock_version=item.lock_version)
    page = client.get(url).content.decode()
    assert "全天（含周末）" in page and "工作日上午" not in page
