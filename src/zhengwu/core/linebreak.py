"""避头尾: breaking Chinese text into lines of a given width (pure, no PDF library).

A line never begins with closing punctuation (，。、；：？！）》」』】〕〉”’… and their ASCII
forms) and never ends with opening punctuation (（《「『【〔〈“‘ …): GB/T 15834-2011《标点符号用法》
puts these marks with the character they close or open, and Chinese typesetting keeps them so
(避头尾). When the greedy break falls on such a mark, the break moves back — the last character(s)
of the line go down with it ("推出") — never more than half the line; a run of marks longer than
that breaks where it falls.

Used by the PDF documents (decision letters, licence faces), which measure with the embedded font.
"""

from __future__ import annotations

from collections.abc import Callable

NO_START = frozenset("，。、；：？！）》」』】〕〉〗”’…—·%‰,.;:?!)]}")
NO_END = frozenset("（《「『【〔〈〖“‘([{")


def _cut(line: str, nxt: str) -> int:
    """Where to break ``line`` (which ``nxt`` would overflow): the count of characters kept on it."""
    def bad(k: int) -> bool:
        start = line[k] if k < len(line) else nxt
        return start in NO_START or line[k - 1] in NO_END

    k = len(line)
    floor = max(1, len(line) // 2)
    while k > floor and bad(k):
        k -= 1
    return len(line) if bad(k) else k


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``text`` in lines no wider than ``width`` as ``measure`` (a string's width) says, with
    避头尾; a newline starts a new line. A character wider than the line stays on a line of its own."""
    lines: list[str] = []
    line = ""
    for ch in text or "":
        if ch == "\n":
            lines.append(line)
            line = ""
            continue
        if line and measure(line + ch) > width:
            keep = _cut(line, ch)
            lines.append(line[:keep])
            line = line[keep:] + ch
            while len(line) > 1 and measure(line) > width:  # what came down no longer fits either
                lines.append(line[:-1])
                line = line[-1:]
        else:
            line += ch
    lines.append(line)
    return lines
