"""The hall part's JSON API (contract) and pages: slots, book (Idempotency-Key), cancel, rebook, mine;
JSON errors in Chinese; hall management pages; the demo; the guide's link to 预约."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from tests.helpers import ApiClient
from zhengwu.core.calendar import add_workdays
from zhengwu.org.models import Hall, Window
from zhengwu.queueing.models import (
    Appointment,
    BusinessType,
    HallRules,
    OpeningPeriod,
    Slot,
    WindowSetup,
)

T = dt.time
B = "/api/v1/queueing/"


@pytest.fixture
def setup(district, make_citizen):
    hall = Hall.objects.create(region=district, name="测试大厅", address="测试路1号")
    HallRules.objects.create(hall=hall)
    bt = BusinessType.objects.create(hall=hall, prefix="A", name="综合受理", service_minutes=10)
    w = Window.objects.create(hall=hall, number="01", name="窗口01")
    WindowSetup.objects.create(window=w).business_types.add(bt)
    day = add_workdays(timezone.localdate(), 2)
    s1 = Slot.objects.create(hall=hall, business_type=bt, date=day, start=T(9), end=T(9, 30), capacity=1)
    s2 = Slot.objects.create(hall=hall, business_type=bt, date=day, start=T(10), end=T(10, 30), capacity=2)
    return hall, bt, s1, s2, make_citizen()


def test_slots_book_twice_full_cancel_rebook(setup, make_citizen):
    hall, bt, s1, s2, alice = setup
    r = ApiClient().get(f"{B}halls/{hall.pk}/slots", business_type_id=bt.pk, date=s1.date.isoformat())
    assert r.status_code == 200
    assert [(x["start"], x["free"], x["bookable"]) for x in r.json()["slots"]] == [("09:00", 1, True), ("10:00", 2, True)]
    api = ApiClient(alice)
    first = api.post(f"{B}appointments", {"slot_id": s1.pk}, headers={"Idempotency-Key": "abc"})
    assert first.status_code == 201, first.content
    code = first.json()["code"]
    again = api.post(f"{B}appointments", {"slot_id": s1.pk}, headers={"Idempotency-Key": "abc"})
    assert again.status_code == 201 and again.json()["code"] == code
    twice = api.post(f"{B}appointments", {"slot_id": s1.pk})
    assert twice.status_code == 400 and "请勿重复预约" in twice.json()["detail"]
    full = ApiClient(make_citizen(name="李四")).post(f"{B}appointments", {"slot_id": s1.pk})
    assert full.status_code == 400 and full.json()["errors"]["slot_id"] == ["该时段已约满，请选择其他时段"]
    moved = api.post(f"{B}appointments/{code}/rebook", {"slot_id": s2.pk})
    assert moved.status_code == 201 and moved.json()["rebooked_from"] == code and moved.json()["start"] == "10:00"
    mine = api.get(f"{B}appointments").json()
    assert {m["status"] for m in mine} == {"booked", "cancelled"}
    gone = api.post(f"{B}appointments/{moved.json()['code']}/cancel")
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    assert ApiClient(make_citizen(name="王五")).post(f"{B}appointments/{code}/cancel").status_code == 404
    assert ApiClient().post(f"{B}appointments", {"slot_id": s2.pk}).status_code in (401, 403)


def test_closed_day_and_bad_input(setup):
    hall, bt, s1, _s2, alice = setup
    r = ApiClient().get(f"{B}halls/{hall.pk}/slots", business_type_id=bt.pk, date="2026-10-01")
    assert r.status_code == 200 and r.json()["closed"] and "法定节假日" in r.json()["message"]
    assert ApiClient().get(f"{B}halls/{hall.pk}/slots", business_type_id=999999).status_code == 404
    bad = ApiClient(alice).post(f"{B}appointments", {"slot_id": 999999})
    assert bad.status_code == 400 and "时段不存在" in bad.json()["detail"]


def test_booking_pages(setup, client):
    hall, bt, s1, _s2, alice = setup
    client.force_login(alice)
    page = client.get(f"/yuyue/types/{bt.pk}/?date={s1.date:%Y-%m-%d}")
    assert page.status_code == 200 and "余号" in page.content.decode()
    assert 'id="block-reason"' not in page.content.decode()  # only a blocked person is told
    r = client.post(f"/yuyue/slots/{s1.pk}/book/", {"idempotency_key": "t1"})
    appt = Appointment.objects.get(user=alice)
    assert r.status_code == 302 and r["Location"].endswith(f"/yuyue/mine/{appt.code}/")
    done = client.get(r["Location"]).content.decode()
    assert appt.code in done and "<svg" in done
    assert appt.code in client.get("/yuyue/mine/").content.decode()
    r = client.post(f"/yuyue/slots/{s1.pk}/book/", {"idempotency_key": "t2"}, follow=True)
    assert "请勿重复预约" in r.content.decode()


def test_hall_management_pages(setup, make_staff, client):
    hall, bt, *_ = setup
    client.force_login(make_staff("supervisor"))
    assert client.get("/workbench/halls/").status_code == 200
    assert hall.name in client.get(f"/workbench/halls/{hall.pk}/").content.decode()
    bad = client.post(f"/workbench/halls/{hall.pk}/period/new/", {"weekday": 0, "start": "12:00", "end": "09:00"})
    assert bad.status_code == 400 and "结束时间须晚于开始时间" in bad.content.decode()
    OpeningPeriod.objects.create(hall=hall, weekday=0, start=T(9), end=T(12))
    clash = client.post(f"/workbench/halls/{hall.pk}/period/new/", {"weekday": 0, "start": "11:00", "end": "13:00"})
    assert "重叠" in clash.content.decode()
    prefix = client.post(f"/workbench/halls/{hall.pk}/btype/new/", {"prefix": "a1", "name": "x", "service_minutes": 10,
                                                                   "appointment_share": 50, "daily_limit": 0, "order": 0})
    assert "号码字头须为一至两个大写英文字母" in prefix.content.decode()
    ok = client.post(f"/workbench/halls/{hall.pk}/window/new/", {"number": "09", "name": "新窗口", "kind": "comprehensive",
                                                                "business_types": [bt.pk], "is_active": "on"})
    assert ok.status_code == 302
    w = Window.objects.get(hall=hall, number="09")
    assert list(w.setup.business_types.all()) == [bt]
    assert client.get(f"/workbench/halls/{hall.pk}/roster/").status_code == 200
    client.force_login(make_staff("approver"))
    assert client.get("/workbench/halls/").status_code == 403


def test_demo_and_guide_link(demo_org_loaded):
    from zhengwu.queueing import demo

    out = io.StringIO()
    demo.load(out)
    demo.load(out)  # idempotent
    hall = Hall.objects.get(name="金水区政务服务中心")
    assert set(BusinessType.objects.filter(hall=hall).values_list("prefix", flat=True)) >= {"A", "B", "C", "D"}
    assert Window.objects.filter(hall=hall, setup__isnull=True).count() == 0
    assert Slot.objects.filter(hall=hall).exists() or "新增预约时段" in out.getvalue()


@pytest.fixture
def demo_org_loaded(db):
    from zhengwu.org.demo import load

    load(io.StringIO())


def test_guide_links_to_booking(setup, dept, publish_item, client):
    hall, bt, *_ = setup
    item = publish_item(dept, "食品经营许可证核发", supports_appointment=True)
    assert 'id="guide-book"' not in client.get(f"/items/{item.pk}/").content.decode()
    bt.items.add(item)
    from django.core.cache import cache

    cache.clear()
    page = client.get(f"/items/{item.pk}/").content.decode()
    assert f'href="/yuyue/?item={item.pk}" id="guide-book"' in page
    from zhengwu.queueing.services.booking import booking_url_for_item

    assert booking_url_for_item(item.pk) == f"/yuyue/?item={item.pk}"
    r = client.get(f"/yuyue/?item={item.pk}")
    assert r.status_code == 302 and r["Location"] == f"/yuyue/types/{bt.pk}/?item={item.pk}"


def _guide_place(client, item) -> str:
    """The guide's 预约与送达 line, rendered afresh (the guide body is cached)."""
    import re

    from django.core.cache import cache

    cache.clear()
    page = client.get(f"/items/{item.pk}/").content.decode()
    return re.search(r"<dt[^>]*>预约与送达</dt><dd[^>]*>(.*?)</dd>", page).group(1)


