"""A citizen searches in their own words, opens the guide and reads it in large font (适老化)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..catalog.search_fixtures import build_catalogue

pytestmark = [pytest.mark.browser]


@pytest.fixture
def catalogue(transactional_db, district, other_district, make_department):
    return build_catalogue(district, other_district, make_department)


def root_font_px(page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)"))


def test_citizen_finds_birth_registration_and_reads_it_in_large_font(live_server, page, catalogue):
    page.goto(f"{live_server.url}/")
    page.get_by_placeholder(re.compile("说说您要办什么事")).fill("孩子出生上户口")
    page.locator("#search-submit").click()

    results = page.locator("#search-results")
    expect(results).to_be_visible()
    first = results.locator("a").first
    expect(first).to_have_text("出生登记")
    expect(page.locator("#search-bundles")).to_contain_text("新生儿出生一件事")
    first.click()

    expect(page.locator("#guide-title")).to_have_text("出生登记")
    expect(page.locator("#guide-materials")).to_contain_text("出生医学证明")
    expect(page.locator("#print-guide")).to_be_visible()
    normal = root_font_px(page)

    page.locator("#font-toggle").click()
    expect(page.locator("html")).to_have_class(re.compile("zw-large"))
    expect(page.locator("#guide-title")).to_have_text("出生登记")  # back on the same guide
    assert root_font_px(page) > normal * 1.2

    # The choice sticks on the next page.
    page.get_by_role("link", name="金水区公安分局").first.click()
    expect(page.locator("#department-items")).to_contain_text("机动车驾驶证期满换证")
    expect(page.locator("html")).to_have_class(re.compile("zw-large"))
    assert root_font_px(page) > normal * 1.2
