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


# -- scope by resolved department ids -------------------------------------------------------------
def _like_scope(qs, user, roles, department_field):
    """scope() as it was written before departments were resolved to ids: the department's
    region code by prefix in SQL (the reference the resolved form must agree with)."""
    from django.db.models import Q

    if permissions.is_sysadmin(user):
        return qs
    condition = Q(pk__in=[])
    for g in permissions.grants(user):
        if g.role not in roles:
            continue
        prefix_field = f"{department_field}__region__code" if department_field else "region__code"
        q = Q(**{f"{prefix_field}__startswith": g.region_prefix})
        if g.department_ids is not None:
            q &= Q(**{f"{department_field}_id__in" if department_field else "pk__in": sorted(g.department_ids)})
        condition |= q
    return qs.filter(condition)


@pytest.mark.django_db
def test_resolved_scope_equals_the_region_prefix_scope(setup, make_staff, make_department, other_district):
    from zhengwu.org.models import Department

    # A department grant whose subtree reaches into another region: only the grant's region counts.
    make_department(name="公安分局驻中原工作站", parent=setup["police"], region=other_district)
    people = [setup["approver"], setup["manager"], make_staff(Role.WINDOW), make_staff(Role.APPROVER, region=other_district),
              make_staff(Role.APPROVER, department=setup["far"]), setup["nobody"], setup["sysadmin"]]
    for user in people:
        for roles in ([Role.APPROVER], [Role.WINDOW, Role.ITEM_ADMIN], list(Role.values)):
            got = names(permissions.scope(Department.objects.all(), user, roles, department_field=""))
            want = names(_like_scope(Department.objects.all(), user, roles, ""))
            assert got == want, (user.username, roles)


@pytest.mark.django_db
def test_department_grant_is_resolved_with_its_grants(setup, django_assert_num_queries):
    user = setup["approver"]
    permissions.grants(user)  # the grant rows and the department subtree: two queries
    with django_assert_num_queries(1):  # only the scoped query itself
        assert names(permissions.staff_departments(user)) == ["公安分局", "公安分局户政科"]


@pytest.mark.django_db
def test_region_grant_resolves_its_departments_once_per_request(setup, django_assert_num_queries):
    user = setup["manager"]
    permissions.grants(user)
    with django_assert_num_queries(2):  # the region's department ids once, then the scoped query
        names(permissions.staff_departments(user))
    with django_assert_num_queries(1):
        names(permissions.staff_departments(user, [Role.ITEM_ADMIN]))


@pytest.mark.django_db
def test_a_large_region_is_scoped_by_code_prefix(setup, monkeypatch):
    monkeypatch.setattr(permissions, "MAX_RESOLVED_DEPARTMENTS", 1)
    qs = permissions.staff_departments(setup["manager"])
    assert "LIKE" in str(qs.query).upper() or "GLOB" in str(qs.query).upper()
    assert names(qs) == ["公安分局", "公安分局户政科", "市场监管局"]


@pytest.mark.django_db
def test_scope_sql_names_department_ids_not_region_codes(setup):
    from zhengwu.org.models import Department

    qs = permissions.scope(Department.objects.order_by(), setup["approver"], [Role.APPROVER], department_field="")
    assert "org_region" not in str(qs.query)


@pytest.mark.django_db
def test_only_staff_accounts_hold_roles_and_citizens_cost_no_query(setup, make_citizen, district,
                                                                    django_assert_num_queries):
    from django.core.exceptions import ValidationError

    from zhengwu.org import services
    from zhengwu.org.models import RoleGrant

    citizen = make_citizen()
    with pytest.raises(ValidationError) as exc:
        services.grant_role(setup["sysadmin"], citizen, Role.APPROVER, district, department=setup["police"])
    assert "只能为工作人员账号授权" in str(exc.value)
    with pytest.raises(ValidationError):  # the admin form's path
        RoleGrant(user=citizen, role=Role.APPROVER, region=district).full_clean()
    assert not RoleGrant.objects.filter(user=citizen).exists()
    with django_assert_num_queries(0):
        assert permissions.grants(citizen) == [] and not permissions.is_staff_member(citizen)
        assert not permissions.has_role(citizen, Role.APPROVER, department=setup["police"])


@pytest.mark.django_db
def test_department_subtrees_are_cached_until_a_department_changes(setup, make_department, django_assert_num_queries,
                                                                   django_capture_on_commit_callbacks):
    from zhengwu.accounts.models import User

    approver = setup["approver"]
    permissions.grants(approver)
    again = User.objects.get(pk=approver.pk)  # the next request's user object
    with django_assert_num_queries(1):  # the grant rows; the subtree comes from the cache
        permissions.grants(again)
    with django_capture_on_commit_callbacks(execute=True):
        make_department(name="公安分局出入境科", parent=setup["police"])
    fresh = User.objects.get(pk=approver.pk)
    assert names(permissions.staff_departments(fresh)) == ["公安分局", "公安分局出入境科", "公安分局户政科"]


@pytest.mark.django_db
def test_listed_departments_are_the_departments_scope_admits(setup, make_staff, monkeypatch):
    people = [setup["approver"], setup["manager"], make_staff(Role.WINDOW), setup["nobody"]]
    for user in people:
        for roles in ([Role.APPROVER], [Role.WINDOW, Role.ITEM_ADMIN]):
            listed = permissions.listed_departments(user, roles, limit=100)
            scoped = sorted(permissions.scope(Department.objects.all(), user, roles, department_field="")
                            .values_list("pk", flat=True))
            assert listed == scoped, (user.username, roles)
    assert permissions.listed_departments(setup["sysadmin"], [Role.APPROVER], limit=100) is None
    assert permissions.listed_departments(setup["manager"], [Role.ITEM_ADMIN], limit=1) is None  # too many
    monkeypatch.setattr(permissions, "MAX_RESOLVED_DEPARTMENTS", 1)
    assert permissions.listed_departments(make_staff(Role.WINDOW), [Role.WINDOW], limit=100) is None  # by prefix
