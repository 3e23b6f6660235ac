"""A citizen or enterprise who reaches the workbench (a link, a bookmark, ``?next=/workbench/``)
gets the portal's page with a clear message and the way back — and the login does not send them
there in the first place. Staff still land on the workbench (or where ``next`` says)."""

import pytest
from django.urls import reverse

from zhengwu.accounts import services
from zhengwu.core.identifiers import make_id_number, make_uscc

pytestmark = pytest.mark.django_db
PW = "Good#Pass2026"
ID = make_id_number("41010519900307123")
USCC = make_uscc("9", "1", "410105", "MA9XKT3Q")


@pytest.fixture
def citizen():
    return services.register_person(name="张小民", id_number=ID, phone="13803710001", password=PW, password2=PW)


@pytest.fixture
def enterprise():
    return services.register_legal(name="示范餐饮有限公司", uscc=USCC, legal_rep_name="李四",
                                   legal_rep_id_number=make_id_number("41010519800101123"), phone="13803710002",
                                   password=PW, password2=PW)


@pytest.mark.parametrize("who", ["citizen", "enterprise"])
@pytest.mark.parametrize("url", ["/workbench/", "/workbench/cases/figures/", "/workbench/hotline/console/"])
def test_an_applicant_on_a_workbench_page_gets_the_portal_with_the_way_back(client, request, who, url):
    client.force_login(request.getfixturevalue(who))
    page = client.get(url)
    assert page.status_code == 403
    html = page.content.decode()
    assert "工作台仅供工作人员使用" in html
    assert 'id="personal-nav"' in html and 'aria-label="主导航"' in html  # the portal's header
    assert 'aria-label="工作台导航"' not in html
    assert f'href="{reverse("cases:my_cases")}"' in html and f'href="{reverse("portal:home")}"' in html


@pytest.mark.parametrize("who, username", [("citizen", ID), ("enterprise", USCC)])
def test_the_login_does_not_send_an_applicant_to_the_workbench(client, request, who, username):
    request.getfixturevalue(who)
    resp = client.post("/accounts/login/?next=/workbench/", {"username": username, "password": PW,
                                                             "next": "/workbench/cases/"})
    assert resp.status_code == 302 and not resp.url.startswith("/workbench/"), resp.url
    assert client.get(resp.url).status_code == 200
    # Already logged in, the login page with next=/workbench/ does not either.
    again = client.get("/accounts/login/", {"next": "/workbench/"})
    assert again.status_code == 302 and not again.url.startswith("/workbench/")


def test_an_applicants_own_next_is_kept(client, citizen):
    resp = client.post("/accounts/login/", {"username": ID, "password": PW, "next": "/cases/mine/"})
    assert resp.status_code == 302 and resp.url == "/cases/mine/"


def test_staff_still_land_on_the_workbench(client, make_staff):
    make_staff(role="window", username="chuangkou")
    resp = client.post("/accounts/login/", {"username": "chuangkou", "password": "Test@2026pw"})
    assert resp.status_code == 302 and resp.url == "/workbench/"
    client.logout()
    resp = client.post("/accounts/login/", {"username": "chuangkou", "password": "Test@2026pw",
                                            "next": "/workbench/cases/inbox/"})
    assert resp.status_code == 302 and resp.url == "/workbench/cases/inbox/"
