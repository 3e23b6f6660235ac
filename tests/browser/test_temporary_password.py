"""Journey: a citizen registered at the window (窗口代录) logs in with the temporary password, is
sent to 修改密码 whatever page is asked for, and after changing it reaches 我的办件."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEMP = "Zw@5e6f7a42"
NEW = "Mine#Own2027pw"


def test_temporary_password_is_changed_at_first_login(live_server, page):
    from zhengwu.accounts import services
    from zhengwu.core.identifiers import make_id_number

    user = services.register_person(name="赵大爷", id_number=make_id_number("41010519851231888"),
                                    phone="13900001111", password=TEMP, password2=TEMP, temporary=True)
    page.goto(f"{live_server.url}/accounts/login/?next=/cases/mine/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", TEMP)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/accounts/password/?temporary=1")
    assert "临时密码" in page.locator("#password-temporary").inner_text()
    # Another page is not reachable until the password is changed.
    page.goto(f"{live_server.url}/cases/mine/")
    page.wait_for_url(f"{live_server.url}/accounts/password/?temporary=1")
    page.fill("input[name=old_password]", TEMP)
    page.fill("input[name=new_password1]", NEW)
    page.fill("input[name=new_password2]", NEW)
    page.click("#password-submit")
    page.wait_for_url(f"{live_server.url}/cases/mine/")
    assert page.locator("h1").inner_text() == "我的办件"
