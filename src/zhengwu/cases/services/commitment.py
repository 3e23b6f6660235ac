"""告知承诺 chosen by the applicant: the 承诺书 they read (the standard text of the item,
:func:`zhengwu.cases.rules.commitment_letter`), their choice kept with the draft, and signed at
submission (:func:`.applying.submit`, ``commitment_agreed``).

The text the applicant signed is what binds them: the window accepts on it as it is
(:func:`.intake.accept_commitment` refuses a changed text, rules.commitment_text_changed)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import rules
from ..models import Case
from ..rules import State
from .base import locked_case

NOT_ALLOWED = "该事项不适用告知承诺制，请按一般方式申请"


def check_days(version, department_id: int) -> int:
    """The 核查期限 the letter names: the guide's own, else the department's (else 30)."""
    try:
        from zhengwu.inspections.services.verification import days_for
    except ImportError:  # the inspections app is not installed: the guide's, else the default
        return version.commitment_check_days or 30
    return days_for(department_id, version.commitment_check_days)


def letter_for(version, department_id: int) -> str:
    """The 告知承诺书 of a guide version. The catalogue has no commitment text of its own for an
    item: the standard text is made from the item's name, 受理条件 and 核查期限."""
    return rules.commitment_letter(version.name, version.acceptance_conditions,
                                   check_days(version, department_id))


def shown_letter(case: Case | None, version, department_id: int) -> str:
    """What the apply page shows: the text kept with the case once chosen, else the item's."""
    if case is not None and case.commitment_text:
        return case.commitment_text
    return letter_for(version, department_id)


def refuse_if_not_allowed(version) -> None:
    if not version.allows_commitment:
        raise ValidationError({"commitment": NOT_ALLOWED}, code="commitment_not_allowed")


@transaction.atomic
def choose(user, case: Case, expected_lock: int, chosen: bool) -> Case:
    """The applicant chooses 告知承诺 (or 一般申请) on a draft: the letter is kept with the case,
    unsigned until the submission. Choosing again keeps the text already shown."""
    from .applying import actor_for

    case = locked_case(case.pk, expected_lock, related=("service_item", "applicant", "item_version"))
    actor_for(user, case)
    if case.state != State.DRAFT:
        raise ValidationError({"commitment": f"办件当前为“{case.state_label}”，不能再更改受理方式的选择"})
    if chosen:
        refuse_if_not_allowed(case.item_version)
    text = (case.commitment_text or letter_for(case.item_version, case.department_id)) if chosen else ""
    if text == case.commitment_text:
        return case
    case.commitment_text, case.commitment_signed_at = text, None
    case.lock_version += 1
    case.save(update_fields=["commitment_text", "commitment_signed_at", "lock_version", "updated_at"])
    return case
