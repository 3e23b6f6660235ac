"""A due date in a year whose holiday notice is not out yet says it may move (Issue 30 item 5)."""

import datetime as dt

import pytest

from zhengwu.cases.models import Case
from zhengwu.core import calendar
from zhengwu.core.services import mark_year_verified

pytestmark = pytest.mark.django_db


def test_due_date_in_an_unpublished_year_says_it_may_move(accepted_case, login, staff_client, window_staff):
    mark_year_verified(None, 2027, "待国务院办公厅发布", verified=False)  # whatever the library ships
    calendar.invalidate()
    Case.objects.filter(pk=accepted_case.pk).update(accepted_on=dt.date(2026, 12, 28), due_date=dt.date(2027, 1, 5))
    page = login(accepted_case.applicant.user).get(f"/cases/{accepted_case.pk}/").content.decode()
    assert 'id="due-may-move"' in page and "2027年放假安排尚未公布，该日期可能在通知发布后变动" in page
    staff = staff_client(window_staff).get(f"/workbench/cases/{accepted_case.pk}/")
    assert 'id="case-due-may-move"' in staff.text
    # Inside a published year nothing is said.
    Case.objects.filter(pk=accepted_case.pk).update(accepted_on=dt.date(2026, 3, 2), due_date=dt.date(2026, 3, 9))
    page = login(accepted_case.applicant.user).get(f"/cases/{accepted_case.pk}/").content.decode()
    assert 'id="due-may-move"' not in page
