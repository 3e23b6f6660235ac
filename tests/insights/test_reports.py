"""The 月报 of November 2026 on a small hand-made data set: every number below worked out by hand,
then found in the computed tables, in the Excel (openpyxl) and in the PDF (pdftotext).

District 金水区, departments A 市场监管局 and B 消防救援大队 (as in test_figures):

办件: A k1 accepted 11-02, concluded 11-05 on time · k2 accepted 11-03, concluded 11-20 LATE ·
      k3 accepted 11-10 online, 全程网办, not concluded (all three: item 食品经营许可)
      B k4 accepted 11-04, concluded 11-06 on time · k5 accepted 10-28, concluded 11-02 on time (消防安全检查)
  受理量 4 (A 3, B 1) · 办结量 4 (A 2, B 2) · 按时办结率 3/4 = 75.0 % (A 1/2 = 50.0, B 2/2 = 100.0)
  全程网办率 1/4 = 25.0 % (A 1/3 = 33.3, B 0/1 = 0.0)
  October: 受理量 1 (k5), 办结量 0, 按时办结率 — · 较上期 受理量 +3 件
  事项 top: 1 食品经营许可 受理 3 办结 2 按时 50.0 · 2 消防安全检查 受理 1 办结 2 按时 100.0
好差评 (RatingDaily): A 11-05 active 9, satisfied 7, events 12, rated 9, bad 2 rectified 1
                     B 11-06 active 3, satisfied 2, events 4, rated 3, bad 1 rectified 1
  满意率 9/12 = 75.0 % (A 77.8, B 66.7) · 差评整改率 2/3 = 66.7 %
  主动评价率: the rateable events are the day rows' 16 plus what the ratings app counts itself when a
  case is concluded or a ticket closed (4 cases, 3 tickets in November): 12/23 = 52.2 %
  October: A 10-31 one 非常不满意: 满意率 0/1 = 0.0 % → 较上期 +75 个百分点
12345 (all 投诉): t1 A closed on time, 5 · t2 A closed late, 2 · t3 B closed on time, unrated ·
      t4 B open · t5 A created 10-20, closed 10-30 on time, 4
  受理量 4 (A 2, B 2) · 按时办结率 2/3 = 66.7 % · 满意率 1/2 = 50.0 %; 投诉 4, 占比 100.0 %
  October: 受理量 1, 按时办结率 1/1 = 100.0 % → 较上期 −33.3 个百分点; 满意率 100.0 → −50 个百分点
November 2025 (上年同期): nothing → 同比 “—”.
"""

import datetime as dt
import io
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest

from zhengwu.insights.reports import rules
from zhengwu.insights.reports.excel import APPENDIX, HEADER_ROW, to_xlsx
from zhengwu.insights.reports.pdf import to_pdf
from zhengwu.insights.reports.tables import compute

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
D = dt.date
TODAY = D(2026, 12, 4)


def at(m, d, hh=12, y=2026):
    return dt.datetime(y, m, d, hh, tzinfo=TZ)


@pytest.fixture
def a(make_department):
    return make_department(name="市场监管局")


@pytest.fixture
def b(make_department):
    return make_department(name="消防救援大队")


