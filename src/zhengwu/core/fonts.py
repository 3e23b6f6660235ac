"""The CJK font every generated document uses (PDFs with reportlab, seal images with Pillow).

``ZHENGWU_PDF_FONT`` names a TrueType/TTC file; else the first installed of the candidates
(Debian's fonts-wqy-microhei, Noto CJK). Without any, PDFs fall back to reportlab's built-in CID
font STSong-Light (the reader supplies the glyphs) and seal images to Pillow's default font.
"""

from __future__ import annotations

import functools
import os

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)


def cjk_font_path() -> str | None:
    """The CJK font file to embed, or None when none is installed."""
    for path in (os.environ.get("ZHENGWU_PDF_FONT", ""), *FONT_CANDIDATES):
        if path and os.path.exists(path):
            return path
    return None


@functools.cache
def pdf_font() -> str:
    """The reportlab font name to draw Chinese text with, registered once per process."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    path = cjk_font_path()
    if path:
        pdfmetrics.registerFont(TTFont("ZWCJK", path, subfontIndex=0))
        return "ZWCJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"
