"""日对账: per day and per channel (渠道 × 方式) the count and sum of payments and refunds, and the
differences between our orders and the providers' records.

Differences (差异) found:

- a provider notice with a valid signature that was not booked (缴款码 unknown, amount not the
  amount due, order already paid): the provider holds money that no order shows;
- an order whose 已缴/已退 figures disagree with its payment and refund records;
- a payment whose amount is not its order's amount due.

The worker job ``payments.reconcile`` builds yesterday's platform-wide report every day
(:class:`DailyReport`); the workbench page computes the same figures for the departments the
viewer's grants cover.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

from django.db.models import Count, Sum
from django.utils import timezone

from zhengwu.catalog.fee_rules import yuan
from zhengwu.core import xlsx_writer

from . import providers, rules
from .models import DailyReport, NoticeLog, Payment, PaymentOrder, Refund

UNBOOKED = (NoticeLog.Outcome.UNKNOWN_ORDER, NoticeLog.Outcome.AMOUNT_MISMATCH, NoticeLog.Outcome.ALREADY_PAID)


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def _provider_label(code: str) -> str:
    p = providers.get(code)
    if p is not None:
        return p.label
    return str((providers.configured().get(code) or {}).get("label", code))


def compute(day: dt.date, orders=None) -> dict:
    """The report of ``day`` over ``orders`` (a queryset of PaymentOrder; None: all)."""
    start, end = _bounds(day)
    pays = Payment.objects.filter(paid_at__gte=start, paid_at__lt=end)
    refunds = Refund.objects.filter(created_at__gte=start, created_at__lt=end)
    if orders is not None:
        pays, refunds = pays.filter(order__in=orders), refunds.filter(order__in=orders)
    rows: dict[tuple[str, str], dict] = defaultdict(lambda: {"payments": 0, "paid_fen": 0, "refunds": 0,
                                                             "refunded_fen": 0})
    for r in pays.values("provider", "method").annotate(n=Count("id"), total=Sum("amount_fen")):
        row = rows[(r["provider"], r["method"])]
        row["payments"], row["paid_fen"] = r["n"], int(r["total"] or 0)
    for r in refunds.values("provider", "method").annotate(n=Count("id"), total=Sum("amount_fen")):
        row = rows[(r["provider"], r["method"])]
        row["refunds"], row["refunded_fen"] = r["n"], int(r["total"] or 0)
    channels = [{"provider": p, "provider_label": _provider_label(p), "method": m,
                 "method_label": rules.METHOD_LABELS.get(m, m), **v} for (p, m), v in sorted(rows.items())]
    totals = {k: sum(c[k] for c in channels) for k in ("payments", "paid_fen", "refunds", "refunded_fen")}
    return {"day": day.isoformat(), "channels": channels, "totals": totals,
            "discrepancies": _discrepancies(start, end, pays, refunds, orders)}


def _discrepancies(start, end, pays, refunds, orders) -> list[dict]:
    out = []
    notices = NoticeLog.objects.filter(received_at__gte=start, received_at__lt=end, outcome__in=UNBOOKED)
    if orders is not None:  # a department sees the notices about its orders (unknown codes: the platform's)
        notices = notices.filter(pay_code__in=orders.values("pay_code"))
    for n in notices.order_by("pk"):
        out.append({"kind": "渠道通知未入账", "provider": _provider_label(n.provider), "pay_code": n.pay_code,
                    "transaction_id": n.transaction_id, "amount_fen": n.amount_fen,
                    "detail": NoticeLog.Outcome(n.outcome).label})
    ids = set(pays.values_list("order_id", flat=True)) | set(refunds.values_list("order_id", flat=True))
    pay_sums = dict(Payment.objects.filter(order_id__in=ids).values("order_id").annotate(t=Sum("amount_fen"))
                    .values_list("order_id", "t"))
    refund_sums = dict(Refund.objects.filter(order_id__in=ids).values("order_id").annotate(t=Sum("amount_fen"))
                       .values_list("order_id", "t"))
    for o in PaymentOrder.objects.filter(pk__in=ids).order_by("pk"):
        paid = int(pay_sums.get(o.pk) or 0)
        refunded = int(refund_sums.get(o.pk) or 0)
        if paid != o.paid_fen:
            out.append({"kind": "已缴金额不符", "provider": "", "pay_code": o.pay_code, "transaction_id": "",
                        "amount_fen": paid - o.paid_fen,
                        "detail": f"缴款单记已缴 {yuan(o.paid_fen)} 元，缴款记录合计 {yuan(paid)} 元"})
        if paid and paid != o.amount_due_fen:
            out.append({"kind": "实收与应缴不符", "provider": "", "pay_code": o.pay_code, "transaction_id": "",
                        "amount_fen": paid - o.amount_due_fen,
                        "detail": f"应缴 {yuan(o.amount_due_fen)} 元，实收 {yuan(paid)} 元"})
        if refunded != o.refunded_fen:
            out.append({"kind": "已退金额不符", "provider": "", "pay_code": o.pay_code, "transaction_id": "",
                        "amount_fen": refunded - o.refunded_fen,
                        "detail": f"缴款单记已退 {yuan(o.refunded_fen)} 元，退款记录合计 {yuan(refunded)} 元"})
    return out


def build(day: dt.date) -> DailyReport:
    """The platform-wide report of ``day``, kept (rebuilt when asked again)."""
    report, _ = DailyReport.objects.update_or_create(day=day, defaults={"data": compute(day)})
    return report


def build_yesterday() -> str:
    day = timezone.localdate() - dt.timedelta(days=1)
    data = build(day).data
    return (f"{day:%Y-%m-%d} 对账：缴款 {data['totals']['payments']} 笔 {yuan(data['totals']['paid_fen'])} 元，"
            f"退款 {data['totals']['refunds']} 笔 {yuan(data['totals']['refunded_fen'])} 元，"
            f"差异 {len(data['discrepancies'])} 项")


def for_user(user, day: dt.date) -> dict:
    from zhengwu.org.permissions import is_sysadmin

    from .views import orders_for

    data = compute(day, None if is_sysadmin(user) else orders_for(user))
    for row in [*data["channels"], data["totals"]]:
        row["paid_yuan"], row["refunded_yuan"] = yuan(row["paid_fen"]), yuan(row["refunded_fen"])
    for d in data["discrepancies"]:
        d["amount_yuan"] = yuan(d["amount_fen"])
    kept = DailyReport.objects.filter(day=day).only("built_at").first()
    data["built_at"] = kept.built_at if kept else None
    return data


HEADER = ["渠道", "方式", "缴款笔数", "缴款金额（元）", "退款笔数", "退款金额（元）"]


def xlsx(data: dict, day: dt.date) -> bytes:
    out = io.BytesIO()
    with xlsx_writer.XlsxWriter(out, f"{day:%Y-%m-%d}对账", [16, 12, 10, 16, 10, 16]) as w:
        w.append([f"日对账 {day:%Y-%m-%d}"])
        w.append(HEADER)
        for c in data["channels"]:
            w.append([c["provider_label"], c["method_label"], c["payments"], yuan(c["paid_fen"]), c["refunds"],
                      yuan(c["refunded_fen"])])
        t = data["totals"]
        w.append(["合计", "", t["payments"], yuan(t["paid_fen"]), t["refunds"], yuan(t["refunded_fen"])])
        w.append([])
        w.append(["差异", "渠道", "缴款码", "渠道交易号", "金额（元）", "说明"])
        for d in data["discrepancies"]:
            w.append([d["kind"], d["provider"], d["pay_code"], d["transaction_id"], yuan(d["amount_fen"]), d["detail"]])
        if not data["discrepancies"]:
            w.append(["无差异"])
    return out.getvalue()
