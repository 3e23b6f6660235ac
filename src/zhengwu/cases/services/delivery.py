"""The applicant's choice of how to receive the result (窗口领取 / 邮寄送达 with an address /
电子送达), made when applying and read by the clerk's 登记送达 form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import rules
from ..models import Case
from ..rules import State
from . import applying
from .base import locked_case, record_event

CHOOSABLE_STATES = (State.DRAFT, State.SUPPLEMENT)


@transaction.atomic
def choose(user, case: Case, method: str, address: str, expected_lock: int) -> Case:
    """Record the applicant's choice (the address encrypted at rest); unchanged: nothing written."""
    problems = rules.delivery_choice_problems(method, address)
    if problems:
        raise ValidationError(problems)
    case = locked_case(case.pk, expected_lock)
    applying.actor_for(user, case)
    if case.state not in CHOOSABLE_STATES:
        raise ValidationError(f"办件当前为“{case.state_label}”，不能再修改结果领取方式")
    fields = set_on_locked(user, case, method, address)
    if not fields:
        return case
    case.lock_version += 1
    case.save(update_fields=[*fields, "lock_version", "updated_at"])
    return case


def set_on_locked(user, case: Case, method: str, address: str) -> list[str]:
    """Put a valid choice on a case the caller holds locked (and saves: the fields changed are
    returned, [] when the choice is the one already kept), with its history event."""
    address = (address or "").strip() if method == "mail" else ""
    current = case.delivery_address.reveal_unaudited() if case.delivery_address else ""
    if case.delivery_method == method and current == address:
        return []
    case.delivery_method, case.delivery_address = method, address
    record_event(case, "delivery_choice", "选择结果领取方式", user, data={"method": rules.DELIVERY_METHODS[method]})
    return ["delivery_method", "delivery_address"]
