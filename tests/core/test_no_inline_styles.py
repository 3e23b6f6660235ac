"""The Content-Security-Policy allows no inline style (style-src 'self'): a ``style=""`` attribute in
a template is silently dropped by the browser (the 亮证核验 form lost its width that way)."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "zhengwu"
INLINE_STYLE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)


def test_no_template_has_an_inline_style_attribute():
    found = []
    for path in sorted(SRC.rglob("*.html")):
        if "vendor" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for m in INLINE_STYLE.finditer(text):
            found.append(f"{path.relative_to(SRC)}:{text.count(chr(10), 0, m.start()) + 1}")
    assert not found, "inline style attributes (use a class in static/zhengwu/zhengwu.css): " + ", ".join(found)
