"""Build the SVG sprite of the icons the pages use from the Bootstrap Icons package (MIT).

    npm pack bootstrap-icons@1.13.1 && tar xzf bootstrap-icons-1.13.1.tgz
    python tools/icon_sprite.py package/

writes src/zhengwu/static/zhengwu/icons/bootstrap-icons.svg (one <symbol> per icon in NAMES, its id
the icon's name) and copies the package's LICENCE beside it. Pages show an icon with the template
tag ``{% icon "printer" %}`` (zhengwu.core.icons); a name not in the sprite is refused there. To
add an icon: add its name to NAMES (https://icons.getbootstrap.com/), run this again, commit both.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

NAMES = sorted({
    # Workbench modules (zhengwu.workbench.menu entries' icon names).
    "alarm", "bar-chart", "book", "box-arrow-in-down", "card-checklist", "cpu", "diagram-3", "envelope-paper",
    "flag", "folder2-open", "gear", "graph-up", "inbox", "person-vcard", "puzzle", "signpost-split", "star",
    "tags", "telephone", "tools",
    # Marks and actions on pages.
    "check-lg", "x-lg", "flag-fill", "printer", "arrow-right", "search",
    # 长辈版 (the elders' home).
    "shield-check", "heart-pulse", "house-heart", "file-earmark-text", "person-heart", "fonts",
})

OUT = Path(__file__).resolve().parent.parent / "src" / "zhengwu" / "static" / "zhengwu" / "icons"


def build(package: Path) -> str:
    version = json.loads((package / "package.json").read_text())["version"]
    symbols = []
    for name in NAMES:
        svg = (package / "icons" / f"{name}.svg").read_text()
        view_box = re.search(r'viewBox="([^"]+)"', svg).group(1)
        body = re.search(r"<svg[^>]*>(.*)</svg>", svg, re.S).group(1)
        body = re.sub(r"\s*\n\s*", "", body)
        symbols.append(f'<symbol id="{name}" viewBox="{view_box}">{body}</symbol>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg">\n<!-- Bootstrap Icons {version} (MIT licence, '
            f'LICENSE-bootstrap-icons.txt), built by tools/icon_sprite.py -->\n' + "\n".join(symbols) + "\n</svg>\n")


if __name__ == "__main__":
    package = Path(sys.argv[1] if len(sys.argv) > 1 else "package")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bootstrap-icons.svg").write_text(build(package))
    shutil.copyfile(package / "LICENSE", OUT / "LICENSE-bootstrap-icons.txt")
    print(f"{len(NAMES)} icons -> {OUT / 'bootstrap-icons.svg'}")
