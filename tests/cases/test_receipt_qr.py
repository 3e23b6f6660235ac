"""The receipt (申请回执) carries a QR code another domain supplies through
:data:`zhengwu.cases.signals.receipt_qr` (ratings: 好差评); cases never imports that domain, and a
failing supplier costs the applicant nothing but the code."""

from __future__ import annotations

import ast
import pathlib

import pytest

from zhengwu.cases import documents
from zhengwu.cases.signals import receipt_qr

pytestmark = pytest.mark.django_db


def test_no_module_of_cases_imports_ratings():
    root = pathlib.Path(documents.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            found += [f"{path.relative_to(root)}: {name}" for name in names if name.startswith("zhengwu.ratings")]
    assert found == []


def test_the_receipt_carries_the_rating_qr_code_from_the_signal(accepted_case):
    from zhengwu.ratings.models import RatingToken

    png, caption = documents._receipt_qr(accepted_case)
    assert png.startswith(b"\x89PNG") and "好差评" in caption
    assert RatingToken.objects.filter(kind="case", ref=accepted_case.pk).exists()


def test_a_failing_receiver_costs_only_the_qr_code(accepted_case, caplog):
    def broken(sender, case, **kwargs):
        raise RuntimeError("QR service down")

    receipt_qr.connect(broken, dispatch_uid="test.broken")
    disconnected = receipt_qr.disconnect(dispatch_uid="ratings.receipt_qr")
    try:
        assert documents._receipt_qr(accepted_case) is None
        assert "receipt QR code for case" in caplog.text
        pdf = documents.receipt_pdf(accepted_case)
        assert pdf.content.read().startswith(b"%PDF")
    finally:
        receipt_qr.disconnect(dispatch_uid="test.broken")
        if disconnected:
            from zhengwu.ratings.signals import rating_qr_for_receipt

            receipt_qr.connect(rating_qr_for_receipt, dispatch_uid="ratings.receipt_qr")
