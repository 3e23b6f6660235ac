"""create_draft writes the case and its first history together, or nothing (one transaction)."""

import pytest

from zhengwu.cases.models import Case
from zhengwu.cases.services import applying

pytestmark = pytest.mark.django_db


def test_a_failure_after_the_case_row_leaves_no_case(item, citizen, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("history write failed")

    monkeypatch.setattr(applying, "record_event", broken)
    with pytest.raises(RuntimeError):
        applying.create_draft(citizen, item)
    assert not Case.objects.exists()
