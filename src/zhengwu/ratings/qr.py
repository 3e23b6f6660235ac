"""QR codes (segno) for rating links: SVG for pages and print, PNG for the receipt PDF."""

from __future__ import annotations

import io

import segno


def svg(data: str, scale: int = 5) -> str:
    buf = io.BytesIO()
    segno.make(data, error="m").save(buf, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True)
    return buf.getvalue().decode()


def png(data: str, scale: int = 6) -> bytes:
    buf = io.BytesIO()
    segno.make(data, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()
