"""How payments joins the case lifecycle without the cases app importing it (ADR 0052).

- 准予 → 缴款单: ``post_save`` of ``cases.CaseEvent`` with action ``conclude`` and outcome 准予
  (the pattern of ADR 0047): when every fee item of the case's guide has a fixed amount the order
  is opened in the conclusion's transaction, in a savepoint — a failure is logged and never fails
  the decision (the clerk then opens it by hand). Fees priced by a rule wait for the clerk.
- 送达 waits until paid: a receiver of :data:`zhengwu.cases.signals.delivery_check` refuses the
  delivery while the case owes money.
"""

from __future__ import annotations

import logging

from django.db import transaction

from .rules import SETTLED, STATE_LABELS

logger = logging.getLogger("zhengwu.payments")


def on_case_event(sender, instance, created, raw=False, **kwargs) -> None:
    if raw or not created or instance.action != "conclude" or (instance.data or {}).get("outcome") != "准予":
        return
    from zhengwu.cases.models import Case

    from . import services
    from .models import PaymentOrder

    try:
        with transaction.atomic():
            case = Case.objects.select_related("item_version").get(pk=instance.case_id)
            fees = case.item_version.fees or []
            if not fees or not services.fully_priced(fees) or PaymentOrder.objects.filter(case=case).exists():
                return
            services.create_order(None, case, system=True)
    except Exception:  # noqa: BLE001 — the decision stands; the clerk opens the order by hand
        logger.exception("准予后自动开具缴款单失败：办件 %s", instance.case_id)


def delivery_refusal(sender, case, **kwargs) -> str | None:
    """Why ``case`` may not be delivered yet (None: it may)."""
    from .models import PaymentOrder

    order = PaymentOrder.objects.filter(case_id=case.pk).only("state", "amount_due_fen", "pay_code").first()
    if order is None:
        if case.outcome == "approved" and (case.item_version.fees or []):
            return "本事项需收费，尚未开具缴款单：请先开具缴款单，缴款后再登记送达"
        return None
    if order.state in SETTLED:
        return None
    return (f"缴款单（缴款码 {order.pay_code}）{STATE_LABELS.get(order.state, order.state)}，"
            f"应缴 {order.due_yuan} 元：缴款后方可登记送达")
