"""Pure rules of 好差评: input checks, the rectification state table, figure definitions on worked
examples (appeals, defaults), the 红黑旗 score and flags."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.ratings import rules
from zhengwu.ratings.rules import Counts, RState


def test_levels_and_dimensions_are_checked_with_chinese_messages():
    assert rules.check_level("5") == 5
    for bad in (0, 6, "x"):
        with pytest.raises(rules.RuleError) as exc:
            rules.check_level(bad)
        assert exc.value.field == "level" and "1 至 5" in exc.value.message
    for missing in (None, "", " "):  # nothing chosen: the form asks for a choice
        with pytest.raises(rules.RuleError) as exc:
            rules.check_level(missing)
        assert exc.value.field == "level" and exc.value.message == "请选择总体评价"
    assert rules.check_dimensions("window", {"overall": 5, "efficiency": "4", "skill": 4, "attitude": 5}) == {
        "overall": 5, "efficiency": 4, "skill": 4, "attitude": 5}
    assert rules.check_dimensions("case", {}) == {}
    with pytest.raises(rules.RuleError) as exc:
        rules.check_dimensions("window", {"guide": 5})  # an online dimension at a window
    assert exc.value.field == "dims.guide" and "不适用" in exc.value.message
    with pytest.raises(rules.RuleError) as exc:
        rules.check_dimensions("window", {"overall": 5})
    assert "尚未评分" in exc.value.message and "服务态度" in exc.value.message
    with pytest.raises(rules.RuleError):
        rules.check_dimensions("case", {"overall": 5, "efficiency": 9, "guide": 5, "convenience": 5, "usability": 5})
    with pytest.raises(rules.RuleError) as exc:
        rules.check_comment("好" * 501, 5)
    assert "500" in exc.value.message


def test_each_level_is_satisfied_or_bad_never_both():
    """国办发〔2019〕51号: five levels; 不满意 and 非常不满意 are 差评, the other three count as 满意."""
    assert rules.BAD_LEVELS == {1, 2} and rules.SATISFIED_LEVELS == {3, 4, 5}
    for level in rules.LEVELS:
        assert rules.is_bad(level) != rules.is_satisfied(level)
    assert not rules.is_bad(3)  # 基本满意
    assert rules.check_bad_levels("2，1") == {1, 2}
    for other in ("1,2,3", "3", "1", "", "4", "a"):
        with pytest.raises(rules.RuleError) as exc:
            rules.check_bad_levels(other)
        assert exc.value.field == "bad_levels" and "国办发〔2019〕51号" in exc.value.message


def test_a_bad_rating_says_what_went_wrong():
    problem = rules.bad_problems_for("case")[0]
    for level in (1, 2):
        with pytest.raises(rules.RuleError) as exc:
            rules.check_bad_reason("case", level, [], "")
        assert exc.value.field == "tags" and "差评" in exc.value.message
        rules.check_bad_reason("case", level, [problem], "")  # a problem is enough
        rules.check_bad_reason("case", level, [], "窗口让我跑了三趟")  # so is a comment
        with pytest.raises(rules.RuleError) as exc:  # “其他” alone says nothing
            rules.check_bad_reason("case", level, ["其他"], "")
        assert exc.value.field == "comment"
        with pytest.raises(rules.RuleError):  # a 好评标签 is not a problem
            rules.check_bad_reason("case", level, [rules.TAGS_GOOD[0]], "")
    for level in (3, 4, 5):
        rules.check_bad_reason("case", level, [], "")
    # a window problem is not an online one
    with pytest.raises(rules.RuleError):
        rules.check_tags(["服务态度差"], "case")
    assert rules.check_tags(["服务态度差", "服务态度差"], "window") == ["服务态度差"]
    assert rules.bad_problems_of(["一次办成", "服务态度差"]) == ["服务态度差"]


def test_one_list_of_dimensions():
    """The form, the API and the figures read one table: a kind's dimensions, in its own words."""
    assert list(rules.dimensions_for("case").values()) == ["整体满意度", "办事效率", "办事指南精确度", "办事便捷度",
                                                           "平台操作性"]
    assert list(rules.dimensions_for("window").values()) == ["整体满意度", "服务效率", "服务水平", "服务态度"]
    assert rules.dimension_label("window", "efficiency") == "服务效率"
    assert rules.dimension_label("case", "efficiency") == "办事效率"
    assert rules.FIGURE_DIMENSION_LABELS["efficiency"] == "办事效率／服务效率／办理效率"
    assert set(rules.ALL_DIMENSIONS) == {k for dims in rules.DIMENSIONS.values() for k in dims}
    assert rules.dims_text("window", {"overall": 2, "skill": 3}) == "整体满意度 2分；服务水平 3分"


