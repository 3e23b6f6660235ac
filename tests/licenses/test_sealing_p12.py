"""``zhengwu seals import``: a department's own PKCS#12 certificate replaces the platform-issued one;
a wrong password or an unusable file is refused in Chinese and writes nothing."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from reportlab.pdfgen import canvas

from zhengwu.core.models import AuditEvent
from zhengwu.licenses.models import DepartmentSeal
from zhengwu.licenses.sealing import keys, seal_pdf, sign_data, verify_data, verify_pdf

pytestmark = pytest.mark.django_db


def make_p12(common_name: str, *, password: str, key=None, days: int = 365, with_root: bool = True,
             usage_sign: bool = True) -> tuple[bytes, x509.Certificate]:
    """A PKCS#12 file as a department's CA would deliver it: RSA key, certificate, issuing root."""
    now = datetime.datetime.now(datetime.timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "某省数字证书认证中心")])
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(root_key, hashes.SHA256()))
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                                     x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(root_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=2)).not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.KeyUsage(digital_signature=usage_sign, content_commitment=usage_sign,
                                         key_encipherment=not usage_sign, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(root_key, hashes.SHA256()))
    data = pkcs12.serialize_key_and_certificates(
        b"seal", key, cert, [root] if with_root else None,
        serialization.BestAvailableEncryption(password.encode()))
    return data, cert


def one_page() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(100, 700, "licence")
    c.save()
    return buf.getvalue()


@pytest.fixture
def dept(make_department):
    return make_department(name="金水区民政局")


def counts():
    return (DepartmentSeal.objects.count(), AuditEvent.objects.filter(action__startswith="licenses.").count())


def test_wrong_password_is_refused_in_chinese_and_nothing_is_written(dept):
    data, _ = make_p12("金水区民政局", password="right-one")
    before = counts()
    with pytest.raises(ValidationError) as info:
        keys.import_pkcs12(dept, data, "wrong-one")
    assert "密码错误" in info.value.message_dict["password"][0]
    with pytest.raises(ValidationError, match="PKCS#12"):
        keys.import_pkcs12(dept, b"this is not a certificate", "x")
    assert counts() == before == (0, 0)


def test_a_platform_seal_is_kept_when_an_import_fails(dept):
    seal_pdf(one_page(), dept, reason="先用平台证书")
    active = DepartmentSeal.objects.get(department=dept, is_active=True)
    before = counts()
    bad_inputs = [
        (make_p12("过期", password="p", days=-1)[0], "p", "过期"),
        (make_p12("弱密钥", password="p", key=rsa.generate_private_key(65537, 1024))[0], "p", "2048"),
        (make_p12("不能签名", password="p", usage_sign=False)[0], "p", "数字签名"),
        (b"", "p", "为空"),
    ]
    for data, password, message in bad_inputs:
        with pytest.raises(ValidationError, match=message):
            keys.import_pkcs12(dept, data, password)
    assert counts() == before
    assert DepartmentSeal.objects.get(department=dept, is_active=True) == active


def test_an_imported_certificate_is_the_one_used_afterwards(dept, tmp_path):
    first = seal_pdf(one_page(), dept, reason="平台证书")
    old = DepartmentSeal.objects.get(department=dept, is_active=True)
    old_signature = sign_data(dept, b"data")
    data, cert = make_p12("金水区民政局（导入）", password="s3cret")
    seal = keys.import_pkcs12(dept, data, "s3cret")
    assert seal.is_active and seal.source == "imported" and seal.key_algorithm == "RSA-2048"
    assert seal.serial == format(cert.serial_number, "X") and "某省数字证书认证中心" in seal.issuer
    assert not DepartmentSeal.objects.get(pk=old.pk).is_active
    assert seal.private_key.startswith("v1$") and "PRIVATE" not in seal.private_key
    sealed = seal_pdf(one_page(), dept, reason="导入证书")
    result = verify_pdf(sealed)
    assert result.ok and result.certificate_serial == seal.serial and result.department_id == dept.pk
    assert verify_pdf(first).ok  # documents sealed before still verify, with the retired certificate
    assert verify_data(b"data", old_signature).ok
    assert sign_data(dept, b"data").certificate_serial == seal.serial
    if shutil.which("pdfsig") or __import__("os").path.exists("/usr/bin/pdfsig"):
        path = tmp_path / "imported.pdf"
        path.write_bytes(sealed)
        report = subprocess.run(["/usr/bin/pdfsig", str(path)], capture_output=True, text=True).stdout
        assert "金水区民政局（导入）" in report and "Signature is Valid." in report
        assert "Total document signed" in report
    event = AuditEvent.objects.get(action="licenses.seal.import")
    assert event.before == {"replaced": [old.serial]} and "PRIVATE" not in str(event.after)


def test_the_command_imports_lists_and_refuses_a_wrong_password(dept, tmp_path, capsys):
    data, _ = make_p12("金水区民政局", password="s3cret")
    p12 = tmp_path / "seal.p12"
    p12.write_bytes(data)
    with pytest.raises(CommandError, match="密码错误"):
        call_command("seals", "import", "--department", str(dept.pk), "--file", str(p12), "--password", "nope")
    assert counts() == (0, 0)
    with pytest.raises(CommandError, match="找不到部门"):
        call_command("seals", "import", "--department", "999999", "--file", str(p12), "--password", "s3cret")
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("seals", "import", "--department", dept.uscc, "--file", str(tmp_path / "none.p12"),
                     "--password", "s3cret")
    call_command("seals", "import", "--department", dept.uscc, "--file", str(p12), "--password", "s3cret")
    out = capsys.readouterr().out
    assert "已导入" in out and "s3cret" not in out
    call_command("seals", "init-ca", "--export", str(tmp_path / "ca.pem"))
    assert (tmp_path / "ca.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")
    call_command("seals", "issue", "--department", str(dept.pk))
    call_command("seals", "list")
    out = capsys.readouterr().out
    assert "已创建平台CA" in out and "已签发" in out
    assert out.count("金水区民政局\t") == 2 and "当前使用\t平台CA签发" in out and "已停用\tPKCS#12 导入" in out
    assert "PRIVATE" not in out