@pytest.fixture
def data(district, a, b, make_citizen, publish_item):
    from zhengwu.cases.models import Case
    from zhengwu.hotline.models import Ticket
    from zhengwu.ratings.models import RatingDaily

    food = publish_item(a, "食品经营许可", case_type="committed", promised_days=5, online_depth=4, visits=0,
                        statutory_days=None)
    fire = publish_item(b, "消防安全检查", case_type="committed", promised_days=5, online_depth=2, visits=1,
                        statutory_days=None)
    person = make_citizen(name="赵一")

    def case(si, accepted, concluded=None, on_time=None, channel="window", visits=1):
        Case.objects.create(
            service_item=si, item_version=si.published_version, department=si.department, region=district,
            applicant=person.applicant, channel=channel, visits=visits,
            state="concluded" if concluded else "in_review", promised_days=5, submitted_at=at(10, 1, 9),
            accepted_on=accepted, due_date=accepted + dt.timedelta(days=7), concluded_at=concluded,
            concluded_on_time=on_time, outcome="approved" if concluded else "")

    case(food, D(2026, 11, 2), at(11, 5), True)
    case(food, D(2026, 11, 3), at(11, 20), False)
    case(food, D(2026, 11, 10), channel="online", visits=0)
    case(fire, D(2026, 11, 4), at(11, 6), True)
    case(fire, D(2026, 10, 28), at(11, 2), True)

    def daily(dept, day, **counts):
        RatingDaily.objects.create(key=f"{dept.pk}-{day}", day=day, department=dept, region=district,
                                   region_code=district.code, kind="case", **counts)

    daily(a, D(2026, 11, 5), ratings=10, l5=4, l4=3, l3=1, l2=1, l1=1, defaults=1, bad=2, bad_rectified=1,
          events=12, rated=9)
    daily(b, D(2026, 11, 6), ratings=3, l5=2, l2=1, bad=1, bad_rectified=1, events=4, rated=3)
    daily(a, D(2026, 10, 31), ratings=1, l1=1, bad=1, events=1, rated=1)

    n = iter(range(1, 100))

    def ticket(dept, created, closed=None, on_time=None, satisfaction=None):
        Ticket.objects.create(
            number=f"T2026{next(n):06d}", ticket_type="complaint", title="诉求", content="诉求内容",
            caller_name="王先生", phone="13800001111", region=district, region_code=district.code,
            lead_department=dept, state="closed" if closed else "dispatched", created_at=created,
            dispatched_at=created, closed_at=closed, closed_on_time=on_time, satisfaction=satisfaction)

    ticket(a, at(11, 2), at(11, 5), True, 5)
    ticket(a, at(11, 3), at(11, 20), False, 2)
    ticket(b, at(11, 4), at(11, 6), True)
    ticket(b, at(11, 10))
    ticket(a, at(10, 20), at(10, 30), True, 4)


@pytest.fixture
def report(data):
    return compute(rules.parse("month", "2026-11", TODAY), TODAY)


def by_first_column(table) -> dict:
    return {row[0]: row for row in table.rows}


def test_overview_numbers_worked_out_by_hand(report):
    rows = by_first_column(report.table("总体情况"))
    # 指标, 来源, 数值, 单位, 分子, 分母
    assert rows["受理量"][2:4] == [4, "件"]
    assert rows["办结量"][2] == 4
    assert rows["按时办结率"][2:] == [75.0, "%", 3, 4]
    assert rows["全程网办率"][2:] == [25.0, "%", 1, 4]
    assert rows["满意率"][2:] == [75.0, "%", 9, 12]
    assert rows["主动评价率"][2:] == [52.2, "%", 12, 23]
    assert rows["差评整改率"][2:] == [66.7, "%", 2, 3]
    assert rows["12345 受理量"][2] == 4
    assert rows["12345 按时办结率"][2:] == [66.7, "%", 2, 3]
    assert rows["12345 满意率"][2:] == [50.0, "%", 1, 2]
    assert rows["平均等待时间"][2] == "—"  # no hall activity: nothing to divide by, not 0


def test_departments_items_and_ticket_types(report):
    t = report.table("部门情况")
    assert t.columns[:5] == ["部门", "受理量（件）", "办结量（件）", "按时办结率（%）", "全程网办率（%）"]
    col = {c: i for i, c in enumerate(t.columns)}
    assert [r[0] for r in t.rows] == ["市场监管局", "消防救援大队", "合计"]  # by 受理量
    a_row, b_row, total = t.rows
    assert [a_row[col[c]] for c in ("受理量（件）", "办结量（件）", "按时办结率（%）", "全程网办率（%）")] == [3, 2, 50.0, 33.3]
    assert [b_row[col[c]] for c in ("受理量（件）", "办结量（件）", "按时办结率（%）", "全程网办率（%）")] == [1, 2, 100.0, 0.0]
    assert (a_row[col["满意率（%）"]], b_row[col["满意率（%）"]]) == (77.8, 66.7)
    assert (a_row[col["12345 受理量（件）"]], b_row[col["12345 受理量（件）"]]) == (2, 2)
    assert (a_row[col["12345 按时办结率（%）"]], b_row[col["12345 按时办结率（%）"]]) == (50.0, 100.0)
    assert total[col["受理量（件）"]] == 4 and total[col["按时办结率（%）"]] == 75.0

    items = report.table("事项前20").rows
    assert [r[:5] for r in items] == [[1, "食品经营许可（市场监管局）", 3, 2, 50.0],
                                        [2, "消防安全检查（消防救援大队）", 1, 2, 100.0]]

    types = report.table("12345诉求类型").rows
    assert types == [["投诉", 4, 100.0, 66.7, 50.0], ["合计", 4, 100.0, 66.7, 50.0]]


