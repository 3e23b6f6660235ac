"""投诉 and 效能投诉 by 承办单位: what the department 红黑旗 deducts (ratings.queries.service_figures)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhengwu.hotline import figures

pytestmark = pytest.mark.django_db


def test_complaints_count_complaint_and_efficiency_tickets_of_the_handling_department(dispatched, market):
    dispatched(ticket_type="complaint")
    dispatched(ticket_type="efficiency")
    dispatched(ticket_type="consult")  # not a complaint
    today = timezone.localdate()
    assert figures.complaints_by_department(today, today, [market.pk]) == {market.pk: 2}
    yesterday = today - timezone.timedelta(days=1)
    assert figures.complaints_by_department(yesterday, yesterday, [market.pk]) == {}
    assert figures.complaints_by_department(today, today, []) == {}
