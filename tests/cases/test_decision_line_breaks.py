"""避头尾 in the PDF documents of a case: no line of a 决定书's body (nor of a table cell) begins
with closing punctuation such as 》、）、，、。 (GB/T 15834-2011 标点符号用法 and the common
避头尾 rule of Chinese typesetting: a closing mark stays with the character before it)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

CLOSING = "，。、；：？！）》」』】〕〉”’"
OPENING = "（《「『【〔〈“‘"

needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext not installed")


def _lines(pdf_bytes: bytes, tmp_path) -> list[str]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf_bytes)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


@needs_pdftotext
@pytest.mark.parametrize("fill", range(28, 46))
def test_no_body_line_begins_with_closing_punctuation(fill, tmp_path):
    """Whatever the text before it, 》 never starts a line and 《 never ends one: the break moves."""
    from zhengwu.cases.documents import _render

    body = "准" * fill + "颁发《营业执照》（证照编号：0012026000000001），电子证照可在“我的证照”中查看和下载。"
    pdf = _render("准予决定书", [("事项名称", "字" * fill + "》，说明")], [body], "发证机关")
    lines = _lines(pdf.content.read(), tmp_path)
    starts = [ln for ln in lines if ln[0] in CLOSING]
    ends = [ln for ln in lines if ln[-1] in OPENING]
    assert not starts and not ends, lines


def test_the_wrapping_rule_moves_the_break_before_the_last_character():
    from zhengwu.core import linebreak

    def measure(s):
        return float(len(s))

    assert linebreak.wrap("一二三四》五", 4, measure) == ["一二三", "四》五"]
    assert linebreak.wrap("一二三《四五", 4, measure) == ["一二三", "《四五"]  # an opening mark never ends a line
    assert linebreak.wrap("一二三四五六", 4, measure) == ["一二三四", "五六"]
    assert linebreak.wrap("》》》》》》", 4, measure) == ["》》》》", "》》"]  # nothing to move: break as it falls
    assert linebreak.wrap("", 4, measure) == [""]
    assert linebreak.wrap("一二\n三", 4, measure) == ["一二", "三"]


@needs_pdftotext
def test_an_opinion_with_markup_characters_is_printed_as_written(tmp_path):
    """An approver's reason is plain text: "<" and "&" are printed, not read as markup."""
    from zhengwu.cases.documents import _render

    said = "项目<b>热食</b> &amp; 冷食"
    pdf = _render("准予决定书", [("理由", said)], [f"理由：{said}"], "发证机关")
    lines = _lines(pdf.content.read(), tmp_path)
    assert sum(said in ln for ln in lines) == 2, lines
