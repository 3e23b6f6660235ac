"""The seal image (印章图像): a red round seal, the department's name around the top, a five-pointed
star in the middle, an optional line below it — drawn with Pillow, kept as a transparent PNG."""

from __future__ import annotations

import functools
import io
import math

from PIL import Image, ImageDraw, ImageFont

from zhengwu.core.fonts import cjk_font_path

RED = (218, 28, 28, 255)


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = cjk_font_path()
    if path:
        return ImageFont.truetype(path, size=size, index=0)
    return ImageFont.load_default(size=size)  # no CJK font: the ring of text degrades, the seal still draws


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def draw_seal(name: str, *, below: str = "", size: int = 360) -> bytes:
    """PNG bytes of the seal: ``name`` on an arc around the top, a star, ``below`` under the star."""
    scale = 2  # draw large, scale down: smooth edges
    s = size * scale
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = s / 2
    ring = s * 0.035
    draw.ellipse((ring / 2, ring / 2, s - ring / 2, s - ring / 2), outline=RED, width=int(ring))
    draw.polygon(_star(c, c, s * 0.16), fill=RED)

    text = name.strip() or "印章"
    n = len(text)
    char_size = int(s * (0.13 if n <= 11 else max(0.07, 0.13 * 11 / n)))
    font = _font(char_size)
    radius = s / 2 - ring - char_size * 0.75  # centre line of the characters
    span = min(math.radians(235), math.radians(21 if n <= 11 else 235 / n) * n)  # the arc the text covers
    step = span / max(n - 1, 1)
    start = -math.pi / 2 - span / 2  # clockwise from the left, centred on the top
    for i, ch in enumerate(text):
        angle = start + i * step if n > 1 else -math.pi / 2
        glyph = Image.new("RGBA", (char_size * 2, char_size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((char_size, char_size), ch, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        x = c + radius * math.cos(angle) - char_size
        y = c + radius * math.sin(angle) - char_size
        img.alpha_composite(glyph, (int(x), int(y)))
    if below:
        small = _font(int(s * 0.075))
        draw.text((c, c + s * 0.25), below, font=small, fill=RED, anchor="mm")
    img = img.resize((size, size), Image.LANCZOS)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False)
    return out.getvalue()
