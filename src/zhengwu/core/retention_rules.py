"""Retention rules (保存期限), pure: no Django import, so settings.py can check them at startup.

等保 (GB/T 22239-2019, 8.1.4.3 安全审计 c): 审计记录应进行保护，定期备份，避免受到未预期的删除、修改或覆盖
等; the 网络安全法 (第二十一条) asks for network logs kept no less than six months. So every
retention period of audit records and logs is at least :data:`MIN_LOG_DAYS`.
"""

from __future__ import annotations

import datetime as dt

from .setting_rules import SettingError

MIN_LOG_DAYS = 180
BATCH = 5000  # rows deleted per statement: never one huge DELETE on a large table


class RetentionError(SettingError):
    """A retention period the law does not allow (message in Chinese)."""


def check_log_retention(days: int, setting: str) -> int:
    """``days`` for audit records or logs: refused below six months. 0 is refused too (it would
    mean "delete at once"); to keep for ever, set a large number."""
    if days < MIN_LOG_DAYS:
        raise RetentionError(
            f"{setting}={days} 不允许：审计记录和日志至少保存 {MIN_LOG_DAYS} 天（六个月，"
            "GB/T 22239-2019 8.1.4.3、网络安全法第二十一条），请设为 180 或更大")
    return days


def check_days(days: int, setting: str) -> int:
    """Any other retention period: at least one day."""
    if days < 1:
        raise RetentionError(f"{setting}={days} 不允许：保存期限至少 1 天")
    return days


def cutoff(now: dt.datetime, days: int) -> dt.datetime:
    """Rows created before this are past their retention period."""
    return now - dt.timedelta(days=days)
