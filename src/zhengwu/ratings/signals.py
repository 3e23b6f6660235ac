"""Rateable events (可评价事件) from the cases app: a concluded case is one event of 一事一评.

``cases`` concludes a case through its service (``transition(..., extra_fields=[..., "concluded_at"])``);
this receiver sees that save and adds the event to the daily aggregate, so that 主动评价率 is read
from :class:`~zhengwu.ratings.models.RatingDaily` alone (no count over a million cases per
request). A case created already concluded (imports, bench data) counts once as well. The
``ratings_rebuild_events`` command recomputes the counts from ``cases.Case`` for a period.

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
    from .services import bump

    bump(day=timezone.localdate(instance.concluded_at), kind="case", department_id=instance.department_id,
         window_id=instance.window_id, staff_id=None, item_id=instance.service_item_id, region_id=instance.region_id,
         region_code=_region_code(instance), events=1)


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
