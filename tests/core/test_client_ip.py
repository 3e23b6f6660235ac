"""The client's address behind our proxy is the entry that proxy appended, not one the client
wrote into X-Forwarded-For itself (audit records, login lockout and Open311's limit count by it)."""

from django.test import RequestFactory, override_settings

from zhengwu.accounts.backends import axes_client_ip
from zhengwu.core.middleware import client_ip


def _request(forwarded=None):
    meta = {"REMOTE_ADDR": "10.0.0.5"}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_trusted_proxy_the_header_is_ignored():
    assert client_ip(_request("1.2.3.4")) == "10.0.0.5"


@override_settings(ZHENGWU_TRUST_X_FORWARDED_FOR=True)
def test_behind_the_proxy_the_last_entry_counts_not_a_forged_first_one():
    request = _request("6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"
    assert axes_client_ip(request) == "203.0.113.9"
    assert client_ip(_request("")) == "10.0.0.5"
