"""The catalogue's licence names become references to licence types (ADR 0035): the data
migration, callers that still pass a name, the item editor's picker, the Excel round trip."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps
from django.test import Client
from django.urls import reverse

from tests.catalog.import_fixtures import DEPT, row, write_xlsx
from tests.licenses import use_factories as uf
from zhengwu.catalog.models import ItemVersion, Material, ServiceItem
from zhengwu.catalog.services import exports, imports
from zhengwu.licenses.models import LicenceType

pytestmark = pytest.mark.django_db
PLACEHOLDER = "0" * 18


def _text_only(version, name, text, **kw):
    """A material as the catalogue held it before: the licence named in text only."""
    m = Material.objects.create(version=version, seq=version.materials.count() + 1, name=name, **kw)
    Material.objects.filter(pk=m.pk).update(license_type=text, licence_type=None)
    return m


def test_the_data_migration_links_the_text_to_types_and_registers_unknown_ones(publish_item, make_department):
    market = make_department(name="市场监管局")
    police = make_department(name="公安分局")
    existing = uf.licence_type("营业执照", "legal")
    item = publish_item(market, "食品经营许可", service_object="legal",
                        results=[{"name": "批复", "type": "批文"}, {"name": "食品经营许可证", "type": "证照"}])
    v = item.published_version
    licence = _text_only(v, "营业执照", "营业执照")
    idcard = _text_only(v, "法定代表人身份证", "居民身份证", source_department="公安分局")
    other = _text_only(v, "场地证明", "不动产权证书")
    plain = Material.objects.create(version=v, seq=9, name="申请书")
    migration = importlib.import_module("zhengwu.catalog.migrations.0007_licence_type_refs")
    migration.link_text(global_apps, None)
    for m in (licence, idcard, other, plain):
        m.refresh_from_db()
    assert licence.licence_type == existing and licence.license_type == "营业执照"
    assert idcard.licence_type.name == "居民身份证" and idcard.licence_type.holder_kind == "person"
    # The issuing department's USCC defines the code when the catalogue names it.
    assert idcard.licence_type.code == f"{police.uscc}001" and police in idcard.licence_type.departments.all()
    assert other.licence_type.holder_kind == "legal"  # from the item's 服务对象
    assert other.licence_type.code.startswith(PLACEHOLDER) and len(other.licence_type.code) == 21
    assert plain.licence_type is None and plain.license_type == ""
    v.refresh_from_db()
    assert v.result_licence_type.name == "食品经营许可证" and v.result_licence_type.holder_kind == "legal"
    # Running it again changes nothing.
    count = LicenceType.objects.count()
    migration.link_text(global_apps, None)
    assert LicenceType.objects.count() == count


def test_a_caller_passing_a_name_gets_the_type_linked(make_department, make_staff):
    from zhengwu.catalog.services import items

    market = make_department(name="市场监管局")
    admin = make_staff("item_admin")
    item = items.create_item(admin, department=market, data={
        "name": "户外广告设置", "item_type": "01", "service_object": "legal", "case_type": "committed",
        "promised_days": 5, "statutory_days": 20}, materials=[
        {"name": "营业执照", "source": "government", "license_type": "营业执照"}, {"name": "申请书"}])
    mats = {m.name: m for m in item.versions.get().materials.all()}
    assert mats["营业执照"].licence_type.name == "营业执照" and mats["营业执照"].licence_type.holder_kind == "legal"
    assert mats["申请书"].licence_type is None


def test_the_guide_editor_picks_the_result_licence_type(make_department, make_staff, publish_item):
    from zhengwu.catalog.services import items

    market = make_department(name="市场监管局")
    admin = make_staff("item_admin")
    lt = uf.licence_type("食品经营许可证", "legal")
    item = items.create_item(admin, department=market, data={
        "name": "食品经营许可", "item_type": "01", "service_object": "legal", "case_type": "committed",
        "promised_days": 5, "statutory_days": 20})
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("catalog:wb_item_edit", args=[item.pk])).content.decode()
    assert 'name="result_licence_type"' in page and "食品经营许可证" in page and "data-zw-filter" in page
    items.edit_draft(admin, item, lock_version=ServiceItem.objects.get(pk=item.pk).lock_version,
                     data={"result_licence_type": lt})
    assert ItemVersion.objects.get(service_item=item).result_licence_type == lt


def test_excel_round_trip_keeps_the_licence_type(tmp_path, district, make_department, settings):
    settings.ZHENGWU_CATALOG_FOUR_EYES = False  # the direct-publish import (ADR 0060)
    make_department(name=DEPT)
    report = imports.import_items(write_xlsx(tmp_path / "a.xlsx", [row()]).read_bytes(), "a.xlsx", district)
    assert report.created == 1, report.errors
    item = ServiceItem.objects.get()
    lt = uf.licence_type("营业执照", "legal")
    Material.objects.filter(version=item.published_version, name="营业执照").update(licence_type=lt,
                                                                                  license_type=lt.name)
    out = tmp_path / "export.xlsx"
    exports.export_items(district, out)
    again = imports.import_items(out.read_bytes(), "export.xlsx", district)
    assert (again.unchanged, again.updated) == (1, 0), again.errors
    # A changed row makes a new version: the material keeps its licence type.
    import openpyxl

    wb = openpyxl.load_workbook(out)
    ws = wb.active
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("承诺时限") + 1, value=3)
    wb.save(out)
    changed = imports.import_items(out.read_bytes(), "export.xlsx", district)
    assert changed.updated == 1, changed.errors
    item.refresh_from_db()
    assert item.published_version.number == 2
    mat = item.published_version.materials.get(name="营业执照")
    assert (mat.licence_type, mat.license_type) == (lt, "营业执照")


def test_renaming_a_type_renames_the_name_kept_with_materials(publish_item, make_department):
    lt = uf.licence_type("工商营业执照", "legal")
    item = publish_item(make_department(), "变更登记")
    m = Material.objects.create(version=item.published_version, name="营业执照", licence_type=lt)
    assert m.license_type == "工商营业执照"
    lt.name = "营业执照"
    lt.save()
    m.refresh_from_db()
    assert m.license_type == "营业执照"
