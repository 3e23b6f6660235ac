"""Journey (好差评, issue 22 item 2): a citizen gives 非常不满意 to a concluded case without saying
why → the page asks for a problem or a comment and records nothing → the citizen picks a problem
→ “我的评价” shows it, and the department's rectification page shows it instead of “（未填写）”."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bad_rating_needs_a_problem_and_shows_it(live_server, browser, publish_item, demo_people, login):
    from zhengwu.accounts.backends import login_username
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.accounts.models import User
    from zhengwu.cases.models import Case
    from zhengwu.org.models import RoleGrant
    from zhengwu.ratings.models import Rating

    department = RoleGrant.objects.get(user__username="bumen_sj", role="dept_admin").department
    item = publish_item(department, "食品经营许可证核发")
    applicant = User.objects.get(username=login_username(CITIZEN_ID)).applicant
    at = timezone.now() - dt.timedelta(hours=2)
    case = Case.objects.create(number="T20261203001", service_item=item, item_version=item.published_version,
                               department=department, region=department.region, applicant=applicant,
                               state="concluded", outcome="approved", submitted_at=at - dt.timedelta(days=3),
                               concluded_at=at)
    base = live_server.url

    citizen = browser.new_context(locale="zh-CN").new_page()
    login(citizen, base, CITIZEN_ID)
    citizen.goto(f"{base}/ratings/case/{case.pk}/")
    expect(citizen.locator("#bad-problems")).to_contain_text("需要多次跑动")
    citizen.click("label[for=level-1]")  # 非常不满意, nothing else
    with citizen.expect_navigation(wait_until="load"):
        citizen.click("#rate-submit")
    expect(citizen.locator("#tags-error")).to_contain_text("请至少选择一个遇到的问题")  # once, under the problems
    assert Rating.objects.count() == 0

    citizen.click("label[for=level-1]")
    citizen.get_by_text("需要多次跑动", exact=True).click()
    with citizen.expect_navigation(wait_until="load"):
        citizen.click("#rate-submit")
    expect(citizen.locator("#my-level")).to_contain_text("非常不满意")
    expect(citizen.locator("#my-problems")).to_contain_text("需要多次跑动")
    citizen.goto(f"{base}/ratings/mine/")
    expect(citizen.locator("#my-ratings")).to_contain_text("需要多次跑动")

    desk = browser.new_context(locale="zh-CN").new_page()
    login(desk, base, "bumen_sj")
    desk.goto(f"{base}/workbench/ratings/rectifications/")
    expect(desk.locator("#rect-table")).to_contain_text("需要多次跑动")
    desk.locator(".rect-link").first.click()
    expect(desk.locator("#rating-problems")).to_contain_text("需要多次跑动")
    expect(desk.locator("#rating-comment")).to_contain_text("（未填写）")
