"""办事指南 downloads and print (issue 22 item 13): the guide API gives the URLs of a material's
空白表格 and 示例样表 that serve the files; the demo has real ones; the printed guide carries a QR
code back to the guide online and its own print stylesheet."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhengwu.catalog.services import items as svc

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _published_with_files(make_item, city_item_admin, city_reviewer):
    """An item whose first material has a blank form (PDF) and a sample (.xlsx), published."""
    from zhengwu.catalog.demo_files import blank_form_xlsx

    item = make_item()
    svc.start_new_draft(city_item_admin, item, lock_version=item.lock_version, change_note="补充空白表格")
    item.refresh_from_db()
    m = item.versions.order_by("-number").first().materials.order_by("seq").first()
    xlsx = blank_form_xlsx("示例", {"type": "object", "properties": {"a": {"type": "string", "title": "姓名"}}})
    for kind, upload in (("blank_form", SimpleUploadedFile("表.pdf", PDF)), ("sample", SimpleUploadedFile("例.xlsx", xlsx))):
        svc.attach_material_file(city_item_admin, item, lock_version=item.lock_version, material_id=m.pk, kind=kind,
                                 upload=upload)
        item.refresh_from_db()
    svc.submit_for_review(city_item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    svc.approve_and_publish(city_reviewer, item, lock_version=item.lock_version)
    item.refresh_from_db()
    return item, xlsx


def test_the_guide_api_gives_urls_that_serve_the_files(client, make_item, city_item_admin, city_reviewer):
    item, xlsx = _published_with_files(make_item, city_item_admin, city_reviewer)
    data = client.get(f"/api/v1/items/{item.pk}").json()
    first, *others = data["materials"]
    assert first["has_blank_form"] and first["has_sample"]
    assert first["blank_form_url"] and first["sample_url"]
    blank = client.get(first["blank_form_url"])
    assert blank.status_code == 200 and b"".join(blank.streaming_content) == PDF
    assert "attachment" in blank["Content-Disposition"]
    sample = client.get(first["sample_url"])
    assert sample.status_code == 200 and b"".join(sample.streaming_content) == xlsx
    assert others and all(m["blank_form_url"] is None and m["sample_url"] is None and not m["has_blank_form"]
                          for m in others)
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    fields = next(s for name, s in schema.items() if "blank_form_url" in s.get("properties", {}))["properties"]
    assert "下载地址" in fields["blank_form_url"]["description"] and "下载地址" in fields["sample_url"]["description"]


def test_the_demo_has_a_real_blank_form_and_sample(demo, client):
    from openpyxl import load_workbook

    from zhengwu.catalog.models import ServiceItem

    item = ServiceItem.objects.get(region__code="410105000000", name="出生登记")
    materials = client.get(f"/api/v1/items/{item.pk}").json()["materials"]
    form = next(m for m in materials if m["name"] == "出生登记申请表")
    blank = client.get(form["blank_form_url"])
    assert blank.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(blank.streaming_content))).active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value}
    assert {"出生登记申请表", "新生儿姓名", "出生医学证明编号", "落户方式"} <= cells
    assert any("随父落户" in c for c in cells)  # the choices, to tick by hand
    sample = b"".join(client.get(form["sample_url"]).streaming_content)
    assert sample.startswith(b"%PDF-") and len(sample) > 1000
    food = ServiceItem.objects.get(region__code="410105000000", name="食品经营许可证核发")
    assert any(m["blank_form_url"] and m["sample_url"] for m in client.get(f"/api/v1/items/{food.pk}").json()["materials"])


def test_the_printed_guide_has_a_qr_code_to_the_guide_and_its_print_stylesheet(client, make_item, settings):
    item = make_item(name="食品经营许可（打印）")
    url = reverse("catalog:item_guide", args=[item.pk])
    page = client.get(url).content.decode()
    assert re.search(r'<aside class="[^"]*d-print-flex[^"]*" id="guide-qr">\s*<svg', page)
    assert f"http://testserver{url}" in page  # the QR's link, printed under it
    assert "catalog/guide-print.css" in page
    settings.ZHENGWU_PUBLIC_URL = "https://zwfw.example.gov.cn"
    other = make_item(name="食品经营许可（公网地址）")
    link = "https://zwfw.example.gov.cn" + reverse("catalog:item_guide", args=[other.pk])
    assert link in client.get(reverse("catalog:item_guide", args=[other.pk])).content.decode()


def test_the_qr_code_encodes_the_link():
    from zhengwu.catalog import guide_qr

    one, two = guide_qr.svg("https://a.example/items/1/"), guide_qr.svg("https://a.example/items/2/")
    assert one.startswith("<svg") and "viewBox" in one and one != two
    assert guide_qr.svg("https://a.example/items/1/") is one  # remembered per link
