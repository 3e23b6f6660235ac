"""审查与决定相分离: enforced when a step is acted on (see :func:`zhengwu.cases.rules.separation_refusal`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .. import rules
from ..models import Case, CaseStep


def check_separation(user, case: Case, step_id: str) -> None:
    """Refuse ``user`` the decision step of ``case`` when they acted on an earlier step and the
    case's process separates the two. The decision step is a step of the case's last block."""
    process = case.process if case.process_id else None
    if process is None or not process.separate_duties:
        return
    blocks = (case.progress or {}).get("blocks") or []
    last = set(blocks[-1]) if blocks else set()
    if step_id not in last:
        return
    earlier = CaseStep.objects.filter(case=case, acted_by=user).exclude(step_id__in=last).exists()
    refusal = rules.separation_refusal(True, True, earlier)
    if refusal:
        raise ValidationError(refusal, code="separation")
