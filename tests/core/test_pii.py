"""Personal data: encrypted at rest, blind-index lookups, masked by default, audited reveal."""

import logging

import pytest
from django.db import connection

from zhengwu.accounts.models import Applicant
from zhengwu.core import pii
from zhengwu.core.identifiers import make_id_number
from zhengwu.core.logging import MaskPIIFilter, scrub
from zhengwu.core.models import AuditEvent
from zhengwu.core.services import reveal_pii


@pytest.mark.django_db
def test_id_number_is_encrypted_at_rest_and_found_by_blind_index(make_citizen):
    number = make_id_number("41010519900307123")
    user = make_citizen(name="李四", id_body="41010519900307123", phone="13912345678")
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone FROM accounts_applicant WHERE user_id = %s", [user.pk])
        raw_id, raw_phone = cur.fetchone()
    assert number not in raw_id and raw_id.startswith("v1$")
    assert "13912345678" not in raw_phone
    field = Applicant._meta.get_field("id_number")
    found = Applicant.objects.get(**field.lookup(number.lower()))
    assert found.user_id == user.pk


@pytest.mark.django_db
def test_display_is_masked_and_reveal_is_audited(make_citizen):
    user = make_citizen(id_body="41010519900307123", phone="13912345678")
    applicant = Applicant.objects.get(user=user)
    assert str(applicant.id_number) == "4101**********" + make_id_number("41010519900307123")[-4:]
    assert str(applicant.phone) == "139****5678"
    assert "4101051990" not in repr(applicant.id_number)
    before = AuditEvent.objects.count()
    value = reveal_pii(user, applicant, "id_number", "核验身份")
    assert value == make_id_number("41010519900307123")
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "pii.reveal" and event.after["purpose"] == "核验身份"
    assert value not in str(event.after)


def test_ciphertexts_differ_but_blind_index_is_stable(settings):
    a, b = pii.encrypt("13800000000"), pii.encrypt("13800000000")
    assert a != b and pii.decrypt(a) == pii.decrypt(b) == "13800000000"
    assert pii.blind_index("phone", "138 0000 0000") == pii.blind_index("phone", "13800000000")
    assert pii.blind_index("phone", "13800000000") != pii.blind_index("id_number", "13800000000")


def test_masks():
    assert pii.mask("id_number", "410105199003071234") == "4101**********1234"
    assert pii.mask("phone", "13803710001") == "138****0001"
    assert pii.mask("name", "欧阳修") == "欧**"


def test_log_filter_masks_id_numbers_and_phones(caplog):
    number = make_id_number("41010519900307123")
    assert number not in scrub(f"查询 {number} 与 13803710001")
    logger = logging.getLogger("zhengwu.test")
    logger.addFilter(MaskPIIFilter())
    with caplog.at_level(logging.INFO, logger="zhengwu.test"):
        logger.info("申请人 %s 电话 %s", number, "13803710001")
    logger.filters.clear()
    text = caplog.text
    assert number not in text and "13803710001" not in text
    assert "4101**********" in text and "138****0001" in text
