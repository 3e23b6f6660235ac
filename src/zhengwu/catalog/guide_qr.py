"""The QR code printed on a 办事指南: scanning the paper guide opens the current guide online.

The link is ``settings.ZHENGWU_PUBLIC_URL`` + the guide's path when the public address is set
(behind a proxy the request's host may be an internal one, and the public page cache keys on the
path only), else the address the request came in on. The SVG (segno) is remembered per link in
the process: the same link always gives the same picture, and making one costs milliseconds.
"""

from __future__ import annotations

import io
from functools import lru_cache

from django.conf import settings
from django.urls import reverse


def guide_link(request, item_id: int) -> str:
    path = reverse("catalog:item_guide", args=[item_id])
    base = getattr(settings, "ZHENGWU_PUBLIC_URL", "")
    return base + path if base else request.build_absolute_uri(path)


@lru_cache(maxsize=4096)
def svg(link: str) -> str:
    """The link as an inline SVG QR code (error correction M, 2-module quiet zone)."""
    import segno

    buf = io.BytesIO()
    segno.make(link, error="m").save(buf, kind="svg", scale=3, border=2, xmldecl=False, svgns=True, omitsize=True,
                                     title="扫码查看本办事指南")
    return buf.getvalue().decode()
