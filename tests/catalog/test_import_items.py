"""事项导入: good files land, re-imports change nothing, changes make versions, bad rows are reported."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.catalog.import_fixtures import DEPT, HEADER, impl_code, row, write_csv, write_xlsx
from zhengwu.catalog import importer
from zhengwu.catalog.models import BaseItem, ImportJob, ItemVersion, Material, ServiceItem
from zhengwu.catalog.services import imports
from zhengwu.core.models import AuditEvent
from zhengwu.org.models import Department, Role
from zhengwu.speedups.bulkinsert import BulkInserter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def direct_publish(settings):
    """These tests cover the import's mechanics on its direct-publish path, which exists only with
    双人复核 off (ADR 0060); imports under 双人复核: tests/catalog/test_import_review.py."""
    settings.ZHENGWU_CATALOG_FOUR_EYES = False


@pytest.fixture
def market(make_department):
    return make_department(name=DEPT)


def run(path, region, **kw):
    return imports.import_items(path.read_bytes(), path.name, region, **kw)


def errors_of(report):
    return [(e["row"], e["column"], e["message"]) for e in report.errors]


def test_good_xlsx_creates_published_items_with_versions_and_materials(tmp_path, district, market):
    path = write_xlsx(tmp_path / "清单.xlsx", [
        row(),
        row(事项名称="个体工商户登记", 事项类型="20", 基本编码="", 办件类型="即办件", 承诺时限=0, 法定时限=None,
            服务对象="自然人、法人", 申请材料="1、申请书\n2、居民身份证", 收费="工本费：10元/证（依据：豫发改收费〔2017〕1号）"),
    ])
    report = run(path, district)
    assert (report.rows, report.created, report.updated, report.unchanged, report.failed) == (2, 2, 0, 0, 0)
    assert report.kind == "xlsx" and not report.errors

    food = ServiceItem.objects.get(name="食品经营许可（新办）")
    assert food.department == market and food.region == district
    assert (food.status, food.item_type, food.statutory_days, food.promised_days, food.case_type, food.visits) == \
        ("published", "01", 20, 5, "committed", 1)
    assert food.service_object == "legal" and food.popular_name == "开饭店办食品经营许可证"
    assert food.base_item.code == "000105001000" and food.code_recognised
    version = food.published_version
    assert (version.number, version.state) == (1, "published")
    assert version.legal_basis == "《中华人民共和国食品安全法》第三十五条" and version.fees == []
    assert [m.name for m in version.materials.all()] == ["食品经营许可申请书", "营业执照", "法定代表人身份证明"]

    shop = ServiceItem.objects.get(name="个体工商户登记")
    assert (shop.item_type, shop.case_type, shop.statutory_days, shop.service_object) == ("20", "instant", None, "both")
    assert shop.base_item is None
    assert [m.name for m in shop.published_version.materials.all()] == ["申请书", "居民身份证"]
    assert shop.published_version.fees == [{"name": "工本费", "standard": "10元/证", "basis": "豫发改收费〔2017〕1号"}]

    # The bulk write sends no model signals: the import itself brings the search index along.
    from zhengwu.catalog.models import SearchPosting
    from zhengwu.catalog.models.search import item_doc

    assert SearchPosting.objects.filter(doc=item_doc(food.pk)).exists()

    # One audit event for the whole import, with the file's SHA-256 and the counts.
    (event,) = AuditEvent.objects.filter(action="catalog.items.import")
    assert event.after["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert event.after["created"] == 2 and event.after["file_name"] == "清单.xlsx"


def test_gbk_csv_is_detected(tmp_path, district, market):
    path = write_csv(tmp_path / "gbk.csv", [row(), row(事项名称="食品经营许可（变更）", 基本编码="000105001001")],
                     encoding="gbk")
    report = run(path, district)
    assert report.encoding == "gb18030" and report.created == 2 and not report.errors
    assert ServiceItem.objects.filter(name="食品经营许可（变更）", department=market).exists()


def test_utf8_csv_with_bom_is_read(tmp_path, district, market):
    path = write_csv(tmp_path / "bom.csv", [row()], encoding="utf-8-sig")
    report = run(path, district)
    assert report.encoding == "utf-8-sig" and report.created == 1
    assert report.columns[0] == "实施主体"  # the BOM is not part of the first header


def test_openpyxl_write_only_files_and_title_rows_are_read(tmp_path, district, market):
    path = write_xlsx(tmp_path / "stream.xlsx", [row()], write_only=True, title_row="金水区政务服务事项实施清单")
    report = run(path, district)
    assert report.created == 1 and not report.errors


def test_reimport_makes_no_duplicates_and_no_new_versions(tmp_path, district, market):
    path = write_xlsx(tmp_path / "a.xlsx", [row(), row(事项名称="B事项", 基本编码="", 实施编码=impl_code("000105002000"))])
    first = run(path, district)
    assert first.created == 2
    versions = ItemVersion.objects.count()
    materials = Material.objects.count()
    second = run(path, district)
    assert (second.created, second.updated, second.unchanged, second.failed) == (0, 0, 2, 0)
    assert ServiceItem.objects.count() == 2 and ItemVersion.objects.count() == versions
    assert Material.objects.count() == materials


def test_big_imports_hand_search_indexing_to_the_worker(tmp_path, district, market, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(imports, "SYNC_INDEX_LIMIT", 1)
    run(write_xlsx(tmp_path / "a.xlsx", [row(), row(事项名称="第二个", 基本编码="")]), district)
    (task,) = DBTaskResult.objects.filter(task_path__endswith="index_items_task")
    assert sorted(task.args_kwargs["args"][0]) == sorted(ServiceItem.objects.values_list("pk", flat=True))


def test_changed_row_makes_a_new_published_version(tmp_path, district, market):
    run(write_xlsx(tmp_path / "a.xlsx", [row(), row(事项名称="不变的事项", 基本编码="")]), district)
    item = ServiceItem.objects.get(name="食品经营许可（新办）")
    old, lock = item.published_version, item.lock_version
    report = run(write_xlsx(tmp_path / "b.xlsx", [
        row(承诺时限=3, 申请材料="食品经营许可申请书；营业执照；食品安全管理制度"),
        row(事项名称="不变的事项", 基本编码=""),
    ]), district)
    assert (report.created, report.updated, report.unchanged, report.new_versions) == (0, 1, 1, 1)
    item.refresh_from_db()
    new = item.published_version
    assert (new.number, new.state, new.promised_days) == (2, "published", 3)
    assert item.promised_days == 3 and item.lock_version == lock + 1
    old.refresh_from_db()
    assert old.state == "superseded" and old.promised_days == 5
    assert [m.name for m in new.materials.all()] == ["食品经营许可申请书", "营业执照", "食品安全管理制度"]
    assert [m.name for m in old.materials.all()] == ["食品经营许可申请书", "营业执照", "法定代表人身份证明"]


def test_new_version_keeps_guide_elements_and_material_details_the_file_does_not_carry(tmp_path, district, market,
                                                                                   make_item):
    item = make_item(name="食品经营许可（延续）", dept=market)
    version = item.published_version
    report = run(write_xlsx(tmp_path / "a.xlsx", [row(
        事项名称="食品经营许可（延续）", 基本编码="", 承诺时限=4,
        申请材料="食品经营许可申请书；营业执照；法定代表人身份证；新增材料")]), district)
    assert report.updated == 1, report.errors
    item.refresh_from_db()
    new = item.published_version
    assert new.number == version.number + 1 and new.promised_days == 4
    assert new.locations == version.locations and new.consult_phone == version.consult_phone
    assert new.channels == version.channels and new.process_steps == version.process_steps
    mats = {m.name: m for m in new.materials.all()}
    assert mats["营业执照"].license_type == "营业执照" and mats["营业执照"].form == "copy"
    assert mats["新增材料"].necessity == "required"


def test_as_draft_changes_wait_for_review(tmp_path, district, market):
    run(write_xlsx(tmp_path / "a.xlsx", [row()]), district)
    item = ServiceItem.objects.get()
    changed = write_xlsx(tmp_path / "b.xlsx", [row(承诺时限=2, 事项名称="食品经营许可（新办）")])
    report = run(changed, district, as_draft=True)
    assert report.updated == 1
    item.refresh_from_db()
    assert item.published_version.number == 1 and item.promised_days == 5  # the public still sees version 1
    draft = item.versions.get(state="draft")
    assert draft.number == 2 and draft.promised_days == 2
    # The same file again: compared with the draft, nothing changed.
    again = run(changed, district, as_draft=True)
    assert (again.updated, again.unchanged) == (0, 1)
    assert item.versions.count() == 2
    # Another change while the draft waits: the same draft is updated, materials included.
    run(write_xlsx(tmp_path / "c.xlsx", [row(承诺时限=1, 申请材料="营业执照")]), district, as_draft=True)
    draft.refresh_from_db()
    assert item.versions.count() == 2 and draft.promised_days == 1 and draft.state == "draft"
    assert [m.name for m in draft.materials.all()] == ["营业执照"]


def test_as_draft_new_items_stay_drafts_until_a_publishing_import(tmp_path, district, market):
    path = write_xlsx(tmp_path / "a.xlsx", [row()])
    assert run(path, district, as_draft=True).created == 1
    item = ServiceItem.objects.get()
    assert (item.status, item.published_version, item.versions.get().state) == ("draft", None, "draft")
    assert item.name == "食品经营许可（新办）" and item.promised_days == 5  # list columns show the draft
    # A publishing import with a change publishes that draft (no second version).
    report = run(write_xlsx(tmp_path / "b.xlsx", [row(承诺时限=4)]), district)
    assert report.updated == 1
    item.refresh_from_db()
    assert item.status == "published" and item.published_version.number == 1
    assert item.published_version.promised_days == 4 and item.versions.count() == 1


def test_bad_rows_are_reported_and_good_rows_land(tmp_path, district, market):
    path = write_xlsx(tmp_path / "mixed.xlsx", [
        row(事项名称="好事项一", 基本编码=""),
        row(事项名称="时限倒挂", 基本编码="", 法定时限=10, 承诺时限=20),
        row(事项名称="坏类型", 基本编码="", 事项类型="行政乱来", 实施主体="只在坏行出现的部门"),
        row(事项名称="负数", 基本编码="", 法定时限=-1),
        row(事项名称="坏办件类型", 基本编码="", 办件类型="马上办"),
        row(事项名称="", 基本编码=""),
        row(事项名称="好事项二", 基本编码="", 法定时限="30个工作日", 承诺时限="10工作日"),
    ])
    report = run(path, district)
    assert (report.rows, report.created, report.failed) == (7, 2, 5)
    errors = errors_of(report)
    assert (3, "承诺时限", "承诺时限（20个工作日）不能超过法定时限（10个工作日）") in errors
    assert any(r == 4 and c == "事项类型" and "“行政乱来”不存在" in m for r, c, m in errors)
    assert any(r == 5 and c == "法定时限" and "不能为负数" in m for r, c, m in errors)
    assert any(r == 6 and c == "办件类型" and "即办件" in m for r, c, m in errors)
    assert (7, "事项名称", "事项名称不能为空") in errors
    assert [e["row"] for e in report.errors] == sorted(e["row"] for e in report.errors)
    assert sorted(ServiceItem.objects.values_list("name", flat=True)) == ["好事项一", "好事项二"]
    assert ServiceItem.objects.get(name="好事项二").statutory_days == 30
    # A bad row leaves nothing behind: not even the department only it named.
    assert not Department.objects.filter(name="只在坏行出现的部门").exists()


def test_a_bad_row_lists_every_problem_it_has(tmp_path, district, market, make_department, make_staff):
    other = make_department(name="郑州市金水区民政局")
    admin = make_staff(Role.ITEM_ADMIN, department=market)
    path = write_xlsx(tmp_path / "many.xlsx", [
        # Two bad cells, a 承诺时限 over the 法定时限 and too many 到现场次数: four problems.
        row(事项名称="四处错", 基本编码="", 事项类型="行政乱来", 法定时限=10, 承诺时限=20, 办件类型="马上办", 到现场次数=9),
        row(事项名称="好事项", 基本编码=""),
        # The same name as row 3, a negative 法定时限 and an unknown 服务对象.
        row(事项名称="好事项", 基本编码="", 法定时限=-1, 服务对象="外星人"),
        # No 事项名称 and 承诺时限 over 法定时限.
        row(事项名称="", 基本编码="", 法定时限=5, 承诺时限=9),
        # Another department's item with a bad 办件类型/承诺时限 pair.
        row(实施主体=other.name, 事项名称="低保", 基本编码="", 办件类型="即办件", 承诺时限=3),
    ])
    report = run(path, district, actor=admin, allowed_departments=imports.department_scope(admin, district))
    assert (report.rows, report.created, report.failed) == (5, 1, 4)
    by_row: dict[int, list[tuple[str, str]]] = {}
    for r, c, m in errors_of(report):
        by_row.setdefault(r, []).append((c, m))
    assert sorted(c for c, _ in by_row[2]) == sorted(["事项类型", "办件类型", "承诺时限", "到现场次数"])
    assert ("承诺时限", "承诺时限（20个工作日）不能超过法定时限（10个工作日）") in by_row[2]
    assert any(c == "到现场次数" and "不应超过5次" in m for c, m in by_row[2])
    assert sorted(c for c, _ in by_row[4]) == sorted(["事项名称", "法定时限", "服务对象"])
    assert any(c == "事项名称" and "与第3行重复" in m for c, m in by_row[4])
    assert by_row[5] == [("事项名称", "事项名称不能为空"), ("承诺时限", "承诺时限（9个工作日）不能超过法定时限（5个工作日）")]
    assert [c for c, _ in by_row[6]] == ["实施主体", "承诺时限"]
    assert "不在您的管理范围内" in by_row[6][0][1] and "即办件的承诺时限应为0" in by_row[6][1][1]
    assert report.errors_total == 4 + 3 + 2 + 2
    # Bad rows still import nothing; the printed report lists every problem with row and column.
    assert list(ServiceItem.objects.values_list("name", flat=True)) == ["好事项"]
    text = "\n".join(report.lines())
    for needle in ("第2行 【事项类型】", "第2行 【办件类型】", "第2行 【承诺时限】", "第2行 【到现场次数】",
                   "第4行 【法定时限】", "第4行 【服务对象】", "第5行 【承诺时限】", "第6行 【实施主体】"):
        assert needle in text


def test_duplicate_rows_in_one_file_are_reported(tmp_path, district, market):
    code = impl_code("000105001000")
    report = run(write_xlsx(tmp_path / "dup.xlsx", [
        row(实施编码=code), row(实施编码=code, 事项名称="另一个名称"), row(事项名称="食品经营许可（新办）", 实施编码=""),
    ]), district)
    assert report.created == 1 and report.failed == 2
    messages = " ".join(m for _, _, m in errors_of(report))
    assert "与第2行的实施编码相同" in messages and "与第2行重复" in messages


def test_unknown_department_is_a_row_error_by_default(tmp_path, district, market):
    """A misspelt 实施主体 must not become a department (it would show in 12345 dispatch, 受理
    filters, 双随机 plans): the row fails naming the column and the rule, with close names."""
    departments = Department.objects.count()
    report = run(write_xlsx(tmp_path / "typo.xlsx", [
        row(),
        row(实施主体="郑州市金水区不存在局", 事项名称="某某审批", 基本编码="abc"),
        row(实施主体="郑州市金水区市场监督管里局", 事项名称="食品经营许可（变更）", 基本编码=""),
    ]), district, as_draft=True)
    assert (report.created, report.failed, report.created_departments) == (1, 2, [])
    assert Department.objects.count() == departments
    assert not ServiceItem.objects.filter(name__in=["某某审批", "食品经营许可（变更）"]).exists()
    errors = errors_of(report)
    assert (3, "实施主体", "机构库中没有“郑州市金水区不存在局”，请先在机构管理中添加，或检查名称") in errors
    (typo,) = [m for r, c, m in errors if r == 4 and c == "实施主体"]
    assert typo.startswith("机构库中没有“郑州市金水区市场监督管里局”，请先在机构管理中添加，或检查名称")
    assert "是否为：郑州市金水区市场监督管理局" in typo
    text = "\n".join(report.lines())
    assert "第3行 【实施主体】 机构库中没有“郑州市金水区不存在局”" in text and "新建部门" not in text


def test_unknown_department_is_created_and_reported_when_asked(tmp_path, district, market):
    report = run(write_xlsx(tmp_path / "new-dept.xlsx", [
        row(实施主体="郑州市金水区人民防空办公室", 事项名称="人防工程拆除审批", 基本编码=""),
        row(实施主体="郑州市金水区人民防空办公室", 事项名称="人防工程竣工验收备案", 基本编码=""),
    ]), district, create_departments=True)
    assert report.created_departments == ["郑州市金水区人民防空办公室"]
    assert "新建部门 1 个：郑州市金水区人民防空办公室" in report.lines()
    dept = Department.objects.get(name="郑州市金水区人民防空办公室")
    assert (dept.region, dept.kind, dept.uscc) == (district, "other", None)
    assert dept.service_items.count() == 2
    assert run(write_xlsx(tmp_path / "again.xlsx", [row(实施主体="郑州市金水区人民防空办公室", 事项名称="人防工程拆除审批",
                                                          基本编码="")]), district).created_departments == []
    event = AuditEvent.objects.filter(action="catalog.items.import").order_by("pk").first()
    assert event.after["create_departments"] is True
    assert event.after["created_departments"] == ["郑州市金水区人民防空办公室"]


def test_unknown_code_shapes_are_stored_and_flagged_national_ones_checked(tmp_path, district, market):
    provincial = "511A0138000000-511602000000-000"
    report = run(write_xlsx(tmp_path / "codes.xlsx", [
        row(事项名称="省编码事项", 基本编码=provincial, 事项类型="公共服务"),
        row(事项名称="国标编码错", 基本编码="009905001000"),
        row(事项名称="实施编码错", 基本编码="000105003000", 实施编码="91410105MA9XKT3Q3X4000105003000"),
        row(事项名称="类型不符", 基本编码="002005004000", 事项类型="行政许可"),
    ]), district)
    assert report.created == 1 and report.failed == 3 and report.flagged_rows == 1
    item = ServiceItem.objects.get(name="省编码事项")
    assert not item.code_recognised and item.base_item.code == provincial and not item.base_item.code_recognised
    assert report.warnings[0]["column"] == "基本编码" and "未识别" in report.warnings[0]["message"]
    errors = errors_of(report)
    assert any(r == 3 and c == "基本编码" and "第3–4位" in m for r, c, m in errors)
    assert any(r == 4 and c == "实施编码" and "校验位" in m for r, c, m in errors)
    assert any(r == 5 and c == "事项类型" and "不一致" in m for r, c, m in errors)


def test_item_found_by_implementation_code_is_renamed_in_place(tmp_path, district, market):
    code = impl_code("000105001000")
    run(write_xlsx(tmp_path / "a.xlsx", [row(实施编码=code)]), district)
    report = run(write_xlsx(tmp_path / "b.xlsx", [row(实施编码=code, 事项名称="食品经营许可（新办，含仅销售预包装食品）")]),
                 district)
    assert (report.created, report.updated) == (0, 1)
    (item,) = ServiceItem.objects.all()
    assert item.name == "食品经营许可（新办，含仅销售预包装食品）" and item.published_version.number == 2


def test_sub_item_gets_its_main_item_in_the_base_catalogue(tmp_path, district, market):
    run(write_xlsx(tmp_path / "a.xlsx", [row(基本编码="000105001001", 主项名称="食品经营许可")]), district)
    base = BaseItem.objects.get(code="000105001001")
    assert base.parent.code == "000105001000" and base.parent.name == "食品经营许可"


def test_header_variants_are_understood(tmp_path, district, market):
    header = [" 实施主体* ", "事项名称", "事项类型名称", "法定时限（工作日）", "承诺时限(工作日)", "到办事现场次数", "备注"]
    values = row(**{" 实施主体* ": DEPT, "事项类型名称": "公共服务", "法定时限（工作日）": 10, "承诺时限(工作日)": 5,
                    "到办事现场次数": 0, "备注": "无"})
    report = run(write_xlsx(tmp_path / "variants.xlsx", [values], header=header), district)
    assert report.created == 1, report.errors
    assert report.ignored_columns == ["备注"]
    item = ServiceItem.objects.get()
    assert (item.item_type, item.statutory_days, item.promised_days, item.visits) == ("20", 10, 5, 0)


def test_missing_required_column_refuses_the_file(tmp_path, district):
    report = run(write_xlsx(tmp_path / "bad.xlsx", [row()], header=["部门简称", "事项名称"]), district)
    assert "缺少必需的列：实施主体" in report.fatal
    assert ServiceItem.objects.count() == 0


def test_old_xls_and_other_files_are_refused(tmp_path, district):
    report = imports.import_items(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, "old.xls", district)
    assert ".xls" in report.fatal
    assert "只能导入" in imports.import_items(b"hello", "notes.docx", district).fatal


def test_a_row_the_database_refuses_is_rolled_back_alone(tmp_path, district, market, monkeypatch):
    real_insert_values = BulkInserter.insert_values

    def insert_values(self, value_lists):
        if self.model is Material and any("会出错的材料" in values for values in value_lists):
            from django.db import IntegrityError

            raise IntegrityError("simulated")
        return real_insert_values(self, value_lists)

    monkeypatch.setattr(BulkInserter, "insert_values", insert_values)
    path = write_xlsx(tmp_path / "a.xlsx", [
        row(事项名称="第一", 基本编码=""), row(事项名称="第二", 基本编码="", 申请材料="会出错的材料", 实施主体="新部门甲"),
        row(事项名称="第三", 基本编码=""),
    ])
    report = run(path, district, create_departments=True)
    assert (report.created, report.failed) == (2, 1)
    assert errors_of(report)[0][0] == 3 and "写入数据库失败" in errors_of(report)[0][2]
    assert sorted(ServiceItem.objects.values_list("name", flat=True)) == ["第一", "第三"]
    assert not Department.objects.filter(name="新部门甲").exists()
    assert ItemVersion.objects.count() == 2


def test_department_scoped_item_admin_imports_only_their_department(tmp_path, district, market, make_department,
                                                                     make_staff):
    other = make_department(name="郑州市金水区民政局")
    admin = make_staff(Role.ITEM_ADMIN, department=market)
    path = write_xlsx(tmp_path / "a.xlsx", [row(), row(实施主体=other.name, 事项名称="低保", 基本编码=""),
                                             row(实施主体="全新部门", 事项名称="某事", 基本编码="")])
    report = run(path, district, actor=admin, allowed_departments=imports.department_scope(admin, district))
    assert report.created == 1 and report.failed == 2
    assert "不在您的管理范围内" in errors_of(report)[0][2]


def test_a_running_import_of_the_region_blocks_a_second_one(tmp_path, district, market):
    data = write_xlsx(tmp_path / "a.xlsx", [row()]).read_bytes()
    running, _ = imports.submit_job(region=district, data=data, file_name="a.xlsx")
    ImportJob.objects.filter(pk=running.pk).update(status="running")
    second, _ = imports.submit_job(region=district, data=data, file_name="a.xlsx")
    with pytest.raises(imports.ImportBusy):
        imports.run_job(second, data, wait_seconds=0)
    ImportJob.objects.filter(pk=running.pk).update(status="done")
    assert imports.run_job(second, data).created == 1
    assert imports.run_job(second, data).created == 1  # a job runs once: the stored report comes back
    assert ServiceItem.objects.count() == 1


def test_command_prints_the_report(tmp_path, district, market):
    path = write_xlsx(tmp_path / "cmd.xlsx", [row(), row(事项名称="坏", 基本编码="", 承诺时限=30)])
    out, err = io.StringIO(), io.StringIO()
    call_command("import_items", str(path), "--region", "410105", stdout=out, stderr=err)
    text = out.getvalue()
    assert "新增 1" in text and "失败 1" in text and "第3行 【承诺时限】" in text
    assert "有 1 行未导入" in err.getvalue()
    job = ImportJob.objects.get()
    assert (job.status, job.source, job.result["created"]) == ("done", "cli", 1)
    with pytest.raises(CommandError, match="有 1 行未导入"):
        call_command("import_items", str(path), "--region", "410105", "--fail-on-errors", stdout=io.StringIO(),
                     stderr=io.StringIO())
    with pytest.raises(CommandError, match="区划 410199000000 不存在"):
        call_command("import_items", str(path), "--region", "410199000000")


def test_command_creates_departments_only_with_the_option(tmp_path, district, market):
    path = write_xlsx(tmp_path / "cmd.xlsx", [row(实施主体="郑州市金水区人民防空办公室", 事项名称="人防审批", 基本编码="")])
    out, err = io.StringIO(), io.StringIO()
    call_command("import_items", str(path), "--region", "410105", stdout=out, stderr=err)
    assert "第2行 【实施主体】 机构库中没有“郑州市金水区人民防空办公室”" in out.getvalue()
    assert not Department.objects.filter(name="郑州市金水区人民防空办公室").exists()
    out = io.StringIO()
    call_command("import_items", str(path), "--region", "410105", "--create-departments", stdout=out,
                 stderr=io.StringIO())
    assert "新建部门 1 个：郑州市金水区人民防空办公室" in out.getvalue()
    assert Department.objects.filter(name="郑州市金水区人民防空办公室", region=district).exists()
    assert list(ImportJob.objects.order_by("pk").values_list("create_departments", flat=True)) == [False, True]


@pytest.mark.parametrize("value,expected", [
    ("行政许可", "01"), ("01", "01"), (1, "01"), ("20", "20"), ("公共服务", "20"), ("其他行政权力", "10"),
    ("01行政许可", "01"),
])
def test_item_type_spellings(value, expected):
    assert importer.item_type_value(value) == expected


@pytest.mark.parametrize("value,expected", [
    ("自然人", "person"), ("个人", "person"), ("法人", "legal"), ("企业", "legal"), ("法人或其他组织", "legal"),
    ("自然人、法人", "both"), ("自然人,法人", "both"), ("自然人；法人或其他组织", "both"),
])
def test_service_object_spellings(value, expected):
    assert importer.service_object_value(value) == expected


def test_list_cells_split_on_lines_or_semicolons():
    assert importer.list_value("1.申请书；2、营业执照;（3）身份证") == ["申请书", "营业执照", "身份证"]
    assert importer.list_value("①申请书\n②身份证明（身份证；户口簿）") == ["申请书", "身份证明（身份证；户口簿）"]
    assert importer.list_value("2寸照片；2.5寸照片") == ["2寸照片", "2.5寸照片"]
    fees = [{"name": "工本费", "standard": "20元/证", "basis": "豫价费〔2017〕1号（修订）"}, {"name": "邮寄费", "standard": "", "basis": ""}]
    assert importer.fees_value(importer.format_fees(fees)) == fees
    assert importer.fees_value("不收费") == [] and importer.format_fees([]) == "不收费"


def test_header_is_the_documented_layout():
    assert [c.title for c in importer.COLUMNS][:len(HEADER)] == HEADER


@pytest.mark.parametrize("value,expected", [
    ("窗口办理、网上办理", ["window", "online"]), ("网上办理；窗口办理", ["online", "window"]),
    ("快递申请;自助终端", ["express", "self_service"]), ("网办，窗口", ["online", "window"]),
    ("窗口办理\n邮寄", ["window", "express"]), ("window、online", ["window", "online"]),
    ("窗口办理、窗口办理", ["window"]),
])
def test_channel_spellings(value, expected):
    assert importer.channels_value(value) == expected


def test_publication_columns_are_imported_and_an_unknown_channel_names_the_cell(tmp_path, district, market):
    header = [*HEADER, "办理形式", "办理地点", "办理时间", "咨询电话", "监督投诉电话"]
    good = row(办理形式="窗口办理、快递申请", 办理地点="金水区政务服务中心B区", 办理时间="工作日 9:00-17:00",
               咨询电话="0371-65500004", 监督投诉电话="12345")
    bad = row(事项名称="食品经营许可（变更）", 基本编码="000105001001", 办理形式="窗口办理、上门办理")
    report = run(write_xlsx(tmp_path / "a.xlsx", [good, bad], header=header), district)
    assert (report.created, report.failed) == (1, 1)
    assert errors_of(report) == [(3, "办理形式", "办理形式“上门办理”不存在：应为窗口办理、网上办理、自助终端、快递申请中的一种或几种，"
                                                 "多种用“、”或“；”分隔")]
    assert report.errors[0]["value"] == "窗口办理、上门办理"
    v = ServiceItem.objects.get().published_version
    assert (v.channels, v.locations, v.office_hours, v.consult_phone, v.complaint_phone) == (
        ["window", "express"], "金水区政务服务中心B区", "工作日 9:00-17:00", "0371-65500004", "12345")


def test_a_blank_publication_cell_keeps_the_current_value(tmp_path, district, market, make_item):
    """咨询电话, 办理地点, 办理形式 are required for publication: a blank cell keeps them."""
    item = make_item(name="食品经营许可（延续）", dept=market)
    header = [*HEADER, "办理形式", "办理地点", "咨询电话", "监督投诉电话", "办理时间"]
    report = run(write_xlsx(tmp_path / "a.xlsx", [row(事项名称="食品经营许可（延续）", 基本编码="", 承诺时限=4)],
                            header=header), district)
    assert report.updated == 1, report.errors
    item.refresh_from_db()
    v = item.published_version
    assert (v.channels, v.locations, v.consult_phone) == (["window", "online"], "金水区政务服务中心B区", "0371-65500004")
    assert (v.complaint_phone, v.office_hours) == ("", "")  # optional ones are cleared like other text


def test_dropping_online_handling_from_a_full_online_item_is_refused_at_import(tmp_path, district, market, make_item):
    """网上办理深度四级 (not a column) needs 网上办理 among the 办理形式: the row says so at import,
    not the publication check later."""
    item = make_item(name="食品经营许可（延续）", dept=market)  # 窗口办理、网上办理, depth 4
    assert item.published_version.online_depth == 4
    report = run(write_xlsx(tmp_path / "a.xlsx", [row(事项名称="食品经营许可（延续）", 基本编码="", 办理形式="窗口办理")],
                            header=[*HEADER, "办理形式"]), district)
    assert errors_of(report) == [(2, "办理形式", "网上办理深度为四级（全程网办）时，办理形式须包含“网上办理”")]
    assert item.versions.count() == 1


def test_no_materials_cell_and_a_blank_cell(tmp_path, district, market, make_item):
    """申请材料 “无” / “无需提交申请材料”: no material, 无需提交申请材料 ticked — never a material named 无.
    A blank cell (an export made before this was written) leaves 无需提交申请材料 as it is."""
    item = make_item(name="零材料事项", dept=market, materials=[], no_materials=True)
    report = run(write_xlsx(tmp_path / "a.xlsx", [row(申请材料="无"), row(事项名称="零材料事项", 基本编码="", 申请材料="")]),
                 district)
    assert (report.created, report.updated, report.failed) == (1, 1, 0), report.errors
    new = ServiceItem.objects.get(name="食品经营许可（新办）").published_version
    assert new.no_materials is True and not new.materials.exists()
    item.refresh_from_db()
    assert item.published_version.number == 2 and item.published_version.no_materials is True
