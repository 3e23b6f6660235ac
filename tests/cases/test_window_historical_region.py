"""A citizen whose 身份证号 has a retired region code is found and registered at the window, and
staff see 历史区划代码 instead of a refusal (Issue 30 item 13, GB 11643-1999 §5.2)."""

import pytest
from django.urls import reverse

from zhengwu.accounts.models import Applicant
from zhengwu.core.identifiers import make_id_number

pytestmark = pytest.mark.django_db

HISTORICAL = make_id_number("44052419500101001")  # 440524 潮阳县, a code used 1983–1993


def test_window_registers_and_flags_a_historical_region(staff_client, window_staff, make_citizen, admin_client):
    client = staff_client(window_staff)
    page = client.post(reverse("cases:staff_file_register"), {"name": "陈阿婆", "id_number": HISTORICAL,
                                                               "phone": "13900003333"})
    assert 'id="temp-password"' in page.text and 'id="id-region-historical"' in page.text
    applicant = Applicant.objects.get(name="陈阿婆")
    assert applicant.id_region_historical
    found = client.post(reverse("cases:staff_file"), {"op": "lookup", "number": HISTORICAL})
    assert 'id="id-region-historical"' in found.text and HISTORICAL not in found.text
    admin_page = admin_client.get(f"/admin/accounts/applicant/{applicant.pk}/change/").content.decode()
    assert "历史区划代码" in admin_page and HISTORICAL not in admin_page
    current = make_citizen(name="李四")
    assert not current.applicant.id_region_historical
    assert 'id="id-region-historical"' not in client.post(
        reverse("cases:staff_file"), {"op": "lookup", "number": current.applicant.id_number.reveal_unaudited()}).text
