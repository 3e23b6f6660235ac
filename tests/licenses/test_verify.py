"""证照验证: every outcome by identifier, number, QR link and PDF upload; the public page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.licenses import factories as f
from zhengwu.core.identifiers import make_id_number
from zhengwu.licenses import verification as v

ID = make_id_number("41010519900307123")


@pytest.fixture
def issuer(make_department):
    return make_department(name="市场监管局")


@pytest.fixture
def ltype(issuer):
    return f.licence_type(issuer, name="食品经营许可证")


def test_valid_licence_is_valid_with_holder_masked(ltype, issuer):
    lic = f.licence(ltype, issuer, holder_name="张小三", holder_id_number=ID)
    verdict = v.verify_identifier(lic.identifier)
    assert verdict.outcome == "valid" and verdict.label == "有效"
    face = verdict.licence
    assert face["holder"] == "张**" and face["holder_id"] == ID[:4] + "*" * 10 + ID[-4:]
    assert face["type"] == "食品经营许可证" and face["issuer"] == "市场监管局" and face["number"] == lic.number
    assert ID not in str(face) and "张小三" not in str(face)


@pytest.mark.parametrize("status,label", [("cancelled", "已注销"), ("revoked", "已吊销"), ("expired", "已过期")])
def test_status_outcomes(ltype, issuer, status, label):
    lic = f.licence(ltype, issuer, holder_id_number=ID, status=status)
    assert v.verify_identifier(lic.identifier).label == label


def test_superseded_names_the_new_version(ltype, issuer):
    old = f.licence(ltype, issuer, holder_id_number=ID, status="superseded", serial="S1")
    new = f.licence(ltype, issuer, holder_id_number=ID, serial="S1", version=2, previous=old)
    verdict = v.verify_identifier(old.identifier)
    assert verdict.label == "已变更（有新版本）"
    assert verdict.licence["newer_identifier"] == new.identifier


def test_past_valid_until_is_expired_before_the_expiry_job(ltype, issuer):
    lic = f.licence(ltype, issuer, holder_id_number=ID, valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert lic.status == "valid"
    assert v.verify_identifier(lic.identifier).outcome == "expired"
    lic2 = f.licence(ltype, issuer, holder_id_number=ID, valid_until=None)  # 长期
    assert v.verify_identifier(lic2.identifier).outcome == "valid"


def test_wrong_check_character_and_unknown(ltype, issuer):
    lic = f.licence(ltype, issuer, holder_id_number=ID)
    last = lic.identifier[-1]
    bad = lic.identifier[:-1] + ("A" if last != "A" else "B")
    with pytest.raises(ValidationError) as exc:
        v.verify_identifier(bad)
    assert "校验位不正确" in exc.value.messages[0]
    # A well-formed identifier the platform never issued.
    from zhengwu.core.identifiers import make_license_identifier

    unknown = make_license_identifier(ltype.code, issuer.uscc, "NEVER1", 1)
    assert v.verify_identifier(unknown).label == "不存在"


def test_query_accepts_the_qr_link_and_the_number(ltype, issuer):
    lic = f.licence(ltype, issuer, holder_id_number=ID, number="JY14101050012345")
    [by_link] = v.verify_query(f"https://zw.example.cn/licences/verify?id={lic.identifier}")
    assert by_link.outcome == "valid"
    [by_number] = v.verify_query("JY14101050012345")
    assert by_number.licence["identifier"] == lic.identifier
    assert v.verify_query("NO-SUCH-NUMBER")[0].outcome == "not_found"


def test_identifier_is_one_query(ltype, issuer, django_assert_num_queries):
    lic = f.licence(ltype, issuer, holder_id_number=ID)
    with django_assert_num_queries(1):
        v.verify_identifier(lic.identifier)


# -- PDF --------------------------------------------------------------------------------------------
def _issued_pdf(lic) -> bytes:
    with lic.pdf_file.open("rb") as fh:
        return fh.read()


def test_pdf_as_issued_is_valid(ltype, issuer):
    lic = f.licence(ltype, issuer, holder_id_number=ID)
    pdf = _issued_pdf(lic)
    assert v.find_identifiers(pdf) == [lic.identifier]
    assert v.verify_pdf_upload(pdf).outcome == "valid"


def test_modified_pdf_is_tampered(ltype, issuer):
    lic = f.licence(ltype, issuer, holder_id_number=ID)
    pdf = _issued_pdf(lic)
    modified = pdf.replace(b"(untitled)", b"(untitleX)")  # the Info title changed
    assert modified != pdf
    verdict = v.verify_pdf_upload(modified)
    assert verdict.outcome == "tampered" and verdict.label == "签章无效（文件被修改）"
    assert verdict.licence["identifier"] == lic.identifier


def test_seal_verdict_is_used_when_the_sealing_service_has_one(ltype, issuer, monkeypatch):
    from zhengwu.licenses import sealing

    lic = f.licence(ltype, issuer, holder_id_number=ID)
    pdf = _issued_pdf(lic)

    class Bad:
        intact, message = False, "签名覆盖范围之后有修改"

    monkeypatch.setattr(sealing, "verify_pdf", lambda data: Bad(), raising=False)
    verdict = v.verify_pdf_upload(pdf)
    assert verdict.outcome == "tampered" and "签名覆盖范围之后有修改" in verdict.message


def test_garbage_uploads_are_refused_with_a_message(ltype, issuer):
    for blob, words in [(b"", "请选择"), (b"GIF89a not a pdf", "不是PDF文件"),
                        (b"%PDF-" + b"x" * (v.MAX_PDF_BYTES + 1), "不能超过")]:
        with pytest.raises(ValidationError) as exc:
            v.verify_pdf_upload(blob)
        assert words in str(exc.value)
    assert v.verify_pdf_upload(b"%PDF-1.4\nstream\nnot zlib\nendstream\n%%EOF").outcome == "not_found"


# -- the page ---------------------------------------------------------------------------------------
def test_public_page_without_login(client, ltype, issuer):
    lic = f.licence(ltype, issuer, holder_name="李四", holder_id_number=ID)
    page = client.get("/licences/verify", {"id": lic.identifier})
    text = page.content.decode()
    assert page.status_code == 200 and 'data-outcome="valid"' in text and "有效" in text
    assert "李四" not in text and ID not in text and "李*" in text
    bad = client.get("/licences/verify", {"q": lic.identifier[:-1] + ("A" if lic.identifier[-1] != "A" else "B")})
    assert bad.status_code == 400 and "校验位不正确" in bad.content.decode()
    missing = client.get("/licences/verify", {"q": "ZW-NONE"})
    assert 'data-outcome="not_found"' in missing.content.decode()


def test_page_upload(client, ltype, issuer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lic = f.licence(ltype, issuer, holder_id_number=ID)
    pdf = _issued_pdf(lic)
    ok = client.post("/licences/verify", {"pdf": SimpleUploadedFile("a.pdf", pdf, "application/pdf")})
    assert ok.status_code == 200 and 'data-outcome="valid"' in ok.content.decode()
    changed = client.post("/licences/verify", {"pdf": SimpleUploadedFile("a.pdf", pdf + b"\n%extra", "application/pdf")})
    assert 'data-outcome="tampered"' in changed.content.decode()
    junk = client.post("/licences/verify", {"pdf": SimpleUploadedFile("a.pdf", b"\x00\xff" * 100, "application/pdf")})
    assert junk.status_code == 400 and "不是PDF文件" in junk.content.decode()
    nothing = client.post("/licences/verify", {})
    assert nothing.status_code == 400 and "请选择" in nothing.content.decode()


def test_page_is_rate_limited(client, ltype, issuer, monkeypatch):
    from zhengwu.licenses import views_public

    monkeypatch.setattr(views_public, "QUERY_LIMIT", (3, 60))
    codes = [client.get("/licences/verify", {"q": "ZW1"}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    assert "操作过于频繁：每分钟最多3次" in client.get("/licences/verify", {"q": "ZW1"}).content.decode()
