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


# -- `check --deploy` (registered in zhengwu.core.checks) -------------------------------------------
PUBLIC_URL_HINT = "设置为门户对外的 https 地址，例如 ZHENGWU_PUBLIC_URL=https://zw.example.gov.cn（README 的 Production 一节）"


def public_url_problem(value: str) -> tuple[str, str] | None:
    """What is wrong with ``ZHENGWU_PUBLIC_URL`` for production, as (check id, Chinese message), or
    None. The address is printed in the QR codes of sealed licences, 好差评 and 办事指南: without it
    they carry a relative path no phone can open — and a signed licence cannot be corrected later."""
    from urllib.parse import urlsplit

    value = (value or "").strip()
    if not value:
        return ("zhengwu.W001", "未设置 ZHENGWU_PUBLIC_URL：电子证照、好差评和办事指南的二维码只有相对路径，扫码无法打开"
                                "（已签章的证照事后不能更正）")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        return ("zhengwu.W002", f"ZHENGWU_PUBLIC_URL 不是 https 完整地址（现为 {value[:100]}）：二维码中的核验链接"
                                "须为 https://域名 开头，手机扫码才能打开且不被篡改")
    return None
