"""空白表格 and 示例样表 of a material: uploaded on a draft by the item manager (type sniffed, size
limited, audited), carried to the next draft, downloadable from the public guide once published."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhengwu.catalog.services import items as svc

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCX = b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml" + b"\x00" * 64


def _draft_with_material(make_item, city_item_admin):
    item = make_item()
    svc.start_new_draft(city_item_admin, item, lock_version=item.lock_version, change_note="补充空白表格")
    item.refresh_from_db()
    draft = item.versions.order_by("-number").first()
    return item, draft, draft.materials.order_by("seq").first()


def test_upload_sniffs_type_and_publishing_makes_it_downloadable(make_item, city_item_admin, city_reviewer, client):
    item, draft, m = _draft_with_material(make_item, city_item_admin)
    with pytest.raises(ValidationError, match="只接受 PDF、Word、Excel、OFD、JPG、PNG"):
        svc.attach_material_file(city_item_admin, item, lock_version=item.lock_version, material_id=m.pk,
                                 kind="blank_form", upload=SimpleUploadedFile("表.pdf", b"MZ\x90\x00 not a pdf"))
    svc.attach_material_file(city_item_admin, item, lock_version=item.lock_version, material_id=m.pk,
                             kind="blank_form", upload=SimpleUploadedFile("申请表.pdf", PDF))
    item.refresh_from_db()
    svc.attach_material_file(city_item_admin, item, lock_version=item.lock_version, material_id=m.pk,
                             kind="sample", upload=SimpleUploadedFile("示例.docx", DOCX))
    m.refresh_from_db()
    assert m.blank_form.name.endswith(".pdf") and m.sample.name.endswith(".docx")
    url = reverse("catalog:material_file", args=[m.pk, "blank_form"])
    assert client.get(url).status_code == 404  # a draft's file is not public yet
    item.refresh_from_db()
    svc.submit_for_review(city_item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    svc.approve_and_publish(city_reviewer, item, lock_version=item.lock_version)
    guide = client.get(reverse("catalog:item_guide", args=[item.pk])).content.decode()
    assert "下载空白表格" in guide and url in guide and "查看示例样表" in guide
    r = client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert "attachment" in r["Content-Disposition"]


def test_next_draft_keeps_the_files_and_a_stale_lock_is_refused(make_item, city_item_admin, city_reviewer):
    item, draft, m = _draft_with_material(make_item, city_item_admin)
    stale = item.lock_version
    svc.attach_material_file(city_item_admin, item, lock_version=stale, material_id=m.pk, kind="blank_form",
                             upload=SimpleUploadedFile("a.pdf", PDF))
    with pytest.raises(ValidationError):
        svc.attach_material_file(city_item_admin, item, lock_version=stale, material_id=m.pk, kind="sample",
                                 upload=SimpleUploadedFile("b.pdf", PDF))
    item.refresh_from_db()
    svc.submit_for_review(city_item_admin, item, lock_version=item.lock_version)
    item.refresh_from_db()
    svc.approve_and_publish(city_reviewer, item, lock_version=item.lock_version)
    item.refresh_from_db()
    nxt = svc.start_new_draft(city_item_admin, item, lock_version=item.lock_version)
    assert nxt.materials.order_by("seq").first().blank_form.name == m.__class__.objects.get(pk=m.pk).blank_form.name


def test_workbench_upload_and_remove(make_item, city_item_admin, client):
    from zhengwu.core.models import AuditEvent

    item, draft, m = _draft_with_material(make_item, city_item_admin)
    client.force_login(city_item_admin)
    page = client.get(reverse("catalog:wb_item_materials", args=[item.pk])).content.decode()
    assert 'id="material-files"' in page
    url = reverse("catalog:wb_item_material_file", args=[item.pk, m.pk])
    r = client.post(url, {"kind": "blank_form", "lock_version": item.lock_version,
                          "file": SimpleUploadedFile("表.pdf", PDF)}, follow=True)
    assert "空白表格已上传" in r.content.decode()
    m.refresh_from_db()
    assert m.blank_form
    item.refresh_from_db()
    r = client.post(url, {"kind": "blank_form", "lock_version": item.lock_version, "remove": "1"}, follow=True)
    assert "空白表格已删除" in r.content.decode()
    m.refresh_from_db()
    assert not m.blank_form
    assert AuditEvent.objects.filter(action="catalog.item.material_file").count() == 2