def test_rectification_state_table():
    # 属实 → 整改中 → (实名) 待回访 → 满意 → 已办结
    assert rules.after_verify(RState.VERIFY, True, "", real_name=True) == RState.RECTIFY
    assert rules.after_rectify(RState.RECTIFY, "已批评教育并培训", real_name=True) == RState.CALLBACK
    assert rules.after_callback(RState.CALLBACK, True, True, 0, True) == RState.CLOSED
    # 不满意 → 重新整改 → 整改 → 待回访
    assert rules.after_callback(RState.CALLBACK, True, False, 0, True) == RState.REOPENED
    assert rules.after_rectify(RState.REOPENED, "再次整改，专人跟进", real_name=True) == RState.CALLBACK
    # anonymous: nobody to call back
    assert rules.after_rectify(RState.RECTIFY, "已整改到位了", real_name=False) == RState.CLOSED
    assert rules.after_verify(RState.VERIFY, False, "经调阅录像，窗口服务规范", real_name=False) == RState.CLOSED
    assert rules.after_verify(RState.VERIFY, False, "不属实", real_name=True) == RState.CALLBACK
    with pytest.raises(rules.RuleError) as exc:
        rules.after_verify(RState.VERIFY, False, " ", real_name=True)
    assert exc.value.field == "reason"
    # not reached: stays until the third failed attempt
    assert rules.after_callback(RState.CALLBACK, False, None, 0, True) == RState.CALLBACK
    assert rules.after_callback(RState.CALLBACK, False, None, 2, True) == RState.CLOSED
    with pytest.raises(rules.RuleError):
        rules.after_callback(RState.CALLBACK, True, None, 0, True)
    with pytest.raises(rules.TransitionRefused):
        rules.after_rectify(RState.VERIFY, "跳过核实直接整改", real_name=True)
    with pytest.raises(rules.TransitionRefused):
        rules.after_verify(RState.CLOSED, True, "", real_name=True)
    with pytest.raises(rules.RuleError) as exc:
        rules.after_rectify(RState.RECTIFY, "好", real_name=True)
    assert exc.value.field == "measures"
    today = dt.date(2026, 10, 20)
    assert rules.is_overdue(RState.RECTIFY, dt.date(2026, 10, 19), today)
    assert not rules.is_overdue(RState.CLOSED, dt.date(2026, 10, 1), today)
    assert not rules.is_overdue(RState.VERIFY, today, today)


