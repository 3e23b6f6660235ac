"""The written notices of intake (《行政许可法》第三十二条) a window clerk prints from the staff
case page: each a real PDF, each only in the states where it applies, every read audited."""

import pytest
from django.urls import reverse

from zhengwu.cases.documents import intake_documents
from zhengwu.cases.models import Case
from zhengwu.cases.services import intake
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def url(case, kind):
    return reverse("cases:staff_document", args=[case.pk, kind])


def pdf_text(response) -> bytes:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"%PDF")
    return body


@pytest.mark.parametrize("state, numbered, accepted, notices, kinds", [
    ("draft", False, False, 0, []),
    ("submitted", True, False, 0, ["receipt"]),
    ("supplement", True, False, 1, ["receipt", "supplement"]),
    ("submitted", True, False, 1, ["receipt", "supplement"]),  # resubmitted: the notice stays printable
    ("in_review", True, True, 0, ["acceptance"]),
    ("concluded", True, True, 1, ["acceptance", "supplement"]),
    ("refused", True, False, 0, ["refusal"]),
    ("withdrawn", True, False, 0, []),
])
def test_which_notice_applies_when(state, numbered, accepted, notices, kinds):
    assert intake_documents(state, numbered=numbered, accepted=accepted, notices=notices) == kinds


def reads():
    return list(AuditEvent.objects.filter(action="case.file_read").order_by("seq").values_list("after", flat=True))


def test_window_clerk_prints_the_receipt_and_the_acceptance_notice(staff_client, window_staff, submitted_case):
    client = staff_client(window_staff)
    page = client.get(reverse("cases:staff_case", args=[submitted_case.pk])).content.decode()
    assert 'id="print-receipt"' in page and 'id="print-acceptance"' not in page
    response = client.get(url(submitted_case, "receipt"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf_text(response)
    assert client.get(url(submitted_case, "acceptance")).status_code == 404  # not accepted yet
    assert client.get(url(submitted_case, "refusal")).status_code == 404
    intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    page = client.get(reverse("cases:staff_case", args=[submitted_case.pk])).content.decode()
    assert 'id="print-acceptance"' in page and 'id="print-receipt"' not in page
    assert client.get(url(submitted_case, "acceptance")).status_code == 200
    assert client.get(url(submitted_case, "receipt")).status_code == 404
    assert [r["file"] for r in reads()] == ["receipt", "acceptance"]
    assert reads()[1]["case_number"] == submitted_case.number


def test_supplement_and_refusal_notices(staff_client, window_staff, submitted_case):
    client = staff_client(window_staff)
    assert client.get(url(submitted_case, "supplement")).status_code == 404
    case = intake.request_supplement(window_staff, submitted_case, submitted_case.lock_version,
                                     [{"material": "营业执照", "reason": "复印件不清晰"}], "请重新扫描")
    assert client.get(url(case, "supplement")).status_code == 200
    case = Case.objects.get(pk=case.pk)
    intake.refuse(window_staff, case, case.lock_version, "经营场所不在本辖区", "《行政许可法》第三十二条第一款第（三）项")
    page = client.get(reverse("cases:staff_case", args=[case.pk])).content.decode()
    assert 'id="print-refusal"' in page and 'id="print-supplement"' in page
    assert client.get(url(case, "refusal")).status_code == 200
    assert [r["file"] for r in reads()] == ["supplement", "refusal"]


def test_others_get_404(staff_client, make_staff, fire_approver, submitted_case, client, citizen):
    assert staff_client(fire_approver).get(url(submitted_case, "receipt")).status_code == 404
    client.force_login(citizen)
    assert client.get(url(submitted_case, "receipt")).status_code in (302, 403, 404)
    assert staff_client(make_staff("window")).get(url(submitted_case, "nonsense")).status_code == 404
    assert not reads()


@pytest.mark.skipif(__import__("shutil").which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_a_tolerated_acceptance_notice_lists_what_is_owed_and_by_when(submitted_case, window_staff, tmp_path):
    """容缺受理: the 受理通知书 does not say 申请材料齐全; it lists each 容缺材料 with its 补交期限."""
    import datetime as dt
    import subprocess

    from zhengwu.cases.documents import acceptance_notice_pdf

    due = dt.date.today() + dt.timedelta(days=10)
    case = intake.accept_pending(window_staff, submitted_case, submitted_case.lock_version, [("健康证明", due)])
    path = tmp_path / "notice.pdf"
    path.write_bytes(acceptance_notice_pdf(Case.objects.get(pk=case.pk)).content.read())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "申请材料齐全" not in flat and "容缺材料1" in flat
    assert f"健康证明（{due:%Y年%m月%d日}前补交）" in flat and "容缺材料补齐之前，办件不能办结" in flat


def test_a_tolerated_acceptance_message_names_the_materials_and_the_date(submitted_case, window_staff):
    import datetime as dt

    from zhengwu.cases.models import Notification

    due = dt.date.today() + dt.timedelta(days=10)
    intake.accept_pending(window_staff, submitted_case, submitted_case.lock_version, [("健康证明", due)])
    body = Notification.objects.filter(case=submitted_case).latest("pk").body
    assert f"请于{due:%Y年%m月%d日}前补交容缺材料：健康证明。" in body
