"""Fixtures for 好差评 tests: a department with a published item, its staff, a citizen with a
concluded case, a window and an API client."""

from __future__ import annotations

import datetime as dt
import functools
import itertools

import pytest
from django.utils import timezone

from tests.helpers import ApiClient

_n = itertools.count(1)


@pytest.fixture
def other_dept(make_department):
    return make_department(name="消防救援大队", short_name="消防")


@pytest.fixture
def item(publish_item, dept):
    return publish_item(dept, "食品经营许可证核发", promised_days=10,
                        item_fields={"implementation_code": "11410105MB0000000X101000000000000"})


@pytest.fixture
def citizen(make_citizen):
    return make_citizen(name="王小吃", phone="13812345678")


@pytest.fixture
def other_citizen(make_citizen):
    return make_citizen(name="李四")


@pytest.fixture
def make_case(item, district):
    from zhengwu.cases.models import Case

    def make(user, *, state="concluded", concluded_at=None, number=None):
        k = next(_n)
        concluded_at = concluded_at or timezone.now() - dt.timedelta(hours=1)
        return Case.objects.create(
            number=number or f"T{k:08d}", service_item=item, item_version=item.published_version,
            department=item.department, region=district, applicant=user.applicant, state=state,
            outcome="approved" if state in ("concluded", "delivered") else "",
            submitted_at=concluded_at - dt.timedelta(days=3),
            concluded_at=concluded_at if state in ("concluded", "delivered") else None)

    return make


@pytest.fixture
def concluded_case(make_case, citizen):
    return make_case(citizen)


@pytest.fixture
def dept_admin(make_staff, dept):
    return make_staff("dept_admin", department=dept)


@pytest.fixture
def other_admin(make_staff, other_dept):
    return make_staff("dept_admin", department=other_dept)


@pytest.fixture
def supervisor(make_staff):
    return make_staff("supervisor")


@pytest.fixture
def leader(make_staff):
    return make_staff("leader")


@pytest.fixture
def data_admin(make_staff):
    return make_staff("data_admin")


@pytest.fixture
def sysadmin(make_staff):
    return make_staff("sysadmin")


@pytest.fixture
def window(district, dept, other_dept):
    from zhengwu.org.models import Hall, Window

    hall = Hall.objects.create(region=district, name="测试政务服务中心", address="测试路1号")
    w = Window.objects.create(hall=hall, number="A01", name="综合受理窗口")
    w.departments.set([dept, other_dept])
    return w


@pytest.fixture
def window_staff(make_staff, window):
    from zhengwu.org.models import RoleGrant

    user = make_staff("window")
    RoleGrant.objects.filter(user=user).update(window=window)
    return user


@pytest.fixture
def api():
    """api(user) → an :class:`~tests.helpers.ApiClient` of /api/v1/ratings/ logged in as ``user``."""
    return functools.partial(ApiClient, base="/api/v1/ratings/")
