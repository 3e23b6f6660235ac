"""收费与缴款: pure rules (no ORM) — the 缴款单 state table, the 缴款码, what is due, refunds.

Money is integer 分 everywhere in this app (``*_fen``), shown as 元 with two decimals
(:func:`zhengwu.catalog.fee_rules.yuan`); a float never holds a sum of money.

缴款码 (the code the payer quotes at a bank counter, in online banking or on the province's
非税 platform)
--------------------------------------------------------------------------------------------
What the reference material we could read says (``docs/payments.md``, "Sources"):

- DA/T 95—2022《行政事业单位一般公共预算支出财务报销电子会计凭证档案管理技术规范》, 表 B.1
  (支付回单), names the element ``PayCode 缴款识别码 … 用于非税缴款``: the identifier every
  non-tax payment carries through the bank's receipt — its length and structure are set by
  each province's 非税收入收缴 system, not by that standard;
- the 国库 (TIPS) non-tax records carry the 缴款识别码 as a field of their own next to the
  收缴国库, 征收机关 and 执收单位 (e.g. ``NontaxDto.shold1`` of cfcc ITFE code);
- a public Q&A page on 非税收缴 (m.jiusongjiankang.com/health/news/4926098.html) describes the
  central 非税 collection entered at a bank with a 16-digit 缴款码.

We found no published text of the province's own layout. The layout used here is therefore
**the platform's, configurable, and to be checked against the province's interface document
before going live**: 20 digits ::

    RRRRRR YY NNNNNNNNNNN C
    │      │  │           └ check digit: ISO 7064 MOD 11,10 over the 19 digits before it
    │      │  └ 11-digit serial (the order's id, zero-padded: unique for ever)
    │      └ 2-digit year of issue
    └ 6-digit 执收单位 区划代码 (the department's region, GB/T 2260)

MOD 11,10 (ISO/IEC 7064, a hybrid system giving one decimal digit) catches every single-digit
error and every swap of two adjacent digits — the two mistakes a person typing a code makes.
"""

from __future__ import annotations

from enum import StrEnum

from stdnum.iso7064 import mod_11_10

from zhengwu.catalog import fee_rules
from zhengwu.core.statemachine import StateMachine, t

PAY_CODE_LENGTH = 20
SERIAL_DIGITS = 11


