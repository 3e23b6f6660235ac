"""The pure rules of 免提交 (zhengwu.licenses.use_rules)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace as NS

from zhengwu.licenses import use_rules as r

TODAY = dt.date(2026, 6, 1)


def lic(pk=1, type_id=1, status="valid", until=dt.date(2027, 1, 1), since=dt.date(2020, 1, 1), kind="legal",
        issued=dt.date(2020, 1, 1)):
    return NS(pk=pk, type_id=type_id, status=status, valid_until=until, valid_from=since, holder_kind=kind,
              issued_on=issued, type=NS(name="营业执照"))


def mat(pk=10, type_id=1, necessity="required", name="营业执照"):
    return NS(pk=pk, licence_type_id=type_id, necessity=necessity, license_type=name)


def test_only_a_valid_licence_within_its_dates_is_usable():
    assert r.is_usable("valid", None, None, TODAY)  # 长期有效
    assert r.is_usable("valid", TODAY, TODAY, TODAY)  # the last day still counts
    assert not r.is_usable("valid", None, TODAY - dt.timedelta(days=1), TODAY)
    assert not r.is_usable("valid", TODAY + dt.timedelta(days=1), None, TODAY)
    for status in ("expired", "revoked", "cancelled", "superseded"):
        assert not r.is_usable(status, None, None, TODAY)


def test_required_material_with_a_held_valid_licence_is_satisfied():
    offers = r.offers([mat()], [lic()], holder_kind="legal", today=TODAY)
    assert offers[10].usable and offers[10].licence.pk == 1


def test_optional_materials_and_materials_without_a_type_are_not_offered():
    offers = r.offers([mat(pk=1, necessity="optional"), mat(pk=2, type_id=None), mat(pk=3, type_id=2)], [lic()],
                      holder_kind="legal", today=TODAY)
    assert offers == {}


def test_expired_licence_is_not_used_and_the_reason_names_the_date():
    offers = r.offers([mat()], [lic(until=dt.date(2026, 5, 31))], holder_kind="legal", today=TODAY)
    assert not offers[10].usable
    assert offers[10].reason == "您的营业执照电子证照已过期（有效期至2026年05月31日），请上传"


def test_revoked_licence_is_not_used():
    offers = r.offers([mat()], [lic(status="revoked")], holder_kind="legal", today=TODAY)
    assert not offers[10].usable and offers[10].reason == "您的营业执照电子证照已吊销，请上传"


def test_a_licence_of_the_other_holder_kind_is_never_used():
    assert r.offers([mat()], [lic(kind="person")], holder_kind="legal", today=TODAY) == {}


def test_the_valid_licence_wins_over_an_expired_one_and_the_longest_validity_first():
    old = lic(pk=1, until=dt.date(2026, 1, 1))
    short = lic(pk=2, until=dt.date(2026, 12, 1))
    forever = lic(pk=3, until=None)
    assert r.choose([old, short], "营业执照", TODAY).licence.pk == 2
    assert r.choose([old, short, forever], "营业执照", TODAY).licence.pk == 3


def test_holder_kind_guessed_from_the_name_then_the_service_object():
    assert r.guess_holder_kind("居民身份证") == "person"
    assert r.guess_holder_kind("营业执照") == "legal"
    assert r.guess_holder_kind("食品经营许可证", "person") == "legal"
    assert r.guess_holder_kind("不动产权证书", "person") == "person"
    assert r.guess_holder_kind("不动产权证书", "both") == "legal"


def test_type_codes_are_21_characters_and_skip_used_serials():
    assert r.next_type_code(None, []) == "0" * 18 + "001"
    assert r.next_type_code(None, ["0" * 18 + "001", "0" * 18 + "003"]) == "0" * 18 + "002"
    assert r.next_type_code("11410105T00000019X", []) == "11410105T00000019X001"
    assert r.next_type_code("bad", []) == "0" * 18 + "001"
    assert len(r.next_type_code(None, [])) == 21


def test_the_result_licence_is_the_first_result_of_type_licence():
    assert r.licence_result_name([{"name": "批复", "type": "批文"}, {"name": "食品经营许可证", "type": "证照"}]) \
        == "食品经营许可证"
    assert r.licence_result_name([{"name": "批复", "type": "批文"}]) == ""
    assert r.licence_result_name(None) == ""
