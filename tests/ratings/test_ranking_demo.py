"""红黑旗 in the demo and on the pages (issue 27): the demo flags windows and departments, the
minimum-sample rule is printed and the units it leaves out are listed, and a ranking has no
“（未指定）” row while the totals keep the ratings that belong to no window."""

from __future__ import annotations

import io

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from zhengwu.ratings import queries, rules, services
from zhengwu.ratings.models import Rating, RatingDaily, Rectification, RectificationEvent, WindowVisit

pytestmark = pytest.mark.django_db


def _load_demo():
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.org.demo import load as load_org
    from zhengwu.ratings import demo

    load_org(io.StringIO())
    load_accounts(io.StringIO())
    demo.load(io.StringIO())


def _months():
    today = timezone.localdate()
    this = today.replace(day=1)
    last = (this - timezone.timedelta(days=1)).replace(day=1)
    return [(this, today), (last, this - timezone.timedelta(days=1))]


def _state():
    return (Rating.objects.count(), WindowVisit.objects.count(), Rectification.objects.count(),
            RectificationEvent.objects.count(), RatingDaily.objects.aggregate(n=Sum("ratings"), e=Sum("events")))


# -- rules ---------------------------------------------------------------------------------------------
def test_min_sample_rule_in_words_and_the_units_left_out():
    assert rules.min_sample_rule(10) == "评价数少于10条的单位不参与红黑旗评定"
    assert rules.min_sample_rule(1) == "没有评价的单位不参与红黑旗评定"
    rows = [("a", "甲", 95.0, 12), ("b", "乙", 80.0, 3), ("c", "丙", None, 0), ("d", "丁", 60.0, 10),
            ("e", "戊", 99.0, 9)]
    ranked = rules.flags(rows, red=1, black=1, min_ratings=10)
    assert [(x.key, x.flag, x.rank) for x in ranked if x.rank] == [("a", "red", 1), ("d", "black", 2)]
    # left out: every unit under 10 ratings, most ratings first, whatever its score
    assert [(x.key, x.ratings) for x in rules.left_out(ranked)] == [("e", 9), ("b", 3), ("c", 0)]


# -- the demo ----------------------------------------------------------------------------------------
def test_demo_flags_windows_and_departments_this_month_and_last():
    _load_demo()
    for start, end in _months():
        for by in ("window", "department"):
            _, ranked = queries.ranking(start=start, end=end, by=by)
            flags = [x.flag for x, _ in ranked]
            assert "red" in flags and "black" in flags, (by, start)
            assert all(x.key is not None for x, _ in ranked)
    this_month = _months()[0]
    _, ranked = queries.ranking(start=this_month[0], end=this_month[1], by="window")
    left_out = rules.left_out([x for x, _ in ranked])
    assert [x.label for x in left_out] == ["金水区政务服务中心 C04 公积金专窗"]  # too few ratings, listed apart
    assert 0 < left_out[0].ratings < services.get_rules().min_ratings


def test_demo_loaded_twice_adds_nothing():
    from zhengwu.accounts.models import User
    from zhengwu.ratings import demo

    _load_demo()
    before = _state()
    assert before[0] == 9 + 3 * (7 * 12 + 6)  # the A01 story, then 3 months of every window
    demo.load(io.StringIO())
    assert _state() == before
    # the story is kept: bumen_sj's 差评 to verify, the supervisor's overdue one (the demo's own
    # 差评 are rectified, found untrue, or — this month — being rectified within their time)
    assert queries.rectifications_for(User.objects.get(username="bumen_sj")).filter(state="verify").count() == 2
    assert queries.overdue(User.objects.get(username="duban")).count() == 1
    assert Rectification.objects.filter(state="closed").count() > 0


