"""结果领取方式 in the cases API: what an application may carry (create, submit) and what the
case's detail shows back (the address masked)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from . import rules
from .models import Case


def requested(method: str, address: str) -> tuple[str, str] | None:
    """The (method, address) an API request asks for, None when it names none; refused (400,
    the field named) when invalid: 邮寄送达 needs a postal address, the other methods take none."""
    method, address = (method or "").strip(), (address or "").strip()
    if not method and not address:
        return None
    if not method:
        raise ValidationError({"delivery_method": ["结果领取方式：填写邮寄地址时请选择邮寄送达（mail）"]})
    problems = rules.delivery_choice_problems(method, address)
    if not problems and method != "mail" and address:
        problems = {"delivery_address": f"邮寄地址：仅在结果领取方式为邮寄送达（mail）时填写，"
                                        f"{rules.DELIVERY_METHODS[method]}不需要地址"}
    if problems:
        raise ValidationError({k: [v] for k, v in problems.items()})
    return method, address


def shown(case: Case) -> dict:
    """The choice as the detail shows it: the address masked (the applicant typed it; the clerk's
    登记送达 form reveals it, audited)."""
    method = case.delivery_method or ""
    address = str(case.delivery_address) if method == "mail" and case.delivery_address else ""  # masked
    return {"delivery_method": method, "delivery_label": rules.DELIVERY_METHODS.get(method, ""),
            "delivery_address": address}
