"""基础库批量导入: good rows load, bad rows are reported with row numbers, refreshes upsert, a
malformed file writes nothing."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from zhengwu.core.identifiers import make_id_number, make_uscc
from zhengwu.core.pii import blind_index
from zhengwu.datashare.models import ImportBatch, LegalEntityRecord, PersonRecord
from zhengwu.datashare.registry_reads import lookup_legal, lookup_person
from zhengwu.datashare.services import loading
from zhengwu_bench import registries as bench

pytestmark = pytest.mark.django_db

HEADER = "身份证号,姓名,性别,出生日期,民族,户籍地址,户籍区划,联系电话"
ID1 = make_id_number("41010519900517123")
ID2 = make_id_number("41010219851201002")
ID3 = make_id_number("41010319700101004")


def _csv(lines: list[str], encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO("\n".join(lines).encode(encoding))


def _run(kind: str, data: io.BytesIO, name: str = "persons.csv") -> ImportBatch:
    batch = loading.start_batch(kind, name)
    return loading.run_import(batch, data)


def test_good_rows_load_and_bad_rows_are_listed_with_row_numbers():
    data = _csv([
        HEADER,
        f"{ID1},张三,男,1990-05-17,汉族,郑州市花园路1号,410105000000,13800001234",
        f"{ID1[:-1]}{'0' if ID1[-1] != '0' else '1'},李四,男,,汉族,,410105,",  # bad check digit
        f"{ID2},王五,,1985/12/1,回族,郑州市农业路2号,419999000000,",  # unknown region: loads, flagged
        ",赵六,,,,,,",  # missing 身份证号
        f"{ID1},张三重复,男,,,,,",  # duplicate of row 2
        f"{ID3},,女,1970-13-01,,,,",  # missing name and bad date
        ",,,,,,,",  # blank row: ignored
    ])
    batch = _run("person", data)
    assert batch.status == ImportBatch.Status.DONE
    assert (batch.rows_total, batch.rows_loaded, batch.rows_bad) == (6, 2, 4)
    counts = batch.summary["counts"]
    assert counts["invalid_id"] == 1 and counts["duplicate"] == 1 and counts["missing"] == 2
    assert counts["bad_date"] == 1 and counts["unknown_region"] == 1
    person = PersonRecord.objects.get(**PersonRecord._meta.get_field("id_number").lookup(ID1))
    assert person.name.reveal_unaudited() == "张三" and person.batch_id == batch.pk
    assert person.phone.reveal_unaudited() == "13800001234" and str(person.id_number) == ID1[:4] + "*" * 10 + ID1[-4:]
    assert lookup_person(ID2).nation == "回族"
    report = loading.read_report(batch)
    rows = {(int(r[0]), r[1]) for r in report}
    assert {(3, "身份证号"), (5, "身份证号"), (6, "身份证号"), (7, "姓名"), (7, "出生日期"), (4, "户籍区划")} <= rows
    dup = next(r for r in report if r[0] == "6")
    assert "与第2行重复" in dup[2] and ID1 not in "".join(dup)  # masked
    # The report is encrypted at rest (default storage), and holds no clear 身份证号.
    with open(batch.report_file.path, "rb") as fh:
        raw = fh.read()
    assert "身份证号".encode() not in raw
    assert ID3 not in "".join(",".join(r) for r in report)


def test_gbk_csv_and_refresh_upserts_without_deleting():
    first = _csv([HEADER, f"{ID1},张三,男,,,旧地址,410105,", f"{ID2},王五,男,,,,,"], "gbk")
    b1 = _run("person", first)
    assert b1.summary["inserted"] == 2
    refresh = _csv([HEADER, f"{ID1},张三,男,,,新地址,410105,", f"{ID3},周七,女,,,,,"], "gb18030")
    b2 = _run("person", refresh)
    assert (b2.summary["inserted"], b2.summary["updated"], b2.rows_loaded) == (1, 1, 2)
    assert PersonRecord.objects.count() == 3  # ID2 was not in the refresh and stays
    p1 = lookup_person(ID1)
    assert p1.household_address.reveal_unaudited() == "新地址" and p1.batch_id == b2.pk
    assert lookup_person(ID2).batch_id == b1.pk


@pytest.mark.parametrize("content,name,message", [
    (b"%PDF-1.4 \x00\x01 binary", "persons.csv", "二进制"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "persons.xls", ".xls"),
    (b"PK\x03\x04broken", "persons.xlsx", ".xlsx"),
    ("姓名,电话\n张三,1".encode(), "persons.csv", "缺少必填列“身份证号”"),
    (b"", "persons.csv", "空"),
    (HEADER.encode(), "persons.csv", "没有数据行"),
])
def test_malformed_file_is_refused_in_chinese_and_writes_nothing(content, name, message):
    batch = loading.start_batch("person", name)
    with pytest.raises(loading.ImportFileError) as exc:
        loading.run_import(batch, io.BytesIO(content))
    assert message in exc.value.message
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and message in batch.summary["error"]
    assert PersonRecord.objects.count() == 0


def test_encoding_change_half_way_writes_nothing():
    good = "\n".join([HEADER] + [f"{bench.person_id(i)},张{i},,,,,," for i in range(30_000)]).encode()
    bad = good + "\n".encode() + f"{ID1},张三,,,,".encode("gbk") + "\u9fa5".encode("gbk", errors="replace") + b"\xff\xfe\n"
    batch = loading.start_batch("person", "big.csv")
    with pytest.raises(loading.ImportFileError) as exc:
        loading.run_import(batch, io.BytesIO(bad), chunk_rows=1000)
    assert "编码" in exc.value.message
    assert PersonRecord.objects.count() == 0


def test_xlsx_import_of_legal_entities():
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "名称", "法定代表人", "法定代表人身份证号", "成立日期", "登记区划", "注册资本"])
    uscc = make_uscc("9", "1", "410105", "MA44KX3P")
    ws.append([uscc, "郑州某某商贸有限公司", "张三", ID1, dt.datetime(2010, 3, 4), 410105000000, "100万元"])
    ws.append(["91410105MA44KX3P0X", "坏代码公司", "", "", "2010-03-04", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    batch = _run("legal", buf, "法人.xlsx")
    assert (batch.rows_loaded, batch.rows_bad) == (1, 1)
    entity = lookup_legal(uscc.lower())
    assert entity.established_on == dt.date(2010, 3, 4) and entity.region_code == "410105000000"
    assert entity.legal_rep_id_number_index == blind_index("id_number", ID1)
    assert entity.legal_rep_id_number.reveal_unaudited() == ID1
    assert LegalEntityRecord.objects.count() == 1


def test_bench_rows_load_through_the_importer_and_match_the_orm():
    done = bench.load("person", 300, workers=1)
    assert done["loaded"] == 300 and done["bad"] == 0
    done = bench.load("legal", 50, workers=1)
    assert done["loaded"] == 50 and done["bad"] == 0
    # The bulk path stores what the ORM would: a record saved by the ORM is found the same way.
    orm = PersonRecord.objects.create(id_number=ID3, name="周七")
    assert lookup_person(ID3).pk == orm.pk
    assert lookup_person(bench.person_id(7)).id_number.reveal_unaudited() == bench.person_id(7)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY path is PostgreSQL only")
def test_postgresql_copy_path_with_worker_processes(django_db_blocker):
    done = bench.load("person", 12_000, workers=2)
    assert done["loaded"] == 12_000
    again = bench.load("person", 12_000, workers=2)
    assert (again["inserted"], again["updated"]) == (0, 12_000)


def test_registry_load_command(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "persons.csv"
    path.write_text(HEADER + f"\n{ID1},张三,男,,,,,\n{ID2},王五,男,,,,,\n", encoding="gbk")
    out = io.StringIO()
    call_command("registry_load", str(path), kind="person", stdout=out)
    assert "共2行，新增2" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("名称\n某公司\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少必填列“统一社会信用代码”"):
        call_command("registry_load", str(bad), kind="legal")
    assert ImportBatch.objects.filter(status=ImportBatch.Status.FAILED).count() == 1
