"""The pure half of the state-machine kernel (no ORM, no Django): a domain's state table and the
check of an action against it.

A domain declares its table once, in its ``rules.py``::

    MACHINE = StateMachine([
        t("dispatch", {S.REGISTERED}, S.DISPATCHED, {A.CENTRE}, "派单"),
        ...
    ], noun="工单", state_labels=STATE_LABELS, state=State, actor=Actor)

and everything else reads it: :meth:`StateMachine.check` gives the target state or raises
:class:`TransitionRefused` with the reason in Chinese (the person sees it as it is);
:meth:`StateMachine.allowed_actions` lists what an actor may do now; views and APIs take the list
of actions from :attr:`StateMachine.table`. The ORM half — lock the row, check the version, save,
history and audit in one transaction — is :mod:`zhengwu.core.transitions`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

WRONG_STATE = "{noun}当前为“{state}”，不能{action}（仅在{allowed}时可以）"
UNKNOWN_ACTION = "未知的{noun}操作：{action}"
FORBIDDEN = "无权执行“{action}”"


@dataclass(frozen=True)
class Transition:
    """One row of a state table: ``action`` from any ``source`` state to ``target``, taken by one
    of ``actors``; ``label`` names it in Chinese (history, messages, buttons). ``target`` None:
    the state does not change (延期、督办), or the domain decides it from the person's answer
    (差评整改's 核实: 属实 or not) and passes it to :meth:`Lifecycle.move
    <zhengwu.core.transitions.Lifecycle.move>`."""

    action: str
    source: frozenset
    target: Any | None
    actors: frozenset
    label: str


def t(action: str, sources: Iterable, target, actors: Iterable, label: str) -> Transition:
    """A :class:`Transition` from plain sets (the shape a state table is written in)."""
    return Transition(action, frozenset(sources), target, frozenset(actors), label)


class TransitionRefused(Exception):
    """A refused action; ``message`` is Chinese and shown to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StateMachine:
    """A domain's state table and the rules every table follows.

    - ``state_labels``: state → its Chinese name (in messages);
    - ``noun``: what moves (办件, 工单), in the default messages;
    - ``state`` / ``actor``: converters (the domain's ``StrEnum``\\ s) applied to what callers pass;
    - ``source_order``: the order the allowed states are named in a refusal (default: the order
      of ``state_labels``);
    - ``refusals``: a specific reason for ``(action, state)`` or for ``action`` in any wrong
      state (``{state}`` is the current state's label), instead of ``wrong_state``;
    - ``refused``: the exception class raised (a subclass of :class:`TransitionRefused`).
    """

    def __init__(self, transitions: Iterable[Transition], *, state_labels: Mapping, noun: str = "",
                 state: Callable[[Any], Any] = str, actor: Callable[[Any], Any] = str,
                 source_order: Sequence | None = None, refusals: Mapping[Hashable, str] | None = None,
                 wrong_state: str = WRONG_STATE, unknown_action: str = UNKNOWN_ACTION, forbidden: str = FORBIDDEN,
                 refused: type[TransitionRefused] = TransitionRefused):
        self.table: dict[str, Transition] = {}
        for tr in transitions:
            if tr.action in self.table:
                raise ValueError(f"action {tr.action!r} is listed twice")
            self.table[tr.action] = tr
        self.state_labels = state_labels
        self.noun = noun
        self._state, self._actor = state, actor
        self._order = list(source_order if source_order is not None else state_labels)
        self.refusals = dict(refusals or {})
        self.wrong_state, self.unknown_action, self.forbidden = wrong_state, unknown_action, forbidden
        self.refused = refused

    # -- the table as a mapping ------------------------------------------------------------------
    def __contains__(self, action: object) -> bool:
        return action in self.table

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __getitem__(self, action: str) -> Transition:
        return self.table[action]

    def label(self, action: str) -> str:
        return self.table[action].label

    # -- the checks ------------------------------------------------------------------------------
    def state_label(self, state) -> str:
        return self.state_labels.get(state, str(state))

    def refusal(self, state, action: str) -> str:
        """Why ``action`` may not start in ``state`` (which is not one of its sources)."""
        tr = self.table[action]
        label = self.state_label(state)
        specific = self.refusals.get((action, state)) or self.refusals.get(action)
        if specific:
            return specific.format(state=label)
        allowed = "、".join(self.state_label(s) for s in self._order if s in tr.source)
        return self.wrong_state.format(noun=self.noun, state=label, action=tr.label, allowed=allowed)

    def check(self, state, action: str, actor=None):
        """The state after ``action`` (the same state when its target is None), or
        :attr:`refused` with the reason in Chinese. ``actor`` None: who acts is checked
        elsewhere (e.g. by role and department)."""
        tr = self.table.get(action)
        if tr is None:
            raise self.refused(self.unknown_action.format(noun=self.noun, action=action))
        current = self._state(state)
        if current not in tr.source:
            raise self.refused(self.refusal(current, action))
        if actor is not None and self._actor(actor) not in tr.actors:
            raise self.refused(self.forbidden.format(action=tr.label))
        return tr.target if tr.target is not None else current

    def allowed_actions(self, state, actor) -> list[str]:
        """The actions ``actor`` may take in ``state``, in table order."""
        current, who = self._state(state), self._actor(actor)
        return [a for a, tr in self.table.items() if current in tr.source and who in tr.actors]
