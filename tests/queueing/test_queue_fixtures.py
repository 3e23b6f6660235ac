"""Fixtures of the queue part's tests (取号叫号): a hall with two windows, two business types and two
clerks. Imported by the test_queue_* modules (``from tests.queueing.test_queue_fixtures import *``)."""

from __future__ import annotations

import pytest

__all__ = ["btype_a", "btype_b", "citizen_q", "clerk1", "clerk2", "hall", "opened", "window1", "window2"]


@pytest.fixture
def hall(district):
    from zhengwu.org.models import Hall

    return Hall.objects.create(name="金水区政务服务中心", region=district, address="郑州市金水区")


@pytest.fixture
def btype_a(hall):
    from zhengwu.queueing.models import BusinessType

    return BusinessType.objects.create(hall=hall, prefix="A", name="综合受理", service_minutes=10)


@pytest.fixture
def btype_b(hall):
    from zhengwu.queueing.models import BusinessType

    return BusinessType.objects.create(hall=hall, prefix="B", name="企业开办", service_minutes=20)


def _window(hall, dept, number, types):
    from zhengwu.org.models import Window
    from zhengwu.queueing.models import WindowSetup

    w = Window.objects.create(hall=hall, number=number, name=f"{number}号综合窗口")
    w.departments.add(dept)
    setup = WindowSetup.objects.create(window=w)
    setup.business_types.set(types)
    return w


@pytest.fixture
def window1(hall, dept, btype_a, btype_b):
    return _window(hall, dept, "1", [btype_a, btype_b])


@pytest.fixture
def window2(hall, dept, btype_a):
    return _window(hall, dept, "2", [btype_a])


def _clerk(make_staff, dept, window):
    from zhengwu.org.models import RoleGrant

    user = make_staff("window", department=dept)
    RoleGrant.objects.filter(user=user).update(window=window)
    return user


@pytest.fixture
def clerk1(make_staff, dept, window1):
    return _clerk(make_staff, dept, window1)


@pytest.fixture
def clerk2(make_staff, dept, window2):
    return _clerk(make_staff, dept, window2)


@pytest.fixture
def opened(window1, window2, clerk1, clerk2):
    """Both windows opened by their clerks."""
    from zhengwu.queueing.services import calling

    calling.open_window(window=window1, user=clerk1)
    calling.open_window(window=window2, user=clerk2)
    return window1, window2


@pytest.fixture
def citizen_q(make_citizen):
    return make_citizen(name="赵六")
