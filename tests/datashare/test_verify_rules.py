"""Pure rules of 查询核验: fields, purpose, grants, quota arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.datashare import verify_rules as r

UTC = dt.UTC


def test_purpose_required_and_bounded():
    with pytest.raises(r.Refusal) as exc:
        r.clean_purpose("  ")
    assert exc.value.status == 400 and exc.value.detail == "用途：必填"
    assert r.clean_purpose("  公积金  提取 ") == "公积金 提取"
    with pytest.raises(r.Refusal):
        r.clean_purpose("x" * 301)


def test_fields_unknown_400_unauthorised_403_named():
    assert r.check_fields("person", ["name", "gender", "name"], ["name", "gender"]) == ["name", "gender"]
    with pytest.raises(r.Refusal) as exc:
        r.check_fields("person", ["name", "salary", "id_number"], ["name"])
    assert exc.value.status == 400 and "salary" in exc.value.detail and "id_number" in exc.value.detail
    with pytest.raises(r.Refusal) as exc:
        r.check_fields("person", ["name", "phone", "household_address"], ["name"])
    assert exc.value.status == 403 and exc.value.errors["fields"] == ["phone", "household_address"]
    assert "phone（联系电话）" in exc.value.detail
    with pytest.raises(r.Refusal) as exc:
        r.check_fields("person", [], ["name"])
    assert exc.value.status == 400


def test_grant_problems():
    now = dt.datetime(2026, 5, 1, tzinfo=UTC)
    later = now + dt.timedelta(days=1)
    assert r.grant_problem(r.GrantView(None, later, "published"), now) == ""
    assert "撤销" in r.grant_problem(r.GrantView(now, later, "published"), now)
    assert "过期" in r.grant_problem(r.GrantView(None, now, "published"), now)
    assert "未发布" in r.grant_problem(r.GrantView(None, later, "withdrawn", 3), now)
    assert "未发布" in r.grant_problem(r.GrantView(None, later, "draft", 0), now)  # never published
    # Being revised after publication: it keeps serving its published version.
    assert r.grant_problem(r.GrantView(None, later, "draft", 2), now) == ""
    assert r.grant_problem(r.GrantView(None, later, "review", 1), now) == ""


def test_quota_windows_and_refusals():
    n, left = r.minute_window(120.0)
    assert (n, left) == (2, 60)
    assert r.minute_window(179.5) == (2, 1)
    tz = dt.timezone(dt.timedelta(hours=8))
    day, left = r.day_window(dt.datetime(2026, 5, 1, 23, 59, 0, tzinfo=tz))
    assert day == "2026-05-01" and left == 61
    assert r.quota_refusal(600, 600, 10, 10000, 10000, 100) is None
    minute = r.quota_refusal(601, 600, 10, 5, 10000, 100)
    assert minute.status == 429 and minute.retry_after == 10 and "每分钟最多600次" in minute.detail
    daily = r.quota_refusal(1, 600, 10, 10001, 10000, 100)
    assert daily.retry_after == 100 and "每日调用上限" in daily.detail
    assert r.quota_refusal(10**6, 0, 10, 10**6, 0, 100) is None  # 0: no limit