@pytest.mark.parametrize("username", ["lingdao", "duban"])
def test_ranking_page_and_hall_screen_of_the_demo(client, username):
    from zhengwu.accounts.models import User

    _load_demo()
    client.force_login(User.objects.get(username=username))
    for by in ("window", "department"):
        page = client.get(reverse("ratings:ranking"), {"by": by}).content.decode()
        assert "红旗</span>" in page and "黑旗</span>" in page
        assert 'id="ranking-rule"' in page and "评价数少于10条的单位不参与红黑旗评定" in page
        assert 'id="ranking-left-out"' in page and "（未指定）" not in page
    window_page = client.get(reverse("ratings:ranking"), {"by": "window"}).content.decode()
    left = window_page.split('id="ranking-left-out"')[1]
    main = window_page.split('id="ranking-table"')[1].split("</table>")[0]
    assert "C04 公积金专窗</td><td class=\"text-end\">6</td>" in left
    assert "C04" not in main  # not in the ranking itself
    assert "网上评价不计入窗口排名" in window_page
    client.logout()
    for by in ("window", "department"):
        screen = client.get(reverse("ratings:screen"), {"by": by}).content.decode()
        assert "红旗" in screen and "黑旗" in screen and "评价数少于10条的单位不参与红黑旗评定" in screen
        assert 'id="screen-left-out"' in screen and "（未指定）" not in screen


# -- pages -------------------------------------------------------------------------------------------
def test_ranking_page_lists_the_units_left_out_with_the_configured_rule(client, window, window_staff, dept, leader,
                                                                         sysadmin):
    for level in (5, 4, 2):
        services.rate_visit(services.start_visit(window_staff, window, department=dept), level=level,
                            tags=["服务态度差"] if level == 2 else [])
    client.force_login(leader)
    page = client.get(reverse("ratings:ranking"), {"by": "window"}).content.decode()
    assert "评价数少于10条的单位不参与红黑旗评定" in page
    assert "本期 1 个单位未参与评定" in page
    left = page.split('id="ranking-left-out"')[1]
    assert f"{window.number} {window.name}</td><td class=\"text-end\">3</td>" in left
    assert "本期没有评价数达到 10 条的单位" in page.split('id="ranking-table"')[1].split("</table>")[0]
    # N comes from the local rules
    services.update_rules(sysadmin, min_ratings=3)
    page = client.get(reverse("ratings:ranking"), {"by": "window"}).content.decode()
    assert "评价数少于3条的单位不参与红黑旗评定" in page and 'id="ranking-left-out"' not in page
    assert f"{window.number} {window.name}" in page.split('id="ranking-table"')[1]


def test_window_ranking_has_no_unassigned_row_and_totals_keep_online_ratings(client, concluded_case, citizen,
                                                                             window, window_staff, dept, leader):
    services.rate_case(citizen, concluded_case, level=5)  # online: at no window
    services.rate_hotline_ticket(ticket_number="12345-T-0001", department=dept, level=4)  # 12345: at no window
    services.rate_visit(services.start_visit(window_staff, window, department=dept), level=4)
    today = timezone.localdate()
    start = today.replace(day=1)
    # the figures table keeps them in a row of their own, named for what they are
    figures = queries.figures_report(start=start, end=today, group_by="window")
    assert {r.key: r.label for r in figures.rows}[None] == queries.NO_GROUP_LABELS["window"]
    assert figures.total.counts.ratings == 3
    # a ranking by window ranks windows only
    _, ranked = queries.ranking(start=start, end=today, by="window")
    assert [x.key for x, _ in ranked] == [window.pk]
    kinds = queries.by_kind(start=start, end=today)
    assert (kinds["total"].counts.ratings, kinds["window"].counts.ratings, kinds["case"].counts.ratings,
            kinds["hotline"].counts.ratings) == (3, 1, 1, 1)
    client.force_login(leader)
    page = client.get(reverse("ratings:ranking"), {"by": "window"}).content.decode()
    for text in (page, client.get(reverse("ratings:screen")).content.decode()):
        assert "（未指定）" not in text and queries.NO_GROUP_LABELS["window"] not in text
        assert "网上评价不计入窗口排名" in text
    assert "本期评价合计 3 条，其中窗口现场评价 1 条参与窗口排名" in page
    screen = client.get(reverse("ratings:screen")).content.decode()
    assert 'id="screen-total-ratings">3<' in screen
