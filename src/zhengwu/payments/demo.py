"""Demo 缴款单 (``zhengwu demo``, after the year of demo history): on a few concluded cases of
items with fixed fees — one paid at the counter with its 收据, one partly refunded, the others
待缴款 (their delivery waits). Idempotent: nothing is added once the demo has orders."""

from __future__ import annotations

from django.db import transaction

DEMO_ORDERS = 4


def load(stdout) -> None:  # the orders need the history's concluded cases: see finish()
    return None


def finish(stdout) -> None:
    from zhengwu.cases.models import Case
    from zhengwu.org.models import Role, RoleGrant

    from . import services
    from .models import PaymentOrder

    if PaymentOrder.objects.exists():
        return
    made = []
    candidates = (Case.objects.filter(state="concluded", outcome="approved", payment_order__isnull=True)
                  .exclude(item_version__fees=[]).select_related("item_version", "department").order_by("-pk")[:200])
    for case in candidates:
        if len(made) >= DEMO_ORDERS:
            break
        if not services.fully_priced(case.item_version.fees or []):
            continue
        with transaction.atomic():
            made.append(services.create_order(None, case, system=True))
    clerk = next((g.user for g in RoleGrant.objects.filter(role=Role.WINDOW, department__isnull=True)
                  .select_related("user")[:1]), None)
    if clerk is not None and made:
        try:
            first = made[0]
            services.pay_at_counter(clerk, first, first.lock_version, "cash", first.amount_due_fen)
            if len(made) > 1:
                second = made[1]
                services.pay_at_counter(clerk, second, second.lock_version, "pos", second.amount_due_fen, "POS0001")
                services.refund(clerk, PaymentOrder.objects.get(pk=second.pk), min(500, second.amount_due_fen),
                                "演示：重复收取的部分退还", idempotency_key="demo-refund-1")
        except Exception as exc:  # noqa: BLE001 — a demo without payments is still a demo
            stdout.write(f"演示缴款未完成：{exc}")
    stdout.write(f"收费与缴款：演示缴款单 {len(made)} 张")
