"""Pure rules of 取号叫号: priority, numbering, estimate, the ticket's state table."""

import datetime as dt

import pytest

from zhengwu.core.statemachine import TransitionRefused
from zhengwu.queueing import queue_rules as r

TODAY = dt.date(2026, 12, 4)
KW = {"today": TODAY, "appointment_priority": 20, "priority_age": 70, "group_priority": 10}


def test_display_and_announcement():
    assert r.display("A", 1) == "A001"
    assert r.display("B", 42) == "B042"
    assert r.display("A", 1234) == "A1234"
    assert r.announcement("A001", "3") == "请 A001 号到 3 号窗口"


def test_no_priority_by_default():
    assert r.priority(appointment=False, birth_date=None, **KW) == r.Priority(0, "")
    assert r.priority(appointment=False, birth_date=dt.date(1990, 1, 1), **KW).level == 0


def test_appointment_priority():
    assert r.priority(appointment=True, birth_date=None, **KW) == r.Priority(20, "预约签到")


def test_age_group_from_the_day_of_the_birthday():
    assert r.priority(appointment=False, birth_date=dt.date(1956, 12, 4), **KW) == r.Priority(10, "70岁以上老年人")
    assert r.priority(appointment=False, birth_date=dt.date(1956, 12, 5), **KW).level == 0  # 70 tomorrow


def test_age_group_off_and_the_higher_wins():
    assert r.priority(appointment=False, birth_date=dt.date(1940, 1, 1), **{**KW, "priority_age": 0}).level == 0
    assert r.priority(appointment=True, birth_date=dt.date(1940, 1, 1), **KW).reason == "预约签到"
    assert r.priority(appointment=True, birth_date=dt.date(1940, 1, 1),
                      **{**KW, "group_priority": 30}).reason == "70岁以上老年人"


@pytest.mark.parametrize("ahead, minutes, windows, expected", [
    (0, 10, 2, 0), (1, 10, 1, 10), (3, 10, 2, 15), (5, 7, 0, 35), (1, 10, 3, 4),
])
def test_estimate(ahead, minutes, windows, expected):
    assert r.estimate_minutes(ahead, minutes, windows) == expected


def test_state_table():
    m = r.MACHINE
    assert m.check("waiting", "call") == "called"
    assert m.check("called", "recall") == "called"
    assert m.check("called", "start") == "serving"
    assert m.check("serving", "end") == "done"
    assert m.check("called", "no_show") == "no_show"
    assert m.check("serving", "transfer") == "transferred"
    assert m.check("called", "requeue") == "waiting"


@pytest.mark.parametrize("state, action, words", [
    ("called", "call", "不能重复叫号"),
    ("done", "recall", "已结束"),
    ("no_show", "start", "已结束"),
    ("called", "end", "请先点击“开始办理”"),
    ("waiting", "start", "不能开始办理"),
])
def test_refusals_are_chinese(state, action, words):
    with pytest.raises(TransitionRefused) as exc:
        r.MACHINE.check(state, action)
    assert words in exc.value.message