class State(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    PART_REFUNDED = "part_refunded"
    REFUNDED = "refunded"
    VOID = "void"
    WAIVED = "waived"


STATE_LABELS = {State.PENDING: "待缴款", State.PAID: "已缴款", State.PART_REFUNDED: "部分退款",
                State.REFUNDED: "已退款", State.VOID: "已作废", State.WAIVED: "免缴"}
#: A case whose order is in one of these may have its result delivered.
SETTLED = frozenset({State.PAID, State.PART_REFUNDED, State.REFUNDED, State.VOID, State.WAIVED})


class Actor(StrEnum):
    CLERK = "clerk"  # 窗口人员 / 审批人员 of the department
    PROVIDER = "provider"  # a payment provider's signed notice


MACHINE = StateMachine([
    t("pay", {State.PENDING}, State.PAID, {Actor.CLERK, Actor.PROVIDER}, "缴款"),
    t("refund", {State.PAID, State.PART_REFUNDED}, None, {Actor.CLERK}, "退款"),
    t("void", {State.PENDING}, State.VOID, {Actor.CLERK}, "作废"),
], noun="缴款单", state_labels=STATE_LABELS, state=State, actor=Actor, refusals={
    ("pay", State.PAID): "该缴款单已缴款，不能重复缴款",
    ("pay", State.PART_REFUNDED): "该缴款单已缴款（已部分退款），不能重复缴款",
    ("pay", State.REFUNDED): "该缴款单已缴款并已退款，不能再缴款",
    ("pay", State.VOID): "该缴款单已作废，不能缴款",
    ("pay", State.WAIVED): "该缴款单为免缴，无需缴款",
    "refund": "缴款单当前为“{state}”，只有已缴款的缴款单可以退款",
    "void": "缴款单当前为“{state}”，只有待缴款的缴款单可以作废",
})


class Method(StrEnum):
    CASH = "cash"
    POS = "pos"
    TRANSFER = "transfer"
    ONLINE = "online"


METHOD_LABELS = {Method.CASH: "现金", Method.POS: "POS刷卡", Method.TRANSFER: "转账", Method.ONLINE: "网上支付"}
COUNTER_METHODS = (Method.CASH, Method.POS, Method.TRANSFER)
REFUND_METHODS = (Method.CASH, Method.TRANSFER)


# -- 缴款码 ------------------------------------------------------------------------------------------
def pay_code(region_code: str, year: int, serial: int) -> str:
    """The 20-digit 缴款码 of order ``serial`` issued in ``year`` by a department of ``region_code``."""
    region = "".join(ch for ch in str(region_code) if ch.isdigit())[:6].ljust(6, "0")
    if serial < 0 or serial >= 10 ** SERIAL_DIGITS:
        raise ValueError("serial out of range")
    body = f"{region}{year % 100:02d}{serial:0{SERIAL_DIGITS}d}"
    return body + mod_11_10.calc_check_digit(body)


def pay_code_problem(code: str) -> str | None:
    """Why ``code`` is not a 缴款码 of this platform (None: it is well-formed and its check digit holds)."""
    s = (code or "").strip().replace(" ", "")
    if len(s) != PAY_CODE_LENGTH or not s.isdigit():
        return f"缴款码应为{PAY_CODE_LENGTH}位数字"
    if not mod_11_10.is_valid(s):
        return "缴款码校验位不正确，请核对是否输错"
    return None


# -- what is due ---------------------------------------------------------------------------------
def order_lines(fees: list[dict], amounts: dict[str, int] | None = None,
                reductions: dict[str, dict] | None = None) -> tuple[list[dict], list[str]]:
    """The lines of a 缴款单 from the guide's fee items.

    ``amounts``: 分 per fee name, entered by the clerk for fees priced by a rule (and allowed to
    override nothing else); ``reductions``: per fee name ``{"name": 减免名称, "reason": 理由}`` —
    a 减免 the guide lists for that fee, chosen by the clerk with the reason.
    Returns (lines, problems); each line: name, basis, amount_fen (before 减免), reduction,
    due_fen.
    """
    amounts, reductions = amounts or {}, reductions or {}
    lines, problems = [], []
    for fee in [fee_rules.normalise_fee(f) for f in fees or []]:
        name = fee["name"]
        if fee["amount"]:
            try:
                amount = fee_rules.to_fen(fee_rules.parse_amount(fee["amount"]))
            except (ValueError, TypeError):
                problems.append(f"收费项目“{name}”的金额在办事指南中填写有误，请联系事项管理员")
                continue
        else:
            amount = amounts.get(name)
            if amount is None:
                problems.append(f"收费项目“{name}”按“{fee['rule']}”计费，须填写本办件的应缴金额")
                continue
            if amount <= 0:
                problems.append(f"收费项目“{name}”的应缴金额应大于0")
                continue
        chosen, due = None, amount
        pick = reductions.get(name)
        if pick and pick.get("name"):
            found = next((r for r in fee["reductions"] if r.get("name") == pick["name"]), None)
            if found is None:
                problems.append(f"收费项目“{name}”没有名为“{pick['name']}”的减免")
                continue
            reason = (pick.get("reason") or "").strip()
            if len(reason) < 2:
                problems.append(f"收费项目“{name}”适用减免“{found['name']}”须填写理由（如核验的证件）")
                continue
            chosen = {**found, "reason": reason[:200]}
            due = fee_rules.reduced_fen(amount, found)
        lines.append({"name": name, "basis": fee["basis"], "amount_fen": amount, "reduction": chosen, "due_fen": due})
    return lines, problems


def refund_problem(amount_fen: int | None, paid_fen: int, refunded_fen: int, reason: str) -> str | None:
    """Why a refund of ``amount_fen`` may not be made (None: it may): ≤ paid minus refunded, a reason."""
    if amount_fen is None or amount_fen <= 0:
        return "退款金额应大于0"
    left = paid_fen - refunded_fen
    if amount_fen > left:
        return (f"退款金额 {fee_rules.yuan(amount_fen)} 元超过可退金额 {fee_rules.yuan(left)} 元"
                f"（已缴 {fee_rules.yuan(paid_fen)} 元，已退 {fee_rules.yuan(refunded_fen)} 元）")
    if len((reason or "").strip()) < 4:
        return "退款须填写原因（不少于4个字）"
    return None


def state_after_refund(paid_fen: int, refunded_fen: int) -> State:
    return State.REFUNDED if refunded_fen >= paid_fen else State.PART_REFUNDED


def parse_yuan_to_fen(text) -> int | None:
    """A sum typed in 元 ("20", "12.50") → 分; None when blank; ValueError when not money."""
    amount = fee_rules.parse_amount(text)
    return None if amount is None else fee_rules.to_fen(amount)
