"""Forms say their errors in Chinese from the server (字段：规则), next to the field: a form the browser
validates itself shows its own bubble instead ("Please fill out this field.", in the browser's
language) and never sends the request. So every POST form carries ``novalidate`` — Django renders
``required``, ``type="date"``, ``min``/``max`` on its widgets, which the browser would enforce —
and so does any other form with a ``required`` input."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "zhengwu"
FORM_TAG = re.compile(r"<form\b(?:\{\{.*?\}\}|\{%.*?%\}|[^>])*?>", re.DOTALL | re.IGNORECASE)
POST = re.compile(r"""method\s*=\s*["']?post""", re.IGNORECASE)
REQUIRED = re.compile(r"\srequired\b")

# Forms that keep the browser's validation, and why.
NATIVE_VALIDATION = {
    # A GET picker: submitted empty, the page has nothing to say (it just shows the picker
    # again), so the browser's "请选择" is the only message there is.
    ("datashare/templates/datashare/sharing/new.html", "resource-pick"),
}


def _forms():
    for path in sorted(SRC.rglob("*.html")):
        if "vendor" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for m in FORM_TAG.finditer(text):
            end = text.find("</form>", m.end())
            yield path, text, m, text[m.end(): end if end != -1 else len(text)]


def test_forms_that_the_server_validates_carry_novalidate():
    found = []
    for path, text, m, body in _forms():
        tag = m.group(0)
        if "novalidate" in tag or not (POST.search(tag) or REQUIRED.search(body)):
            continue
        form_id = (re.search(r'\sid="([^"]+)"', tag) or [None, ""])[1]
        if (str(path.relative_to(SRC)), form_id) in NATIVE_VALIDATION:
            continue
        found.append(f"{path.relative_to(SRC)}:{text.count(chr(10), 0, m.start()) + 1}")
    assert not found, "forms without novalidate (the browser's own bubble hides the Chinese message): " + \
        ", ".join(found)


def test_the_allow_list_names_forms_that_exist():
    present = {(str(path.relative_to(SRC)), (re.search(r'\sid="([^"]+)"', m.group(0)) or [None, ""])[1])
               for path, _text, m, _body in _forms()}
    assert NATIVE_VALIDATION <= present
