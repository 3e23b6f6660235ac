"""The platform's spreadsheet reader refuses zip bombs and oversize files before expanding them,
and every export neutralises formula injection while an export still imports back unchanged."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from zhengwu.core import spreadsheets
from zhengwu.core.spreadsheets import SpreadsheetError
from zhengwu.core.xlsx_writer import XlsxWriter

MIB = 1024 * 1024
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
WORKBOOK = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {REL_NS}><sheets>'
            '<sheet name="清单" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>')
HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>实施主体</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>事项名称</t></is></c></row>')


def xlsx(sheet_rows: str = HEADER_ROW, *, parts: dict[str, bytes | str] | None = None,
         big: tuple[str, bytes, bytes, int] | None = None) -> bytes:
    """A minimal .xlsx. ``big`` = (member, head, repeated chunk, times): that member is written in
    a stream, so a 60 MiB part costs no 60 MiB in the test either."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        members = {"xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": RELS,
                   "xl/worksheets/sheet1.xml": f'<worksheet {NS}><sheetData>{sheet_rows}</sheetData></worksheet>'}
        members.update(parts or {})
        for name, content in members.items():
            if big and name == big[0]:
                continue
            zf.writestr(name, content)
        if big:
            name, head, chunk, times = big
            with zf.open(name, "w", force_zip64=True) as f:
                f.write(head)
                for _ in range(times):
                    f.write(chunk)
    return buf.getvalue()


ROW = b'<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>' * 1000


@pytest.fixture(scope="module")
def sheet_bomb() -> bytes:
    """A sheet1.xml of ~90 MiB of repeated rows that compresses to well under 1 MB."""
    head = f'<worksheet {NS}><sheetData>{HEADER_ROW}'.encode()
    return xlsx(big=("xl/worksheets/sheet1.xml", head, ROW, 1000))


