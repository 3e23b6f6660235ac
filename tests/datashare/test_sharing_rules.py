"""Pure rules of 共享申请 and 交换监控."""

import datetime as dt

import pytest

from zhengwu.datashare import sharing_rules as rules
from zhengwu.datashare.sharing_rules import Actor, State

TODAY = dt.date(2026, 4, 1)


def test_p95_nearest_rank():
    assert rules.p95([]) == 0.0
    assert rules.p95([7]) == 7.0
    assert rules.p95(list(range(1, 101))) == 95.0
    assert rules.p95(list(range(100, 0, -1))) == 95.0  # order does not matter
    assert rules.p95([1] * 19 + [1000]) == 1.0  # 19 of 20 ≤ 1 is exactly 95%
    assert rules.p95([1] * 18 + [1000, 1000]) == 1000.0


def test_unusual_volume_needs_minimum_and_factor():
    flat = [10] * 14
    assert rules.unusual_volume(99, [0] * 14) == ""  # under the minimum
    assert rules.unusual_volume(100, [0] * 14).startswith("当日调用100次")
    assert "10.0倍" in rules.unusual_volume(100, flat)  # 10× the median of 10: flagged
    assert rules.unusual_volume(199, [20] * 14) == ""  # under 10× of 20
    assert rules.unusual_volume(200, [20] * 14) != ""
    # The median, not the mean: one busy day does not lift the baseline.
    assert rules.unusual_volume(500, [10] * 13 + [100000]) != ""


def test_unusual_volume_ignores_a_quiet_consumer():
    assert rules.unusual_volume(150, [100] * 14) == ""


def test_period_rules():
    rules.check_period(TODAY, TODAY, TODAY)
    rules.check_period(TODAY, TODAY + dt.timedelta(days=rules.MAX_PERIOD_DAYS), TODAY)
    with pytest.raises(ValueError, match="不能早于今天"):
        rules.check_period(TODAY - dt.timedelta(days=1), TODAY, TODAY)
    with pytest.raises(ValueError, match="不能早于使用期限起"):
        rules.check_period(TODAY, TODAY - dt.timedelta(days=1), TODAY)
    with pytest.raises(ValueError, match="最长三年"):
        rules.check_period(TODAY, TODAY + dt.timedelta(days=rules.MAX_PERIOD_DAYS + 1), TODAY)
    with pytest.raises(ValueError, match="请填写起止日期"):
        rules.check_period(None, TODAY, TODAY)


def test_fields_and_subsets():
    types = {"name": "unconditional", "id_number": "conditional", "religion": "none"}
    assert rules.check_fields(["id_number", "name", "name"], types) == ["name", "id_number"]  # resource order
    with pytest.raises(ValueError, match="至少选择一项"):
        rules.check_fields([], types)
    with pytest.raises(ValueError, match="religion 为不予共享信息项"):
        rules.check_fields(["name", "religion"], types)
    with pytest.raises(ValueError, match="没有信息项 salary"):
        rules.check_fields(["salary"], types)
    assert rules.check_subset(["id_number"], ["name", "id_number"]) == ["id_number"]
    with pytest.raises(ValueError, match="不在申请范围内"):
        rules.check_subset(["name", "address"], ["name"])
    with pytest.raises(ValueError, match="至少批准一项"):
        rules.check_subset([], ["name"])


def test_countersign_needed_for_conditional():
    assert rules.needs_countersign("conditional", ["unconditional"])
    assert rules.needs_countersign("unconditional", ["unconditional", "conditional"])
    assert not rules.needs_countersign("unconditional", ["unconditional"])
    assert rules.field_share_type("", "conditional") == "conditional"
    assert rules.field_share_type("none", "unconditional") == "none"


def test_state_table():
    assert rules.MACHINE.check(State.SUBMITTED, "withdraw", Actor.CONSUMER) == State.WITHDRAWN
    assert rules.MACHINE.check(State.PROVIDER_APPROVED, "countersign", Actor.BUREAU) == State.APPROVED
    assert rules.MACHINE.allowed_actions(State.APPROVED, Actor.PROVIDER) == ["revoke"]
    with pytest.raises(rules.MACHINE.refused, match="仅在待提供方审核时可以"):
        rules.MACHINE.check(State.APPROVED, "withdraw", Actor.CONSUMER)
    with pytest.raises(rules.MACHINE.refused, match="无权执行"):
        rules.MACHINE.check(State.PROVIDER_APPROVED, "countersign", Actor.PROVIDER)


def test_number_and_reason():
    assert rules.request_number(TODAY, 123) == "GX20260401000123"
    with pytest.raises(ValueError, match="不能少于4个字"):
        rules.check_reason(" 不行 ", "拒绝理由")
    assert rules.check_reason(" 用途与事项无关 ") == "用途与事项无关"
    with pytest.raises(ValueError, match="每日调用上限"):
        rules.check_quota(0)
