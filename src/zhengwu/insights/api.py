"""The 统计分析 JSON API (/api/v1/insights/): one router; the endpoints live in their modules
(``api_reports``: the 月报/年报). Session authentication, CSRF-checked for unsafe methods;
errors are the API root's JSON (``zhengwu/api.py``)."""

from __future__ import annotations

from ninja import Router

from zhengwu.accounts.api_auth import SessionAuth

PREFIX = "/insights/"
router = Router(auth=SessionAuth(), tags=["统计分析"])

from . import api_reports  # noqa: E402,F401 (the 月报/年报 endpoints on this router)