def test_figures_worked_example_with_defaults_and_appeal():
    """A department's month: 20 rateable events (12 concluded cases + 8 window visits).

    16 ratings were given: 6 非常满意, 4 满意 (of which 2 are 默认好评), 2 基本满意, 2 不满意,
    2 非常不满意 — one 非常不满意 was excluded by an upheld appeal, so 15 valid ratings remain, 13 of
    them given by the raters (主动评价): 6 + 2 + 2 = 10 satisfied, 3 差评 (2 real-name), 2 of the 3
    rectified, of which 1 real-name both called back and rectified. 20 rateable events, 13 of them
    rated.
    """
    c = Counts(ratings=15, l5=6, l4=4, l3=2, l2=2, l1=1, defaults=2, bad=3, bad_rectified=2, bad_real=2,
               bad_real_done=1, excluded=1, events=20, rated=13, dim_n={"overall": 4}, dim_sum={"overall": 17})
    f = rules.figures(c)
    assert f.ratings == 15
    assert f.active == 13  # defaults are ratings but not 主动评价
    assert f.active_rate == pytest.approx(13 / 20)
    assert f.levels == {5: 6, 4: 2, 3: 2, 2: 2, 1: 1}  # the 2 默认好评 stand apart (f.defaults)
    assert f.satisfied == 10
    assert f.satisfaction_rate == pytest.approx(10 / 13)  # 76.9 %: 默认好评 not counted (before: 12/15 = 80 %)
    assert f.defaults == 2
    assert f.bad == 3
    assert f.rectify_rate == pytest.approx(2 / 3)
    assert f.callback_rate == pytest.approx(1 / 2)
    assert f.excluded == 1
    assert f.dimension_avg == {"overall": 4.25}


def test_empty_bases_give_no_rate_and_the_active_rate_is_not_capped():
    f = rules.figures(Counts())
    assert f.satisfaction_rate is None and f.active_rate is None and f.rectify_rate is None
    # 3 rated events counted against 2 events is a counting error: shown as it is (150 %), not hidden
    f = rules.figures(Counts(ratings=3, l5=3, events=2, rated=3))
    assert f.active_rate == 1.5
    # a group with only 默认好评 has no 满意率 (nobody rated)
    f = rules.figures(Counts(ratings=2, l4=2, defaults=2, events=2))
    assert (f.active, f.satisfaction_rate, f.active_rate, f.defaults) == (0, None, 0.0, 2)


def test_rectified_means_rectify_done_and_confirmed():
    closed, measures = RState.CLOSED, "已组织培训并一次性告知材料"
    assert rules.is_rectified(closed, measures, real_name=False, callback_satisfied=None)  # anonymous, 整改 done
    assert rules.is_rectified(closed, measures, real_name=True, callback_satisfied=True)  # 回访满意
    assert not rules.is_rectified(closed, "", real_name=False, callback_satisfied=None)  # anonymous 不属实
    assert not rules.is_rectified(closed, "", real_name=True, callback_satisfied=None)  # 不属实, 多次联系未果
    assert not rules.is_rectified(closed, measures, real_name=True, callback_satisfied=None)  # 多次联系未果
    assert not rules.is_rectified(RState.CALLBACK, measures, real_name=True, callback_satisfied=None)
    assert not rules.is_rectified(RState.REOPENED, measures, real_name=True, callback_satisfied=False)


def test_counts_of_sums_and_their_total():
    """A report reads each group's sums in COUNTER_COLUMNS order (counts_of) and totals the groups
    column by column (total_of), each dimension divided by the ratings that scored it: a department
    with 3 online ratings (办事指南精确度) and 20 window ratings (服务水平) averages 办事指南精确度 over 3."""
    cols = rules.COUNTER_COLUMNS
    assert len(cols) == len(rules.PLAIN_COUNTERS) + 2 * len(rules.ALL_DIMENSIONS)

    def sums(dims=None, **values):
        dims = dims or {}
        out = {**values, **{f"dim_n_{d}": n for d, (n, _) in dims.items()}, **{f"dim_{d}": s for d, (_, s) in dims.items()}}
        return tuple(out.get(c, 0) for c in cols)

    window = sums({"overall": (20, 80), "skill": (20, 82), "attitude": (20, 79)}, ratings=20, l5=19, l2=1, bad=1,
                  bad_real=1, events=25)
    online = sums({"overall": (3, 14), "guide": (3, 14), "usability": (3, 13)}, ratings=6, l4=5, l1=1, defaults=2,
                  bad=1, bad_rectified=1, excluded=1)
    quiet = sums(ratings=2, l3=2, events=2)  # no dimension scored
    c = rules.counts_of(window)
    assert (c.ratings, c.l5, c.l2, c.bad, c.bad_real, c.events) == (20, 19, 1, 1, 1, 25)
    assert c.dim_n == {"overall": 20, "skill": 20, "attitude": 20}
    total = rules.total_of([window, online, quiet])
    assert total == Counts(ratings=28, l5=19, l4=5, l3=2, l2=1, l1=1, defaults=2, bad=2, bad_rectified=1, bad_real=1,
                           excluded=1, events=27,
                           dim_n={"overall": 23, "guide": 3, "usability": 3, "skill": 20, "attitude": 20},
                           dim_sum={"overall": 94, "guide": 14, "usability": 13, "skill": 82, "attitude": 79})
    assert rules.figures(total).dimension_avg == {"overall": 4.09, "guide": 4.67, "usability": 4.33, "skill": 4.1,
                                                  "attitude": 3.95}
    assert rules.total_of([]) == Counts()


