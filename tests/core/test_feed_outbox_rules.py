"""The pure rules of the upward feeds: the back-off schedule worked by hand, the dead letter, and
the masking of what goes upward."""

import datetime as dt

from zhengwu.core import outbox_rules as r

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)


def test_backoff_doubles_from_a_minute_and_stops_at_six_hours():
    assert r.backoff(0) == dt.timedelta(0)
    assert [r.backoff(n) for n in range(1, 6)] == [MIN, 2 * MIN, 4 * MIN, 8 * MIN, 16 * MIN]
    assert r.backoff(9) == 256 * MIN
    assert r.backoff(10) == dt.timedelta(hours=6)  # 512 min capped at 360
    assert r.backoff(1000) == dt.timedelta(hours=6)


def test_schedule_lists_the_waits_between_the_tries():
    assert [int(d.total_seconds() // 60) for d in r.schedule(5)] == [1, 2, 4, 8]
    assert len(r.schedule()) == r.MAX_ATTEMPTS - 1


def test_after_failure_retries_then_gives_up_at_the_last_attempt():
    assert r.after_failure(1, NOW, max_attempts=3) == ("failed", NOW + MIN)
    assert r.after_failure(2, NOW, max_attempts=3) == ("failed", NOW + 2 * MIN)
    assert r.after_failure(3, NOW, max_attempts=3) == ("dead", NOW)
    assert r.after_failure(4, NOW, max_attempts=3)[0] == "dead"


def test_masks_and_scrubbed_text():
    assert r.mask_name("张三") == "张*" and r.mask_name("欧阳娜娜") == "欧***" and r.mask_name("") == ""
    assert r.mask_id_number("41010519900307123X") == "4101**********123X"
    text = "我叫李四，身份证41010519900307123X，电话13912345678，座机0371-65501234，门牌号88号"
    out = r.scrub_text(text)
    assert "41010519900307123X" not in out and "13912345678" not in out and "65501234" not in out
    assert "4101**********123X" in out and "139****5678" in out and "门牌号88号" in out
