"""A refusal or a missing page under /workbench/ keeps the workbench's layout and menu for staff
(a dead end without the menu sent them back to the address bar); elsewhere the bare pages stay."""

import pytest

pytestmark = pytest.mark.django_db
NAV = 'aria-label="工作台导航"'


def test_staff_get_the_403_and_404_pages_with_the_workbench_menu(client, make_staff):
    client.force_login(make_staff("hotline"))
    page = client.get("/workbench/cases/figures/")  # 办件指标: not for 热线坐席
    html = page.content.decode()
    assert page.status_code == 403 and "无权访问" in html and "仅工作人员和领导可以查看办件指标" in html
    assert NAV in html and "返回工作台首页" in html
    page = client.get("/workbench/no-such-page/")
    assert page.status_code == 404 and NAV in page.content.decode()


def test_applicants_and_other_paths_keep_the_bare_pages(client, make_citizen, make_staff):
    client.force_login(make_citizen())
    page = client.get("/workbench/cases/figures/")
    assert page.status_code == 403 and NAV not in page.content.decode()
    client.force_login(make_staff("hotline"))
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and NAV not in page.content.decode()
