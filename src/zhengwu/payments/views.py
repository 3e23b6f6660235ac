"""Workbench pages of 收费与缴款: the orders of one's departments, an order (柜台收款, 退款, 作废),
开具缴款单 for a case, the printable 收据, and 日对账 (page + Excel).

Pages only compose: every write goes through :mod:`zhengwu.payments.services`; every order lookup
is scoped to the departments the user's grants cover (:func:`orders_for`).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.cases import queries as case_queries
from zhengwu.catalog import fee_rules
from zhengwu.core.errors import Conflict
from zhengwu.org.models import Role
from zhengwu.org.permissions import scope
from zhengwu.workbench.views import roles_required

from . import reports, rules, services
from .models import Payment, PaymentOrder

VIEW_ROLES = (Role.WINDOW, Role.APPROVER, Role.DEPT_ADMIN, Role.LEADER, Role.SUPERVISOR)
VIEW_WHAT = "窗口、审批人员及部门管理员、领导、督办人员"
CLERK_WHAT = "窗口人员或审批人员"


def orders_for(user):
    return scope(PaymentOrder.objects.all(), user, VIEW_ROLES, department_field="department")


def _order(user, pk: int) -> PaymentOrder:
    order = orders_for(user).select_related("case", "department").filter(pk=pk).first()
    if order is None:  # 跨域通办: the window that received the case collects the fee there
        order = PaymentOrder.objects.select_related("case", "department").filter(pk=pk).first()
        if order is None or not services.receives_for(user, order):
            raise Http404("缴款单不存在或无权查看")
    return order


@roles_required(*VIEW_ROLES, what=VIEW_WHAT)
def order_list(request):
    state = request.GET.get("state", "")
    qs = orders_for(request.user).select_related("case", "department").order_by("-pk")
    if state in rules.STATE_LABELS:
        qs = qs.filter(state=state)
    code = request.GET.get("code", "").strip()
    if code:
        qs = qs.filter(pay_code=code) if code.isdigit() else qs.filter(case__number=code)
    return render(request, "payments/order_list.html", {
        "rows": list(qs[:100]), "states": [(s.value, label) for s, label in rules.STATE_LABELS.items()],
        "filters": {"state": state, "code": code}})


def _errors(exc: ValidationError) -> list[str]:
    return [m for msgs in exc.message_dict.values() for m in msgs] if hasattr(exc, "error_dict") else exc.messages


@roles_required(*VIEW_ROLES, what=VIEW_WHAT)
def order_detail(request, pk: int, errors: list[str] | None = None, status: int = 200):
    order = _order(request.user, pk)
    payments = list(order.payments.select_related("recorded_by").order_by("pk"))
    refunds = list(order.refunds.select_related("created_by").order_by("pk"))
    return render(request, "payments/order_detail.html", {
        "order": order, "case": order.case, "payments": payments, "refunds": refunds,
        "lines": [{**line, "amount": fee_rules.yuan(line["amount_fen"]), "due": fee_rules.yuan(line["due_fen"])}
                  for line in order.lines],
        "errors": errors or [], "counter_methods": [(m.value, rules.METHOD_LABELS[m]) for m in rules.COUNTER_METHODS],
        "refund_methods": [(m.value, rules.METHOD_LABELS[m]) for m in rules.REFUND_METHODS],
        "refund_key": uuid.uuid4().hex, "may_act": services.permissions.has_role(
            request.user, *services.CLERK_ROLES, department=order.department),
        "may_collect": services.may_collect(request.user, order),
        "post": request.POST if request.method == "POST" else {},
    }, status=status)


def _money(text) -> int | None:
    try:
        return rules.parse_yuan_to_fen(text)
    except (ValueError, TypeError):
        raise ValidationError({"amount": [f"金额“{text}”应为以元为单位、最多两位小数的数字"]}) from None


def _lock(post) -> int | None:
    try:
        return int(post.get("lock_version", ""))
    except ValueError:
        return None


@require_POST
@roles_required(Role.WINDOW, Role.APPROVER, what=CLERK_WHAT)
def order_action(request, pk: int, action: str):
    """柜台收款 (pay) / 退款 (refund) / 作废 (void) on one order."""
    order = _order(request.user, pk)
    post = request.POST
    try:
        if action == "pay":
            payment = services.pay_at_counter(request.user, order, _lock(post), post.get("method", ""),
                                              _money(post.get("amount")), post.get("reference", ""))
            messages.success(request, f"已收款 {payment.amount_yuan} 元，收据编号 {payment.receipt_number}")
            return redirect("payments:receipt", payment.pk)
        if action == "refund":
            r = services.refund(request.user, order, _money(post.get("amount")), post.get("reason", ""),
                                post.get("method", rules.Method.CASH), post.get("idempotency_key", ""))
            messages.success(request, f"已退款 {r.amount_yuan} 元，退款单号 {r.number}")
        elif action == "void":
            services.void(request.user, order, _lock(post), post.get("reason", ""))
            messages.success(request, "缴款单已作废")
        else:
            raise Http404("未知的操作")
    except Conflict as exc:
        return order_detail(request, pk, errors=exc.messages, status=409)
    except ValidationError as exc:
        return order_detail(request, pk, errors=_errors(exc), status=400)
    return redirect("payments:order", pk)


@roles_required(Role.WINDOW, Role.APPROVER, what=CLERK_WHAT)
def order_new(request, case_pk: int):
    """开具缴款单 for a case: amounts of the rule-priced fees, the 减免 chosen with the reason."""
    case = case_queries.staff_case(request.user, case_pk)
    existing = PaymentOrder.objects.filter(case=case).first()
    if existing is not None:
        return redirect("payments:order", existing.pk)
    fees = [fee_rules.normalise_fee(f) for f in (case.item_version.fees or [])]
    errors: list[str] = []
    if request.method == "POST":
        amounts, reductions = {}, {}
        try:
            for i, fee in enumerate(fees):
                if not fee["amount"]:
                    text = request.POST.get(f"amount-{i}", "")
                    try:
                        value = rules.parse_yuan_to_fen(text)
                    except (ValueError, TypeError):
                        raise ValidationError(f"收费项目“{fee['name']}”的金额“{text}”应为以元为单位、最多两位小数的数字") from None
                    if value is not None:
                        amounts[fee["name"]] = value
                pick = request.POST.get(f"reduction-{i}", "")
                if pick:
                    reductions[fee["name"]] = {"name": pick, "reason": request.POST.get(f"reason-{i}", "")}
            order = services.create_order(request.user, case, amounts=amounts, reductions=reductions)
            messages.success(request, f"已开具缴款单，缴款码 {order.pay_code}，应缴 {order.due_yuan} 元")
            return redirect("payments:order", order.pk)
        except ValidationError as exc:
            errors = _errors(exc)
    return render(request, "payments/order_new.html", {"case": case, "fees": fees, "errors": errors,
                                                         "post": request.POST}, status=400 if errors else 200)


@roles_required(*VIEW_ROLES, what=VIEW_WHAT)
def receipt(request, pk: int):
    """收据: printable (the browser's print, a print stylesheet hides the workbench chrome)."""
    payment = Payment.objects.select_related("order__case__service_item", "order__department", "recorded_by").filter(
        pk=pk).first()
    if payment is None or not (orders_for(request.user).filter(pk=payment.order_id).exists()
                               or services.receives_for(request.user, payment.order)):
        raise Http404("收据不存在或无权查看")
    order = payment.order
    return render(request, "payments/receipt.html", {
        "payment": payment, "order": order, "case": order.case,
        "lines": [{**line, "due": fee_rules.yuan(line["due_fen"])} for line in order.lines],
        "method_label": rules.METHOD_LABELS.get(payment.method, payment.method)})


def _day(params) -> dt.date:
    try:
        return dt.date.fromisoformat(params.get("day", ""))
    except ValueError:
        return timezone.localdate() - dt.timedelta(days=1)


@roles_required(*VIEW_ROLES, what=VIEW_WHAT)
def reconciliation(request):
    day = _day(request.GET)
    if request.method == "POST":
        day = _day(request.POST)
        reports.build(day)
        messages.success(request, f"已重新生成 {day:%Y-%m-%d} 的对账报表")
        return redirect(f"{request.path}?day={day:%Y-%m-%d}")
    report = reports.for_user(request.user, day)
    return render(request, "payments/reconciliation.html", {"day": day, "report": report,
                                                              "prev": day - dt.timedelta(days=1),
                                                              "next": day + dt.timedelta(days=1)})


@roles_required(*VIEW_ROLES, what=VIEW_WHAT)
def reconciliation_xlsx(request):
    day = _day(request.GET)
    content = reports.xlsx(reports.for_user(request.user, day), day)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="reconciliation-{day:%Y%m%d}.xlsx"'
    return response
