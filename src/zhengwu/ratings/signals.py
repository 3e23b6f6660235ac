"""Rateable events (可评价事件) from the cases app: a concluded case is one event of 一事一评.

``cases`` concludes a case through its service (``transition(..., extra_fields=[..., "concluded_at"])``);
this receiver sees that save and records the event once per case (a :class:`RateableEvent` with
what a 默认好评 of it needs) and in the daily aggregate, so that 主动评价率 is read from
:class:`~zhengwu.ratings.models.RatingDaily` alone (no count over a million cases per request) and
ratings reads no cases table. A case created already concluded (imports) counts once as well. A
12345 ticket closed (办结) is one as well (:func:`ticket_saved`, on the hotline app's own save,
read from the saved instance). The ``ratings_rebuild_events`` command recomputes the counts from
``cases.Case`` for a period (a repair tool, run by hand).

The receipt of a case (申请回执) carries the 好差评 QR code: cases asks for it through its
:data:`~zhengwu.cases.signals.receipt_qr` signal, answered by :func:`rating_qr_for_receipt` here.

A 12345 回访 with a satisfaction level is a 工单评价: the hotline app sends
:data:`~zhengwu.hotline.signals.callback_rated`, answered by :func:`hotline_callback_rated` here.
"""

from __future__ import annotations

from django.utils import timezone

CONCLUDED = ("concluded", "delivered")


def case_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or instance.state not in CONCLUDED or instance.concluded_at is None:
        return
    if not created and not (update_fields and "concluded_at" in update_fields):
        return
    from .services import record_concluded_case

    record_concluded_case(instance, region_code=_region_code(instance))


def ticket_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    """12345: a ticket closed (办结) with a responsible department is a rateable event, rated or not
    (主动评价率's denominator is every closed ticket that may be rated, not only the rated ones).
    Merged (并单) and cancelled tickets never reach 办结; a ticket answered from the knowledge base
    without a department has nobody to rate. Counted once per ticket (record_rateable_event)."""
    if raw or instance.state != "closed" or instance.lead_department_id is None:
        return
    if update_fields is not None and "state" not in update_fields:
        return
    from .services import record_rateable_event

    closed_at = getattr(instance, "closed_at", None) or timezone.now()
    record_rateable_event(kind="hotline", ref=instance.number, department=instance.lead_department,
                          region=getattr(instance, "region", None), day=timezone.localdate(closed_at))


def _region_code(case) -> str:
    region = getattr(case, "_state", None) and case._state.fields_cache.get("region")
    if region is not None:
        return region.code
    from zhengwu.org.models import Region

    return Region.objects.filter(pk=case.region_id).values_list("code", flat=True).first() or ""


def rating_qr_for_receipt(sender, case, **kwargs) -> tuple[bytes, str]:
    """The rating QR code (one signed, single-use token per case) and its caption for the receipt."""
    from .services import receipt_qr_png

    return receipt_qr_png(case), "办结后请扫码评价（好差评，一事一评）"


def hotline_callback_rated(sender, *, ticket_number, department, level, comment="", rated_at=None, applicant=None,
                           region=None, actor=None, **kwargs):
    """12345 工单评价 from a callback (:data:`zhengwu.hotline.signals.callback_rated`); the Rating."""
    from .services import rate_hotline_ticket

    return rate_hotline_ticket(ticket_number=ticket_number, department=department, level=level, comment=comment,
                               rated_at=rated_at, applicant=applicant, region=region, actor=actor)
