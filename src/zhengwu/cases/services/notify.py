"""Notifications: in-app messages and SMS through a gateway plugin (registry of adapters).

The SMS gateway is chosen by ``settings.ZHENGWU_SMS_GATEWAY`` (default ``outbox``). The local
``outbox`` gateway sends nothing: it leaves the message in the SMS outbox, which staff read in
the admin (短信发件箱) — it never pretends a message was delivered. A real gateway is a small
class registered here with :func:`register_gateway`.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .. import rules
from ..models import Case, Notification, SmsMessage

logger = logging.getLogger(__name__)


class SmsGateway:
    name = "base"

    def send(self, message: SmsMessage) -> None:  # sets status/sent_at/error on the message
        raise NotImplementedError


class OutboxGateway(SmsGateway):
    """本地网关: writes to the outbox only."""

    name = "outbox"

    def send(self, message: SmsMessage) -> None:
        message.status = SmsMessage.Status.OUTBOX


_gateways: dict[str, type[SmsGateway]] = {"outbox": OutboxGateway}


def register_gateway(cls: type[SmsGateway]) -> type[SmsGateway]:
    _gateways[cls.name] = cls
    return cls


def gateway() -> SmsGateway:
    name = getattr(settings, "ZHENGWU_SMS_GATEWAY", "outbox")
    return _gateways[name]()


def queue_sms(phone: str, body: str, case: Case | None = None) -> SmsMessage:
    """Put an SMS in the outbox inside the caller's transaction; the worker hands it to the
    gateway (transactional outbox: a rolled-back change sends nothing)."""
    from ..tasks import deliver_sms

    msg = SmsMessage.objects.create(phone=phone, body=body[:500], case=case, gateway=gateway().name)
    deliver_sms.enqueue(msg.pk)
    return msg


@transaction.atomic
def deliver(message_id: int) -> SmsMessage:
    msg = SmsMessage.objects.select_for_update().get(pk=message_id)
    if msg.status != SmsMessage.Status.QUEUED:
        return msg  # already handled: a retried task never sends twice
    gw = gateway()
    msg.gateway = gw.name
    try:
        gw.send(msg)
        if msg.status == SmsMessage.Status.SENT:
            msg.sent_at = timezone.now()
    except Exception as exc:  # a gateway failure must not undo the case change
        msg.status, msg.error = SmsMessage.Status.FAILED, str(exc)[:300]
        logger.warning("短信发送失败 gateway=%s case=%s: %s", gw.name, msg.case_id or "-", exc)
    msg.save()
    return msg


def notify_state_change(case: Case, phrase: str) -> None:
    """Tell the applicant (and the agent, if any) that their case moved; ``phrase`` says what
    happened as a predicate (``rules.notice_phrase``: 已受理, 特别程序已结束). Runs inside the
    transaction of the change."""
    title = f"办件{case.state_label}：{case.service_item.name}"
    body = f"您的办件（编号 {case.number or '草稿'}）{phrase}，当前状态：{case.state_label}。"
    owed = (list(case.pending_materials.filter(supplied_at__isnull=True).order_by("due_date", "pk"))
            if case.intake_mode == "tolerated" and case.state == "in_review" else [])
    if owed:  # 容缺受理: what to bring, by when, and the 承诺时限 counted from then, in the message itself
        body += f"请于{owed[0].due_date:%Y年%m月%d日}前补交容缺材料：{'、'.join(p.name for p in owed)}。"
        if case.due_date:
            body += rules.tolerance_notice(case.promised_days, max(p.due_date for p in owed), case.due_date)
    elif case.due_date and case.state in ("in_review", "suspended"):
        body += f"承诺办结日期：{case.due_date:%Y年%m月%d日}。"
    notify_applicant(case, title, body)


def notify_concluded(case: Case, result, licence=None) -> None:
    """办结: the result (准予/不予 and why), the e-licence issued with it — named, and linked to the
    holder's 我的证照 page (in the SMS as well when the portal's public address is set) — and how
    the result is collected. Runs inside the conclusion's transaction."""
    body = rules.conclusion_notice(case.number, result.outcome, result.reason,
                                   licence.type.name if licence else "", licence.number if licence else "",
                                   case.delivery_method)
    link = reverse("licenses:my_licence", args=[licence.pk]) if licence else ""
    notify_applicant(case, f"办件已办结：{case.service_item.name}", body, link=link, link_label="查看证照")


def notify_applicant(case: Case, title: str, body: str, *, link: str = "", link_label: str = "") -> None:
    """An in-app message to the applicant (and the agent, if any) and an SMS through the outbox,
    inside the caller's transaction. ``link``: a page of the applicant's (a path), linked under the
    applicant's message and, when ``ZHENGWU_PUBLIC_URL`` is set, at the end of the SMS; the agent's
    message has none (the page is the applicant's)."""
    recipients = [case.applicant.user_id]
    if case.agent_id:
        recipients.append(case.agent.user_id)
    Notification.objects.bulk_create([
        Notification(recipient_id=u, case=case, title=title, body=body, link=link if i == 0 else "",
                     link_label=link_label if link and i == 0 else "")
        for i, u in enumerate(recipients)])
    phone = case.applicant.phone
    if phone:
        base = getattr(settings, "ZHENGWU_PUBLIC_URL", "") or ""
        tail = f"{link_label}：{base}{link}" if link and base else ""
        queue_sms(phone.reveal_unaudited(), f"【{settings.ZHENGWU_PLATFORM_NAME}】{body}{tail}", case)


def notify_person(user_id: int | None, title: str, body: str, phone: str = "", *, link: str = "",
                  link_label: str = "") -> tuple[bool, bool]:
    """The same two channels for another domain's step (a 12345 工单): an in-app message when the
    person has an account (``user_id``), an SMS through the outbox when ``phone`` is given, inside
    the caller's transaction. ``link``: the person's own page of the matter (a path), linked under
    the in-app message and, as for a case, at the end of the SMS when ``ZHENGWU_PUBLIC_URL`` is set;
    only with an account (the page asks the person to sign in). Returns (in-app message written,
    SMS queued)."""
    link = link if user_id else ""
    if user_id:
        Notification.objects.create(recipient_id=user_id, title=title[:100], body=body, link=link,
                                    link_label=link_label if link else "")
    if phone:
        base = getattr(settings, "ZHENGWU_PUBLIC_URL", "") or ""
        tail = f"{link_label}：{base}{link}" if link and base else ""
        queue_sms(phone, f"【{settings.ZHENGWU_PLATFORM_NAME}】{body}{tail}")
    return bool(user_id), bool(phone)