def test_guide_claims_booking_only_when_a_hall_takes_it(setup, dept, publish_item, client):
    """支持预约 is set on (nearly) every item, but only the items some hall's bookable business type
    serves can be booked on /yuyue/ (户政 cannot): the guide claims 支持预约办理 only for those,
    always with the link to book it."""
    hall, bt, *_ = setup
    item = publish_item(dept, "户口迁移（户政）", supports_appointment=True)
    line = _guide_place(client, item)
    assert "支持预约办理" not in line and "暂未开通网上预约" in line and "guide-book" not in line
    huzheng = BusinessType.objects.create(hall=hall, prefix="E", name="户政业务", bookable=False)
    huzheng.items.add(item)  # served by the hall, but not bookable
    assert "支持预约办理" not in _guide_place(client, item)
    bt.items.add(item)
    bt.is_active = False
    bt.save()
    assert "支持预约办理" not in _guide_place(client, item)  # a type switched off
    bt.is_active = True
    bt.save()
    line = _guide_place(client, item)
    assert line.startswith("支持预约办理") and f'href="/yuyue/?item={item.pk}" id="guide-book"' in line
    no_booking = publish_item(dept, "无需预约的事项", supports_appointment=False)
    bt.items.add(no_booking)
    assert _guide_place(client, no_booking).startswith("无需预约")


