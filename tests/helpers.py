"""Helpers shared by the tests of several apps (import them: ``from tests.helpers import ApiClient``)."""

from __future__ import annotations


class ApiClient:
    """A browser-like client of /api/v1/: session login, CSRF enforced, and — like a page's
    JavaScript — the ``csrftoken`` cookie's value sent back in the ``X-CSRFToken`` header.

    ``base`` is the API prefix a relative path is joined to (an app's conftest binds its own);
    a path starting with ``/api/`` is used as it is."""

    base = "/api/v1/"

    def __init__(self, user=None, *, base: str | None = None):
        from django.test import Client

        if base is not None:
            self.base = base
        self.client = Client(enforce_csrf_checks=True)
        # A browser gets the cookie from the first page with a form it opens: the login page.
        self.client.get("/accounts/login/")
        if user is not None:
            self.client.force_login(user)
        token = self.client.cookies.get("csrftoken")
        self.headers = {"X-CSRFToken": token.value} if token else {}

    def url(self, path):
        return path if path.startswith("/api/") else self.base + path.lstrip("/")

    def get(self, path, **params):
        return self.client.get(self.url(path), params)

    def post(self, path, data=None, headers=None, csrf=True):
        return self.client.post(self.url(path), data or {}, content_type="application/json",
                                headers={**(self.headers if csrf else {}), **(headers or {})})

    def patch(self, path, data=None):
        return self.client.patch(self.url(path), data or {}, content_type="application/json", headers=self.headers)

    def upload(self, path, data):
        return self.client.post(self.url(path), data, headers=self.headers)  # multipart/form-data


def last_sms_code(phone: str) -> str:
    """The 6-digit code of the newest SMS to ``phone`` in the outbox (what the citizen's phone
    would show): the tests read it as a person reads their messages."""
    import re

    from zhengwu.cases.models import SmsMessage
    from zhengwu.core.pii import blind_index

    msg = SmsMessage.objects.filter(phone_index=blind_index("phone", phone), body__contains="验证码").latest("pk")
    return re.search(r"验证码为(\d{6})", msg.body).group(1)


def sms_code(client, phone: str, purpose: str = "register") -> str:
    """Ask for a code through the page's endpoint (as 获取验证码 does) and read it from the outbox."""
    resp = client.post("/accounts/sms-code/", {"purpose": purpose, "phone": phone}, HTTP_ACCEPT="application/json")
    assert resp.status_code == 200, resp.content.decode()
    return last_sms_code(phone)


def answer_rolled_back(send, label, *, page=False, explained=None):
    """``send()``'s response, the request made inside a savepoint that is rolled back (so the next
    request meets the same object); a 500 fails the test, and a refusal must say why: a JSON
    ``detail`` (API), or the page's ``errors`` (a form answered 400).

    ``send`` may do more than send the request (file what the request acts on, check what it
    changed): all of it is rolled back. ``explained`` names the statuses whose answer must say why,
    in place of the default (any 4xx for the API, 400 for a page); ``()`` asks only for no 500.
    ``label`` names the request in a failure's message."""
    from django.db import transaction

    with transaction.atomic():
        r = send()
        transaction.set_rollback(True)
    assert r.status_code < 500, (label, r.status_code, r.content[:300])
    if explained is None:
        explained = (400,) if page else range(400, 500)
    if r.status_code in explained:
        assert r.context["errors"] if page else r.json()["detail"], label
    return r
