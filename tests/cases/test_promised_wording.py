"""承诺办结时间 in one wording wherever the applicant reads it: the 申请回执 page and its PDF, the
受理通知书 and the case page. An 即办件 is never "受理后0个工作日内"; a 容缺受理 case says its time
limit counts from the day the 容缺 materials are complete (ADR 0026)."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhengwu.cases import documents, rules
from zhengwu.cases.models import Case
from zhengwu.cases.services import applying, intake

pytestmark = pytest.mark.django_db

D = dt.date
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")


@pytest.mark.parametrize("days, due, note, text", [
    (0, None, "", "即办件：受理后当场办结"),
    (5, None, "", "受理后5个工作日内"),
    (5, D(2026, 3, 9), "", "2026年03月09日"),
    (0, D(2026, 3, 16), "容缺受理：承诺时限自容缺材料补齐之日起计算", "2026年03月16日（容缺受理：承诺时限自容缺材料补齐之日起计算）"),
])
def test_promised_completion_wording(days, due, note, text):
    assert rules.promised_completion(days, due, note) == text


@pytest.mark.parametrize("days, text", [(0, "即办件"), (3, "3个工作日")])
def test_promised_limit_is_never_zero_days(days, text):
    assert rules.promised_limit(days) == text


@pytest.fixture
def instant_item(publish_item, dept):
    return publish_item(dept, "第二类医疗器械经营备案", case_type="instant", statutory_days=0, promised_days=0,
                        allows_tolerance=True, materials=[("备案表", "required"), ("健康证明", "tolerated")])


@pytest.fixture
def instant_case(instant_item, citizen, pdf):
    case = applying.create_draft(citizen, instant_item)
    applying.upload_material(citizen, case, pdf(), name="备案表")
    case.refresh_from_db()
    return applying.submit(citizen, case, case.lock_version)


def fresh(case):
    return Case.objects.get(pk=case.pk)


def row(lines, label):
    return dict(lines)[label]


def pdf_words(pdf, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf.content.read())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())


def web_receipt(citizen, case) -> str:
    c = Client()
    c.force_login(citizen)
    page = c.get(reverse("cases:receipt", args=[case.pk])).text
    start = page.index('id="receipt-promised">') + len('id="receipt-promised">')
    return page[start:page.index("</td>", start)]


def test_receipt_pdf_and_page_say_the_same_for_an_instant_case(instant_case, citizen):
    pdf_row = row(documents.receipt_lines(fresh(instant_case)), "承诺办结时间")
    assert pdf_row == web_receipt(citizen, instant_case) == "即办件：受理后当场办结"


@needs_pdftotext
def test_receipt_pdf_of_an_instant_case_has_no_zero_days(instant_case, tmp_path):
    words = pdf_words(documents.receipt_pdf(fresh(instant_case)), tmp_path)
    assert "0个工作日" not in words and "即办件：受理后当场办结" in words


def test_receipt_of_a_tolerated_case_counts_from_completion(instant_case, window_staff, citizen):
    due = timezone.localdate() + dt.timedelta(days=14)
    intake.accept_pending(window_staff, instant_case, instant_case.lock_version, [("健康证明", due)])
    case = fresh(instant_case)
    pdf_row = row(documents.receipt_lines(case), "承诺办结时间")
    assert pdf_row == web_receipt(citizen, case)
    assert pdf_row.startswith(f"{due:%Y年%m月%d日}") and "自容缺材料补齐之日起计算" in pdf_row


@needs_pdftotext
def test_acceptance_notice_of_an_instant_case_has_no_zero_days(instant_case, window_staff, tmp_path):
    intake.accept(window_staff, instant_case, instant_case.lock_version)
    words = pdf_words(documents.acceptance_notice_pdf(fresh(instant_case)), tmp_path)
    assert "0个工作日" not in words and "即办件" in words


def test_case_page_before_acceptance_uses_the_same_wording(instant_case, citizen):
    c = Client()
    c.force_login(citizen)
    page = c.get(reverse("cases:my_case", args=[instant_case.pk])).text
    assert 'id="due-date">即办件：受理后当场办结<' in page