def test_every_hall_form_renders_and_saves(setup, make_staff, client):
    from zhengwu.queueing.models import Duty, ExtraSession, Zone

    hall, bt, *_ = setup
    client.force_login(make_staff("sysadmin"))
    for kind in ("zone", "btype", "window", "duty", "period", "extra"):
        assert client.get(f"/workbench/halls/{hall.pk}/{kind}/new/").status_code == 200, kind
    assert client.get(f"/workbench/halls/{hall.pk}/nothing/new/").status_code == 404
    assert client.post(f"/workbench/halls/{hall.pk}/zone/new/", {"name": "综合受理区", "order": 0}).status_code == 302
    dup = client.post(f"/workbench/halls/{hall.pk}/zone/new/", {"name": "综合受理区", "order": 0})
    assert "该大厅已有同名功能区" in dup.content.decode()
    neither = client.post(f"/workbench/halls/{hall.pk}/extra/new/", {"kind": "weekend", "start": "09:00", "end": "12:00"})
    assert "二者填其一" in neither.content.decode()
    ok = client.post(f"/workbench/halls/{hall.pk}/extra/new/", {"kind": "weekend", "weekday": "5", "start": "09:00",
                                                               "end": "12:00", "business_types": [bt.pk]})
    assert ok.status_code == 302 and ExtraSession.objects.get(hall=hall).weekday == 5
    clerk = make_staff("window")
    w = Window.objects.get(hall=hall, number="01")
    day = timezone.localdate().isoformat()
    assert client.post(f"/workbench/halls/{hall.pk}/duty/new/", {"window": w.pk, "user": clerk.pk, "date": day,
                                                                "period": "am"}).status_code == 302
    clash = client.post(f"/workbench/halls/{hall.pk}/duty/new/", {"window": w.pk, "user": clerk.pk, "date": day,
                                                                 "period": "day"})
    assert "已按上午/下午排班" in clash.content.decode()
    roster = client.get(f"/workbench/halls/{hall.pk}/roster/").content.decode()
    assert clerk.display_name in roster
    rules = client.get(f"/workbench/halls/{hall.pk}/rules/")
    assert rules.status_code == 200
    bad = client.post(f"/workbench/halls/{hall.pk}/rules/", {**{k: v for k, v in rules.context["form"].initial.items()
                                                                  if v is not None and v is not False},
                                                             "slot_minutes": 1, "lock_version": 1})
    assert "预约时段长度须在 5 至 240 分钟之间" in bad.content.decode()
    assert Zone.objects.filter(hall=hall).count() == 1 and Duty.objects.count() == 1
    r = client.post(f"/workbench/halls/{hall.pk}/slots/")
    assert r.status_code == 302


