"""/api/v1/docs works on a government network without internet: Swagger UI's scripts and styles
come from our own static files (django-ninja ships them; ``ninja`` is in INSTALLED_APPS), and the
page renders the operations with every other address blocked. /favicon.ico answers too."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db


def test_docs_reference_only_our_own_static_files(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    refs = re.findall(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle" in u for u in refs) and any(u.endswith(".css") for u in refs), refs
    for url in refs:
        assert url.startswith("/") and not url.startswith("//"), f"not our origin: {url}"
        asset = client.get(url)
        assert asset.status_code == 200, url
        body = b"".join(asset.streaming_content) if asset.streaming else asset.content
        assert len(body) > 1000, url
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html


def test_favicon_ico_answers_with_the_platform_icon(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 302 and r["Location"] == "/static/zhengwu/favicon.svg"
    icon = client.get(r["Location"])
    assert icon.status_code == 200 and icon["Content-Type"].startswith("image/svg+xml")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_docs_render_the_operations_with_the_internet_cut_off(live_server, page):
    outside: list[str] = []

    def only_ours(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("政务服务平台 API", timeout=30_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/cases/{case_id}").first).to_be_visible()
    assert page.locator(".opblock").count() > 20
    assert outside == []
