"""The transition helper: state check, optimistic lock, history, audit and notification in one
transaction. Every state change of a case goes through :func:`transition`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from zhengwu.core import audit
from zhengwu.core.errors import Conflict
from zhengwu.speedups.prepared import ByPkShapes

from .. import rules
from ..models import Case, CaseEvent
from ..rules import Actor, TransitionRefused


class StaleCase(Conflict):  # 409 in the API
    pass


# Read with the locked case by every transition: the applicant notification names the item and
# goes to the applicant (locked_case joins them; only the case row is locked).
TRANSITION_RELATED = ("service_item", "applicant")


def locked_case(case_id: int, expected_lock: int | None, *, related: tuple[str, ...] = TRANSITION_RELATED,
                child_flags: bool = False) -> Case:
    """The case row locked for this transaction; refuses a stale version (乐观锁).

    ``related`` rows are read in the same query (``FOR UPDATE OF`` the case only: locking the
    item or applicant row would serialise unrelated cases); ``child_flags``: with
    :func:`zhengwu.cases.queries.with_child_flags` (a caller that answers with the case's detail).
    Every transition starts here: each shape of the query is compiled once (:mod:`zhengwu.speedups.prepared`)."""
    case = _LOCKED.get(case_id, tuple(related), child_flags)
    if case is None:
        raise Case.DoesNotExist("Case matching query does not exist.")
    check_lock(case, expected_lock)
    return case


def _locked_queryset(related: tuple[str, ...], child_flags: bool):
    qs = Case.objects.select_for_update(of=("self",))
    if related:
        qs = qs.select_related(*related)
    if child_flags:
        from ..queries import with_child_flags

        qs = with_child_flags(qs)
    return qs


_LOCKED = ByPkShapes(_locked_queryset)


def check_lock(case: Case, expected_lock: int | None) -> None:
    if expected_lock is not None and case.lock_version != expected_lock:
        raise StaleCase("该办件已被他人处理或已更新，请刷新页面后重试", code="stale")


def actor_name(user) -> str:
    if user is None:
        return "系统"
    return getattr(user, "display_name", "") or user.get_username()


def record_event(case: Case, action: str, label: str, user, *, from_state: str = "", to_state: str = "",
                 opinion: str = "", data: dict | None = None, step_id: str = "", visible: bool = True) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, action=action, label=label, from_state=from_state, to_state=to_state, step_id=step_id,
        actor=user, actor_name=actor_name(user), opinion=opinion, data=data or {}, visible_to_applicant=visible,
    )


def transition(case: Case, action: str, actor: Actor, user, *, opinion: str = "", data: dict | None = None,
               step_id: str = "", extra_fields: list[str] | None = None, notify: bool = True) -> Case:
    """Move ``case`` (already locked by :func:`locked_case`) by ``action``; save and record it.

    Fields the caller changed on ``case`` beforehand are saved with it (``extra_fields``).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition() must run inside transaction.atomic()")
    try:
        target = rules.check_transition(case.state, action, actor)
    except TransitionRefused as exc:
        raise ValidationError(exc.message, code="transition") from None
    before = case.state
    case.state = target
    case.lock_version += 1
    case.save(update_fields=["state", "lock_version", "updated_at", *(extra_fields or [])])
    label = rules.STATE_TABLE[action].label
    record_event(case, action, label, user, from_state=before, to_state=target, opinion=opinion, data=data,
                 step_id=step_id)
    if notify and before != target:
        from .notify import notify_state_change

        notify_state_change(case, label)
    # Last: appending locks an audit chain head until the transaction ends (ADR 0007).
    audit.record(f"case.{action}", actor=user, obj=case, before={"state": before},
                 after={"state": str(target), "number": case.number, **({"step": step_id} if step_id else {})})
    return case


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)
