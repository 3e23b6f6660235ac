"""Journey (issue 26, 双随机、一公开): the department's 部门管理员 publishes a plan's conditions and
seed, then draws → anyone downloads the draw's export from the public plan page and
`zhengwu inspections verify-draw FILE` re-runs it to the same result → the department records a
check result → the result appears on the public results page (no login)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_window_and_bundle_journeys import _login, _no_csp, _page, _submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_publish_draw_verify_record_publicise(live_server, browser, settings, tmp_path):
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.accounts.models import User
    from zhengwu.inspections.demo import load as load_inspections
    from zhengwu.inspections.models import InspectionPlan, InspectionTask, SupervisionItem
    from zhengwu.inspections.services import plans
    from zhengwu.org.demo import load as load_org
    from zhengwu.org.models import Department

    settings.DATA_DIR = tmp_path
    load_org(io.StringIO())
    load_accounts(io.StringIO())
    load_inspections(io.StringIO())
    admin = User.objects.get(username="bumen_sj")  # 部门管理员 of 市场监管局
    market = Department.objects.get(short_name="市场监管局")
    today = timezone.localdate()
    plan = plans.create_plan(admin, {
        "name": "2026年冬季食品安全专项抽查", "department": market, "region": market.region,
        "items": list(SupervisionItem.objects.filter(department=market)[:1]), "object_filter": {},
        "ratio": None, "count": 3, "inspectors_per_object": 2,
        "period_start": today - dt.timedelta(days=1), "period_end": today + dt.timedelta(days=30)})
    base = live_server.url

    # 1. Publish the conditions and the seed, then draw.
    staff = _page(browser)
    _login(staff, base, "bumen_sj")
    staff.goto(f"{base}/workbench/inspections/plans/{plan.pk}/")
    _submit(staff, "#plan-publish")
    plan.refresh_from_db()
    assert plan.state == "published" and len(plan.seed) >= 32 and plan.inputs_digest
    public = _page(browser)  # anyone, no login: the seed is public before the draw
    public.goto(f"{base}/inspections/plans/{plan.number}/")
    expect(public.locator("body")).to_contain_text(plan.seed)
    expect(public.locator("#not-drawn")).to_be_visible()
    _submit(staff, "#plan-draw")
    plan.refresh_from_db()
    assert plan.state == "drawn"
    tasks = list(InspectionTask.objects.filter(plan=plan, draw__is_current=True).prefetch_related("inspectors"))
    assert len(tasks) == 3 and all(t.inspectors.count() >= 2 for t in tasks)
    _no_csp(staff)

    # 2. Anyone re-runs the draw from the published export and gets the same result.
    public.reload()
    download = public.request.get(f"{base}/inspections/plans/{plan.number}/draws/1.json")
    assert download.status == 200
    export = tmp_path / "draw-1.json"
    export.write_bytes(download.body())
    out = io.StringIO()
    call_command("inspections", "verify-draw", str(export), stdout=out)
    assert "一致" in out.getvalue() and "不一致" not in out.getvalue()
    _no_csp(public)

    # 3. The department records the result of one drawn object; it is published.
    task = tasks[0]
    staff.goto(f"{base}/workbench/inspections/tasks/{task.pk}/result/")
    staff.select_option("#id_result", "rectify")
    staff.fill("#id_note", "后厨防蝇设施缺失，责令7日内整改")
    staff.fill("#id_checked_on", f"{today:%Y-%m-%d}")
    _submit(staff, "#record-submit")
    task.refresh_from_db()
    assert task.result == "rectify" and task.published_at is not None
    _no_csp(staff)

    # 4. The public results page (no login) shows it with the object and the inspectors.
    public.goto(f"{base}/inspections/results/")
    # By the task: the random draw may pick an object the demo's published results also list.
    row = public.locator(f'tr[data-task="{task.pk}"]')
    expect(row).to_contain_text(task.inspected.name)
    expect(row).to_contain_text("发现问题，责令整改")
    for inspector in task.inspectors.all():
        expect(row).to_contain_text(inspector.cert_number)
    _no_csp(public)
    assert InspectionPlan.objects.get(pk=plan.pk).draws.count() == 1
