"""无障碍 (WCAG 2.1 AA, axe-core) on the 互联网+监管 pages: the public plan and results pages a
citizen reads, on a desktop and a phone, and the department's workbench pages (registers, plans,
a drawn plan, tasks, figures, 告知承诺核查) with the grouped navbar opened."""

from __future__ import annotations

import io

import pytest

from tests.browser.test_a11y import PHONE, Checker
from tests.browser.test_window_and_bundle_journeys import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = ["/inspections/plans/", "/inspections/plans/SJ-DEMO-2026-001/", "/inspections/results/"]
STAFF = ["/workbench/", "/workbench/inspections/items/", "/workbench/inspections/inspectors/",
         "/workbench/inspections/objects/", "/workbench/inspections/plans/", "/workbench/inspections/plans/new/",
         "/workbench/inspections/tasks/", "/workbench/inspections/figures/", "/workbench/inspections/commitments/"]


def test_inspection_pages_pass_axe(live_server, browser, settings, tmp_path):
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.inspections.demo import load as load_inspections
    from zhengwu.inspections.models import InspectionPlan
    from zhengwu.org.demo import load as load_org

    settings.DATA_DIR = tmp_path
    load_org(io.StringIO())
    load_accounts(io.StringIO())
    load_inspections(io.StringIO())
    plan = InspectionPlan.objects.get(number="SJ-DEMO-2026-001")
    base = live_server.url
    checker = Checker()
    for viewport in ({"width": 1366, "height": 900}, PHONE):
        page = browser.new_context(locale="zh-CN", viewport=viewport).new_page()
        for path in PUBLIC:
            assert page.goto(base + path).status == 200
            checker.check(page, f"{path} {viewport['width']}")
        page.context.close()
    page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    _login(page, base, "bumen_sj")
    for path in [*STAFF, f"/workbench/inspections/plans/{plan.pk}/"]:
        assert page.goto(base + path).status == 200
        checker.check(page, path)
    page.goto(base + "/workbench/")
    page.get_by_role("button", name="监管", exact=True).click()  # a group of the navbar, opened
    page.get_by_role("link", name="抽查计划", exact=True).first.wait_for()
    checker.check(page, "navbar 监管 opened")
    assert not checker.failures, "\n".join(checker.failures)
