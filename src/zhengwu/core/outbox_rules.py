"""Pure rules of the feeds to upper-level platforms (上报): the back-off schedule, when a record
is given up (dead letter), and the masking of what goes upward. No ORM: unit-tested on their own.

A record that failed ``n`` times waits ``BASE × 2^(n-1)`` seconds, at most ``CAP``, before its next
try; after ``max_attempts`` failed tries it is *dead*: no more automatic tries, it waits on the
上报队列 page for a person to resend it (重新推送), or for the upper platform to pull it.
"""

from __future__ import annotations

import datetime as dt
import re

BASE = dt.timedelta(minutes=1)
CAP = dt.timedelta(hours=6)
MAX_ATTEMPTS = 10  # 1+2+4+…+256 minutes (capped at 6 h): about 8½ hours of tries before giving up


def backoff(failures: int, *, base: dt.timedelta = BASE, cap: dt.timedelta = CAP) -> dt.timedelta:
    """How long to wait after the ``failures``-th failed try (1 → base, 2 → 2×base, … ≤ cap)."""
    if failures <= 0:
        return dt.timedelta(0)
    if failures > 40:  # 2**40 minutes is far beyond any cap: no overflow
        return cap
    return min(base * (2 ** (failures - 1)), cap)


def after_failure(failures: int, now: dt.datetime, *, max_attempts: int = MAX_ATTEMPTS) -> tuple[str, dt.datetime]:
    """The status and next try time of a record that has now failed ``failures`` times."""
    if failures >= max_attempts:
        return "dead", now
    return "failed", now + backoff(failures)


def schedule(max_attempts: int = MAX_ATTEMPTS) -> list[dt.timedelta]:
    """The waits between tries, in order (shown on the 上报队列 page and in the ADR)."""
    return [backoff(n) for n in range(1, max_attempts)]


# -- what goes upward ----------------------------------------------------------------------------
_ID_RE = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5}(?:18|19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx])(?![0-9A-Za-z])")
_ID15_RE = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{14})(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3}-?\d{7,8})(?!\d)")


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***; empty stays empty."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_id_number(value: str) -> str:
    """4101051990********1234 style: the first 4 and last 4 characters kept."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def _mask_middle(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:] if len(number) > 7 else "*" * len(number)


def scrub_text(text: str) -> str:
    """Free text (诉求内容, 答复) with the ID numbers and phone numbers a caller typed in masked:
    the upper platform needs the matter, not the caller's numbers."""
    text = text or ""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(1)), text)
    text = _ID15_RE.sub(lambda m: mask_id_number(m.group(1)), text)
    text = _PHONE_RE.sub(lambda m: _mask_middle(m.group(1)), text)
    return _LANDLINE_RE.sub(lambda m: _mask_middle(m.group(1)), text)
