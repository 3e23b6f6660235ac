"""Taxonomy import (一级分类/二级分类/三级分类 + 承办单位, 办理时限): good and bad rows, xlsx/csv/GBK,
all or nothing, updates, the command and the upload page."""

import io

import pytest
from django.core.management import CommandError, call_command

from zhengwu.hotline import services
from zhengwu.hotline.models import Category

pytestmark = pytest.mark.django_db


def _xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_good_xlsx(market, urban):
    data = _xlsx([["三级分类导入模板"], ["一级分类", "二级分类", "三级分类", "承办单位", "办理时限"],
                  ["城乡建设", "安全生产", "事故处理", "", 5], ["城乡建设", "安全生产", "隐患排查", "城管局", "3个工作日"],
                  ["市场监管", "食品安全", "餐饮卫生", "郑州市金水区市场监督管理局", None], [None, None, None, None, None]])
    report = services.import_categories(None, data, "分类.xlsx")
    assert report["ok"] and report["leaves"] == 3 and report["created"] == 7
    leaf = Category.objects.get(path="城乡建设/安全生产/隐患排查")
    assert leaf.level == 3 and leaf.department == urban and leaf.days == 3 and leaf.parent.path == "城乡建设/安全生产"
    assert Category.objects.get(path="城乡建设/安全生产/事故处理").days == 5
    codes = set(Category.objects.values_list("code", flat=True))
    assert {"01", "0101", "010101", "010102", "02", "0201", "020101"} == codes
    # A second import updates instead of duplicating.
    data2 = _xlsx([["一级分类", "二级分类", "三级分类", "承办单位", "办理时限"], ["城乡建设", "安全生产", "事故处理", "城管局", 4]])
    report = services.import_categories(None, data2, "分类.xlsx")
    assert report["created"] == 0 and report["updated"] == 1
    assert Category.objects.get(path="城乡建设/安全生产/事故处理").department == urban


def test_gbk_csv(market):
    data = "一级分类,二级分类,三级分类,承办单位\n市场监管,消费维权,预付卡退费,市场监管局\n".encode("gbk")
    report = services.import_categories(None, data, "gbk.csv")
    assert report["ok"] and Category.objects.filter(level=3).count() == 1


def test_bad_rows_are_all_reported_and_nothing_is_written(market):
    data = _xlsx([["一级分类", "二级分类", "三级分类", "承办单位", "办理时限"],
                  ["城乡建设", "安全生产", "事故处理", "", 5],
                  ["城乡建设", "", "隐患排查", "", ""],
                  ["市场监管", "食品安全", "餐饮卫生", "不存在的局", ""],
                  ["市场监管", "食品安全", "价格", "", "一百天"],
                  ["城乡建设", "安全生产", "事故处理", "", 5]])
    report = services.import_categories(None, data, "bad.xlsx")
    assert not report["ok"]
    msgs = {(e["row"], e["column"]): e["message"] for e in report["errors"]}
    assert msgs[(3, "二级分类")] == "二级分类不能为空"
    assert "承办单位“不存在的局”不存在" in msgs[(4, "承办单位")]
    assert "办理时限应为 1～60" in msgs[(5, "办理时限")]
    assert "与第2行重复" in msgs[(6, "三级分类")]
    assert Category.objects.count() == 0


def test_missing_columns_and_empty_file():
    report = services.import_categories(None, "分类,部门\n甲,乙\n".encode(), "x.csv")
    assert not report["ok"] and "缺少必需的列" in report["errors"][0]["message"]
    report = services.import_categories(None, b"", "x.csv")
    assert report["errors"][0]["message"] == "文件是空的"


def test_command_and_permissions(tmp_path, market, handler, out):
    f = tmp_path / "t.csv"
    f.write_text("一级分类,二级分类,三级分类\n甲,乙,丙\n", encoding="utf-8")
    call_command("hotline", "import-categories", str(f), "--dry-run", stdout=out)
    assert Category.objects.count() == 0
    call_command("hotline", "import-categories", str(f), stdout=out)
    assert Category.objects.filter(level=3).count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("一级分类,二级分类,三级分类\n甲,,丙\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("hotline", "import-categories", str(bad), stdout=out, stderr=out)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_categories(handler, f.read_bytes(), "t.csv")


def test_upload_page(client, centre, market):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(centre)
    r = client.post("/workbench/hotline/taxonomy/", {"file": SimpleUploadedFile(
        "t.csv", "一级分类,二级分类,三级分类,承办单位\n市场监管,食品安全,餐饮卫生,市场监管局\n甲,,丙,\n".encode())})
    assert r.status_code == 200
    body = r.content.decode()
    assert "未导入任何分类" in body and "第 3 行 二级分类：二级分类不能为空" in body
    assert Category.objects.count() == 0
    r = client.post("/workbench/hotline/taxonomy/", {"file": SimpleUploadedFile(
        "t.csv", "一级分类,二级分类,三级分类,承办单位\n市场监管,食品安全,餐饮卫生,市场监管局\n".encode())})
    assert "新增 3 个分类" in r.content.decode()
