"""A 差评 says what went wrong (issue 22 item 2), online ratings stay out of the window ranking
(item 7), and the form, the API and the figures name the same dimensions (item 9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhengwu.ratings import rules, services
from zhengwu.ratings.models import Rating, Rectification

pytestmark = pytest.mark.django_db


def test_api_refuses_a_bad_rating_without_a_problem_or_a_comment(api, concluded_case, citizen):
    url = f"cases/{concluded_case.pk}"
    res = api(citizen).post(url, {"level": 1})
    assert res.status_code == 400, res.content
    body = res.json()
    assert "差评" in str(body) and "tags" in str(body)
    assert Rating.objects.count() == 0 and Rectification.objects.count() == 0  # nothing half-written
    assert api(citizen).post(url, {"level": 1, "tags": ["不存在的标签"]}).status_code == 400
    res = api(citizen).post(url, {"level": 1, "tags": ["需要多次跑动", "办理时间长、效率低"]})
    assert res.status_code == 201, res.content
    assert res.json()["problems"] == ["需要多次跑动", "办理时间长、效率低"] and res.json()["comment"] == ""


def test_the_form_api_lists_the_same_dimensions_and_problems_as_the_rules(api):
    res = api().get("form")
    assert res.status_code == 200
    forms = {f["kind"]: f for f in res.json()}
    assert [d["label"] for d in forms["case"]["dimensions"]] == list(rules.ONLINE_DIMENSIONS.values())
    assert [d["label"] for d in forms["window"]["dimensions"]] == list(rules.WINDOW_DIMENSIONS.values())
    assert forms["window"]["problems"] == rules.bad_problems_for("window")
    assert forms["case"]["bad_levels"] == [1, 2]


def test_page_shows_the_rule_and_the_chosen_problems_everywhere(client, concluded_case, citizen, dept_admin):
    url = reverse("ratings:rate_case", args=[concluded_case.pk])
    client.force_login(citizen)
    page = client.get(url).content.decode()
    for label in rules.ONLINE_DIMENSIONS.values():  # the form asks the online dimensions, from rules
        assert label in page
    refused = client.post(url, {"level": "1"})
    assert refused.status_code == 400 and "请至少选择一个遇到的问题" in refused.content.decode()
    assert Rating.objects.count() == 0
    client.post(url, {"level": "1", "tags": ["要求材料多、反复提交"]})
    r = Rating.objects.get()
    mine = client.get(url).content.decode()
    assert 'id="my-problems"' in mine and "要求材料多、反复提交" in mine
    assert "要求材料多、反复提交" in client.get(reverse("ratings:mine")).content.decode()
    client.force_login(dept_admin)
    detail = client.get(reverse("ratings:rect_detail", args=[r.rectification.pk])).content.decode()
    assert 'id="rating-problems"' in detail and "要求材料多、反复提交" in detail
    assert "要求材料多、反复提交" in client.get(reverse("ratings:rect_list")).content.decode()
    assert "要求材料多、反复提交" in client.get(reverse("ratings:list")).content.decode()


def test_hall_screen_ranks_real_windows_and_shows_online_ratings_apart(client, concluded_case, citizen, window,
                                                                       window_staff, dept):
    services.rate_case(citizen, concluded_case, level=5)  # online: belongs to no window
    services.rate_visit(services.start_visit(window_staff, window, department=dept), level=4)
    page = client.get(reverse("ratings:screen")).content.decode()
    assert "（未指定）" not in page
    assert window.number in page and 'id="screen-online"' in page
    assert 'id="screen-online-active">1<' in page
    # the window ranking rows are windows only
    from django.utils import timezone

    from zhengwu.ratings import queries

    today = timezone.localdate()
    _, ranked = queries.ranking(start=today.replace(day=1), end=today, by="window")
    assert [x.key for x, _ in ranked] == [window.pk]


def test_figures_page_names_dimensions_from_the_one_table(client, window, window_staff, dept, leader):
    services.rate_visit(services.start_visit(window_staff, window, department=dept), level=5,
                        dims={"overall": 5, "efficiency": 5, "skill": 4, "attitude": 5})
    client.force_login(leader)
    page = client.get(reverse("ratings:figures")).content.decode()
    assert rules.FIGURE_DIMENSION_LABELS["efficiency"] in page and "服务水平" in page


def test_rules_editor_cannot_make_basically_satisfied_a_bad_rating(client, sysadmin):
    client.force_login(sysadmin)
    page = client.get(reverse("ratings:rules")).content.decode()
    assert 'id="rules-fixed-levels"' in page and 'name="bad_levels"' not in page
    data = {"default_after_days": "15", "rectify_workdays": "7", "red_count": "3", "black_count": "3",
            "min_ratings": "10", "weight_satisfaction": "60", "weight_active": "20", "weight_rectify": "20",
            "bad_penalty": "1"}
    refused = client.post(reverse("ratings:rules"), {**data, "bad_levels": "1,2,3"})
    assert refused.status_code == 400 and "国办发〔2019〕51号" in refused.content.decode()
    assert services.get_rules().rectify_workdays == 10  # nothing saved
    assert client.post(reverse("ratings:rules"), data).status_code == 302
    assert services.get_rules().rectify_workdays == 7
