"""Excel round trip of the 资源目录 and the 信息系统普查, row-numbered errors, nothing half-written."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.datashare.dcat_fixtures import published
from tests.datashare import dcat_fixtures
from zhengwu.datashare import catalogue_io
from zhengwu.datashare.models import DataResource, InfoSystem

people = dcat_fixtures.people  # the fixture, used by name


def _book(resources, fields) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "资源"
    ws.append([label for _k, label in catalogue_io.RESOURCE_COLUMNS])
    for row in resources:
        ws.append(row)
    fs = wb.create_sheet("信息项")
    fs.append([label for _k, label in catalogue_io.FIELD_COLUMNS])
    for row in fields:
        fs.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_round_trip(people):
    r = published(people.data_admin, people.police, summary="=HYPERLINK(\"http://x\")")
    data = catalogue_io.export_resources(DataResource.objects.all())
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["资源", "信息项"]
    assert wb["资源"]["C2"].value.startswith("'=")  # formula injection neutralised
    assert [c.value for c in wb["信息项"][2]][:4] == ["101001/000001", 1, "id_number", "公民身份号码"]
    DataResource.objects.filter(pk=r.pk).update(name="改过的名字")
    r.refresh_from_db()
    result = catalogue_io.import_resources(people.data_admin, data, "resources.xlsx")
    assert result == {"created": 0, "updated": 1}
    r.refresh_from_db()
    assert r.name == "人口基本信息" and r.summary == "=HYPERLINK(\"http://x\")" and r.status == "draft"
    assert r.share_type == "conditional" and r.registry == "person"
    assert list(r.fields.values_list("key", "personal")) == [("id_number", True), ("name", True), ("gender", False)]
    # a copy under new codes creates
    DataResource.objects.all().delete()
    assert catalogue_io.import_resources(people.data_admin, data)["created"] == 1


def test_row_errors_and_nothing_written(people):
    data = _book(
        [["101001/000001", "好资源", "", "公安分局", "", "", "无条件共享", "", "", "无条件开放", "", "", ""],
         ["12/1", "坏代码", "", "公安分局", "", "", "无条件共享", "", "", "不予开放", "", "", ""],
         ["101001/000003", "无依据", "", "公安分局", "", "", "不予共享", "", "", "不予开放", "", "", ""],
         ["101001/000004", "无部门", "", "不存在局", "", "", "无条件共享", "", "", "不予开放", "", "", ""],
         ["101001/000001", "重复", "", "公安分局", "", "", "无条件共享", "", "", "不予开放", "", "", ""]],
        [["101001/000001", 1, "id_number", "身份证号", "字符型", 18, "", "是"],
         ["999999/1", 1, "x", "x", "字符型", None, "", "否"]])
    with pytest.raises(catalogue_io.ImportRowsError) as exc:
        catalogue_io.import_resources(people.data_admin, data)
    errors = "\n".join(exc.value.errors)
    assert "「资源」第6行：资源代码“101001/000001”重复" in errors
    assert "「信息项」第3行：资源代码“999999/1”不在「资源」中" in errors
    assert "「资源」第3行（12/1）：资源代码格式" in errors
    assert "「资源」第4行（101001/000003）：不予共享的资源必须写明" in errors
    assert "「资源」第5行：提供方“不存在局”不是已登记的部门" in errors
    assert not DataResource.objects.exists()


def test_department_cannot_import_for_another(people):
    data = _book([["101001/000001", "别人的", "", "公安分局", "", "", "无条件共享", "", "", "不予开放", "", "", ""]], [])
    with pytest.raises(catalogue_io.ImportRowsError) as exc:
        catalogue_io.import_resources(people.market_admin, data)
    assert "无权编辑“公安分局”" in exc.value.errors[0]
    assert not DataResource.objects.exists()


def test_not_a_workbook(people):
    with pytest.raises(catalogue_io.ImportRowsError) as exc:
        catalogue_io.import_resources(people.data_admin, b"not an excel file", "x.xlsx")
    assert "xlsx" in exc.value.errors[0] or "文件" in exc.value.errors[0]


def test_systems_round_trip_and_row_errors(people):
    wb = Workbook()
    ws = wb.active
    ws.title = "信息系统"
    ws.append([label for _k, label in catalogue_io.SYSTEM_COLUMNS])
    ws.append(["人口信息管理系统", "公安分局", 2012, "中央", 120.5, "上级部门垂直部署", 300, "是", "是", ""])
    ws.append(["登记注册系统", "市场监管局", "", "", "", "政务云", "", "否", "", ""])
    out = io.BytesIO()
    wb.save(out)
    assert catalogue_io.import_systems(people.data_admin, out.getvalue()) == {"created": 2, "updated": 0}
    s = InfoSystem.objects.get(name="人口信息管理系统")
    assert (s.deployment, s.connected, s.build_year, float(s.budget_wan)) == ("vertical", True, 2012, 120.5)
    exported = catalogue_io.export_systems(InfoSystem.objects.all())
    assert catalogue_io.import_systems(people.data_admin, exported) == {"created": 0, "updated": 2}

    ws.append(["坏年份", "公安分局", "去年", "", "", "政务云", "", "是", "是", ""])
    ws.append(["坏部署", "公安分局", 2020, "", "", "天上", "", "是", "是", ""])
    ws.append(["坏接入", "公安分局", 2020, "", "", "政务云", "", "也许", "是", ""])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(catalogue_io.ImportRowsError) as exc:
        catalogue_io.import_systems(people.data_admin, out.getvalue())
    errors = exc.value.errors
    assert errors[0].startswith("第4行：建设年份") and errors[1].startswith("第5行：部署方式")
    assert errors[2] == "第6行：已接入共享平台只能填“是”或“否”"
    assert InfoSystem.objects.count() == 2
