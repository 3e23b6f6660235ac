"""Bench 检查对象 and 执法人员 (zhengwu_bench.inspections, gen-data domain ``inspected_objects``):
the tiny size's 2,000 objects with valid unique 信用代码, 300 inspectors across departments."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.core.identifiers import uscc_problem
from zhengwu_bench import context
from zhengwu_bench import inspections as bench
from zhengwu_bench.generate import generate

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def test_tiny_bench_inspected_objects():
    from zhengwu.inspections.models import InspectedObject, Inspector

    context.ensure_demo(lambda *_: None)
    before_objects, before_inspectors = InspectedObject.objects.count(), Inspector.objects.count()
    timings = generate("tiny", 3, log=lambda *_: None, today=TODAY, only=["inspected_objects"])
    assert timings["inspected_objects"]["rows"] == bench.OBJECTS["tiny"] == InspectedObject.objects.count() - before_objects
    assert timings["inspected_objects"]["inspectors"] == 300 == Inspector.objects.count() - before_inspectors
    usccs = list(InspectedObject.objects.filter(uscc__startswith="92").values_list("uscc", flat=True))
    assert len(usccs) == 2000 and not any(uscc_problem(u) for u in usccs)
    assert set(InspectedObject.objects.values_list("category", flat=True)) >= {"企业", "个体工商户"}
    bench_inspectors = Inspector.objects.filter(cert_number__startswith="JZ")
    assert bench_inspectors.values("department").distinct().count() >= 2
    assert bench_inspectors.filter(department__short_name="市场监管局").count() == 150
    # A new object gets the next primary key (the sequence was reset after COPY).
    InspectedObject.objects.create(name="新录入对象", region_code="410105001000")
