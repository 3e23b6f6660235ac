"""Logging filter that masks personal data that slipped into a log message.

The platform never logs personal data on purpose (PII values render masked); this filter is the
second line: 18-character ID numbers and mobile numbers in a formatted message are masked.
"""

from __future__ import annotations

import logging
import re

from .pii import mask

_ID_RE = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


def scrub(text: str) -> str:
    text = _ID_RE.sub(lambda m: mask("id_number", m.group(1)), text)
    return _PHONE_RE.sub(lambda m: mask("phone", m.group(1)), text)


class MaskPIIFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
