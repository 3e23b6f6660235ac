"""The pull API of the feeds to upper-level platforms (/api/v1/feeds/, ADR 0050):

- ``GET  /feeds/<feed>/records?after=<id>&limit=<n>`` — the feed's records not yet confirmed, in
  order after the cursor ``after``;
- ``POST /feeds/<feed>/ack`` — ``{"ids": [...], "receipt": "..."}``: the upper platform confirms it
  received them (they are then *sent* and leave the queue).

An 应用密钥 holding the feed's own scope (``feed:hotline``, ``feed:cases``) — a key of another
feed is refused with 403 — or a 数据管理员/系统管理员 session. Core owns the outbox; this router
lives in the workbench because it needs the accounts' keys and the people's roles.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from ninja import Query, Router
from ninja.errors import HttpError
from pydantic import Field

from zhengwu.accounts.api_auth import ApiKeyAuth, SessionAuth
from zhengwu.accounts.apikeys import SCOPES
from zhengwu.accounts.models import ApiKey
from zhengwu.core import errors, outbox
from zhengwu.core.schemas import ERRORS, Schema
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role

PREFIX = "/feeds/"
router = Router(auth=[ApiKeyAuth(), SessionAuth()], tags=["上报上级平台"])


class NotFound(errors.NotFound):
    message = "没有这个上报数据项"


def _feed(request, name: str) -> outbox.Feed:
    feed = outbox.get(name)
    if feed is None:
        raise NotFound(f"没有名为 {name} 的上报数据项（可用：{'、'.join(f.name for f in outbox.feeds())}）")
    who = request.auth
    if isinstance(who, ApiKey):
        if feed.scope not in who.scopes:
            raise HttpError(403, f"应用密钥无权访问：需要授权范围 {feed.scope}（{SCOPES.get(feed.scope, feed.label)}）")
    elif not has_role(who, Role.DATA_ADMIN, Role.SYSADMIN):
        raise PermissionDenied("只有数据管理员可以读取上报队列")
    return feed


class FeedRecordOut(Schema):
    id: int
    feed: str
    key: str = Field(..., description="对象类型:对象编号:事件:版本（同一记录重复推送或拉取时不变，用于去重）")
    event: str
    object_type: str
    object_id: str
    ref: str = Field(..., description="业务编号：工单编号、办件编号")
    version: int
    created_at: str
    payload: dict = Field(..., description="上报内容（个人信息已脱敏或不含）")


class FeedAckIn(Schema):
    ids: list[int] = Field(..., description="已被上级平台接收的记录编号（最多1000个）")
    receipt: str = Field("", description="上级平台回执号")


class FeedAckOut(Schema):
    marked: int


@router.get("/{feed}/records", response={200: list[FeedRecordOut], **ERRORS}, summary="待确认的上报记录（最早在前）",
            description="读取尚未被上级平台确认接收的记录；after=上次读到的最大记录编号（游标），limit≤1000。"
                        "接收后调用 /feeds/{feed}/ack 确认。读取不改变状态。")
def records(request, feed: str, after: int = Query(0, ge=0, le=2**62), limit: int = Query(100, ge=1, le=1000)):
    f = _feed(request, feed)
    return outbox.unsent(f.name, after=after, limit=limit)


@router.post("/{feed}/ack", response={200: FeedAckOut, **ERRORS}, summary="确认上报记录已被上级平台接收")
def ack(request, feed: str, payload: FeedAckIn):
    f = _feed(request, feed)
    if not payload.ids:
        from django.core.exceptions import ValidationError

        raise ValidationError({"ids": ["请给出已被上级平台接收的记录编号"]})
    if len(payload.ids) > outbox.ACK_MAX:
        from django.core.exceptions import ValidationError

        raise ValidationError({"ids": [f"一次最多确认{outbox.ACK_MAX}条记录"]})
    key = request.auth if isinstance(request.auth, ApiKey) else None
    n = outbox.ack(f.name, payload.ids, payload.receipt, actor=None if key else request.auth, api_key=key)
    return {"marked": n}
