"""事项导出: the same layout as the import, so that export → import changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.catalog.import_fixtures import DEPT, impl_code, read_xlsx, row, write_xlsx
from zhengwu.catalog import importer
from zhengwu.catalog.models import ItemVersion, ServiceItem
from zhengwu.catalog.services import imports

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def direct_publish(settings):
    """These tests cover the import's mechanics on its direct-publish path, which exists only with
    双人复核 off (ADR 0060); imports under 双人复核: tests/catalog/test_import_review.py."""
    settings.ZHENGWU_CATALOG_FOUR_EYES = False


@pytest.fixture
def market(make_department):
    return make_department(name=DEPT)


@pytest.fixture
def catalogue(tmp_path, district, market, make_item):
    """Items made both ways: through the import and through the editor (services)."""
    imports.import_items(write_xlsx(tmp_path / "seed.xlsx", [
        row(),
        row(事项名称="食品经营许可（变更）", 基本编码="000105001001", 主项名称="食品经营许可", 实施编码=impl_code("000105001001"),
            收费="工本费：20元/证（依据：豫发改收费〔2017〕1号）\n邮寄费", 法定时限=None, 承诺时限=0, 办件类型="即办件"),
        row(事项名称="省编码事项", 基本编码="511A0138000000", 事项类型="公共服务", 服务对象="自然人、法人"),
    ]).read_bytes(), "seed.xlsx", district)
    make_item(name="编辑器创建的事项", dept=market, fees=[{"name": "工本费", "standard": "10元", "basis": "", "note": "x"}])
    make_item(name="尚未发布的事项", dept=market, publish=False)
    return district


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(tmp_path, catalogue, fmt):
    out = tmp_path / f"export.{fmt}"
    with open(out, "wb") as f:
        count = imports.export_items(catalogue, f, fmt=fmt)
    assert count == ServiceItem.objects.count() == 5
    versions = ItemVersion.objects.count()
    report = imports.import_items(out.read_bytes(), out.name, catalogue)
    assert (report.rows, report.created, report.updated, report.failed) == (5, 0, 0, 0), report.errors
    assert report.unchanged == 5 and not report.created_departments
    assert ItemVersion.objects.count() == versions


def test_export_writes_the_documented_columns(tmp_path, catalogue):
    out = tmp_path / "export.xlsx"
    imports.export_items(catalogue, out)
    rows = read_xlsx(out)  # openpyxl reads what the export writes
    assert list(rows[0]) == [c.title for c in importer.COLUMNS]
    by_name = {r[1]: dict(zip(rows[0], r)) for r in rows[1:]}
    changed = by_name["食品经营许可（变更）"]
    assert changed["事项类型"] == "行政许可" and changed["基本编码"] == "000105001001"
    # Its 主项 is the base item 000105001000, which the first row of the seed file created.
    assert changed["主项名称"] == "食品经营许可（新办）"
    assert changed["办件类型"] == "即办件" and changed["法定时限"] is None
    assert changed["收费"] == "工本费：20元/证（依据：豫发改收费〔2017〕1号）\n邮寄费"
    assert by_name["食品经营许可（新办）"]["申请材料"] == "食品经营许可申请书\n营业执照\n法定代表人身份证明"
    assert by_name["省编码事项"]["服务对象"] == "自然人、法人"


def test_edited_export_reimports_as_a_new_version(tmp_path, catalogue):
    out = tmp_path / "export.xlsx"
    imports.export_items(catalogue, out)
    rows = read_xlsx(out)
    header = list(rows[0])
    data = [dict(zip(header, r)) for r in rows[1:]]
    for d in data:
        if d["事项名称"] == "编辑器创建的事项":
            d["承诺时限"] = 3
    report = imports.import_items(write_xlsx(tmp_path / "edited.xlsx", data, header=header).read_bytes(),
                                  "edited.xlsx", catalogue)
    assert (report.updated, report.unchanged) == (1, 4), report.errors
    item = ServiceItem.objects.get(name="编辑器创建的事项")
    assert item.published_version.promised_days == 3 and item.published_version.number == 2
    # The fee list the editor stored (with a key the file does not show) is kept as it was.
    assert item.published_version.fees == [{"name": "工本费", "standard": "10元", "basis": "", "note": "x"}]


def test_export_command(tmp_path, catalogue):
    out = tmp_path / "清单.xlsx"
    stdout = io.StringIO()
    call_command("export_items", str(out), "--region", "410105000000", stdout=stdout)
    assert "5 个事项" in stdout.getvalue()
    assert len(read_xlsx(out)) == 6


def test_export_carries_the_publication_elements_and_reimports_unchanged_under_review(
        tmp_path, settings, district, market, make_item, make_staff):
    """A published item (咨询电话, 办理地点, 办理形式 …): its export row carries them, and importing
    the export in 导入并提交审核 mode (双人复核 on) is 无变化 — no version, nothing to review."""
    from zhengwu.org.models import Role

    settings.ZHENGWU_CATALOG_FOUR_EYES = True
    item = make_item(name="食品经营许可（延续）", dept=market, channels=["online", "window", "express"],
                     office_hours="周一至周五\n9:00-17:30")
    out = tmp_path / "export.xlsx"
    imports.export_items(district, out)
    rows = read_xlsx(out)
    (exported,) = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert exported["咨询电话"] == "0371-65500004" and exported["监督投诉电话"] == "12345"
    assert exported["办理地点"] == "金水区政务服务中心B区" and exported["办理时间"] == "周一至周五\n9:00-17:30"
    assert exported["办理形式"] == "网上办理、窗口办理、快递申请"

    versions = ItemVersion.objects.count()
    importer_user = make_staff(Role.ITEM_ADMIN)
    report = imports.import_items(out.read_bytes(), out.name, district, submit=True, actor=importer_user)
    assert (report.rows, report.unchanged, report.created, report.updated, report.failed) == (1, 1, 0, 0, 0), \
        report.errors
    assert ItemVersion.objects.count() == versions
    item.refresh_from_db()
    assert item.status == "published" and item.published_version.channels == ["online", "window", "express"]
