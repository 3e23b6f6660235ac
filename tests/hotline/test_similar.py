"""Duplicate detection (并单建议): same caller, same place with similar text, unrelated tickets
left out, closed tickets ranked after open ones, scoped to the centre's region."""

import pytest

from zhengwu.hotline import queries, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(new_ticket, taxonomy, street):
    gym = new_ticket(content="花园路健身房突然关门，会员卡里还有三千多元无法退费，老板电话打不通",
                     address="花园路丰产路口", phone="13800000001", category=taxonomy["市场监管/消费维权/预付卡退费"].pk)
    trash = new_ticket(content="东风路阳光小区垃圾桶满了三天没人清运，气味难闻", address="东风路阳光小区",
                       phone="13800000002", category=taxonomy["城市管理/市容环境/垃圾清运"].pk, ticket_type="help")
    noise = new_ticket(content="南阳路工地夜间施工噪音扰民，凌晨一点还在打桩", address="南阳路工地",
                       phone="13800000003", category=taxonomy["环境保护/噪声污染/施工噪声"].pk)
    return gym, trash, noise


def test_similar_text_at_the_same_place(tickets, centre, street):
    gym, trash, noise = tickets
    found = queries.similar(centre, text="市民反映花园路一家健身房关门跑路了，办的会员卡没法退费",
                            phone="13999999999", region=street.code, address="花园路丰产路口")
    assert [f["number"] for f in found][:1] == [gym.number]
    assert "同一地点" in found[0]["reasons"] and found[0]["open"]
    assert trash.number not in [f["number"] for f in found]
    assert noise.number not in [f["number"] for f in found]


def test_same_caller(tickets, centre):
    gym, trash, noise = tickets
    found = queries.similar(centre, text="另外一件完全不同的事情", phone="138-0000-0002")
    assert [f["number"] for f in found] == [trash.number]
    assert found[0]["reasons"] == ["同一来电人"]


def test_exclude_self_and_category_probe(tickets, centre, taxonomy):
    gym, trash, noise = tickets
    found = queries.similar(centre, text=gym.content, category=gym.category_id, exclude=gym.pk)
    assert gym.number not in [f["number"] for f in found]
    found = queries.similar(centre, text=gym.content, category=gym.category_id)
    assert found[0]["number"] == gym.number and found[0]["score"] >= 0.6


def test_closed_tickets_rank_after_open(tickets, centre, handler, market):
    gym, trash, noise = tickets
    dup = services.register(centre, {"content": gym.content, "phone": "13800000009", "address": gym.address,
                                     "region": gym.region.code, "category": gym.category_id})
    dup = services.merge(centre, dup, dup.lock_version, gym)
    found = queries.similar(centre, text=gym.content, phone="13800000009", region=gym.region.code, address=gym.address)
    numbers = [f["number"] for f in found]
    assert numbers[0] == gym.number and dup.number in numbers  # the caller's merged ticket is still shown, after


def test_scoped_to_the_centres_region(tickets, make_staff, other_district):
    outsider = make_staff("hotline", region=other_district)
    gym = tickets[0]
    assert queries.similar(outsider, text=gym.content, phone="13800000001", category=gym.category_id) == []


def test_coordinates_make_the_same_place(new_ticket, centre, taxonomy, street):
    from zhengwu.hotline import rules

    assert 100 < rules.distance_m(34.78, 113.68, 34.781, 113.68) < 120
    a = new_ticket(content="路口井盖缺失，晚上很危险", address="", latitude=34.7805, longitude=113.6861,
                   phone="13800000011", category=taxonomy["城市管理/市容环境/占道经营"].pk)
    found = queries.similar(centre, text="这个路口的井盖不见了，很危险", lat=34.7809, lon=113.6863,
                            category=a.category_id)
    assert found and found[0]["number"] == a.number and "同一地点" in found[0]["reasons"]
    far = queries.similar(centre, text="这个路口的井盖不见了，很危险", lat=34.80, lon=113.70, category=a.category_id)
    assert not far or "同一地点" not in far[0]["reasons"]


def test_suggestions_name_the_lead_department(tickets, centre, market):
    """The candidates are read without their department; the suggestions shown are named after."""
    from zhengwu.hotline.models import Ticket

    gym, trash, noise = tickets
    Ticket.objects.filter(pk=gym.pk).update(lead_department=market)
    found = queries.similar(centre, text=gym.content, category=gym.category_id, phone="13800000002")
    by_number = {f["number"]: f for f in found}
    assert by_number[gym.number]["department"] == market.name
    assert by_number[trash.number]["department"] == ""  # not dispatched yet
