"""SM2/SM3 signatures over a licence's canonical data (gmalglib): round trip, tamper detection,
the algorithm recorded with each signature, the public key available to a verifier."""

from __future__ import annotations

import base64

import pytest
from gmalglib.sm2 import SM2

from zhengwu.licenses.models import DepartmentSeal
from zhengwu.licenses.sealing import DataSignature, data_public_key, sign_data, verify_data

pytestmark = pytest.mark.django_db
CANONICAL = '{"holder":"王小吃","licence":"食品经营许可证","valid_until":"2031-12-03"}'.encode()


def test_sign_and_verify_round_trip(make_department):
    dept = make_department(name="金水区市场监督管理局")
    sig = sign_data(dept, CANONICAL)
    seal = DepartmentSeal.objects.get(department=dept, is_active=True)
    assert sig.algorithm == "SM2-SM3" and sig.certificate_serial == seal.serial
    assert len(base64.b64decode(sig.value)) == 64  # r‖s
    result = verify_data(CANONICAL, sig)
    assert result.ok and result.department_id == dept.pk and "有效" in result.message
    # an independent verifier with only the public key and gmalglib agrees (default uid, SM3 with Z)
    public = data_public_key(sig.certificate_serial)
    assert public == seal.sm2_public_key and len(bytes.fromhex(public)) == 65
    assert SM2(pk=bytes.fromhex(public)).verify(CANONICAL, base64.b64decode(sig.value))
    assert sign_data(dept, CANONICAL).value != sig.value  # randomised, each one valid
    assert verify_data(CANONICAL, DataSignature("SM2-SM3", sig.value, "unknown"), public_key=public).ok


def test_tampering_is_detected(make_department):
    dept = make_department()
    sig = sign_data(dept, CANONICAL)
    changed = CANONICAL.replace(b"2031", b"2041")
    assert not verify_data(changed, sig).ok
    assert "无效" in verify_data(changed, sig).message
    raw = bytearray(base64.b64decode(sig.value))
    raw[10] ^= 1
    assert not verify_data(CANONICAL, DataSignature(sig.algorithm, base64.b64encode(raw).decode(),
                                                    sig.certificate_serial)).ok
    assert not verify_data(CANONICAL, DataSignature(sig.algorithm, "not base64!", sig.certificate_serial)).ok
    wrong_alg = verify_data(CANONICAL, DataSignature("RSA-SHA256", sig.value, sig.certificate_serial))
    assert not wrong_alg.ok and "不支持的签名算法" in wrong_alg.message
    unknown = verify_data(CANONICAL, DataSignature("SM2-SM3", sig.value, "00"))
    assert not unknown.ok and "找不到" in unknown.message
    other = sign_data(make_department(), CANONICAL)  # another department's key does not verify it
    assert not verify_data(CANONICAL, DataSignature("SM2-SM3", sig.value, other.certificate_serial)).ok
