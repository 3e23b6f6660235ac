"""SVG icons from our own static files: ``{% icon "printer" %}`` in Django templates (library
``icons``), ``icon("printer")`` in the Jinja2 ones.

An icon is a ``<use>`` of one symbol of the sprite ``zhengwu/icons/bootstrap-icons.svg`` (Bootstrap
Icons, MIT; built by tools/icon_sprite.py), so it needs no font and no network: an emoji or a
dingbat used as an icon shows as an empty box where the system font lacks it (the CJK fonts of
government desktops do). Decorative by default (``aria-hidden``, the text beside it says what it
is); with ``label`` it is an image with that accessible name (WCAG 2.1 SC 1.1.1).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

SPRITE = "zhengwu/icons/bootstrap-icons.svg"
_SPRITE_FILE = Path(__file__).resolve().parent.parent / "static" / SPRITE


@cache
def names() -> frozenset[str]:
    """The icons in the sprite (its symbols' ids), read once."""
    return frozenset(re.findall(r'<symbol id="([a-z0-9-]+)"', _SPRITE_FILE.read_text()))


@cache
def _href() -> str:
    return static(SPRITE)


def icon(name: str, label: str = "", css: str = "") -> SafeString:
    """``<svg>`` showing the sprite's symbol ``name``; an unknown name is a programming error."""
    if name not in names():
        raise ValueError(f"没有名为 {name!r} 的图标（见 tools/icon_sprite.py 的 NAMES）")
    classes = f"zw-icon {css}".strip()
    if label:
        return format_html('<svg class="{}" role="img" aria-label="{}" focusable="false"><use href="{}#{}"></use></svg>',
                           classes, label, _href(), name)
    return format_html('<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
                       classes, _href(), name)
