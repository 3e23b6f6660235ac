"""The cases' binding to the platform kernel (:mod:`zhengwu.core.transitions`): state check,
optimistic lock, history, audit and notification in one transaction. Every state change of a
case goes through :func:`transition`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from zhengwu.accounts.apikeys import person_of
from zhengwu.core.transitions import Lifecycle, Stale, actor_name
from zhengwu.speedups.prepared import ByPkShapes

from .. import rules
from ..models import Case, CaseEvent
from ..rules import Actor


class StaleCase(Stale):  # 409 in the API
    message = "该办件已被他人处理或已更新，请刷新页面后重试"


LIFECYCLE = Lifecycle(rules.MACHINE, Case, stale=StaleCase, audit_prefix="case")


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


check_lock = LIFECYCLE.check_version  # (case, expected_lock): StaleCase when it is not current


def record_event(case: Case, action: str, label: str, user, *, from_state: str = "", to_state: str = "",
                 opinion: str = "", data: dict | None = None, step_id: str = "", visible: bool = True) -> CaseEvent:
    """Append a history entry. A step the receiving window of a 跨域通办 case took (the service marked
    ``case.acting_at``, :func:`.tongban.acting_here`) keeps where: ``data["at"]``."""
    at = getattr(case, "acting_at", "")
    if at:
        data = {**(data or {}), "at": at}
    return CaseEvent.objects.create(
        case=case, action=action, label=label, from_state=from_state, to_state=to_state, step_id=step_id,
        actor=person_of(user), actor_name=actor_name(user), opinion=opinion, data=data or {}, visible_to_applicant=visible,
    )


def transition(case: Case, action: str, actor: Actor, user, *, opinion: str = "", data: dict | None = None,
               step_id: str = "", extra_fields: list[str] | None = None, notify: bool = True,
               visible: bool = True) -> Case:
    """Move ``case`` (already locked by :func:`locked_case`) by ``action``; save and record it.

    Fields the caller changed on ``case`` beforehand are saved with it (``extra_fields``).
    """
    label = tr.label if (tr := rules.STATE_TABLE.get(action)) else action  # unknown: refused by move()

    def then(before, target):
        if notify and before != target:
            from .notify import notify_state_change

            notify_state_change(case, rules.notice_phrase(action))
        from .feed import on_transition

        on_transition(case, action)  # 上报省级平台: the outbox record in this transaction

    LIFECYCLE.move(case, action, actor, user, fields=extra_fields or (),
                   history=lambda before, target: record_event(case, action, label, user, from_state=before,
                                                               to_state=target, opinion=opinion, data=data,
                                                               step_id=step_id, visible=visible),
                   then=then, audit_after={"number": case.number, **({"step": step_id} if step_id else {})})
    return case


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)
