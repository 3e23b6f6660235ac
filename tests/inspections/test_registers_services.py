"""The registers' services: 监管事项 (with the 行政检查 import), 执法人员 (import all-or-nothing,
注册率, the expiry notice), 检查对象 (import report, 法人库 sync, history), 回避."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from zhengwu.core.identifiers import make_uscc
from zhengwu.core.models import AuditEvent
from zhengwu.inspections.models import (
    InspectedObject,
    Inspector,
    InspectorConflict,
    SupervisionItem,
)
from zhengwu.inspections.services import registers as svc
from zhengwu.inspections.services import registers_objects as osvc

TODAY = dt.date(2026, 12, 1)


def xlsx(rows, name="名录.xlsx"):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


def csv_file(text, name="对象.csv", encoding="utf-8-sig"):
    return SimpleUploadedFile(name, text.encode(encoding))


@pytest.fixture
def admin(make_staff, dept):
    return make_staff("dept_admin", department=dept)


def make_inspector(dept, cert, *, until=None, status="active", user=None, name="李四"):
    return Inspector.objects.create(name=name, cert_number=cert, department=dept, region=dept.region,
                                    valid_until=until or TODAY + dt.timedelta(days=365), status=status, user=user)


def make_object(name="甲公司", n=1, region="410105000000", **kw):
    return InspectedObject.objects.create(uscc=make_uscc("9", "1", region[:6], f"MA{n:06d}"), name=name,
                                          region_code=region, **kw)


# -- 监管事项 ---------------------------------------------------------------------------------------
def test_item_create_update_stale_and_link(admin, dept, publish_item, make_department):
    check = publish_item(dept, "食品经营监督检查", item_type="06")
    licence = publish_item(dept, "食品经营许可", item_type="01")
    other = publish_item(make_department(), "别部门检查", item_type="06")
    data = {"department": dept.pk, "name": "食品经营者日常监督检查", "legal_basis": "《食品安全法》第八十七条",
            "check_method": "现场检查", "service_item": check.pk}
    item = svc.create_item(admin, data)
    assert item.service_item == check and item.version == 1
    with pytest.raises(ValidationError) as e:
        svc.create_item(admin, data)
    assert e.value.message_dict["name"] == ["该部门已有同名监管事项"]
    for bad in (licence.pk, other.pk):
        with pytest.raises(ValidationError) as e:
            svc.create_item(admin, {**data, "name": "x", "service_item": bad})
        assert "行政检查或行政处罚" in e.value.message_dict["service_item"][0]
    with pytest.raises(ValidationError) as e:
        svc.create_item(admin, {**data, "name": "y", "legal_basis": " "})
    assert "设定依据不能为空" in e.value.message_dict["legal_basis"][0]
    svc.update_item(admin, item.pk, 1, {**data, "check_method": "书面检查"})
    with pytest.raises(ValidationError) as e:
        svc.update_item(admin, item.pk, 1, {**data, "check_method": "网络监测"})  # a stale editor
    assert e.value.code == "stale"
    item.refresh_from_db()
    assert item.check_method == "书面检查" and item.version == 2
    assert AuditEvent.objects.filter(action__startswith="inspections.item_").count() == 2


def test_item_refused_to_other_department(make_staff, dept, make_department):
    outsider = make_staff("dept_admin", department=make_department())
    with pytest.raises(PermissionDenied):
        svc.create_item(outsider, {"department": dept.pk, "name": "x", "legal_basis": "y"})


def test_import_catalogue_items_once(admin, dept, publish_item):
    publish_item(dept, "食品生产监督检查", item_type="06", legal_basis="《食品安全法》")
    publish_item(dept, "特种设备监督检查", item_type="06")
    publish_item(dept, "食品经营许可", item_type="01")
    assert svc.import_catalogue_items(admin, dept) == 2
    assert svc.import_catalogue_items(admin, dept) == 0  # a second click adds nothing
    names = set(SupervisionItem.objects.values_list("name", flat=True))
    assert names == {"食品生产监督检查", "特种设备监督检查"}
    assert SupervisionItem.objects.get(name="食品生产监督检查").legal_basis == "《食品安全法》"


# -- 执法人员 ---------------------------------------------------------------------------------------
HEADER = ["姓名", "执法证号", "部门", "执法领域", "有效期至"]


def test_inspector_import_all_or_nothing(admin, dept):
    make_inspector(dept, "ZF-OLD")
    bad = xlsx([HEADER, ["王五", "ZF-1", "市场监管局", "食品", "2027-06-30"],
                ["赵六", "ZF-OLD", "市场监管局", "食品", "2027-06-30"],
                ["钱七", "ZF-2", "市场监管局", "食品", "不是日期"]])
    with pytest.raises(ValidationError) as e:
        svc.import_inspectors(admin, bad, TODAY)
    msgs = e.value.message_dict["file"]
    assert "第3行：执法证号“ZF-OLD”已在名录中" in msgs and any(m.startswith("第4行：有效期至") for m in msgs)
    assert Inspector.objects.count() == 1  # nothing half-written
    good = xlsx([HEADER, ["王五", "zf-1", "市场监管局", "食品", dt.datetime(2027, 6, 30)],
                 ["钱七", "ZF-2", "市场监管局", None, "2027/7/1"]])
    assert svc.import_inspectors(admin, good, TODAY) == 2
    i = Inspector.objects.get(cert_number="ZF-1")
    assert i.department == dept and i.region == dept.region and i.valid_until == dt.date(2027, 6, 30)
    with pytest.raises(ValidationError) as e:
        svc.import_inspectors(admin, xlsx([["姓名", "部门"], ["x", "y"]]), TODAY)
    assert "表头" in e.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as e:
        svc.import_inspectors(admin, SimpleUploadedFile("a.doc", b"x"), TODAY)
    assert e.value.message_dict["file"] == ["请上传 .xlsx 或 .csv 文件"]


def test_inspector_import_refuses_other_departments(admin, dept, make_department):
    make_department(name="税务局")
    with pytest.raises(ValidationError) as e:
        svc.import_inspectors(admin, csv_file("姓名,执法证号,部门,执法领域,有效期至\n王五,ZF-9,税务局,,2027-01-01\n",
                                              name="p.csv", encoding="gb18030"), TODAY)
    assert e.value.message_dict["file"] == ["第2行：部门“税务局”不存在或不在您的管理范围内"]


def test_registration_rates(admin, dept, make_staff):
    make_inspector(dept, "A1", user=make_staff())
    make_inspector(dept, "A2", until=TODAY - dt.timedelta(days=1))
    make_inspector(dept, "A3", status="suspended")
    make_inspector(dept, "A4")
    make_inspector(dept, "A5", status="left")
    [(d, rate)] = svc.registration_rates(admin, TODAY)
    assert d == dept and (rate.total, rate.valid, rate.with_account) == (4, 2, 1)
    assert rate.valid_rate == 50.0 and rate.account_rate == 25.0


def test_expiry_notice_once(admin, dept, make_staff):
    from zhengwu.cases.models import Notification

    other_admin = make_staff("dept_admin")  # no department: the whole district
    soon = make_inspector(dept, "E1", until=TODAY + dt.timedelta(days=10))
    make_inspector(dept, "E2", until=TODAY + dt.timedelta(days=90))
    make_inspector(dept, "E3", until=TODAY - dt.timedelta(days=1))
    svc.notify_expiring(TODAY)
    notes = Notification.objects.filter(recipient__in=[admin, other_admin])
    assert notes.count() == 2 and "E1" in notes[0].body and "E2" not in notes[0].body
    assert "李四" not in notes[0].body  # names are masked
    svc.notify_expiring(TODAY + dt.timedelta(days=1))
    assert Notification.objects.count() == 2  # once
    soon.refresh_from_db()
    assert soon.expiry_notified_for == soon.valid_until and soon.status == "active"
    Inspector.objects.filter(pk=soon.pk).update(valid_until=TODAY + dt.timedelta(days=20))  # renewed (short)
    svc.notify_expiring(TODAY)
    assert Notification.objects.count() == 4


# -- 检查对象 ---------------------------------------------------------------------------------------
def test_object_import_report_and_update(admin):
    good = make_uscc("9", "1", "410105", "MA100001")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    existing = make_object("旧名称", n=100002)
    text = ("名称,统一社会信用代码,对象类别,行业,所在区划,地址,风险等级\n"
            f"甲公司,{good},企业,餐饮,410105,金水路1号,C\n"
            f"乙公司,{bad},企业,餐饮,410105,,\n"
            f"甲公司重复,{good},企业,餐饮,410105,,\n"
            f"新名称,{existing.uscc},企业,零售,410105000000,,A\n")
    report = osvc.import_objects(admin, csv_file(text))
    assert (report.added, report.updated, report.rejected) == (1, 1, 2)
    assert len(report.bad_uscc) == 1 and "第3行" in report.bad_uscc[0]
    assert report.duplicates == [f"第4行：与第2行重复（{good}）"]
    existing.refresh_from_db()
    assert existing.name == "新名称" and existing.risk_level == "A"
    assert InspectedObject.objects.get(uscc=good).risk_level == "C"


def test_object_create_checks_code_region_and_stale(admin):
    data = {"name": "丙公司", "uscc": "91410105MA0000000X", "region_code": "410105", "risk_level": "B"}
    with pytest.raises(ValidationError) as e:
        osvc.create_object(admin, data)
    assert e.value.message_dict["uscc"][0].startswith("统一社会信用代码不正确")
    with pytest.raises(ValidationError) as e:
        osvc.create_object(admin, {**data, "uscc": "", "region_code": "420100"})
    assert e.value.message_dict["region_code"] == ["所在区划不在您的管理范围内"]
    obj = osvc.create_object(admin, {**data, "uscc": ""})
    assert obj.uscc is None and obj.source == "manual"
    stamp = obj.updated_at.isoformat()
    osvc.update_object(admin, obj.pk, stamp, {**data, "uscc": "", "industry": "餐饮"})
    with pytest.raises(ValidationError) as e:
        osvc.update_object(admin, obj.pk, stamp, {**data, "uscc": "", "industry": "零售"})
    assert e.value.code == "stale"


def test_sync_from_registry_in_chunks(admin, make_staff):
    from zhengwu.datashare.models import LegalEntityRecord

    codes = [make_uscc("9", "1", "410105", f"MA2{n:05d}") for n in range(5)]
    for n, code in enumerate(codes):
        LegalEntityRecord.objects.create(uscc=code, name=f"企业{n}", region_code="410105000000",
                                         status="存续" if n != 3 else "注销")
    LegalEntityRecord.objects.create(uscc=make_uscc("9", "1", "420100", "MA300000"), name="外地",
                                     region_code="420100000000", status="存续")
    result = osvc.sync_from_registry(admin, chunk=2)
    assert result == {"added": 4, "updated": 0, "closed": 0}
    assert not InspectedObject.objects.filter(uscc=codes[3]).exists()
    assert InspectedObject.objects.filter(source="registry").count() == 4
    LegalEntityRecord.objects.filter(uscc=codes[0]).update(status="吊销", name="企业0（已改名）")
    result = osvc.sync_from_registry(admin, chunk=2)
    assert result["added"] == 0 and result["closed"] == 1
    gone = InspectedObject.objects.get(uscc=codes[0])
    assert not gone.is_active and gone.name == "企业0（已改名）"
    sysadmin = make_staff("sysadmin")
    assert osvc.sync_from_registry(sysadmin)["added"] == 1  # the 420100 one: a city-wide role
    with pytest.raises(PermissionDenied):
        osvc.sync_from_registry(admin, "4201")


def test_search_filters(admin, dept):
    make_object("甲餐厅", n=1, industry="餐饮", risk_level="C")
    make_object("乙超市", n=2, industry="零售")
    make_object("外地", n=3, region="420100000000")
    rows, nxt = osvc.search(admin, {"q": "餐厅"})
    assert [o.name for o in rows] == ["甲餐厅"] and nxt == ""
    assert [o.name for o in osvc.search(admin, {"industry": "零售"})[0]] == ["乙超市"]
    assert [o.name for o in osvc.search(admin, {"risk": "C"})[0]] == ["甲餐厅"]
    assert {o.name for o in osvc.search(admin, {})[0]} == {"甲餐厅", "乙超市"}  # 420100 is outside
    rows, nxt = osvc.search(admin, {}, size=1)
    assert len(rows) == 1 and nxt == str(rows[0].pk)
    assert osvc.search(admin, {"after": nxt}, size=1)[0][0].name == "乙超市"


# -- 回避 ----------------------------------------------------------------------------------------
def test_conflict_by_self_or_dept_admin(admin, dept, make_staff):
    me = make_staff("approver", department=dept)
    stranger = make_staff("approver", department=dept)
    inspector = make_inspector(dept, "C1", user=me)
    obj, obj2 = make_object(n=1), make_object("乙公司", n=2)
    with pytest.raises(ValidationError) as e:
        svc.declare_conflict(me, inspector, obj, "  ")
    assert e.value.message_dict["reason"] == ["请填写回避原因"]
    svc.declare_conflict(me, inspector, obj, "配偶在该企业任职")
    with pytest.raises(ValidationError):
        svc.declare_conflict(me, inspector, obj, "再报一次")
    with pytest.raises(PermissionDenied):
        svc.declare_conflict(stranger, inspector, obj2, "代报")
    svc.declare_conflict(admin, inspector, obj2, "曾在该企业任职")
    assert InspectorConflict.objects.filter(inspector=inspector).count() == 2
    assert AuditEvent.objects.filter(action="inspections.conflict_declare").count() == 2
