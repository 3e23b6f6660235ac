"""Django's ``{# … #}`` comment ends at the end of its line: one written over two lines is not a
comment at all and its text is shown to the user (the 一件事 form showed its English note to
applicants). Longer notes use ``{% comment %}``. Jinja2 templates (``jinja2/``) allow both."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "zhengwu"
UNCLOSED = re.compile(r"\{#(?![^\n]*#\})")


def test_no_django_template_has_a_comment_over_several_lines():
    found = []
    for path in sorted(SRC.rglob("*.html")):
        if "vendor" in path.parts or "jinja2" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for m in UNCLOSED.finditer(text):
            found.append(f"{path.relative_to(SRC)}:{text.count(chr(10), 0, m.start()) + 1}")
    assert not found, "{# #} comments over several lines (use {% comment %}): " + ", ".join(found)


def test_every_title_block_closes_on_its_line():
    """An unclosed ``{% block title %}`` swallows the page's markup into the browser tab's title
    (the 派单模型 page lost its whole 派单规则 section that way)."""
    found = []
    for path in sorted(SRC.rglob("*.html")):
        if "vendor" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "{% block title %}" in line and "{% endblock" not in line.split("{% block title %}", 1)[1]:
                found.append(f"{path.relative_to(SRC)}:{n}")
    assert not found, "title blocks not closed on their line: " + ", ".join(found)
