"""Where pages find the push server: settings.ZHENGWU_PUSH_URL, or the page's own host on the push port."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.conf import settings


def enabled() -> bool:
    return os.environ.get("ZHENGWU_PUSH", "on").lower() not in ("off", "0", "false", "no")


def push_port(request) -> int:
    port = os.environ.get("ZHENGWU_PUSH_PORT")
    if port and port.isdigit():
        return int(port)
    try:
        return int(request.get_port()) + 1
    except (TypeError, ValueError):
        return 8001


def push_base(request) -> str:
    """The push server's origin (scheme://host:port, no slash), "" for the page's own origin, or
    None when push is off (the pages then poll)."""
    if not enabled():
        return None
    url = (getattr(settings, "ZHENGWU_PUSH_URL", None) or os.environ.get("ZHENGWU_PUSH_URL", "")).rstrip("/")
    if url:
        return "" if url.startswith("/") else url
    host = urlsplit(f"//{request.get_host()}").hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"{request.scheme}://{host}:{push_port(request)}"


def events_url(request, hall_id: int, window_id: int | None = None) -> str:
    base = push_base(request)
    if base is None:
        return ""
    url = f"{base}/push/halls/{hall_id}/events"
    return f"{url}?window={window_id}" if window_id else url


def companion_argv(host: str, web_port: int) -> list[str] | None:
    """``zhengwu serve``'s companion (zhengwu.core.companions): the push server on ZHENGWU_PUSH_PORT
    (default the web port + 1), put in the environment the web workers inherit so the board pages
    know where it is; None when ZHENGWU_PUSH=off."""
    if not enabled():
        return None
    port = int(os.environ.get("ZHENGWU_PUSH_PORT") or web_port + 1)
    os.environ["ZHENGWU_PUSH_PORT"] = str(port)
    return ["push", "--host", host, "--port", str(port)]
