"""Seal keys and certificates: the platform CA, department seals, PKCS#12 import — the one write
path for :mod:`zhengwu.licenses.models.seals` — and a per-process cache of loaded keys.

A seal row never changes its keys, so the cache is keyed by the row's id and stays correct across
processes: a new certificate is a new row, found by the one cheap query each sealing makes.
Nothing here logs or returns a private key.
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from gmalglib.sm2 import SM2

from zhengwu.core import audit, pii
from zhengwu.licenses.models import DepartmentSeal, PlatformCA, SealSource

from .image import draw_seal

CA_YEARS = 20
SEAL_YEARS = 5
PLATFORM_NAME = "政务服务平台"


# -- certificates ------------------------------------------------------------------------------
def _name(common_name: str, *, organisation: str = PLATFORM_NAME, uscc: str = "") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64])]
    if uscc:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, uscc))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(attrs)


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=not ca, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _key_pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def _serial(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "X")


def _dn(name: x509.Name) -> str:
    return name.rfc4514_string()[:400]


def key_algorithm(key) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return f"RSA-{key.key_size}"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {"secp256r1": "ECDSA-P256", "secp384r1": "ECDSA-P384"}.get(key.curve.name, f"EC-{key.curve.name}")
    return type(key).__name__


def _create_ca() -> PlatformCA:
    key = ec.generate_private_key(ec.SECP256R1())
    now = timezone.now()
    subject = _name(f"{PLATFORM_NAME}电子印章根CA")
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    ca = PlatformCA.objects.create(name=f"{PLATFORM_NAME}电子印章根CA", certificate_pem=_pem(cert),
                                   private_key=pii.encrypt(_key_pem(key)), serial=_serial(cert),
                                   not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc)
    audit.record("licenses.ca.create", obj=ca, after={"serial": ca.serial, "subject": _dn(subject)})
    return ca


def platform_ca(*, create: bool = True) -> PlatformCA | None:
    """The active platform CA, created (and stored) on first use."""
    ca = PlatformCA.objects.filter(is_active=True).first()
    if ca is None and create:
        try:
            with transaction.atomic():
                ca = _create_ca()
        except IntegrityError:  # another process created it first
            ca = PlatformCA.objects.get(is_active=True)
    return ca


@dataclass(frozen=True)
class _CA:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


_lock = threading.Lock()
_ca_cache: dict[tuple[int, str], _CA] = {}


def _ca_material(ca: PlatformCA) -> _CA:
    with _lock:
        hit = _ca_cache.get((ca.pk, ca.serial))
    if hit is None:
        hit = _CA(x509.load_pem_x509_certificate(ca.certificate_pem.encode()),
                  serialization.load_pem_private_key(pii.decrypt(ca.private_key).encode(), None))
        with _lock:
            _ca_cache[(ca.pk, ca.serial)] = hit
    return hit


def _new_sm2() -> tuple[str, str]:
    sk, pk = SM2().generate_keypair()
    return pk.hex(), pii.encrypt(sk.hex())


def _seal_row(department, *, cert: x509.Certificate, chain: list[x509.Certificate], key, source: str,
              actor=None) -> DepartmentSeal:
    """Deactivate the department's current seal and store the new one (inside the caller's atomic)."""
    previous = list(DepartmentSeal.objects.select_for_update().filter(department=department, is_active=True))
    DepartmentSeal.objects.filter(pk__in=[s.pk for s in previous]).update(is_active=False)
    sm2_public, sm2_private = _new_sm2()
    seal = DepartmentSeal.objects.create(
        department=department, source=source, certificate_pem=_pem(cert), chain_pem="".join(_pem(c) for c in chain),
        serial=_serial(cert), subject=_dn(cert.subject), issuer=_dn(cert.issuer),
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc, key_algorithm=key_algorithm(key),
        private_key=pii.encrypt(_key_pem(key)), image_png=draw_seal(department.name),
        sm2_public_key=sm2_public, sm2_private_key=sm2_private,
        created_by=actor if getattr(actor, "pk", None) else None)
    audit.record(f"licenses.seal.{'import' if source == SealSource.IMPORTED else 'create'}", actor=actor, obj=seal,
                 before={"replaced": [s.serial for s in previous]} if previous else None,
                 after={"department": department.pk, "serial": seal.serial, "subject": seal.subject,
                        "issuer": seal.issuer, "not_after": seal.not_after.isoformat(),
                        "key_algorithm": seal.key_algorithm, "sm2_public_key": sm2_public})
    return seal


def issue_platform_seal(department, *, actor=None) -> DepartmentSeal:
    """A new seal for ``department`` with a certificate from the platform CA (ECDSA P-256)."""
    with transaction.atomic():
        ca = platform_ca()
        material = _ca_material(ca)
        key = ec.generate_private_key(ec.SECP256R1())
        now = timezone.now()
        cert = (x509.CertificateBuilder()
                .subject_name(_name(department.name, organisation=department.name, uscc=department.uscc or ""))
                .issuer_name(material.cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(min(now + datetime.timedelta(days=365 * SEAL_YEARS), ca.not_after))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(_key_usage(ca=False), critical=True)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(material.key.public_key()),
                               critical=False)
                .sign(material.key, hashes.SHA256()))
        return _seal_row(department, cert=cert, chain=[material.cert], key=key, source=SealSource.PLATFORM,
                         actor=actor)


def active_seal_key(department) -> tuple[int, str]:
    """(id, certificate serial) of ``department``'s active seal — the key of :func:`loaded`. A
    department without one gets a platform-issued seal; so does one whose platform-issued certificate
    has expired. An expired imported certificate is refused: the department must import a new one."""
    row = (DepartmentSeal.objects.filter(department=department, is_active=True)
           .values_list("pk", "serial", "not_after", "source").first())
    if row is not None and row[2] > timezone.now():
        return row[0], row[1]
    if row is not None and row[3] == SealSource.IMPORTED:
        raise ValidationError(f"{department.name}的电子印章证书已于 {timezone.localtime(row[2]):%Y-%m-%d} 过期："
                              "请用 zhengwu seals import 导入新证书")
    try:
        with transaction.atomic():
            seal = issue_platform_seal(department)
    except IntegrityError:  # a concurrent request made one first
        seal = DepartmentSeal.objects.get(department=department, is_active=True)
    return seal.pk, seal.serial


# -- PKCS#12 import ----------------------------------------------------------------------------
def import_pkcs12(department, data: bytes, password: str, *, actor=None) -> DepartmentSeal:
    """Import a department's certificate and key from a PKCS#12 file (.p12/.pfx); it becomes the
    department's active seal. Every refusal is a Chinese :class:`ValidationError`; nothing is written
    unless the whole import succeeds."""
    if not data:
        raise ValidationError({"file": "证书文件为空"})
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode("utf-8") if password else None)
    except ValueError:
        raise ValidationError({"password": "证书文件无法打开：密码错误，或文件不是有效的 PKCS#12（.p12/.pfx）证书；"
                                           "未导入任何内容"}) from None
    except Exception:  # unsupported algorithms (e.g. SM2 keys) and malformed structures
        raise ValidationError({"file": "证书文件无法解析：仅支持含 RSA 或 ECDSA 私钥的 PKCS#12 文件"}) from None
    if key is None or cert is None:
        raise ValidationError({"file": "证书文件中没有私钥或签名证书：请导出含私钥的 PKCS#12 文件"})
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise ValidationError({"file": f"RSA 密钥长度为 {key.key_size} 位：至少需要 2048 位"})
    elif not (isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in ("secp256r1", "secp384r1")):
        raise ValidationError({"file": "私钥算法不受支持：PDF 签名需要 RSA（≥2048 位）或 ECDSA P-256/P-384 密钥"})
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        raise ValidationError({"file": "证书与私钥不匹配"})
    now = timezone.now()
    if cert.not_valid_after_utc <= now:
        raise ValidationError({"file": f"证书已于 {timezone.localtime(cert.not_valid_after_utc):%Y-%m-%d} 过期"})
    if cert.not_valid_before_utc > now:
        raise ValidationError({"file": f"证书自 {timezone.localtime(cert.not_valid_before_utc):%Y-%m-%d} 起才生效"})
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        if not (usage.digital_signature or usage.content_commitment):
            raise ValidationError({"file": "证书的密钥用法不含数字签名，不能用于电子印章"})
    except x509.ExtensionNotFound:
        pass
    with transaction.atomic():
        return _seal_row(department, cert=cert, chain=list(extra or []), key=key, source=SealSource.IMPORTED,
                         actor=actor)


# -- loaded material, cached per process -------------------------------------------------------
@dataclass(frozen=True)
class Loaded:
    seal_id: int
    department_id: int
    department_name: str
    serial: str
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    key: object  # cryptography private key
    image_png: bytes
    sm2_public: bytes
    sm2_private: bytes


_seal_cache: OrderedDict[tuple[int, str], Loaded] = OrderedDict()  # least recently used out first
SEAL_CACHE_MAX = 512


def loaded(key: tuple[int, str]) -> Loaded:
    """The seal's keys and certificates, decrypted once per process. ``key`` is (id, serial): a row
    never changes its keys, and the serial guards against an id reused by another database."""
    with _lock:
        hit = _seal_cache.get(key)
        if hit is not None:
            _seal_cache.move_to_end(key)
    if hit is not None:
        return hit
    seal = DepartmentSeal.objects.select_related("department").get(pk=key[0], serial=key[1])
    hit = Loaded(
        seal_id=seal.pk, department_id=seal.department_id, department_name=seal.department.name, serial=seal.serial,
        cert=x509.load_pem_x509_certificate(seal.certificate_pem.encode()),
        chain=tuple(x509.load_pem_x509_certificates(seal.chain_pem.encode())) if seal.chain_pem.strip() else (),
        key=serialization.load_pem_private_key(pii.decrypt(seal.private_key).encode(), None),
        image_png=bytes(seal.image_png), sm2_public=bytes.fromhex(seal.sm2_public_key),
        sm2_private=bytes.fromhex(pii.decrypt(seal.sm2_private_key)))
    with _lock:
        _seal_cache[key] = hit
        while len(_seal_cache) > SEAL_CACHE_MAX:
            _seal_cache.popitem(last=False)
    return hit


def clear_cache() -> None:
    """Forget every decrypted key in this process (the next use decrypts again)."""
    from . import pdf

    with _lock:
        _seal_cache.clear()
        _ca_cache.clear()
    with pdf._lock:
        pdf._prepared.clear()
