"""The figures as worked examples on real tickets (issue 30 items 6–9): each test walks tickets
through the services at set times and checks the figure the page and the API show."""

import contextlib
import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from zhengwu.hotline import figures, services
from zhengwu.hotline.models import CallVolume, KnowledgeArticle

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
REPLY = "经现场核查，已责令该饭店停业整改，并督促赔偿诉求人医药费。"


def when(month, day, hour=10, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


@contextlib.contextmanager
def now_is(moment):
    """Django's clock set to ``moment`` (the services read timezone.now())."""
    with mock.patch("django.utils.timezone.now", return_value=moment.astimezone(dt.timezone.utc)):
        yield


def walk(t, user, steps):
    """Run (moment, function, kwargs) steps on ticket ``t`` in order; the ticket after the last."""
    for moment, fn, who, kw in steps:
        with now_is(moment):
            t = fn(who, t, t.lock_version, **kw)
    return t


def month_row(user, month):
    last = dt.date(2026, month + 1, 1) - dt.timedelta(days=1)
    rows = figures.report(user, "month", dt.date(2026, month, 1), last)["rows"]
    return next(r for r in rows if r["label"] == f"2026-{month:02d}")


# -- item 6 ---------------------------------------------------------------------------------------
def test_reopened_ticket_first_answered_late_is_not_on_time(new_ticket, centre, handler, market, supervisor):
    # 派单 Mon 2 Nov 10:00, 餐饮卫生 has 5 working days → due Mon 9 Nov 17:30.
    with now_is(when(11, 2, 9)):
        t = new_ticket()
    t = walk(t, None, [
        (when(11, 2), services.dispatch, centre, {"department": market.pk}),
        (when(11, 2, 11), services.claim, handler, {}),
        (when(11, 11), services.reply, handler, {"text": REPLY}),  # Wed 11 Nov: 2 days late
        (when(11, 11, 15), services.callback, centre,
         {"reached": True, "resolved": False, "satisfaction": 2, "reopen": True}),  # 重办: new deadline 18 Nov
        (when(11, 11, 16), services.claim, handler, {}),
        (when(11, 12), services.reply, handler, {"text": REPLY + "已再次复查。"}),  # within the new deadline
        (when(11, 12, 14), services.callback, centre, {"reached": True, "resolved": True, "satisfaction": 4}),
        (when(11, 12, 15), services.close, centre, {}),
    ])
    assert t.due_at == when(11, 18, 17, 30)  # the department's last deadline
    assert t.closed_on_time is False  # the first answer missed the first deadline
    kinds = [(e["kind"], e.get("due_at")) for e in t.due_history]
    assert kinds == [("dispatch", when(11, 9, 17, 30).isoformat()), ("reply", None),
                     ("reopen", when(11, 18, 17, 30).isoformat()), ("reply", None)]
    row = month_row(supervisor, 11)
    assert (row["closed"], row["on_time_rate"], row["first_time_rate"]) == (1, 0.0, 0.0)


def test_redispatch_does_not_restart_the_count_an_extension_moves_it(new_ticket, centre, handler, urban_handler,
                                                                     market, urban):
    def returned_and_redispatched():
        with now_is(when(11, 2, 9)):
            t = new_ticket()
        return walk(t, None, [
            (when(11, 2), services.dispatch, centre, {"department": urban.pk}),
            (when(11, 4), services.return_ticket, urban_handler, {"reason": "饭店卫生不属于城管职责，应由市场监管处理"}),
            (when(11, 5), services.redispatch, centre, {"department": market.pk}),  # new deadline Thu 12 Nov
            (when(11, 5, 11), services.claim, handler, {}),
        ])

    t = returned_and_redispatched()
    assert t.due_at == when(11, 12, 17, 30)
    t = walk(t, None, [(when(11, 10), services.reply, handler, {"text": REPLY}),  # Tue 10 Nov: after 9 Nov
                       (when(11, 10, 14), services.callback, centre, {"reached": True, "resolved": True,
                                                                        "satisfaction": 5}),
                       (when(11, 10, 15), services.close, centre, {})])
    assert t.closed_on_time is False  # counted against the first deadline, 9 Nov 17:30

    t = returned_and_redispatched()
    t = walk(t, None, [
        (when(11, 6), services.request_extension, handler, {"days": 3, "reason": "需要检测机构出具报告"}),
        (when(11, 6, 11), services.decide_extension, centre, {"approve": True}),  # counted: 9 → 12 Nov
        (when(11, 10), services.reply, handler, {"text": REPLY}),
        (when(11, 10, 14), services.callback, centre, {"reached": True, "resolved": True, "satisfaction": 5}),
        (when(11, 10, 15), services.close, centre, {}),
    ])
    assert t.closed_on_time is True
    assert [e["kind"] for e in t.due_history] == ["dispatch", "redispatch", "extension", "reply"]
    assert t.due_history[2]["counted_due_at"] == when(11, 12, 17, 30).isoformat()


# -- item 7 ---------------------------------------------------------------------------------------
def test_repeat_only_for_the_same_matter(new_ticket, taxonomy, centre):
    noise = taxonomy["环境保护/噪声污染/施工噪声"].pk
    with now_is(when(10, 1)):
        first = new_ticket(content="经三路工地夜间施工噪音太大，凌晨两点还在打桩", category=noise, address="经三路66号")
    with now_is(when(10, 3)):
        other_type = new_ticket(ticket_type="consult", content="经三路工地夜间施工许可怎么查询", category=noise,
                                address="经三路66号")
        other_matter = new_ticket(content="小区门口的垃圾三天没人清运了", category=None, address="纬五路12号院")
        same = new_ticket(content="又是经三路那个工地，半夜打桩吵得睡不着", category=noise, address="经三路66号工地")
    assert not first.is_repeat
    assert not other_type.is_repeat and not other_matter.is_repeat  # any call from the phone used to count
    assert same.is_repeat
    # An earlier ticket on the same matter still open 40 days on: a repeat whatever the window.
    with now_is(when(10, 1)):
        new_ticket(content="经三路工地夜间施工噪音太大", category=noise, address="经三路66号", phone="13700002222")
    with now_is(when(11, 10)):
        late = new_ticket(content="经三路工地夜间施工噪音太大", category=noise, address="经三路66号", phone="13700002222")
    assert late.is_repeat


def test_repeat_window_for_closed_tickets(new_ticket, centre, handler, market):
    with now_is(when(9, 1, 9)):
        t = new_ticket(phone="13700003333")
    walk(t, None, [(when(9, 1), services.dispatch, centre, {"department": market.pk}),
                   (when(9, 1, 11), services.claim, handler, {}),
                   (when(9, 2), services.reply, handler, {"text": REPLY}),
                   (when(9, 2, 14), services.callback, centre, {"reached": True, "resolved": True, "satisfaction": 5}),
                   (when(9, 2, 15), services.close, centre, {})])
    with now_is(when(9, 20)):
        second = new_ticket(phone="13700003333")
    assert second.is_repeat  # 19 days after the first (closed), same matter
    with now_is(when(9, 20, 11)):
        services.cancel(centre, second, second.lock_version, "误登记")  # a cancelled ticket is no matter
    with now_is(when(11, 20)):
        assert not new_ticket(phone="13700003333").is_repeat  # 80 days after the closed one


# -- item 8 ---------------------------------------------------------------------------------------
def test_direct_closes_apart_and_closings_counted_in_their_month(new_ticket, centre, handler, market, supervisor):
    kb = KnowledgeArticle.objects.create(title="公积金提取", answer="租房提取公积金需要提供租房合同和发票。")
    with now_is(when(10, 26)):
        direct = services.register(centre, {"ticket_type": "consult", "content": "租房怎么提取公积金",
                                            "phone": "13800006666", "knowledge": kb.pk, "answer": ""})
        a = new_ticket(phone="13700000001")
        b = new_ticket(phone="13700000002", address="纬五路1号", content="纬五路一家面馆卖变质食品")
    assert direct.state == "closed" and direct.closed_directly and direct.closed_on_time is None
    assert direct.handle_hours is None  # not "0.0 h"
    for t, closed_on in ((a, when(10, 29)), (b, when(11, 3))):
        walk(t, None, [(when(10, 26, 11), services.dispatch, centre, {"department": market.pk}),
                       (when(10, 26, 12), services.claim, handler, {}),
                       (closed_on - dt.timedelta(hours=5), services.reply, handler, {"text": REPLY}),
                       (closed_on - dt.timedelta(hours=1), services.callback, centre,
                        {"reached": True, "resolved": True, "satisfaction": 4}),
                       (closed_on, services.close, centre, {})])
    oct_, nov = month_row(supervisor, 10), month_row(supervisor, 11)
    assert (oct_["received"], oct_["direct_closed"], oct_["direct_close_rate"], oct_["dispatched"]) == (3, 1, 33.3, 2)
    assert oct_["closed"] == 1 and nov["closed"] == 1 and nov["received"] == 0  # closed in the month it closed
    # a: dispatched Mon 26 Oct 11:00, answered Thu 29 Oct 05:00 → 66.0 h; the direct close is not in the mean.
    assert oct_["avg_handle_hours"] == 66.0 and oct_["on_time_rate"] == 100.0
    assert oct_["close_rate"] == 100.0  # both tickets dispatched in October are closed by now
    by_type = {r["label"]: r for r in figures.table(supervisor, "type", dt.date(2026, 10, 1), dt.date(2026, 11, 30))}
    assert by_type["咨询"]["direct_closed"] == 1 and by_type["投诉"]["dispatched"] == 2


# -- item 9 ---------------------------------------------------------------------------------------
def test_callback_first_time_and_answer_rates(dispatched, centre, handler, supervisor):
    with now_is(when(11, 2, 9)):
        one, two = dispatched(phone="13700000011"), dispatched(phone="13700000012", address="纬五路1号")
    walk(one, None, [(when(11, 2, 11), services.claim, handler, {}),
                     (when(11, 3), services.reply, handler, {"text": REPLY}),
                     (when(11, 3, 14), services.callback, centre, {"reached": False}),
                     (when(11, 4, 14), services.callback, centre, {"reached": False}),
                     (when(11, 4, 15), services.close, centre, {})])  # closed after two unanswered calls
    walk(two, None, [(when(11, 2, 11), services.claim, handler, {}),
                     (when(11, 3), services.reply, handler, {"text": REPLY}),
                     (when(11, 3, 14), services.callback, centre,
                      {"reached": True, "resolved": False, "satisfaction": 2, "reopen": True}),
                     (when(11, 3, 15), services.claim, handler, {}),
                     (when(11, 4), services.reply, handler, {"text": REPLY + "再次核查已整改。"}),
                     (when(11, 4, 14), services.callback, centre, {"reached": True, "resolved": True, "satisfaction": 4}),
                     (when(11, 4, 15), services.close, centre, {})])
    with now_is(when(11, 5, 8)):
        services.report_calls(centre, day="2026-11-02", offered=1000, answered=950)
        services.report_calls(None, day="2026-11-02", offered=1000, answered=960, system="话务系统")  # resent
        services.report_calls(None, day="2026-11-03", offered=500, answered=440, system="话务系统")
    assert CallVolume.objects.count() == 2
    row = month_row(supervisor, 11)
    assert row["callback_rate"] == 50.0  # one of the two closed tickets was reached on callback
    assert row["first_time_rate"] == 50.0  # one was reopened
    assert row["satisfaction_rate"] == 100.0  # the one rated: 满意 (4)
    assert row["answer_rate"] == 93.3  # (960 + 440) / (1000 + 500)
    total = figures.report(supervisor, "department", dt.date(2026, 11, 1), dt.date(2026, 11, 28))["total"]
    assert total["answer_rate"] == 93.3 and total["closed"] == 2


def test_calls_bad_input(centre):
    with pytest.raises(ValidationError) as e:
        services.report_calls(centre, day="2026-13-01", offered=-1, answered=5)
    assert {"day", "offered"} <= set(e.value.message_dict)
    with pytest.raises(ValidationError) as e:
        services.report_calls(centre, day="2026-11-01", offered=10, answered=11)
    assert "不能大于" in e.value.message_dict["answered"][0]
    # Over the column's limit (fuzzing found a 500 on PostgreSQL): a field error, nothing written.
    with pytest.raises(ValidationError) as e:
        services.report_calls(centre, day="2026-11-01", offered=3_000_000_000, answered=1)
    assert "不能超过" in e.value.message_dict["offered"][0]
    assert not CallVolume.objects.exists()
