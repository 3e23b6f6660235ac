"""Regions and departments: validation with Chinese messages, nothing saved on bad input."""

import io

import pytest
from django.core.exceptions import ValidationError

from zhengwu.core.identifiers import make_uscc
from zhengwu.org import services
from zhengwu.org.models import Department, Hall, Region, Window


@pytest.mark.django_db
def test_package_regions_load_once():
    out = io.StringIO()
    created = services.load_package_regions(out)
    assert created > 3000
    assert services.load_package_regions(io.StringIO()) == 0
    jinshui = Region.objects.get(code="410105000000")
    assert jinshui.level == 3 and jinshui.parent.code == "410100000000"
    assert jinshui.full_name == "河南省郑州市金水区"
    # 直辖市 districts hang directly under the municipality.
    assert Region.objects.get(code="110101000000").parent.code == "110000000000"


@pytest.mark.django_db
def test_bureau_adds_township_and_village(district):
    street = services.add_region(None, "410105001000", "经八路街道")
    assert street.level == 4 and street.parent == district
    village = services.add_region(None, "410105001001", "经八路社区")
    assert village.level == 5 and village.parent == street


@pytest.mark.django_db
@pytest.mark.parametrize("code, message", [
    ("41010500100", "区划代码不正确：应为12位数字"),
    ("990105001000", "不是省级区划代码"),
    ("410105099000", None),  # valid shape, parent exists: accepted
    ("410105099001", "上级区划 410105099000 不存在"),
])
def test_region_code_rules(district, code, message):
    if message is None:
        services.add_region(None, code, "新街道")
        return
    with pytest.raises(ValidationError) as exc:
        services.add_region(None, code, "测试")
    assert message in " ".join(exc.value.messages)
    assert not Region.objects.filter(code=code).exists()


@pytest.mark.django_db
def test_department_uscc_validated_and_duplicates_refused(district):
    dept = Department(name="金水区测试局", region=district, uscc="91410105MA9XKT3Q3X")
    with pytest.raises(ValidationError) as exc:
        services.save_department(None, dept)
    assert "统一社会信用代码不正确" in exc.value.message_dict["uscc"][0]
    assert not Department.objects.exists()
    dept.uscc = make_uscc("1", "1", "410105", "00000001")
    services.save_department(None, dept)
    twin = Department(name="金水区测试局", region=district, uscc=make_uscc("1", "1", "410105", "00000002"))
    with pytest.raises(ValidationError) as exc:
        services.save_department(None, twin)
    assert "同一区划下已有同名部门" in str(exc.value)
    same_code = Department(name="另一个局", region=district, uscc=dept.uscc)
    with pytest.raises(ValidationError) as exc:
        services.save_department(None, same_code)
    assert "统一社会信用代码" in str(exc.value)
    assert Department.objects.count() == 1


@pytest.mark.django_db
def test_admin_department_form_shows_chinese_errors(admin_client, district):
    resp = admin_client.post("/admin/org/department/add/", {
        "name": "金水区某局", "uscc": "123", "region": district.pk, "kind": "government", "sort_order": 1,
        "is_active": "on",
    })
    assert resp.status_code == 200
    assert "统一社会信用代码不正确" in resp.content.decode()
    assert not Department.objects.exists()


@pytest.mark.django_db
def test_admin_region_form_refuses_bad_code(admin_client, district):
    resp = admin_client.post("/admin/org/region/add/", {"code": "4101050010", "name": "坏街道"})
    assert resp.status_code == 200
    assert "区划代码不正确" in resp.content.decode()


@pytest.mark.django_db
def test_window_serves_departments_and_numbers_are_unique(district, make_department):
    hall = Hall.objects.create(region=district, name="政务服务中心", address="某路1号")
    a, b = make_department(), make_department()
    w = Window.objects.create(hall=hall, number="A01", name="综合受理", kind=Window.Kind.COMPREHENSIVE)
    w.departments.set([a, b])
    assert set(a.windows.all()) == {w}
    with pytest.raises(ValidationError, match="该大厅已有相同窗口号"):
        Window(hall=hall, number="A01", name="重复").full_clean()


@pytest.mark.django_db
def test_demo_district_loads_and_is_idempotent():
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.org.demo import load as load_org

    load_org(io.StringIO())
    load_accounts(io.StringIO())
    counts = (Department.objects.count(), Window.objects.count(), Region.objects.count())
    load_org(io.StringIO())
    load_accounts(io.StringIO())
    assert counts == (Department.objects.count(), Window.objects.count(), Region.objects.count())
    assert counts[0] >= 25
