"""12345 for citizens (issue 22 item 15): photos with the complaint (encrypted at rest, shown to
staff only through an audited view), the location (区县 → 街道 + address; a map only with a tile
source), and the citizen rating the reply once; the figures and calls API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.accounts import apikeys
from zhengwu.core.models import AuditEvent
from zhengwu.core.storage import MAGIC
from zhengwu.hotline import services
from zhengwu.hotline.models import Ticket, TicketPhoto

pytestmark = pytest.mark.django_db
W = "/workbench/hotline"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
REPLY = "经现场核查，已责令该饭店停业整改，并督促赔偿诉求人医药费。"


def _post(client, street, district, **extra):
    data = {"ticket_type": "complaint", "content": "经八路一家饭店后厨卫生脏乱差，吃完后腹泻",
            "district": district.code, "region": street.code, "address": "经八路88号", "idempotency_key": "k1"}
    data.update(extra)
    return client.post("/hotline/", data)


def test_photo_stored_encrypted_and_read_only_through_the_audited_staff_view(client, citizen, centre, handler,
                                                                            taxonomy, street, district, market):
    client.force_login(citizen)
    r = _post(client, street, district, photos=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")])
    t = Ticket.objects.get()
    assert r.status_code == 302 and t.region_code == street.code and t.address == "经八路88号"
    photo = TicketPhoto.objects.get(ticket=t)
    with open(photo.file.path, "rb") as raw:
        assert raw.read(len(MAGIC)) == MAGIC  # encrypted at rest
    assert f"/hotline/{t.pk}/" not in photo.file.name or photo.sha256 in photo.file.name  # named by hash
    # A resent form (same key, same photo) adds nothing.
    _post(client, street, district, photos=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")])
    assert Ticket.objects.count() == 1 and TicketPhoto.objects.count() == 1
    url = f"{W}/tickets/{t.pk}/photos/{photo.pk}/"
    assert client.get(url).status_code in (302, 403)  # the citizen has no staff path
    client.force_login(centre)
    page = client.get(f"{W}/tickets/{t.pk}/").content.decode()
    assert f"photo-{photo.pk}" in page
    r = client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    assert r["Content-Security-Policy"] == "sandbox" and "no-store" in r["Cache-Control"]
    assert AuditEvent.objects.filter(action="hotline.photo.read", object_id=str(t.pk)).count() == 1
    client.force_login(handler)  # not dispatched yet: the department does not see the ticket
    assert client.get(url).status_code == 404


def test_bad_photo_or_place_writes_nothing(client, citizen, taxonomy, street, district, make_department):
    client.force_login(citizen)
    r = _post(client, street, district, photos=[SimpleUploadedFile("a.png", b"MZ\x90\x00 not an image")])
    assert "只接受 JPG 或 PNG" in r.content.decode()
    r = _post(client, street, district, photos=[SimpleUploadedFile(f"{i}.png", PNG) for i in range(4)])
    assert "照片最多3张" in r.content.decode()
    r = _post(client, street, district, region="999999999999")
    assert "所选街道不存在" in r.content.decode()
    assert not Ticket.objects.exists() and not TicketPhoto.objects.exists()


def test_map_only_with_a_tile_source(client, citizen, taxonomy, street, district, settings):
    client.force_login(citizen)
    page = client.get("/hotline/").content.decode()
    assert 'id="c-district"' in page and 'data-parent="410105000000"' in page
    assert 'id="c-map"' not in page
    settings.ZHENGWU_HOTLINE_MAP_TILES = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    r = client.get("/hotline/")
    assert 'id="c-map"' in r.content.decode()
    assert "https://tiles.example.gov.cn" in r["Content-Security-Policy"]
    _post(client, street, district, latitude="34.77", longitude="113.68")
    t = Ticket.objects.get()
    assert (t.latitude, t.longitude) == (34.77, 113.68)


def test_citizen_rates_once_after_the_reply(client, citizen, centre, handler, taxonomy, street, district, market):
    client.force_login(citizen)
    _post(client, street, district)
    t = Ticket.objects.get()
    r = client.post(f"/hotline/mine/{t.pk}/rate/", {"satisfaction": "4"}, follow=True)
    assert "诉求答复后才能评价" in r.content.decode()
    t = services.dispatch(centre, t, t.lock_version, market.pk, category=taxonomy["市场监管/食品安全/餐饮卫生"].pk)
    t = services.claim(handler, t, t.lock_version)
    t = services.reply(handler, t, t.lock_version, REPLY)
    page = client.get(f"/hotline/mine/{t.pk}/").content.decode()
    assert REPLY in page and 'id="rate-form"' in page
    r = client.post(f"/hotline/mine/{t.pk}/rate/", {"satisfaction": "3"}, follow=True)
    assert "感谢您的评价" in r.content.decode() and "基本满意" in r.content.decode()
    t.refresh_from_db()
    assert (t.satisfaction, t.satisfaction_source) == (3, "citizen") and t.rated_at is not None
    r = client.post(f"/hotline/mine/{t.pk}/rate/", {"satisfaction": "2"}, follow=True)
    assert "只能评价一次" in r.content.decode()
    t.refresh_from_db()
    assert t.satisfaction == 3
    # The callback later keeps the citizen's own rating; the figures count it.
    t = services.callback(centre, t, t.lock_version, reached=True, resolved=True, satisfaction=5)
    assert t.satisfaction == 3 and t.satisfaction_source == "citizen" and t.callback_reached
    t = services.close(centre, t, t.lock_version)
    from django.utils import timezone

    from zhengwu.hotline import figures

    today = timezone.localdate()
    total = figures.report(centre, "department", today, today)["total"]
    assert total["satisfaction_rate"] == 100.0 and total["counts"]["rated"] == 1


def test_rating_input_is_checked(client, citizen, make_citizen, dispatched, taxonomy, street, district):
    client.force_login(citizen)
    _post(client, street, district)
    t = Ticket.objects.get()
    Ticket.objects.filter(pk=t.pk).update(state="replied", reply=REPLY)
    r = client.post(f"/hotline/mine/{t.pk}/rate/", {"satisfaction": "5"}, follow=True)
    assert "满意、基本满意、不满意 之一" in r.content.decode()
    client.force_login(make_citizen(name="李四", phone="13700000000"))
    assert client.post(f"/hotline/mine/{t.pk}/rate/", {"satisfaction": "4"}).status_code == 404
    assert Ticket.objects.get(pk=t.pk).satisfaction is None


def test_figures_api_and_calls_api(client, centre, supervisor, handler, dispatched):
    dispatched()
    client.force_login(supervisor)
    r = client.get("/api/v1/hotline/figures?by=type")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["dimension"] == "type" and body["rows"][0]["label"] == "投诉" and body["rows"][0]["dispatched"] == 1
    assert {d["key"] for d in body["definitions"]} >= {"callback_rate", "first_time_rate", "answer_rate",
                                                        "direct_close_rate"}
    r = client.get("/api/v1/hotline/figures?by=planet")
    assert r.status_code == 400 and "统计维度不正确" in str(r.json())
    key = apikeys.issue("话务系统", [services.CALLS_SCOPE]).secret
    client.logout()
    day = "2026-01-05"
    for answered in (90, 95):  # a resend replaces
        r = client.put("/api/v1/hotline/calls", {"day": day, "offered": 100, "answered": answered},
                       content_type="application/json", HTTP_X_API_KEY=key)
        assert r.status_code == 200, r.content
    assert r.json()["answer_rate"] == 95.0
    r = client.put("/api/v1/hotline/calls", {"day": day, "offered": 100, "answered": 101},
                   content_type="application/json", HTTP_X_API_KEY=key)
    assert r.status_code == 400 and "不能大于" in str(r.json())
    client.force_login(handler)  # a department may not report calls
    r = client.put("/api/v1/hotline/calls", {"day": day, "offered": 1, "answered": 1}, content_type="application/json")
    assert r.status_code == 403
