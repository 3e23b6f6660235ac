"""效能监察 pure rules: figures of a set of tickets, percentiles, saturation, overtime, date ranges."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.queueing import supervision_rules as rules

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def m(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_acc_figures_of_known_tickets():
    acc = rules.Acc()
    acc.add("done", m(0), m(10), m(11), m(21), 30)       # wait 10, service 10
    acc.add("done", m(5), m(45), m(46), m(66), 30)       # wait 40 (overtime), service 20
    acc.add("no_show", m(60), m(66), None, None, 30)     # wait 6
    acc.add("cancelled", m(90), None, None, None, 30)    # never called
    acc.add("done", m(300), m(320), m(320), m(350), 30)  # wait 20, service 30
    f = acc.figures()
    assert (f["tickets"], f["served"], f["no_shows"], f["waited"]) == (5, 3, 1, 4)
    assert f["avg_wait"] == 19.0
    assert f["p90_wait"] == 40
    assert f["avg_service"] == 20.0
    assert f["overtime"] == 1 and f["overtime_rate"] == 0.25


def test_overtime_is_strictly_longer_than_the_threshold():
    acc = rules.Acc()
    acc.add("done", m(0), m(30), None, None, 30)
    acc.add("done", m(0), m(30) + dt.timedelta(seconds=1), None, None, 30)
    assert acc.overtime == 1


def test_empty_figures_are_none():
    f = rules.Acc().figures()
    assert f["avg_wait"] is None and f["p90_wait"] is None and f["avg_service"] is None and f["overtime_rate"] is None


def test_merge_equals_adding_all():
    a, b, both = rules.Acc(), rules.Acc(), rules.Acc()
    for i, acc in enumerate([a, b, a, b, b]):
        args = ("done", m(i), m(i + 7 * i), m(i + 7 * i), m(i + 9 * i), 30)
        acc.add(*args)
        both.add(*args)
    assert a.merge(b) == both


def test_long_waits_go_to_the_last_bucket():
    acc = rules.Acc()
    acc.add("done", m(0), m(500), None, None, 30)
    assert len(acc.hist) == rules.HIST_MINUTES + 1 and acc.p90_wait_minutes == rules.HIST_MINUTES


def test_hist_percentile_nearest_rank():
    assert rules.hist_percentile([], 0.9) is None
    assert rules.hist_percentile([0, 9, 0, 1], 0.9) == 1  # 9 of 10 waits are 1 minute
    assert rules.hist_percentile([0, 8, 0, 2], 0.9) == 3


@given(st.lists(st.integers(min_value=0, max_value=170), min_size=1, max_size=200))
def test_hist_percentile_agrees_with_the_plain_percentile(minutes):
    hist = [0] * 171
    for x in minutes:
        hist[x] += 1
    assert rules.hist_percentile(hist, 0.9) == rules.percentile(minutes, 0.9)


def test_percentile():
    assert rules.percentile([], 0.9) is None
    assert rules.percentile(range(1, 11), 0.9) == 9
    assert rules.percentile([5], 0.9) == 5


def test_saturation():
    assert rules.saturation(0, 0) is None
    assert rules.saturation(900, 3600) == 0.25
    assert rules.saturation(5000, 3600) == 1.0


def test_open_intervals_and_busy_time():
    start = T0.replace(hour=0)
    now = m(120)
    events = [(m(0), True), (m(30), False), (m(60), True)]
    iv = rules.open_intervals(events, day_start=start, now=now)
    assert iv == [(m(0), m(30)), (m(60), now)]
    assert rules.open_intervals([], day_start=start, now=now, open_now_since=m(100)) == [(m(100), now)]
    assert rules.open_intervals([], day_start=start, now=now, open_now_since=start - dt.timedelta(hours=3)) == [(start, now)]
    assert rules.busy_seconds([(m(10), m(20)), (m(110), None)], day_start=start, now=now) == 20 * 60


def test_overdue_list_longest_first():
    now = m(100)
    rows = rules.overdue([(1, "A001", m(0)), (2, "A002", m(80)), (3, "B001", m(50)), (4, "B002", m(70))], now, 30)
    assert [(r["display"], r["minutes"]) for r in rows] == [("A001", 100), ("B001", 50)]  # B002: exactly 30, not over


def test_parse_range():
    today = dt.date(2026, 12, 4)
    assert rules.parse_range(None, None, today) == (dt.date(2026, 12, 1), today)
    assert rules.parse_range("2026-01-01", "2026-12-31", today) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    with pytest.raises(rules.RuleError) as e:
        rules.parse_range("2025-01-01", "2026-12-31", today)
    assert e.value.field == "end" and "一年" in e.value.message
    with pytest.raises(rules.RuleError) as e:
        rules.parse_range("2026-13-01", "2026-12-31", today)
    assert e.value.field == "start"
    with pytest.raises(rules.RuleError) as e:
        rules.parse_range("2026-12-02", "2026-12-01", today)
    assert "早于" in e.value.message
    with pytest.raises(rules.RuleError):
        rules.parse_range("2026-12-01", None, today)


def test_parse_group():
    assert rules.parse_group(None) == "business_type"
    assert rules.parse_group("hour") == "hour"
    with pytest.raises(rules.RuleError) as e:
        rules.parse_group("staff")
    assert e.value.field == "by"


def test_add_hist_and_sums_round_trip():
    assert rules.add_hist([1, 2], [0, 0, 5]) == [1, 2, 5]
    assert rules.add_hist([], [3]) == [3]
    acc = rules.Acc()
    acc.add("done", m(0), m(12), m(13), m(20), 30)
    assert rules.Acc.from_sums(acc.sums(), acc.hist) == acc
