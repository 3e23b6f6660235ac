"""Signatures over canonical data (数据签名): SM2 with SM3 (GB/T 32918, GB/T 32905) through
gmalglib (C-backed), the signer's default user ID ``1234567812345678`` (GM/T 0009), the value the
raw 64-byte r‖s in base64."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from gmalglib.sm2 import SM2

from . import keys

ALGORITHM = "SM2-SM3"


def sign(department, data: bytes) -> tuple[str, str, str]:
    """(algorithm, base64 value, certificate serial of the seal whose SM2 key signed)."""
    material = keys.loaded(keys.active_seal_key(department))
    value = SM2(sk=material.sm2_private).sign(bytes(data))
    return ALGORITHM, base64.b64encode(value).decode("ascii"), material.serial


@dataclass(frozen=True)
class DataVerification:
    valid: bool
    department_id: int | None
    department_name: str
    message: str

    @property
    def ok(self) -> bool:
        return self.valid


def public_key(certificate_serial: str) -> str:
    """The SM2 public key (uncompressed point, hex) of the seal with ``certificate_serial``; "" if unknown."""
    from zhengwu.licenses.models import DepartmentSeal

    return (DepartmentSeal.objects.filter(serial=certificate_serial).order_by("-created_at")
            .values_list("sm2_public_key", flat=True).first() or "")


def verify(data: bytes, algorithm: str, value: str, certificate_serial: str, *, public_key_hex: str = "") \
        -> DataVerification:
    from zhengwu.licenses.models import DepartmentSeal

    if algorithm != ALGORITHM:
        return DataVerification(False, None, "", f"不支持的签名算法：{algorithm or '（空）'}（应为 {ALGORITHM}）")
    seal = (DepartmentSeal.objects.select_related("department").filter(serial=certificate_serial)
            .order_by("-created_at").first())
    key_hex = public_key_hex or (seal.sm2_public_key if seal else "")
    if not key_hex:
        return DataVerification(False, None, "", f"找不到证书序列号为 {certificate_serial or '（空）'} 的电子印章")
    try:
        signature = base64.b64decode(value, validate=True)
        key = bytes.fromhex(key_hex)
        valid = len(signature) == 64 and SM2(pk=key).verify(bytes(data), signature)
    except (binascii.Error, ValueError):
        valid = False
    dept_id, dept_name = (seal.department_id, seal.department.name) if seal else (None, "")
    if not valid:
        return DataVerification(False, dept_id, dept_name, "数据签名无效：数据或签名值被改动过")
    return DataVerification(True, dept_id, dept_name, f"数据签名有效：由{dept_name or '该印章'}签名（{ALGORITHM}）")
