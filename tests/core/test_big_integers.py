"""Integers past the database's range (the fuzzer's 2**64 and beyond) in paths and query strings:
no row has such a key, so 404 or an empty list — never a 500 (SQLite cannot bind them at all)."""

import pytest
from django.test import Client

from zhengwu.org.models import Role

HUGE = "22665311924455829667840"


@pytest.fixture
def clerk_client(make_staff, make_department):
    user = make_staff(role=Role.WINDOW, department=make_department())
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    f"/api/v1/cases/{HUGE}",
    f"/api/v1/cases/{HUGE}/decision.pdf",
    f"/api/v1/cases/{HUGE}/receipt.pdf",
    f"/api/v1/items/{HUGE}",
    f"/api/v1/hotline/tickets/{HUGE}",
])
def test_huge_ids_in_api_paths_are_not_found(clerk_client, url):
    response = clerk_client.get(url)
    assert response.status_code == 404, response.content[:300]
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("query", [
    "department_id=-9223372036854775809",
    f"department_id={HUGE}",
    f"item_id={HUGE}",
])
def test_huge_filters_in_case_search_find_nothing(clerk_client, query):
    response = clerk_client.get(f"/api/v1/cases/search?{query}")
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 200:
        assert response.json()["items"] == []


@pytest.mark.django_db
def test_huge_ids_in_page_paths_are_not_found(clerk_client, make_citizen):
    for url in (f"/cases/{HUGE}/files/1/", f"/workbench/cases/{HUGE}/"):
        assert clerk_client.get(url).status_code == 404, url
    citizen = Client(raise_request_exception=False)
    citizen.force_login(make_citizen())
    for url in (f"/cases/{HUGE}/", f"/cases/{HUGE}/decision.pdf"):
        assert citizen.get(url).status_code == 404, url
