"""办理进度 of a citizen's own 12345 诉求 (/hotline/mine/<id>/): each step the citizen may see
carries its text when the text is meant for the citizen (“诉求人上传照片2张”, the rating given);
the staff's working notes (派单意见, 退单理由, 督办意见 …) stay on the staff timeline."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.hotline import services
from zhengwu.hotline.models import Ticket

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def _progress(body: str) -> str:
    start = body.index('id="progress"')
    return body[start:body.index("</ol>", start)]


def test_the_photo_note_is_shown_and_staff_notes_are_not(client, citizen, centre, handler, taxonomy, street,
                                                        district, market):
    client.force_login(citizen)
    client.post("/hotline/", {
        "ticket_type": "complaint", "content": "经八路一家饭店后厨卫生脏乱差，吃完后腹泻", "district": district.code,
        "region": street.code, "address": "经八路88号", "idempotency_key": "k1",
        "photos": [SimpleUploadedFile("a.png", PNG, content_type="image/png"),
                   SimpleUploadedFile("b.png", PNG + b"2", content_type="image/png")]})
    t = Ticket.objects.get()
    t = services.dispatch(centre, t, t.lock_version, market.pk, category=taxonomy["市场监管/食品安全/餐饮卫生"].pk,
                          opinion="内部：请核查该店是否有证，注意诉求人情绪")
    progress = _progress(client.get(f"/hotline/mine/{t.pk}/").content.decode())
    assert "备注" in progress and "诉求人上传照片2张" in progress
    assert "派单" in progress and "内部：请核查" not in progress
    t = services.claim(handler, t, t.lock_version)
    t = services.reply(handler, t, t.lock_version, "经现场核查，已责令该饭店停业整改。")
    client.post(f"/hotline/mine/{t.pk}/rate/", {"satisfaction": "3"})
    progress = _progress(client.get(f"/hotline/mine/{t.pk}/").content.decode())
    assert "诉求人评价" in progress and "基本满意" in progress
    client.force_login(centre)  # the staff timeline keeps every text
    assert "内部：请核查" in client.get(f"/workbench/hotline/tickets/{t.pk}/").content.decode()


def test_a_step_without_citizen_text_shows_no_empty_line(client, citizen, centre, taxonomy, street, district):
    client.force_login(citizen)
    client.post("/hotline/", {"ticket_type": "complaint", "content": "经八路一家饭店后厨卫生脏乱差，吃完后腹泻",
                              "district": district.code, "region": street.code, "idempotency_key": "k2"})
    t = Ticket.objects.get()
    progress = _progress(client.get(f"/hotline/mine/{t.pk}/").content.decode())
    assert "event-text" not in progress
