"""评价明细 export: a citizen's comment that looks like a formula stays text in the workbook
(openpyxl would otherwise write ``=…`` as a live formula)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengwu.ratings import services

pytestmark = pytest.mark.django_db


def test_rating_comment_starting_with_a_formula_is_exported_as_text(client, concluded_case, citizen, leader):
    from openpyxl import load_workbook

    services.rate_case(citizen, concluded_case, level=2, comment='=HYPERLINK("http://evil.example","点此")')
    client.force_login(leader)
    res = client.get(reverse("ratings:export_ratings"), {"period": timezone.localdate().strftime("%Y-%m")})
    ws = load_workbook(io.BytesIO(b"".join(res.streaming_content))).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any(c.data_type == "f" for c in cells)
    assert any(c.value == "'=HYPERLINK(\"http://evil.example\",\"点此\")" for c in cells)
    assert any(c.value == 2 or c.data_type == "n" for c in cells)  # numbers stay numbers
