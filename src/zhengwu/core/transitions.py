"""The ORM half of the state-machine kernel: one transaction per state change.

A domain binds its state table (:class:`~zhengwu.core.statemachine.StateMachine`) to its model
once, in its services::

    LIFECYCLE = Lifecycle(rules.MACHINE, Ticket, stale=StaleTicket, audit_prefix="hotline")

and every action is then::

    ticket = LIFECYCLE.lock(pk, expected_lock)            # SELECT … FOR UPDATE + version check
    … domain checks and field changes …
    LIFECYCLE.move(ticket, "dispatch", Actor.CENTRE, user, fields=[…],
                   history=lambda before, target: TicketEvent.objects.create(…),
                   audit_after={"number": ticket.number})

:meth:`Lifecycle.move` checks the action against the table (the Chinese reason as a
``ValidationError`` with code ``transition``), sets the state, bumps the version, saves, writes the
domain's history row, runs ``then`` (notifications, counters) and appends the audit event last:
appending locks an audit chain head until the transaction ends (ADR 0007).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction

from . import audit
from .errors import Conflict
from .statemachine import StateMachine, TransitionRefused


class Stale(Conflict):
    """409: the caller's version of the row is no longer current (乐观锁). A domain subclasses it
    with its own ``message`` (该办件已被他人处理…)."""

    message = "数据已被他人更新，请刷新页面后重试"


def actor_name(user) -> str:
    """The name a history row keeps for who acted (系统 for scheduled jobs and machines)."""
    if user is None:
        return "系统"
    return getattr(user, "display_name", "") or user.get_username()


def require_atomic() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition() must run inside transaction.atomic()")


@dataclass(frozen=True)
class Lifecycle:
    """A state table bound to a model: the locked read and the transition of its rows.

    ``refusal_field``: None raises a refused action as ``ValidationError(message,
    code="transition")``; a field name raises ``{field: [message]}``.
    """

    machine: StateMachine
    model: type[models.Model]
    stale: type[Stale]
    audit_prefix: str
    version_field: str = "lock_version"
    state_field: str = "state"
    refusal_field: str | None = None
    missing: Callable[[], Exception] | None = None  # default: the model's DoesNotExist

    # -- the locked read ---------------------------------------------------------------------------
    def check_version(self, obj: models.Model, expected: int | None) -> None:
        """Refuse a stale version (``expected`` None: the caller did not read one)."""
        if expected is not None and getattr(obj, self.version_field) != int(expected):
            raise self.stale(self.stale.message, code="stale")

    def lock(self, pk, expected: int | None, queryset: models.QuerySet | None = None) -> models.Model:
        """The row locked for this transaction (``SELECT … FOR UPDATE``), at ``expected`` version."""
        qs = self.model.objects.all() if queryset is None else queryset
        obj = qs.select_for_update().filter(pk=pk).first()
        if obj is None:
            if self.missing is not None:
                raise self.missing()
            raise self.model.DoesNotExist(f"{self.model.__name__} matching query does not exist.")
        self.check_version(obj, expected)
        return obj

    # -- the transition ----------------------------------------------------------------------------
    def refuse(self, message: str) -> ValidationError:
        if self.refusal_field:
            return ValidationError({self.refusal_field: [message]})
        return ValidationError(message, code="transition")

    def check(self, obj: models.Model, action: str, actor=None):
        """The target of ``action`` for ``obj`` now, or the refusal as a ``ValidationError``."""
        try:
            return self.machine.check(getattr(obj, self.state_field), action, actor)
        except TransitionRefused as exc:
            raise self.refuse(exc.message) from None

    def move(self, obj: models.Model, action: str, actor, user, *, target=None, fields=(),
             history: Callable[[str, object], object], then: Callable[[str, object], None] | None = None,
             audit_after: dict | None = None, audit_action: str | None = None):
        """Move ``obj`` (locked by :meth:`lock`) by ``action``: save it with ``fields``, write the
        history row (``history(before, target)``), run ``then(before, target)``, append the audit
        event. ``target`` given: the domain has decided it (and checked the source state).
        Returns the state before."""
        require_atomic()
        if target is None:
            target = self.check(obj, action, actor)
        before = getattr(obj, self.state_field)
        setattr(obj, self.state_field, target)
        setattr(obj, self.version_field, getattr(obj, self.version_field) + 1)
        obj.save(update_fields=[self.state_field, self.version_field, "updated_at", *fields])
        history(before, target)
        if then is not None:
            then(before, target)
        # Last: appending locks an audit chain head until the transaction ends (ADR 0007).
        audit.record(audit_action or f"{self.audit_prefix}.{action}", actor=user, obj=obj,
                     before={"state": before}, after={"state": str(target), **(audit_after or {})})
        return before
