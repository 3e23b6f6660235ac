"""The case state table: every allowed transition, and the refused ones with their reasons."""

import pytest

from zhengwu.cases.rules import (
    STATE_TABLE, Actor, State, TransitionRefused, allowed_actions, can_conclude, check_transition,
)

ALLOWED = [
    ("draft", "submit", "applicant", "submitted"),
    ("draft", "submit", "window", "submitted"),
    ("submitted", "request_supplement", "window", "supplement"),
    ("supplement", "resubmit", "applicant", "submitted"),
    ("submitted", "accept", "window", "in_review"),
    ("submitted", "accept_pending", "window", "in_review"),
    ("submitted", "accept_commitment", "window", "in_review"),
    ("submitted", "refuse", "window", "refused"),
    ("in_review", "approve_step", "approver", "in_review"),
    ("in_review", "return_step", "approver", "in_review"),
    ("in_review", "suspend", "approver", "suspended"),
    ("suspended", "resume", "approver", "in_review"),
    ("in_review", "conclude", "approver", "concluded"),
    ("concluded", "deliver", "window", "delivered"),
    ("submitted", "withdraw", "applicant", "withdrawn"),
    ("in_review", "withdraw", "applicant", "withdrawn"),
    ("suspended", "withdraw", "applicant", "withdrawn"),
]


@pytest.mark.parametrize("state, action, actor, target", ALLOWED)
def test_allowed(state, action, actor, target):
    assert check_transition(state, action, actor) == State(target)


@pytest.mark.parametrize("state, action, actor, message", [
    ("concluded", "withdraw", "applicant", "办件当前为“已办结”，不能撤回申请"),
    ("draft", "accept", "window", "办件当前为“草稿”，不能受理"),
    ("in_review", "accept", "window", "不能受理"),
    ("submitted", "accept", "applicant", "无权执行“受理”"),
    ("submitted", "conclude", "approver", "不能办结"),
    ("refused", "resubmit", "applicant", "不能补正后重新提交"),
    ("withdrawn", "submit", "applicant", "不能提交申请"),
    ("delivered", "deliver", "window", "不能送达"),
    ("suspended", "approve_step", "approver", "不能审批通过"),
    ("submitted", "dance", "window", "未知的办件操作"),
])
def test_refused(state, action, actor, message):
    with pytest.raises(TransitionRefused) as exc:
        check_transition(state, action, actor)
    assert message in exc.value.message


def test_every_action_has_a_label_and_targets_a_state():
    for action, t in STATE_TABLE.items():
        assert t.label and t.target in State and t.source <= set(State) and t.actors <= set(Actor)


def test_allowed_actions_for_the_window_at_intake():
    assert set(allowed_actions("submitted", "window")) == {
        "request_supplement", "accept", "accept_pending", "accept_commitment", "refuse"}
    assert allowed_actions("delivered", "applicant") == []


def test_tolerated_and_commitment_cases_cannot_conclude_early():
    assert "容缺" in can_conclude(2, False, "tolerated")
    assert can_conclude(0, False, "tolerated") is None
    assert "承诺书" in can_conclude(0, False, "commitment")
    assert can_conclude(0, True, "commitment") is None
    assert can_conclude(0, False, "normal") is None
