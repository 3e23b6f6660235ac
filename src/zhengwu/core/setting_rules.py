"""Checks of the operator's settings made when the settings load (pure: no Django import).

A bad value stops every ``zhengwu`` command at once with a Chinese message naming the variable and
the rule (``zhengwu.cli`` prints it without a traceback), instead of a crash later in whatever
first uses it (a malformed ``ZHENGWU_PII_KEY`` used to pass ``check --deploy`` and then break
``sms-outbox`` with ``binascii.Error``).
"""

from __future__ import annotations

import base64
import binascii


class SettingError(ValueError):
    """A setting the platform cannot run with (message in Chinese)."""


def check_key(value: str, name: str, min_bytes: int = 32) -> str:
    """``value`` must be base64 of at least ``min_bytes`` random bytes."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SettingError(f"{name} 不正确：应为 base64 编码的至少 {min_bytes} 字节随机数（生成方法见 README 的 Production 一节）") from None
    if len(raw) < min_bytes:
        raise SettingError(f"{name} 太短：解码后 {len(raw)} 字节，至少需要 {min_bytes} 字节")
    return value
