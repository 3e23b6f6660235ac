"""Staff scope: one place decides which departments' and regions' rows a person sees."""

import pytest

from zhengwu.org import permissions
from zhengwu.org.models import Department, Role


@pytest.fixture
def setup(district, other_district, make_department, make_staff):
    police = make_department(name="公安分局")
    market = make_department(name="市场监管局")
    sub = make_department(name="公安分局户政科", parent=police)
    far = make_department(name="中原区公安分局", region=other_district)
    return {
        "police": police, "market": market, "sub": sub, "far": far,
        "approver": make_staff(Role.APPROVER, department=police),
        "manager": make_staff(Role.ITEM_ADMIN),
        "sysadmin": make_staff(Role.SYSADMIN),
        "nobody": make_staff(),
    }


def names(qs):
    return sorted(qs.values_list("name", flat=True))


@pytest.mark.django_db
def test_department_grant_sees_own_department_and_sub_departments(setup):
    qs = permissions.staff_departments(setup["approver"])
    assert names(qs) == ["公安分局", "公安分局户政科"]


@pytest.mark.django_db
def test_region_grant_sees_every_department_of_the_region_only(setup):
    qs = permissions.staff_departments(setup["manager"])
    assert names(qs) == ["公安分局", "公安分局户政科", "市场监管局"]


@pytest.mark.django_db
def test_sysadmin_sees_everything_and_no_grant_sees_nothing(setup):
    assert permissions.staff_departments(setup["sysadmin"]).count() == Department.objects.count()
    assert permissions.staff_departments(setup["nobody"]).count() == 0


@pytest.mark.django_db
def test_scope_filters_by_role(setup):
    assert permissions.staff_departments(setup["approver"], roles=[Role.ITEM_ADMIN]).count() == 0


@pytest.mark.django_db
def test_has_role(setup):
    approver = setup["approver"]
    assert permissions.has_role(approver, Role.APPROVER, department=setup["police"])
    assert permissions.has_role(approver, Role.APPROVER, department=setup["sub"])
    assert not permissions.has_role(approver, Role.APPROVER, department=setup["market"])
    assert not permissions.has_role(approver, Role.ITEM_ADMIN, department=setup["police"])
    assert permissions.has_role(setup["manager"], Role.ITEM_ADMIN, department=setup["market"])
    assert not permissions.has_role(setup["manager"], Role.ITEM_ADMIN, department=setup["far"])
    assert permissions.has_role(setup["sysadmin"], Role.APPROVER, department=setup["far"])
    assert not permissions.has_role(setup["nobody"])


@pytest.mark.django_db
def test_grants_are_loaded_once_per_user_object(setup, django_assert_num_queries):
    user = setup["manager"]
    permissions.grants(user)
    with django_assert_num_queries(0):
        permissions.has_role(user, Role.ITEM_ADMIN)
        permissions.roles_of(user)
