"""The 12345 工单 feed to the upper-level platform (省级12345平台汇聚): the events it carries and
the payload of a ticket, through the shared outbox (:mod:`zhengwu.core.outbox`, ADR 0050).

Events: ``created`` (受理登记), ``callback`` (回访接通), ``closed`` (办结 — also 直接办结, 并单 and
撤销, told apart by 办结方式). Each record carries the ticket as it is after the change (the upper
platform keeps the latest by 工单编号 and version), with the fields of the national 12345 data
exchange (GB/T 33358-2016 工单要素) that the ticket has.

Personal data: the caller's phone is never sent; the caller's name only masked (王*), and not at
all for a 保密 ticket (whose address is left out too); ID and phone numbers typed into the
content or the reply are masked (:func:`zhengwu.core.outbox_rules.scrub_text`).
"""

from __future__ import annotations

from django.utils import timezone

from zhengwu.core import outbox
from zhengwu.core.outbox_rules import scrub_text

from . import rules

NAME = "hotline"
SCOPE = "feed:hotline"
EVENTS = {"created": "受理", "callback": "回访", "closed": "办结"}
# The ticket actions (services.transition) that are an event of the feed.
ACTION_EVENTS = {"callback": "callback", "close": "closed", "direct_close": "closed", "merge": "closed",
                 "cancel": "closed"}
CLOSE_KINDS = {"closed": "正常办结", "archived": "正常办结", "merged": "并单（重复诉求）", "cancelled": "撤销（误登记）"}


def _time(value) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else None


def payload(ticket, event: str) -> dict:
    """What goes upward of a ticket (inside the transaction of the change: two small reads)."""
    from zhengwu.org.models import Department

    from .models import Category

    category = (Category.objects.filter(pk=ticket.category_id).values("path", "code").first()
                if ticket.category_id else None) or {}
    lead = (Department.objects.filter(pk=ticket.lead_department_id).values("name", "uscc").first()
            if ticket.lead_department_id else None) or {}
    secret = ticket.confidential
    close_kind = "直接办结（知识库答复）" if ticket.closed_directly else CLOSE_KINDS.get(ticket.state, "")
    return {
        "工单编号": ticket.number,
        "来源渠道": ticket.get_channel_display(),
        "诉求类型": rules.TYPE_LABELS.get(ticket.ticket_type, ticket.ticket_type),
        "紧急程度": rules.URGENCY_LABELS.get(ticket.urgency, ticket.urgency),
        "标题": scrub_text(ticket.title),
        "诉求内容": scrub_text(ticket.content),
        "诉求人": "" if secret or not ticket.caller_name else str(ticket.caller_name),  # masked: 王*
        "保密": bool(secret),
        "诉求地点": "" if secret else ticket.address,
        "所属区划": ticket.region_code,
        "诉求分类": category.get("path", ""),
        "分类编码": category.get("code", ""),
        "承办单位": lead.get("name", ""),
        "承办单位统一社会信用代码": lead.get("uscc") or "",
        "受理时间": _time(ticket.created_at),
        "派单时间": _time(ticket.dispatched_at),
        "办结时限": _time(ticket.due_at),
        "答复内容": scrub_text(ticket.reply),
        "答复时间": _time(ticket.replied_at),
        "回访接通": ticket.callback_reached,
        "问题解决": ticket.resolved,
        "满意度": ticket.satisfaction,
        "满意度说明": rules.SATISFACTION_LABELS.get(ticket.satisfaction, "") if ticket.satisfaction else "",
        "办结时间": _time(ticket.closed_at),
        "办结方式": close_kind,
        "按时办结": ticket.closed_on_time,
        "重复诉求": ticket.is_repeat,
        "工单状态": ticket.state_label,
        "事件": EVENTS[event],
    }


def register() -> None:
    """Declared in HotlineConfig.ready."""
    outbox.register(outbox.Feed(NAME, "12345工单", scope=SCOPE, object_type="hotline.ticket", build=payload,
                                ref=lambda t: t.number, events=EVENTS,
                                description="工单受理、回访、办结时上报省级12345平台"))


def enqueue(ticket, event: str) -> None:
    outbox.enqueue(NAME, ticket, event)


def on_transition(ticket, action: str) -> None:
    """Called by services.transition inside the change's transaction."""
    if (event := ACTION_EVENTS.get(action)) is not None:
        outbox.enqueue(NAME, ticket, event)