@pytest.fixture(scope="module")
def workbook_bomb() -> bytes:
    """The shape of the incident: the workbook part itself expands to tens of MiB."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {REL_NS}><bookViews>'.encode()
    return xlsx(big=("xl/workbook.xml", head, b"<workbookView/>" * 4000, 1000))


def _never(*args, **kwargs):
    raise AssertionError("a member was expanded / openpyxl was asked to load the file")


def test_zip_bomb_is_refused_from_the_directory_alone(sheet_bomb, monkeypatch):
    assert len(sheet_bomb) < 1 * MIB
    info = zipfile.ZipFile(io.BytesIO(sheet_bomb)).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 50 * MIB
    monkeypatch.setattr(zipfile.ZipFile, "open", _never)
    monkeypatch.setattr(openpyxl, "load_workbook", _never)
    with pytest.raises(SpreadsheetError) as exc:
        spreadsheets.read_rows(sheet_bomb, "清单.xlsx")
    message = exc.value.message
    assert "文件“清单.xlsx”" in message and "压缩比异常" in message and "上限100:1" in message
    with pytest.raises(SpreadsheetError):
        spreadsheets.estimate_rows(sheet_bomb, "清单.xlsx")


def test_refusing_a_bomb_allocates_little(workbook_bomb):
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetError) as exc:
            list(spreadsheets.read_rows(workbook_bomb, "wb.xlsx").rows)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "xl/workbook.xml" in exc.value.message and "压缩比异常" in exc.value.message
    assert peak < 8 * MIB  # the part expands to ~57 MiB


def test_parts_are_streamed_never_read_whole(workbook_bomb, settings):
    # With the ratio and total checks relaxed, the workbook part is still not read whole: parts
    # that are parsed in one piece have their own cap, checked from the directory.
    settings.ZHENGWU_SPREADSHEET_MAX_RATIO = 100_000
    settings.ZHENGWU_SPREADSHEET_MAX_EXPANDED_MB = 1000
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetError) as exc:
            list(spreadsheets.read_rows(workbook_bomb, "wb.xlsx").rows)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "xl/workbook.xml" in exc.value.message and "超过上限（16MB）" in exc.value.message
    assert peak < 8 * MIB


def test_total_expanded_size_members_and_paths(settings):
    settings.ZHENGWU_SPREADSHEET_MAX_EXPANDED_MB = 1
    noise = bytes(range(256)) * 8192  # 2 MiB that compress ~1:1
    with pytest.raises(SpreadsheetError) as exc:
        spreadsheets.read_rows(xlsx(parts={"xl/media/image1.png": noise}), "大.xlsx")
    assert "文件“大.xlsx”解压后的总大小为" in exc.value.message and "超过上限（1MB）" in exc.value.message

    many = xlsx(parts={f"xl/media/i{n}.png": b"x" for n in range(1001)})
    with pytest.raises(SpreadsheetError) as exc:
        spreadsheets.read_rows(many, "多.xlsx")
    assert "内部文件" in exc.value.message and "1,000" in exc.value.message

    for odd in ("../../etc/passwd", "/abs.xml", "xl\\worksheets\\x.xml", "C:/x.xml", "a/" * 12 + "x.xml"):
        with pytest.raises(SpreadsheetError) as exc:
            spreadsheets.read_rows(xlsx(parts={odd: "x"}), "odd.xlsx")
        assert "路径异常" in exc.value.message, odd


def test_rows_cells_and_columns_are_capped(settings):
    settings.ZHENGWU_SPREADSHEET_MAX_ROWS = 3
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 8))
    with pytest.raises(SpreadsheetError) as exc:
        list(spreadsheets.read_rows(xlsx(HEADER_ROW + rows), "x.xlsx").rows)
    assert exc.value.message.startswith("文件行数超过上限（3行）")
    with pytest.raises(SpreadsheetError) as exc:
        list(spreadsheets.read_rows("a\n1\n2\n3\n4\n5\n".encode(), "x.csv").rows)
    assert exc.value.message.startswith("文件行数超过上限（3行）")

    long_cell = f'<row r="2"><c r="B2" t="inlineStr"><is><t>{"长" * 40_000}</t></is></c></row>'
    with pytest.raises(SpreadsheetError) as exc:
        list(spreadsheets.read_rows(xlsx(HEADER_ROW + long_cell), "x.xlsx").rows)
    assert "第2行第B列的内容超过32,767个字符" in exc.value.message
    with pytest.raises(SpreadsheetError) as exc:
        list(spreadsheets.read_rows(("a,b\n1," + "长" * 40_000 + "\n").encode(), "x.csv").rows)
    assert "第2行第B列的内容超过32,767个字符" in exc.value.message

    # A cell reference far to the right would make a row of billions of empty cells.
    far = '<row r="2"><c r="ZZZZZZ2"><v>1</v></c></row>'
    with pytest.raises(SpreadsheetError) as exc:
        list(spreadsheets.read_rows(xlsx(HEADER_ROW + far), "x.xlsx").rows)
    assert "XFD" in exc.value.message


def test_csv_encodings_are_still_detected():
    for encoding, expected in (("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("utf-8", "utf-8")):
        opened = spreadsheets.read_rows("部门,名称\n市场监管局,食品经营许可\n".encode(encoding), "a.csv")
        assert opened.encoding == expected
        assert list(opened.rows) == [(1, ["部门", "名称"]), (2, ["市场监管局", "食品经营许可"])]


# -- formula injection -------------------------------------------------------------------------------
DANGEROUS = ["=1+1", "+86 138 0013 8000", "-x", "@SUM(A1:A9)", "\t=cmd", "\r=cmd", "\n=cmd", "'=already quoted"]


def test_neutralise_quotes_formulas_and_keeps_numbers():
    assert [spreadsheets.neutralise(v) for v in DANGEROUS] == ["'" + v for v in DANGEROUS]
    for harmless in ("食品经营许可", "a=b", "", None, -5, -2.5, 0, True):
        assert spreadsheets.neutralise(harmless) == harmless
    # Reversible, also for texts that begin with an apostrophe of their own.
    for text in [*DANGEROUS, "''=x", "'plain", "plain", "'"]:
        assert spreadsheets.unneutralise(spreadsheets.neutralise(text)) == text


def test_csv_export_is_neutralised_and_reads_back():
    buf = io.BytesIO()
    spreadsheets.write_csv(buf, ["文本", "数字"], [[v, -5] for v in DANGEROUS] + [["-2.5", -2.5]])
    text = buf.getvalue().decode("utf-8-sig")
    cells = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in cells[1:len(DANGEROUS) + 1]] == ["'" + v for v in DANGEROUS]
    assert {r[1] for r in cells[1:]} == {"-5", "-2.5"}  # numbers are written as numbers
    assert not any(c[:1] in "=+-@" for r in cells for c in r[:1])
    rows = list(spreadsheets.read_rows(buf.getvalue(), "out.csv").rows)
    assert [r[1][0] for r in rows[1:-1]] == DANGEROUS and rows[-1][1][0] == "-2.5"


def test_xlsx_export_is_neutralised_and_reads_back():
    buf = io.BytesIO()
    with XlsxWriter(buf) as w:
        w.append(["文本", "数字"])
        for v in DANGEROUS:
            w.append([v, -5])
        w.append(["ok", -2.5])
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue()), read_only=True).active
    cells = [[(c.value, c.data_type) for c in row] for row in ws.iter_rows(min_row=2)]
    # (XML brings a bare carriage return back as a line feed; the quote stays in front of it.)
    expected = [v.replace("\r", "\n") for v in DANGEROUS]
    assert [r[0][0] for r in cells[:-1]] == ["'" + v for v in expected]
    assert all(r[0][1] == "s" for r in cells)  # no cell is a formula
    assert [r[1] for r in cells] == [(-5, "n")] * len(DANGEROUS) + [(-2.5, "n")]
    rows = list(spreadsheets.read_rows(buf.getvalue(), "out.xlsx").rows)
    assert [r[1] for r in rows[1:-1]] == [[v, -5] for v in expected]


def test_openpyxl_rows_are_neutralised():
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("x")
    ws.append(spreadsheets.safe_row(["=HYPERLINK(\"http://evil\")", -3]))
    buf = io.BytesIO()
    wb.save(buf)
    row = next(openpyxl.load_workbook(buf).active.iter_rows())
    assert (row[0].value, row[0].data_type, row[1].value) == ("'=HYPERLINK(\"http://evil\")", "s", -3)


# -- the import pages and commands refuse a bomb with a message --------------------------------------
@pytest.mark.django_db
def test_catalogue_import_page_refuses_a_bomb(client, make_staff, district, sheet_bomb):
    from zhengwu.catalog.models import ImportJob
    from zhengwu.org.models import Role

    client.force_login(make_staff(Role.ITEM_ADMIN))
    upload = io.BytesIO(sheet_bomb)
    upload.name = "实施清单.xlsx"
    response = client.post(reverse("catalog:wb_import"), {"file": upload, "region": district.code, "token": "t"})
    html = response.content.decode()
    assert response.status_code == 200 and "文件“实施清单.xlsx”" in html and "压缩比异常" in html
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_catalogue_import_service_reports_a_bomb(district, workbook_bomb):
    from zhengwu.catalog.services import imports

    report = imports.import_items(workbook_bomb, "清单.xlsx", district, as_draft=True)
    assert "压缩比异常" in report.fatal and report.rows == 0


@pytest.mark.django_db
def test_hotline_imports_refuse_a_bomb(sheet_bomb):
    from zhengwu.hotline import classifier, services

    with pytest.raises(classifier.TrainingError) as exc:
        services.train_model(None, sheet_bomb, "history.xlsx")
    assert "文件“history.xlsx”" in str(exc.value) and "压缩比异常" in str(exc.value)
    report = services.import_categories(None, sheet_bomb, "taxonomy.xlsx")
    assert not report["ok"] and "压缩比异常" in report["errors"][0]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_items_then_import_items_changes_nothing(tmp_path, make_department, district, fmt):
    from django.core.management import call_command

    from tests.catalog.import_fixtures import DEPT, row, write_csv
    from zhengwu.catalog.models import ItemVersion, ServiceItem

    make_department(name=DEPT)
    seed = write_csv(tmp_path / "seed.csv", [
        row(事项名称="=HYPERLINK(\"http://evil\")", 关键词="-x，@SUM(A1)", 受理条件="+86 138 0013 8000 咨询"),
        row(事项名称="普通事项", 基本编码="", 关键词="'=自带引号"),
    ])
    call_command("import_items", str(seed), "--region", district.code, stdout=io.StringIO())
    assert ServiceItem.objects.filter(name="=HYPERLINK(\"http://evil\")").exists()
    out = tmp_path / f"export.{fmt}"
    call_command("export_items", str(out), "--region", district.code, stdout=io.StringIO())
    data = out.read_bytes()
    if fmt == "csv":
        assert "'=HYPERLINK".encode() in data and "'-x，@SUM(A1)".encode() in data
        assert "'=自带引号".encode() in data  # the seed's typed apostrophe was read as a quote
    else:
        cells = {c.value for r in openpyxl.load_workbook(out, read_only=True).active.iter_rows() for c in r}
        assert "'=HYPERLINK(\"http://evil\")" in cells and "'+86 138 0013 8000 咨询" in cells
    versions = ItemVersion.objects.count()
    stdout = io.StringIO()
    call_command("import_items", str(out), "--region", district.code, stdout=stdout)
    assert "无变化 2" in stdout.getvalue(), stdout.getvalue()
    assert ItemVersion.objects.count() == versions
    assert set(ServiceItem.objects.values_list("name", flat=True)) == {"=HYPERLINK(\"http://evil\")", "普通事项"}
