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
