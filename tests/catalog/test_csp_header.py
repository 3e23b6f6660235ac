"""The Content-Security-Policy header is on every response, cached public pages included, and a
response that set its own policy (file downloads: a sandbox) keeps it."""

import re

import pytest
from csp.decorators import csp_update
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from zhengwu.core.csp import CSPMiddleware

pytestmark = pytest.mark.django_db

INLINE = re.compile(r"<script>|<style|\son[a-z]+=|\sstyle=", re.I)


def _policy(response):
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


def test_public_pages_carry_the_policy_also_from_the_page_cache(client, make_item):
    item = make_item(name="个体工商户设立登记")
    for url in ("/", reverse("catalog:item_guide", args=[item.pk]), "/api/v1/ping"):
        for _ in range(2):  # the second answer of a public page comes from the page cache
            response = client.get(url)
            policy = _policy(response)
            assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
            assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
            if url != "/api/v1/ping":
                assert not INLINE.search(response.content.decode()), url  # nothing the policy would refuse


def test_a_response_with_its_own_policy_keeps_it():
    request = RequestFactory().get("/files/1/")

    def download(request):
        response = HttpResponse(b"%PDF-1.4")
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response

    assert CSPMiddleware(download)(request)["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_a_view_that_widens_the_policy_goes_through_django_csp():
    @csp_update({"img-src": "https://tiles.example.gov.cn"})
    def view(request):
        return HttpResponse("ok")

    response = CSPMiddleware(view)(RequestFactory().get("/map/"))
    assert _policy(response)["img-src"] == "'self' data: https://tiles.example.gov.cn"


def test_the_policy_follows_the_settings():
    ok = CSPMiddleware(lambda request: HttpResponse("ok"))
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert ok(RequestFactory().get("/"))["Content-Security-Policy"] == "default-src 'none'"
    assert "script-src 'self'" in ok(RequestFactory().get("/"))["Content-Security-Policy"]
