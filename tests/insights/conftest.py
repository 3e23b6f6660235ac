"""Fixtures of the insights tests: people of the roles that see the figures, and a clean cache
(the dashboard is cached per scope and month)."""

import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def leader(make_staff, district):
    return make_staff("leader", region=district)


@pytest.fixture
def supervisor(make_staff, district):
    return make_staff("supervisor", region=district)
