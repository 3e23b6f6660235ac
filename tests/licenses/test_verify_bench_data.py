"""Bench licences (zhengwu_bench.licences): valid identifiers, holders that are the generated
applicants (found by their blind index, as 我的证照 finds them), every status, and verification
of any of them in one query."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core.identifiers import validate_license_identifier
from zhengwu_bench import context
from zhengwu_bench.generate import generate
from zhengwu_bench.people import applicant_id_number

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def test_tiny_bench_licences(django_assert_num_queries):
    from zhengwu.core import pii
    from zhengwu.licenses import verification
    from zhengwu.licenses.models import Licence, LicenceEvent

    context.ensure_demo(lambda *_: None)
    demo = list(Licence.objects.values_list("pk", flat=True))  # the demo citizen's and enterprise's
    timings = generate("tiny", 5, log=lambda *_: None, today=TODAY, only=["applicants", "licences"])
    size = context.SIZES["tiny"]
    assert timings["licences"]["rows"] == size.licences == Licence.objects.count() - len(demo)
    assert LicenceEvent.objects.filter(kind="issue").count() == Licence.objects.filter(version=1).count()
    for ident in Licence.objects.values_list("identifier", flat=True):
        validate_license_identifier(ident)
    assert {"valid", "expired"} <= set(Licence.objects.values_list("status", flat=True))
    # The generated applicants hold licences, with the same encrypted ID and blind index.
    held = Licence.objects.filter(holder_kind="person").exclude(pk__in=demo).first()
    number = held.holder_id_number.reveal_unaudited()
    assert number in {applicant_id_number(i) for i in range(size.applicants)}
    assert held.holder_id_number_index == pii.blind_index("id_number", number)
    superseded = Licence.objects.filter(status="superseded").first()
    if superseded is not None:
        assert Licence.objects.get(previous=superseded).version == 2
    lic = Licence.objects.exclude(status="superseded").order_by("?").first()
    with django_assert_num_queries(1):
        verdict = verification.verify_identifier(lic.identifier, today=TODAY)
    assert verdict.licence["number"] == lic.number
