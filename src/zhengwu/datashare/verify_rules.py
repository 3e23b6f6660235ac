"""Pure rules of the 查询核验 service (no ORM): which fields a registry knows, which a grant
allows, the purpose, the quota windows and the answers. Unit-tested on their own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MATCH, MISMATCH = "一致", "不一致"
BATCH_MAX = 1000
PURPOSE_MAX = 300

# The fields the query service can return, per registry: key → 中文名. Identifying columns
# (身份证号 itself) are never returned: the caller already has it.
PERSON_FIELDS = {
    "name": "姓名", "gender": "性别", "birth_date": "出生日期", "nation": "民族",
    "household_address": "户籍地址", "region_code": "户籍区划", "phone": "联系电话", "alive": "在世",
}
LEGAL_FIELDS = {
    "name": "名称", "legal_rep": "法定代表人", "kind": "类型", "address": "住所", "region_code": "登记区划",
    "status": "登记状态", "established_on": "成立日期", "registered_capital": "注册资本",
}
FIELDS = {"person": PERSON_FIELDS, "legal": LEGAL_FIELDS}
REGISTRY_LABELS = {"person": "人口库", "legal": "法人库"}


class Refusal(Exception):
    """A call refused: HTTP status, Chinese message, optional field errors and Retry-After."""

    def __init__(self, status: int, detail: str, errors: dict | None = None, retry_after: int | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or {}
        self.retry_after = retry_after


def clean_purpose(purpose: str | None) -> str:
    text = " ".join(str(purpose or "").split())
    if not text:
        raise Refusal(400, "用途：必填", {"purpose": ["用途：必填"]})
    if len(text) > PURPOSE_MAX:
        raise Refusal(400, f"用途：不能超过{PURPOSE_MAX}个字", {"purpose": [f"用途：不能超过{PURPOSE_MAX}个字"]})
    return text


def check_fields(registry: str, requested: list[str], granted: list[str]) -> list[str]:
    """The requested fields, in order and without repeats, once every one is known (400 naming the
    unknown) and granted (403 naming those the grant does not allow)."""
    known = FIELDS[registry]
    wanted = list(dict.fromkeys(str(f).strip() for f in requested or [] if str(f).strip()))
    if not wanted:
        raise Refusal(400, "信息项：至少选择一项", {"fields": ["信息项：至少选择一项"]})
    unknown = [f for f in wanted if f not in known]
    if unknown:
        msg = f"信息项：未知的信息项 {'、'.join(unknown)}（可用：{'、'.join(known)}）"
        raise Refusal(400, msg, {"fields": [msg]})
    allowed = set(granted or [])
    refused = [f for f in wanted if f not in allowed]
    if refused:
        names = "、".join(f"{f}（{known[f]}）" for f in refused)
        raise Refusal(403, f"未获授权的信息项：{names}；请先提交共享申请", {"fields": refused})
    return wanted


# -- grants ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GrantView:
    """What the rules need of a grant (the ORM row's fields)."""

    revoked_at: dt.datetime | None
    expires_at: dt.datetime
    resource_status: str
    resource_version: int = 0  # published versions so far (DataResource.version)


def grant_problem(g: GrantView, now: dt.datetime) -> str:
    """Why a grant does not allow a call now ("" when it does)."""
    if g.revoked_at is not None and g.revoked_at <= now:
        return "共享授权已撤销"
    if g.expires_at <= now:
        return "共享授权已过期"
    # A published resource being revised (draft/review again) keeps serving its last published
    # version; a withdrawn one, or one never published, serves nobody.
    if g.resource_status == "withdrawn" or (g.resource_status != "published" and g.resource_version < 1):
        return "数据资源未发布或已撤销"
    return ""


# -- quotas --------------------------------------------------------------------------------------
def minute_window(ts: float) -> tuple[int, int]:
    """(window number, seconds until it ends) of the per-minute limit at Unix time ``ts``."""
    n = int(ts) // 60
    return n, max(1, (n + 1) * 60 - int(ts))


def day_window(local_now: dt.datetime) -> tuple[str, int]:
    """(day key, seconds until local midnight) of the daily quota."""
    tomorrow = dt.datetime.combine(local_now.date() + dt.timedelta(days=1), dt.time(), tzinfo=local_now.tzinfo)
    return local_now.date().isoformat(), max(1, int((tomorrow - local_now).total_seconds()) + 1)


def quota_refusal(minute_count: int, per_minute: int, minute_left: int,
                  day_count: int, daily_quota: int, day_left: int) -> Refusal | None:
    """429 when a counter (after this call was counted) is past its limit."""
    if daily_quota and day_count > daily_quota:
        return Refusal(429, f"已超过每日调用上限（{daily_quota}次），请明日再试或申请提高上限",
                       retry_after=day_left)
    if per_minute and minute_count > per_minute:
        return Refusal(429, f"调用过于频繁：每分钟最多{per_minute}次，请{minute_left}秒后再试",
                       retry_after=minute_left)
    return None