def test_block_reason_shown_rebook_by_page_and_staff_lift(setup, make_staff, client):
    from zhengwu.queueing.models import BookingBlock
    from zhengwu.queueing.services import booking
    from zhengwu.workbench.menu import entries_for

    hall, bt, s1, s2, alice = setup
    client.force_login(alice)
    a = booking.book(user=alice, slot=s1)
    page = client.get(f"/yuyue/types/{bt.pk}/?date={s2.date:%Y-%m-%d}&rebook={a.code}").content.decode()
    assert f"正在改约：原预约 {a.code}" in page
    r = client.post(f"/yuyue/mine/{a.code}/rebook/", {"slot_id": s2.pk})
    new = Appointment.objects.get(rebooked_from=a)
    assert r.status_code == 302 and new.slot == s2
    block = BookingBlock.objects.create(user=alice, hall=hall, until=s2.date, reason="30 天内爽约 3 次")
    page = client.get(f"/yuyue/types/{bt.pk}/").content.decode()
    assert "原因：30 天内爽约 3 次" in page
    r = client.post(f"/yuyue/slots/{s1.pk}/book/", follow=True)
    assert "您已被限制预约至" in r.content.decode()
    supervisor = make_staff("supervisor")
    assert "queueing:hall_list" in [e["entry"].url_name for e in entries_for(supervisor)]
    client.force_login(supervisor)
    assert "30 天内爽约 3 次" in client.get(f"/workbench/halls/{hall.pk}/").content.decode()
    assert client.post(f"/workbench/halls/{hall.pk}/blocks/{block.pk}/lift/").status_code == 302
    block.refresh_from_db()
    assert block.lifted_by == supervisor


def test_cancel_asks_for_confirmation_first(setup, make_citizen, client):
    """取消预约 on 我的预约 is a link to a confirmation page (the same pattern as 撤回申请, no
    script): opening it changes nothing; only its form's POST cancels."""
    from zhengwu.queueing.services import booking

    hall, bt, s1, s2, alice = setup
    a = booking.book(user=alice, slot=s1)
    client.force_login(alice)
    mine = client.get("/yuyue/mine/").content.decode()
    assert f'href="/yuyue/mine/{a.code}/cancel/"' in mine and f'action="/yuyue/mine/{a.code}/cancel/"' not in mine
    page = client.get(f"/yuyue/mine/{a.code}/cancel/")
    body = page.content.decode()
    assert page.status_code == 200 and 'id="cancel-confirm"' in body and a.code in body
    assert "确认取消" in body and 'id="cancel-back"' in body and "<script>" not in body and "style=" not in body
    a.refresh_from_db()
    assert a.status == "booked"
    r = client.post(f"/yuyue/mine/{a.code}/cancel/", follow=True)
    a.refresh_from_db()
    assert a.status == "cancelled" and f"已取消预约 {a.code}" in r.content.decode()
    # no longer cancellable: the page says why instead of asking again; someone else's: 404
    r = client.get(f"/yuyue/mine/{a.code}/cancel/", follow=True)
    assert "该预约已取消，不能取消" in r.content.decode() and 'id="cancel-confirm"' not in r.content.decode()
    client.force_login(make_citizen(name="李四"))
    assert client.get(f"/yuyue/mine/{a.code}/cancel/").status_code == 404
