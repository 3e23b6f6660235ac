"""zhengwu.speedups.bulkinsert: rows inserted without model instances read back as the ORM's
(COPY on PostgreSQL, the driver's multi-row INSERT on SQLite)."""

from __future__ import annotations

import pytest
from django.db import connections

from zhengwu.catalog.models import ImportJob
from zhengwu.speedups.bulkinsert import BulkInserter

pytestmark = pytest.mark.django_db


def test_rows_get_their_keys_and_read_back_with_defaults_json_and_files(district):
    inserter = BulkInserter(ImportJob, connections["default"])
    rows = [
        inserter.new(region_id=district.pk, file_name="甲.xlsx", file_sha256="a" * 64,
                     result={"created": 3, "部门": ["市场监督管理局"]}),
        inserter.new(region_id=district.pk, file_name="乙.csv", file_sha256="b" * 64, file="imports/b.csv",
                     as_draft=True, file_size=12_345_678_901),
    ]
    inserter.insert(rows)
    assert len({row.id for row in rows}) == 2 and all(row.pk == row.id for row in rows)
    first, second = (ImportJob.objects.get(pk=row.id) for row in rows)
    assert (first.file_name, first.result, first.status, first.as_draft, first.file.name) == (
        "甲.xlsx", {"created": 3, "部门": ["市场监督管理局"]}, ImportJob.Status.QUEUED, False, "")
    assert (second.result, second.as_draft, second.file.name, second.file_size) == (
        {}, True, "imports/b.csv", 12_345_678_901)
    assert first.created_at is not None and first.region_id == district.pk


def test_value_lists_from_a_maker_are_inserted_without_keys(district):
    inserter = BulkInserter(ImportJob, connections["default"])
    make = inserter.maker("region_id", "file_name", "file_sha256")
    inserter.insert_values([make(district.pk, f"{i}.csv", f"{i}" * 64) for i in range(3)])
    jobs = ImportJob.objects.filter(file_name__endswith=".csv").order_by("file_name")
    assert [(j.file_name, j.result, j.status) for j in jobs] == [
        (f"{i}.csv", {}, ImportJob.Status.QUEUED) for i in range(3)]
