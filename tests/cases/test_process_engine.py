"""The process-definition engine: serial, parallel (会签), conditional, return, reject."""

import datetime as dt

import pytest

from zhengwu.cases import workflow
from zhengwu.cases.workflow import WorkflowError
from zhengwu.core.calendar import WorkCalendar, _library_data

SERIAL = [
    {"id": "review", "name": "审查", "role": "approver", "share": 0.5, "actions": ["pass", "reject"]},
    {"id": "decide", "name": "决定", "role": "approver", "share": 0.5, "actions": ["pass", "return", "reject"]},
]
PARALLEL = [
    {"id": "check", "name": "初审", "role": "approver", "share": 0.2},
    {"id": "police", "name": "公安会签", "role": "approver", "share": 0.4, "parallel": "joint",
     "actions": ["pass", "return", "reject"]},
    {"id": "fire", "name": "消防会签", "role": "approver", "share": 0.3, "parallel": "joint",
     "actions": ["pass", "return", "reject"]},
    {"id": "expert", "name": "专家评审", "role": "approver", "share": 0.1,
     "condition": {"field": "amount", "op": ">=", "value": 1000000}},
    {"id": "decide", "name": "决定", "role": "approver", "share": 0.3, "actions": ["pass", "reject"]},
]


def test_serial_pass_pass_approves():
    p = workflow.start(SERIAL, {})
    assert p.active == ["review"]
    p = workflow.act(SERIAL, p, "review", "pass")
    assert p.active == ["decide"] and not p.finished
    p = workflow.act(SERIAL, p, "decide", "pass")
    assert p.outcome == "approved" and p.active == []


def test_return_goes_back_one_block_and_reject_denies():
    p = workflow.act(SERIAL, workflow.start(SERIAL, {}), "review", "pass")
    p = workflow.act(SERIAL, p, "decide", "return")
    assert p.active == ["review"] and p.status["decide"] == "waiting"
    p = workflow.act(SERIAL, p, "review", "reject")
    assert p.outcome == "denied" and p.status["review"] == "rejected"
    with pytest.raises(WorkflowError, match="已结束"):
        workflow.act(SERIAL, p, "decide", "pass")


def test_parallel_block_needs_every_department():
    p = workflow.start(PARALLEL, {"amount": 10})
    assert p.blocks == [["check"], ["police", "fire"], ["decide"]]  # expert skipped by condition
    p = workflow.act(PARALLEL, p, "check", "pass")
    assert sorted(p.active) == ["fire", "police"]
    p = workflow.act(PARALLEL, p, "police", "pass")
    assert p.active == ["fire"]
    p = workflow.act(PARALLEL, p, "fire", "pass")
    assert p.active == ["decide"]


def test_condition_adds_a_step():
    p = workflow.start(PARALLEL, {"amount": 2_000_000})
    assert ["expert"] in p.blocks


def test_condition_on_text_value_does_not_crash():
    assert workflow.plan(PARALLEL, {"amount": "很多"})[-1][0]["id"] == "decide"


def test_return_from_parallel_block_resets_the_other_branch():
    p = workflow.act(PARALLEL, workflow.start(PARALLEL, {}), "check", "pass")
    p = workflow.act(PARALLEL, p, "police", "pass")
    p = workflow.act(PARALLEL, p, "fire", "return")
    assert p.active == ["check"] and p.status["police"] == "waiting"


def test_refused_actions():
    p = workflow.start(SERIAL, {})
    with pytest.raises(WorkflowError, match="不在办理中"):
        workflow.act(SERIAL, p, "decide", "pass")
    with pytest.raises(WorkflowError, match="不允许“退回”"):
        workflow.act(SERIAL, p, "review", "return")
    p2 = workflow.start(PARALLEL, {})
    with pytest.raises(WorkflowError, match="不允许"):
        workflow.act(PARALLEL, p2, "check", "reject")


def test_progress_round_trips_through_json():
    p = workflow.act(PARALLEL, workflow.start(PARALLEL, {}), "check", "pass")
    assert workflow.Progress.from_json(p.to_json()) == p


@pytest.mark.parametrize("steps, message", [
    ([], "至少要有一个环节"),
    ([{"id": "a", "name": "审查", "role": "approver", "share": 0.5},
      {"id": "a", "name": "决定", "role": "approver", "share": 0.5}], "编号“a”重复"),
    ([{"id": "a", "name": "审查", "share": 0.5}], "缺少办理角色"),
    ([{"id": "a", "name": "审查", "role": "boss", "share": 0.5}], "办理角色“boss”不存在"),
    ([{"id": "a", "name": "审查", "role": "approver", "share": 0.7},
      {"id": "b", "name": "决定", "role": "approver", "share": 0.7}], "不能超过100%"),
    ([{"id": "a", "name": "审查", "role": "approver", "share": 0.5, "actions": ["pass", "return"]}], "不能设置“退回”"),
    ([{"id": "a", "name": "审查", "role": "approver", "share": 0.5, "actions": ["reject"]}], "必须允许“通过”"),
    ([{"id": "a", "name": "审查", "role": "approver", "share": 0.5, "condition": {"field": "x", "op": "~"}}],
     "条件格式不正确"),
])
def test_definition_validation(steps, message):
    errors = workflow.validate_definition(steps, roles={"approver", "window"})
    assert any(message in e for e in errors), errors


def test_valid_definitions_have_no_errors():
    assert workflow.validate_definition(SERIAL, roles={"approver"}) == []
    assert workflow.validate_definition(PARALLEL, roles={"approver"}) == []
    assert workflow.validate_definition(workflow.default_definition(1), roles={"approver"}) == []


def test_step_due_dates_follow_shares_and_the_last_block_ends_at_the_limit():
    cal = WorkCalendar(*_library_data())
    p = workflow.start(PARALLEL, {})
    due = workflow.block_due_dates(cal, dt.date(2026, 3, 2), 10, PARALLEL, p)
    assert due["check"] == cal.add_workdays(dt.date(2026, 3, 2), 2)
    assert due["police"] == due["fire"] == cal.add_workdays(dt.date(2026, 3, 2), 6)
    assert due["decide"] == cal.add_workdays(dt.date(2026, 3, 2), 10)
