"""The department 红黑旗 counts what the seeds name besides the ratings: 按时办结率 and 超期办件 (the
cases app's figures) and 12345 投诉 (the hotline's; tests/hotline/test_complaints_by_department.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengwu.ratings import queries, rules, services

pytestmark = pytest.mark.django_db


def test_a_department_with_a_late_case_ranks_below_an_equal_one(client, make_case, citizen, other_citizen,
                                                                   publish_item, other_dept, leader, sysadmin):
    services.update_rules(sysadmin, min_ratings=1, red_count=1, black_count=1)
    other_item = publish_item(other_dept, "户外广告设施设置审批", promised_days=10)
    today = timezone.localdate()
    late = make_case(citizen)  # the dept's case, concluded past its due date
    late.accepted_on, late.concluded_on_time = today, False
    late.save(update_fields=["accepted_on", "concluded_on_time"])
    on_time = make_case(other_citizen)
    on_time.service_item, on_time.item_version, on_time.department = other_item, other_item.published_version, other_dept
    on_time.accepted_on, on_time.concluded_on_time = today, True
    on_time.save(update_fields=["service_item", "item_version", "department", "accepted_on", "concluded_on_time"])
    services.rate_case(citizen, late, level=5)
    services.rate_case(other_citizen, on_time, level=5)

    _, ranked = queries.ranking(start=today.replace(day=1), end=today, by="department")
    by_key = {x.key: x for x, _ in ranked}
    late_x, good_x = by_key[late.department_id], by_key[other_dept.pk]
    assert late_x.service == rules.ServiceFigures(on_time_rate=0.0, overdue=1, complaints=0)
    assert good_x.service == rules.ServiceFigures(on_time_rate=1.0, overdue=0, complaints=0)
    # Both rated 5: 满意率 100 %, nothing to rectify. 主动评价率: the late one's department holds both
    # cases' 可评价 events (the fixture files the second case there before moving it): 1/2 = 50 %; the
    # good one has none: 0. Weighted part (60×满意率 + 20×主动评价率 + 20×整改 + 20×按时办结率) × 100/120:
    # good (60 + 0 + 20 + 20) / 1.2 = 83.33; late (60 + 10 + 20 + 0) / 1.2 = 75, − 0.5 (one 超期) = 74.5.
    assert good_x.score == 83.33 and late_x.score == 74.5
    assert (good_x.flag, late_x.flag) == ("red", "black")

    client.force_login(leader)
    page = client.get(reverse("ratings:ranking")).content.decode()
    assert "按时办结率×20" in page and "每件超期办件" in page and "每件12345投诉和效能投诉" in page
    # A window ranking is scored on its ratings only, and says so.
    page = client.get(reverse("ratings:ranking") + "?by=window").content.decode()
    assert "窗口排名只计评价" in page and "按时办结率×" not in page

