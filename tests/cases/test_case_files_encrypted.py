"""Case files are encrypted at rest (zhengwu.core.storage), 0600 in 0700 directories, and
download as the original bytes; plaintext files stored before encryption still download, and
``zhengwu files encrypt`` encrypts them in place."""

import hashlib
import os
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from zhengwu.core import storage

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.4\n% ID scan 410105199001011234\n" + bytes(range(256)) * 300 + b"\n%%EOF\n"


def on_disk(field_file) -> Path:
    return Path(settings.MEDIA_ROOT) / field_file.name


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """A media root of this test's own: `files encrypt` counts only its files."""
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


@pytest.fixture
def scan(submitted_case, pdf):
    from zhengwu.cases.services import applying

    case = applying.create_draft(submitted_case.applicant.user, submitted_case.service_item)
    return applying.upload_material(submitted_case.applicant.user, case, pdf("身份证.pdf", SCAN), name="身份证")


def test_an_upload_is_encrypted_on_disk_owner_only_and_downloads_as_uploaded(login, scan):
    path = on_disk(scan.file)
    raw = path.read_bytes()
    assert not raw.startswith(b"%PDF") and b"410105199001011234" not in raw
    assert raw.startswith(storage.MAGIC)
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert scan.sha256 == hashlib.sha256(SCAN).hexdigest() and scan.size == len(SCAN)
    response = login(scan.case.applicant.user).get(reverse("cases:case_file", args=[scan.case_id, scan.pk]))
    assert response.status_code == 200 and body(response) == SCAN
    assert int(response["Content-Length"]) == len(SCAN)


def test_a_decision_pdf_is_encrypted_on_disk(login, submitted_case, window_staff, approver):
    from zhengwu.cases.models import Case
    from zhengwu.cases.services import approval, intake

    case = intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    for step in ("review", "decide"):
        case = Case.objects.get(pk=case.pk)
        approval.act_on_step(approver, case, step, "pass", case.lock_version)
    result = Case.objects.get(pk=case.pk).result
    path = on_disk(result.decision_file)
    assert not path.read_bytes().startswith(b"%PDF") and mode(path) == 0o600
    response = login(approver).get(reverse("cases:decision_pdf", args=[case.pk]))
    pdf = body(response)
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == result.decision_sha256


def test_a_legacy_plaintext_file_still_downloads_and_files_encrypt_encrypts_it(login, scan, capsys):
    path = on_disk(scan.file)
    path.write_bytes(SCAN)  # as stored before encryption at rest
    os.chmod(path, 0o644)
    old = path.stat().st_mtime_ns
    url = reverse("cases:case_file", args=[scan.case_id, scan.pk])
    client = login(scan.case.applicant.user)
    assert body(client.get(url)) == SCAN

    call_command("files", "encrypt", "--dry-run")
    assert "待加密 1 个" in capsys.readouterr().out and path.read_bytes() == SCAN
    call_command("files", "encrypt")
    assert "已加密 1 个" in capsys.readouterr().out
    assert path.read_bytes().startswith(storage.MAGIC) and mode(path) == 0o600
    assert path.stat().st_mtime_ns == old  # `files prune` still sees the file's real age
    assert body(client.get(url)) == SCAN
    call_command("files", "encrypt")  # again: nothing left to do
    assert "已加密 0 个" in capsys.readouterr().out and body(client.get(url)) == SCAN
