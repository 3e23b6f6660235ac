"""The state-machine kernel: the pure table check (zhengwu.core.statemachine) and that every domain
declares its table to it instead of carrying its own copy."""

from enum import StrEnum

import pytest

from zhengwu.core import statemachine
from zhengwu.core.statemachine import StateMachine, TransitionRefused, t


class S(StrEnum):
    OPEN = "open"
    HELD = "held"
    DONE = "done"


LABELS = {S.OPEN: "办理中", S.HELD: "暂停", S.DONE: "已办结"}


def machine(**kw):
    return StateMachine([
        t("hold", {S.OPEN}, S.HELD, {"staff"}, "暂停办理"),
        t("note", {S.OPEN, S.HELD}, None, {"staff", "citizen"}, "备注"),
        t("finish", {S.HELD, S.OPEN}, S.DONE, {"staff"}, "办结"),
    ], noun="事项", state_labels=LABELS, state=S, **kw)


def test_target_state_and_unchanged_state():
    m = machine()
    assert m.check("open", "hold", "staff") == S.HELD
    assert m.check("held", "note", "citizen") == S.HELD  # target None: the state stays
    assert m.check("open", "hold") == S.HELD  # no actor: who acts is checked elsewhere


def test_refusals_say_why_in_chinese():
    m = machine()
    with pytest.raises(TransitionRefused) as exc:
        m.check("done", "finish", "staff")
    # The allowed states in the order of the labels, whatever the order in the table row.
    assert exc.value.message == "事项当前为“已办结”，不能办结（仅在办理中、暂停时可以）"
    with pytest.raises(TransitionRefused) as exc:
        m.check("open", "hold", "citizen")
    assert exc.value.message == "无权执行“暂停办理”"
    with pytest.raises(TransitionRefused) as exc:
        m.check("open", "fly", "staff")
    assert exc.value.message == "未知的事项操作：fly"


def test_specific_refusals_order_and_exception_class():
    class Refused(TransitionRefused):
        pass

    m = machine(refusals={("finish", S.DONE): "已经办结，请勿重复操作", "hold": "“{state}”的事项不能暂停"},
                source_order=[S.HELD, S.OPEN], refused=Refused)
    with pytest.raises(Refused) as exc:
        m.check("done", "finish")
    assert exc.value.message == "已经办结，请勿重复操作"
    with pytest.raises(Refused) as exc:
        m.check("held", "hold")
    assert exc.value.message == "“暂停”的事项不能暂停"
    with pytest.raises(Refused) as exc:
        m.check("done", "note")
    assert exc.value.message.endswith("（仅在暂停、办理中时可以）")


def test_allowed_actions_and_the_table_as_a_mapping():
    m = machine()
    assert m.allowed_actions("open", "staff") == ["hold", "note", "finish"]
    assert m.allowed_actions("held", "citizen") == ["note"]
    assert m.allowed_actions("done", "staff") == []
    assert "hold" in m and list(m) == ["hold", "note", "finish"] and m.label("finish") == "办结"


def test_an_action_listed_twice_is_refused_at_declaration():
    with pytest.raises(ValueError):
        StateMachine([t("a", {S.OPEN}, S.DONE, {"x"}, "甲"), t("a", {S.HELD}, S.DONE, {"x"}, "乙")],
                     state_labels=LABELS)


def test_every_domain_declares_its_table_to_the_kernel():
    from zhengwu.cases import rules as cases
    from zhengwu.catalog import rules as catalog
    from zhengwu.hotline import rules as hotline
    from zhengwu.ratings import rules as ratings

    for machine_ in (cases.MACHINE, hotline.MACHINE, catalog.VERSION_MACHINE, ratings.MACHINE):
        assert isinstance(machine_, StateMachine)
    assert cases.STATE_TABLE is cases.MACHINE.table and hotline.STATE_TABLE is hotline.MACHINE.table
    assert cases.TransitionRefused is hotline.TransitionRefused is statemachine.TransitionRefused
    assert issubclass(ratings.TransitionRefused, statemachine.TransitionRefused)
    assert issubclass(ratings.TransitionRefused, ratings.RuleError)  # with field "state"


def test_hotline_pages_and_api_take_their_actions_from_the_state_table():
    from zhengwu.hotline import api, rules, services, views_staff

    named = set(services.TICKET_ACTIONS) | set(services.RECORDED_BY)
    assert named == set(rules.STATE_TABLE)
    assert not hasattr(views_staff, "ACTIONS") and not hasattr(api, "API_ACTIONS")
