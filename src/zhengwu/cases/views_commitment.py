"""告知承诺 on the applicant's apply page: the 承诺书 shown, the posted choice recorded on the
draft (:mod:`.services.commitment`), and whether 我已阅读并承诺 was ticked."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from . import rules
from .models import Case
from .rules import State
from .services import commitment

CHOICE, AGREED = "intake_choice", "commitment_agreed"
KEYS = {"commitment"}


def page_context(request, case: Case | None, version, department_id: int, errors: dict) -> dict:
    """``commitment``: None when the item does not allow 告知承诺; else what the section shows."""
    if not version.allows_commitment or (case is not None and case.state != State.DRAFT and not case.commitment_text):
        return {"commitment": None}  # after submission only a letter chosen then is shown (read-only)
    posted = request.method == "POST" and CHOICE in request.POST
    chosen = (request.POST.get(CHOICE) == "commitment") if posted else bool(case and case.commitment_text)
    editable = case is None or case.state == State.DRAFT
    return {"commitment": {
        "text": commitment.shown_letter(case, version, department_id), "chosen": chosen, "editable": editable,
        "agreed": request.method == "POST" and bool(request.POST.get(AGREED)),
        "signed_at": case.commitment_signed_at if case else None,
        "errors": errors.get("commitment", []), "agree_label": rules.COMMITMENT_AGREE_LABEL,
    }}


def record_choice(request, case: Case, expected_lock: int, errors: dict) -> Case:
    """Keep the posted choice with the draft (a page without the section leaves it alone)."""
    if CHOICE not in request.POST or case.state != State.DRAFT:
        return case
    try:
        return commitment.choose(request.user, case, expected_lock, request.POST.get(CHOICE) == "commitment")
    except ValidationError as exc:
        errors.setdefault("commitment", []).extend(exc.messages)
        return case


def agreed(request) -> bool:
    return bool(request.POST.get(AGREED))
