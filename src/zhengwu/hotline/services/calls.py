"""话务量: the call system's daily counts (人工服务请求量, 人工应答量) the 接通率 is computed from.

The call system (or a person at the centre) reports one day of one line; reporting the same day
and line again replaces the counts (a resend never adds twice).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.core import audit

from ..models import CallVolume
from .base import _text, is_centre

CALLS_SCOPE = "hotline:calls"  # 应用密钥 scope of the call system


MAX_COUNT = 2_147_483_647  # the column's limit (an integer column on PostgreSQL)


def _count(value, field: str, label: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"{label}应为非负整数"}) from None
    if n < 0 or str(value).strip().startswith("-"):
        raise ValidationError({field: f"{label}应为非负整数"})
    if n > MAX_COUNT:
        raise ValidationError({field: f"{label}不能超过{MAX_COUNT}"})
    return n


def report_calls(user, *, day, offered, answered, line: str = "12345", region_code: str = "",
                 system: str = "") -> CallVolume:
    """Record (or replace) one day's counts of one line. ``user`` is a centre member, or None when
    a call system reports with its key (``system``: its name, for the audit)."""
    if user is not None and not is_centre(user):
        raise PermissionDenied("仅派单中心（热线坐席、督办人员）或话务系统可以报送话务量")
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for field, fn in (
        ("day", lambda: _day(day)),
        ("offered", lambda: _count(offered, "offered", "人工服务请求量")),
        ("answered", lambda: _count(answered, "answered", "人工应答量")),
        ("line", lambda: _text(line or "12345", "line", "线路", max_len=40)),
        ("region_code", lambda: _text(region_code, "region_code", "区划代码", required=False, max_len=12)),
    ):
        try:
            values[field] = fn()
        except ValidationError as exc:
            for k, msgs in exc.message_dict.items():
                errors.setdefault(k, []).extend(msgs)
    if not errors and values["answered"] > values["offered"]:
        errors["answered"] = [f"人工应答量（{values['answered']}）不能大于人工服务请求量（{values['offered']}）"]
    if errors:
        raise ValidationError(errors)
    for attempt in range(2):
        try:
            with transaction.atomic():
                row = CallVolume.objects.select_for_update().filter(day=values["day"], line=values["line"]).first()
                before = {"offered": row.offered, "answered": row.answered} if row else None
                if row is None:
                    row = CallVolume(day=values["day"], line=values["line"])
                row.offered, row.answered, row.region_code = values["offered"], values["answered"], values["region_code"]
                row.save()
                audit.record("hotline.calls", actor=user, obj=row, before=before,
                             after={"day": row.day.isoformat(), "line": row.line, "offered": row.offered,
                                    "answered": row.answered, "system": system})
                return row
        except IntegrityError:  # two reports of a new day at once: the second replaces the first
            if attempt:
                raise
    raise AssertionError("unreachable")


def _day(value) -> dt.date:
    if isinstance(value, dt.date):
        d = value
    else:
        try:
            d = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ValidationError({"day": "日期格式不正确：应为 YYYY-MM-DD"}) from None
    if d > timezone.localdate():
        raise ValidationError({"day": "不能报送未来日期的话务量"})
    return d