def test_department_score_counts_on_time_overdue_and_complaints():
    """The seeds' 红黑旗 of a department: ratings plus 按时办结率, 超期办件 and 投诉 (by hand)."""
    w = rules.ScoreWeights(60, 20, 20, 1.0, on_time=20, overdue_penalty=0.5, complaint_penalty=1.0)
    mixed = rules.figures(Counts(ratings=100, l5=90, l2=10, bad=10, bad_rectified=5, events=200, rated=100))
    # Weighted part over 60+20+20+20 = 120: (60×0.9 + 20×0.5 + 20×0.5 + 20×0.8) × 100 / 120 = 90 × 100/120
    # = 75; minus 3 超期 × 0.5 = 1.5, 2 投诉 × 1 = 2, 10 差评 per 100 × 1 = 10 → 61.5
    service = rules.ServiceFigures(on_time_rate=0.8, overdue=3, complaints=2)
    assert rules.score(mixed, w, service) == 61.5
    # Nothing concluded: 按时办结 scores full marks — (74 + 20) × 100/120 = 78.33, − 10 → 68.33
    assert rules.score(mixed, w, rules.ServiceFigures()) == 68.33
    # A window (no service figures) is scored on its ratings only, as before: 64
    assert rules.score(mixed, w) == 64.0
    # Never below 0
    assert rules.score(mixed, w, rules.ServiceFigures(0.0, 500, 0)) == 0.0


def test_score_and_red_black_flags():
    w = rules.ScoreWeights(60, 20, 20, 1.0)
    perfect = rules.figures(Counts(ratings=100, l5=100, events=100, rated=100))
    assert rules.score(perfect, w) == 100.0  # nothing to rectify counts as full marks
    mixed = rules.figures(Counts(ratings=100, l5=90, l2=10, bad=10, bad_rectified=5, events=200, rated=100))
    # 60×0.9 + 20×0.5 + 20×0.5 = 74, minus 10 差评 per 100 × 1 = 64
    assert rules.score(mixed, w) == 64.0
    assert rules.score(rules.figures(Counts()), w) is None
    rows = [("a", "甲", 90.0, 50), ("b", "乙", 80.0, 50), ("c", "丙", 80.0, 50), ("d", "丁", 60.0, 50),
            ("e", "戊", 99.0, 3), ("f", "己", None, 0)]
    ranked = rules.flags(rows, red=1, black=1, min_ratings=10)
    assert [(r.key, r.rank, r.flag) for r in ranked] == [
        ("a", 1, "red"), ("c", 2, ""), ("b", 2, ""), ("d", 4, "black"), ("e", 0, ""), ("f", 0, "")]
    # a short list is never both red and black
    ranked = rules.flags([("a", "甲", 90.0, 50)], red=3, black=3, min_ratings=10)
    assert [r.flag for r in ranked] == ["red"]


def test_month_bounds():
    assert rules.month_bounds("2026-10") == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert rules.month_bounds("2028-02") == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    with pytest.raises(rules.RuleError) as exc:
        rules.month_bounds("2026/13")
    assert exc.value.field == "period"
