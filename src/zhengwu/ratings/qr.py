"""QR codes (segno) for rating links: SVG for pages and print, PNG for the receipt PDF."""

from __future__ import annotations

import io

import segno


def svg(data: str, scale: int = 5) -> str:
    """An inline SVG with a viewBox and its natural size (``scale`` px a module): a page that sizes
    the code in CSS (the kiosk's 20rem box) scales the drawing with the box, centred with its quiet
    zone, instead of leaving it in the corner (or cropping it) at its natural size."""
    code = segno.make(data, error="m")
    buf = io.BytesIO()
    code.save(buf, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True, omitsize=True)
    width, height = code.symbol_size(scale=scale, border=2)
    return buf.getvalue().decode().replace("<svg ", f'<svg width="{width}" height="{height}" ', 1)


def png(data: str, scale: int = 6) -> bytes:
    buf = io.BytesIO()
    segno.make(data, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()
