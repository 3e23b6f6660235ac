"""Icons are SVG from our own static files (zhengwu.core.icons), never an emoji or a dingbat: those
show as empty boxes where the system font lacks them (the CJK fonts of government desktops)."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template

import zhengwu
from zhengwu.core import icons
from zhengwu.workbench import menu

SRC = Path(zhengwu.__file__).resolve().parent
# Emoji and pictographs, dingbats (✔ ✘ ✓ ✗ ★), miscellaneous symbols and technical signs (☎ ⚙ ⏰),
# arrows-and-shapes used as emoji (⬆ ⭐), variation selector 16 (the emoji presentation of a sign).
EMOJI = re.compile("[\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\U0001f000-\U0001faff]")


def _page_files():
    for path in SRC.rglob("*"):
        if path.suffix in {".html", ".js", ".css", ".txt"} and "static/bootstrap" not in path.as_posix():
            if any(part in {"templates", "jinja2", "static"} for part in path.parts):
                yield path


def test_no_template_script_or_style_contains_an_emoji():
    files = list(_page_files())
    assert len(files) > 100  # the scan sees the templates of every app
    found = [f"{p.relative_to(SRC)}:{n}: {m.group()!r}" for p in files
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) for m in EMOJI.finditer(line)]
    assert not found, "emoji used in pages (use {% icon %}):\n" + "\n".join(found)


def test_the_scan_finds_an_emoji():
    assert EMOJI.search("<button>🖨 打印回执</button>") and EMOJI.search("✔ 已交") and EMOJI.search("⚙ 系统管理")
    assert not EMOJI.search("全部主题 → 时限 ≤ 法定（①）")  # arrows and CJK punctuation are text


def test_every_workbench_module_names_an_icon_of_the_sprite():
    entries = menu._entries
    assert len(entries) > 10
    assert all(e.icon in icons.names() for e in entries), [(e.label, e.icon) for e in entries if e.icon not in icons.names()]


def test_the_icon_tag_uses_the_static_sprite():
    html = Template('{% load icons %}{% icon "printer" %}|{% icon "check-lg" label="已上传" css="text-success" %}').render(Context())
    decorative, labelled = html.split("|")
    assert decorative == ('<svg class="zw-icon" aria-hidden="true" focusable="false">'
                          '<use href="/static/zhengwu/icons/bootstrap-icons.svg#printer"></use></svg>')
    assert 'role="img" aria-label="已上传"' in labelled and 'class="zw-icon text-success"' in labelled
    assert "aria-hidden" not in labelled


def test_an_unknown_icon_is_refused():
    with pytest.raises(ValueError, match="没有名为 'printr' 的图标"):
        icons.icon("printr")


def test_the_sprite_holds_the_icons_the_build_script_lists():
    import runpy

    names = runpy.run_path(str(SRC.parent.parent / "tools" / "icon_sprite.py"), run_name="icon_sprite")["NAMES"]
    assert set(names) == icons.names()
    assert (SRC / "static" / "zhengwu" / "icons" / "LICENSE-bootstrap-icons.txt").read_text().startswith("The MIT License")
