"""The case documents carry a real seal: a concluded case's 决定书 and the intake notices pass pdfsig."""

from __future__ import annotations

import hashlib
import os
import subprocess

import pytest
from django.urls import reverse

from tests.cases import conftest as cases

pytestmark = pytest.mark.django_db
item, citizen, window_staff, submitted_case, pdf, staff_client = (
    cases.item, cases.citizen, cases.window_staff, cases.submitted_case, cases.pdf, cases.staff_client)
needs_pdfsig = pytest.mark.skipif(not os.path.exists("/usr/bin/pdfsig"), reason="pdfsig (poppler-utils) is not installed")


def pdfsig(tmp_path, data: bytes) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["/usr/bin/pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout


@needs_pdfsig
def test_a_concluded_cases_decision_passes_pdfsig(submitted_case, window_staff, approver, tmp_path):
    from zhengwu.cases.models import Case
    from zhengwu.cases.services import approval, intake
    from zhengwu.licenses.sealing import verify_pdf

    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    for step in ("review", "decide"):
        case = Case.objects.get(pk=case.pk)
        approval.act_on_step(approver, case, step, "pass", case.lock_version)
    result = Case.objects.get(pk=case.pk).result
    with result.decision_file.open("rb") as f:
        data = f.read()
    assert hashlib.sha256(data).hexdigest() == result.decision_sha256
    report = pdfsig(tmp_path, data)
    assert "Signature is Valid." in report and "Total document signed" in report
    assert f"Signer Certificate Common Name: {case.department.name}" in report
    verified = verify_pdf(data)
    assert verified.ok and verified.department_id == case.department_id


@needs_pdfsig
def test_intake_notices_are_sealed_the_receipt_is_not(staff_client, window_staff, submitted_case, tmp_path):
    from zhengwu.cases.services import intake
    from zhengwu.licenses.sealing import verify_pdf

    client = staff_client(window_staff)
    url = lambda case, kind: reverse("cases:staff_document", args=[case.pk, kind])  # noqa: E731
    receipt = client.get(url(submitted_case, "receipt")).content
    assert not verify_pdf(receipt).signed
    case = intake.request_supplement(window_staff, submitted_case, submitted_case.lock_version,
                                     [{"material": "营业执照", "reason": "复印件不清晰"}], "请重新扫描")
    supplement = client.get(url(case, "supplement")).content
    case.refresh_from_db()
    intake.refuse(window_staff, case, case.lock_version, "经营场所不在本辖区", "《行政许可法》第三十二条第一款第（三）项")
    refusal = client.get(url(case, "refusal")).content
    for data in (supplement, refusal):
        report = pdfsig(tmp_path, data)
        assert "Signature is Valid." in report and "Total document signed" in report
        assert verify_pdf(data).department_id == case.department_id


def test_the_acceptance_notice_is_sealed(staff_client, window_staff, submitted_case):
    from zhengwu.cases.services import intake
    from zhengwu.licenses.sealing import verify_pdf

    intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    data = staff_client(window_staff).get(reverse("cases:staff_document", args=[submitted_case.pk, "acceptance"]))
    result = verify_pdf(data.content)
    assert result.ok and result.department_id == submitted_case.department_id
