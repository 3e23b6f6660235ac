"""Demo data of the registry: the types with valid codes, the demo citizen's 居民身份证 and the
demo enterprise's 营业执照, issued through the service; the demo items find their types."""

from __future__ import annotations

import io

import pytest

from zhengwu.core.identifiers import validate_license_identifier


@pytest.mark.django_db
def test_demo_types_and_licences():
    from zhengwu.accounts import demo as accounts_demo
    from zhengwu.licenses import demo, rules
    from zhengwu.licenses.models import Licence, LicenceType
    from zhengwu.licenses.services.issuing import licence_type_for_item
    from zhengwu.org import demo as org_demo

    out = io.StringIO()
    org_demo.load(out)
    accounts_demo.load(out)
    demo.load(out)
    demo.load(out)  # idempotent
    assert LicenceType.objects.count() == len(demo.TYPES)
    for t in LicenceType.objects.all():
        assert rules.type_code_problem(t.code) is None and t.code[:18] == t.departments.get().uscc
    licences = {lic.type.name: lic for lic in Licence.objects.select_related("type")}
    assert set(licences) == {"居民身份证", "营业执照"}
    card = licences["居民身份证"]
    assert card.holder_id_number.reveal_unaudited() == accounts_demo.CITIZEN_ID and card.status == "valid"
    assert str(card.valid_until) == "2036-03-07"
    assert licences["营业执照"].holder_uscc == accounts_demo.ENTERPRISE_USCC and licences["营业执照"].valid_until is None
    for lic in licences.values():
        validate_license_identifier(lic.identifier)
        assert lic.pdf_sha256 and lic.events.filter(kind="issue").exists()

    class Version:
        results = [{"name": "中华人民共和国居民身份证", "type": "证照"}]

    assert licence_type_for_item(Version).name == "居民身份证"
    Version.results = [{"name": "医师执业证书（电子证照）", "type": "证照"}]
    assert licence_type_for_item(Version).name == "医师执业证书"
    Version.results = [{"name": "中华人民共和国临时居民身份证", "type": "证照"}]
    assert licence_type_for_item(Version) is None


@pytest.mark.django_db
def test_demo_types_as_an_earlier_demo_left_them_are_brought_up_to_date():
    """An install whose demo made the 食品经营许可证 with its first fields gets today's on the next
    ``zhengwu demo``; a type an administrator changed since is left alone."""
    from zhengwu.licenses import demo
    from zhengwu.licenses.models import LicenceType
    from zhengwu.licenses.services import types
    from zhengwu.org import demo as org_demo
    from zhengwu.org.models import Department

    org_demo.load(io.StringIO())
    dept = Department.objects.filter(short_name="市场监管局", uscc__isnull=False).order_by("pk").first()
    for name, seq in (("食品经营许可证", "002"), ("营业执照", "001")):
        old = demo.EARLIER[name][0]
        types.create_type(None, {"name": name, "code": f"{dept.uscc}{seq}", "holder_kind": "legal",
                                 "departments": [dept.pk], "validity_years": 5 if seq == "002" else None,
                                 "fields_schema": old, "title": name, "field_order": [f["key"] for f in old]})
    business = LicenceType.objects.get(name="营业执照")
    changed = [*business.fields_schema, {"key": "extra", "label": "自定义", "type": "string", "required": False}]
    types.update_type(None, business.pk, business.lock_version, {
        "name": business.name, "code": business.code, "holder_kind": "legal", "departments": [dept.pk],
        "fields_schema": changed, "title": "营业执照", "field_order": [f["key"] for f in changed]})
    demo.ensure_types()
    demo.ensure_types()  # idempotent
    food = LicenceType.objects.get(name="食品经营许可证")
    wanted = next(row[5] for row in demo.TYPES if row[0] == "食品经营许可证")
    assert food.fields_schema == wanted and food.template["field_order"] == [f["key"] for f in wanted]
    assert {"经营场所", "主体业态", "投诉举报电话"} <= {f["label"] for f in food.fields_schema}
    assert food.code == f"{dept.uscc}002" and food.validity_years == 5 and food.lock_version == 1
    assert [f["key"] for f in LicenceType.objects.get(name="营业执照").fields_schema][-1] == "extra"
