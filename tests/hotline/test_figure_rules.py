"""Pure rules behind the figures, as worked examples (issue 30 items 6–9): lateness against the
first deadline, 重复诉求 on the same matter only, the figure formulas with direct closes apart."""

import datetime as dt
from zoneinfo import ZoneInfo

from zhengwu.hotline import figure_rules, rules

TZ = ZoneInfo("Asia/Shanghai")


def at(day, hour=10, minute=0):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=TZ)


# -- item 6: every deadline kept, lateness against the first ---------------------------------------
def test_a_first_answer_late_stays_late_after_a_reopening():
    # 派单 Mon 2 Nov 10:00, 5 working days → due Mon 9 Nov 17:30; answered Wed 11 Nov (late);
    # 重办 on 11 Nov with a new deadline 18 Nov 17:30; answered again 12 Nov (within the new one).
    history = [
        {"kind": "dispatch", "at": at(2).isoformat(), "due_at": at(9, 17, 30).isoformat(),
         "counted_due_at": rules.counted_deadline("dispatch", None, at(9, 17, 30)).isoformat()},
        {"kind": "reply", "at": at(11).isoformat(), "counted_due_at": at(9, 17, 30).isoformat()},
        {"kind": "reopen", "at": at(11, 15).isoformat(), "due_at": at(18, 17, 30).isoformat(),
         "counted_due_at": rules.counted_deadline("reopen", at(9, 17, 30), at(18, 17, 30)).isoformat()},
        {"kind": "reply", "at": at(12).isoformat(), "counted_due_at": at(18, 17, 30).isoformat()},
    ]
    assert rules.answered_on_time(history) is False
    # Comparing only the last answer with the last deadline (the old rule) said "on time":
    assert at(12) <= at(18, 17, 30)


def test_redispatch_keeps_the_first_deadline_an_approved_extension_moves_it():
    first, second = at(9, 17, 30), at(13, 17, 30)
    assert rules.counted_deadline("redispatch", first, second) == first  # 改派: the count does not restart
    assert rules.counted_deadline("reopen", first, second) == second  # 重办: a new round
    assert rules.counted_deadline("extension", first, at(12, 17, 30)) == at(12, 17, 30)
    # Answered Tue 10 Nov: late against 9 Nov; on time had 3 days' extension been approved (→ 12 Nov).
    late = [{"kind": "reply", "at": at(10).isoformat(), "counted_due_at": first.isoformat()}]
    extended = [{"kind": "reply", "at": at(10).isoformat(), "counted_due_at": at(12, 17, 30).isoformat()}]
    assert rules.answered_on_time(late) is False and rules.answered_on_time(extended) is True
    assert rules.answered_on_time([]) is False  # never answered: not on time


# -- item 7: 重复诉求 -------------------------------------------------------------------------------
NOISE = "经三路工地夜间施工噪音太大，凌晨两点还在打桩"


def test_same_matter_needs_the_same_type_category_and_place_or_subject():
    base = dict(type_a="complaint", type_b="complaint", category_a=5, category_b=5, text_a=NOISE,
                text_b="又是经三路那个工地，半夜打桩吵得睡不着", address_a="经三路66号", address_b="经三路66号工地")
    assert rules.same_matter(**base)  # same type, category, place
    assert not rules.same_matter(**{**base, "type_b": "consult"})  # 咨询 and 投诉: two matters
    assert not rules.same_matter(**{**base, "category_b": 9})  # different 三级分类
    # Same type, no category yet, different place and an unrelated subject: not the same matter.
    assert not rules.same_matter(type_a="complaint", type_b="complaint", category_a=None, category_b=None,
                                 text_a=NOISE, text_b="小区门口垃圾三天没人清运", address_a="经三路66号",
                                 address_b="纬五路12号院")
    # No address given, but the same subject: the same matter.
    assert rules.same_matter(type_a="complaint", type_b="complaint", category_a=None, category_b=None,
                             text_a=NOISE, text_b=NOISE + "，希望管管")
    # Coordinates 100 m apart are the same place.
    assert rules.same_matter(**{**base, "address_b": "别处", "text_b": "完全不同的说法", "metres": 100.0})


def test_repeat_while_open_or_within_thirty_days():
    yes = dict(same_caller=True, same_matter_=True)
    assert rules.counts_as_repeat(**yes, earlier_open=False, days_since=29.9)
    assert not rules.counts_as_repeat(**yes, earlier_open=False, days_since=30.5)
    assert rules.counts_as_repeat(**yes, earlier_open=True, days_since=45)  # still open after 45 days
    assert not rules.counts_as_repeat(same_caller=True, same_matter_=False, earlier_open=True, days_since=1)


# -- items 8 and 9: the formulas -----------------------------------------------------------------------
def test_figure_formulas_worked_example():
    # A month: 100 registered, of which 20 answered at once (直接办结) and 76 dispatched (4 merged);
    # 60 of the dispatched are closed already. 50 dispatched tickets closed this month (some
    # registered last month): 45 on time, 40 without 重办, 42 called back, 40 rated, 36 satisfied,
    # 600 handling hours over 50. Calls: 2,000 asked for an operator, 1,900 answered.
    c = figure_rules.Counts(received=100, dispatched=76, dispatched_closed=60, direct_closed=20, claimed=70,
                            claimed_on_time=63, returned=4, repeated=7, closed=50, closed_on_time=45, first_time=40,
                            callbacked=42, rated=40, satisfied=36, handle_hours_sum=600.0, handle_count=50,
                            calls_offered=2000, calls_answered=1900)
    f = figure_rules.figures(c)
    assert f.close_rate == 78.9  # 60 / 76
    assert f.direct_close_rate == 20.0  # 20 / 100
    assert f.on_time_rate == 90.0  # 45 / 50
    assert f.first_time_rate == 80.0  # 40 / 50
    assert f.callback_rate == 84.0  # 42 / 50
    assert f.satisfaction_rate == 90.0  # 36 / 40
    assert f.claim_on_time_rate == 90.0 and f.return_rate == 5.3 and f.repeat_rate == 7.0
    assert f.avg_handle_hours == 12.0  # 600 / 50
    assert f.answer_rate == 95.0  # 1900 / 2000
    empty = figure_rules.figures(figure_rules.Counts())
    assert empty.close_rate is None and empty.avg_handle_hours is None and empty.answer_rate is None
    assert (c + c).received == 200 and (c + c).calls_answered == 3800  # counts add up to totals


def test_every_column_has_words():
    keys = {k for k, _, _ in figure_rules.DEFINITIONS}
    assert keys == set(figure_rules.Figures.__dataclass_fields__)
    assert all(words for _, _, words in figure_rules.DEFINITIONS)