def test_changes_on_the_month_before_and_the_year_before(report):
    t = report.table("较上期同比")
    assert t.columns == ["指标", "单位", "本期", "上期", "较上期", "上年同期", "同比"]
    rows = by_first_column(t)
    assert rows["受理量"][2:] == [4, 1, 3, "—", "—"]  # November 2025 precedes all data: not 0, not +4
    assert rows["12345 受理量"][5:] == ["—", "—"]
    assert rows["按时办结率"][2:5] == [75.0, "—", "—"]  # nothing concluded in October
    assert rows["满意率"][2:5] == [75.0, 0.0, 75.0]
    assert rows["12345 按时办结率"][2:5] == [66.7, 100.0, -33.3]
    texts = {r[0]: r for r in t.texts}
    assert texts["受理量"][4] == "+3 件"
    assert texts["12345 满意率"][4] == "−50 个百分点"
    assert "上期为 2026年10月，上年同期为 2025年11月" in t.note
    assert "早于平台最早的数据" in t.note


def test_the_excel_comparison_shows_a_dash_for_a_period_without_data(report):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(to_xlsx(report)), read_only=True)
    rows = {r[0]: r for r in wb["较上期同比"].iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[0]}
    assert rows["受理量"][2:] == (4, 1, 3, "—", "—")


def test_the_excel_has_a_sheet_per_table_and_the_definitions(report):
    from openpyxl import load_workbook

    from zhengwu.insights import registry

    wb = load_workbook(io.BytesIO(to_xlsx(report)), read_only=True)
    assert wb.sheetnames == ["总体情况", "部门情况", "事项前20", "12345诉求类型", "较上期同比", APPENDIX]
    overview = {r[0]: r for r in wb["总体情况"].iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[0]}
    assert wb["总体情况"]["A1"].value == "2026年11月政务服务月报 · 一、总体情况（2026年11月）"
    assert overview["按时办结率"][2:6] == (75.0, "%", 3, 4)
    assert overview["受理量"][2] == 4
    header = next(wb["部门情况"].iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True))
    assert header[0] == "部门"
    appendix = [r for r in wb[APPENDIX].iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[1]]
    by_key = {r[1]: r for r in appendix}
    assert set(by_key) == {f.key for f in registry.figures() if "month" in f.periods}
    name, _key, formula, domain, unit, dims, _periods, _note = by_key["cases.on_time_rate"]
    assert (name, domain, unit) == ("按时办结率", "办件", "%")
    assert formula.startswith("按时办结件数 ÷ 办结件数") and "部门" in dims


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_the_pdf_prints_the_figures_and_the_appendix(report, tmp_path):
    data = to_pdf(report)
    assert data.startswith(b"%PDF-")
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert "2026年11月政务服务月报" in text
    assert "按时办结率" in text and "75.0%" in text and "66.7%" in text
    assert "市场监管局" in text and "食品经营许可" in text
    assert "附录" in text and "指标口径" in text and "按时办结件数 ÷ 办结件数" in text
    assert "全部区划和部门（系统范围）" in text


def test_the_year_report_of_the_same_data(data):
    """2026: 受理量 k1–k5 = 5 · 按时办结率 3/4 = 75.0 % · 满意率 (9 + 0) ÷ (12 + 1) = 69.2 % ·
    12345 受理量 t1–t5 = 5 · 按时办结率 (t1, t3, t5) ÷ (t1, t2, t3, t5) = 75.0 % · 满意率 (t1, t5) ÷ 3 rated = 66.7 %;
    compared with 2025 (nothing): one comparison (上年), no 同比 column."""
    report = compute(rules.parse("year", "2026", TODAY), TODAY)
    assert report.title == "2026年政务服务年报"
    rows = by_first_column(report.table("总体情况"))
    assert [rows[k][2] for k in ("受理量", "按时办结率", "满意率", "12345 受理量", "12345 按时办结率", "12345 满意率")] == \
        [5, 75.0, 69.2, 5, 75.0, 66.7]
    t = report.table("较上期同比")
    assert t.columns == ["指标", "单位", "本期", "上年", "较上年"]
    assert by_first_column(t)["受理量"][2:] == [5, "—", "—"]
