"""我的证照 (only the holder's own licences, detail, PDF download audited) and 亮证 (single use,
60 seconds, logged and visible to the holder; revoked or expired licences cannot be shown)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.licenses import factories as f
from zhengwu.core.models import AuditEvent
from zhengwu.licenses import showing
from zhengwu.licenses.models import LicenceShow


@pytest.fixture
def issuer(make_department):
    return make_department(name="市场监管局")


@pytest.fixture
def ltype(issuer):
    return f.licence_type(issuer, name="食品经营许可证")


@pytest.fixture
def holder(make_citizen):
    return make_citizen(name="张三")


@pytest.fixture
def other(make_citizen):
    return make_citizen(name="李四")


def _id(user):
    return user.applicant.id_number.reveal_unaudited()


@pytest.fixture
def mine(holder, ltype, issuer):
    return f.licence(ltype, issuer, holder_name="张三", holder_id_number=_id(holder), number="MINE0001")


@pytest.fixture
def clerk(make_staff, issuer):
    return make_staff("window", department=issuer)


def test_my_licences_lists_only_my_own(client, holder, other, mine, ltype, issuer):
    theirs = f.licence(ltype, issuer, holder_name="李四", holder_id_number=_id(other), number="THEIRS01")
    client.force_login(holder)
    page = client.get("/licences/mine/").content.decode()
    assert "MINE0001" in page and "THEIRS01" not in page and "有效" in page
    assert client.get(f"/licences/mine/{theirs.pk}/").status_code == 404
    assert client.get(f"/licences/mine/{theirs.pk}/file.pdf").status_code == 404
    detail = client.get(f"/licences/mine/{mine.pk}/").content.decode()
    assert "餐饮服务" in detail and "发证" in detail and "亮证记录" in detail
    assert _id(holder) not in detail  # the ID number masked, in the face data too


def test_enterprise_sees_licences_by_uscc(client, make_department, ltype, issuer):
    from zhengwu.accounts import services
    from zhengwu.core.identifiers import make_id_number, make_uscc

    uscc = make_uscc("9", "1", "410105", "MB000001")
    firm = services.register_legal(name="郑州某餐饮有限公司", uscc=uscc, legal_rep_name="王五",
                                   legal_rep_id_number=make_id_number("41010519800101001"), phone="13900000000",
                                   password="Test@2026pw", password2="Test@2026pw")
    firm_type = f.licence_type(issuer, name="营业执照测试", holder_kind="legal")
    lic = f.licence(firm_type, issuer, holder_name="郑州某餐饮有限公司", holder_uscc=uscc, number="FIRM0001")
    client.force_login(firm)
    assert "FIRM0001" in client.get("/licences/mine/").content.decode()
    assert client.get(f"/licences/mine/{lic.pk}/").status_code == 200


def test_staff_and_anonymous_have_no_licences(client, clerk, mine):
    assert client.get("/licences/mine/").status_code == 302
    client.force_login(clerk)
    assert client.get("/licences/mine/").status_code == 403


def test_download_is_audited(client, holder, mine):
    client.force_login(holder)
    r = client.get(f"/licences/mine/{mine.pk}/file.pdf")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="licences.download", object_id=str(mine.pk), actor_id=holder.pk).exists()


def _show(client, holder, lic) -> str:
    client.force_login(holder)
    r = client.post(f"/licences/mine/{lic.pk}/show/")
    assert r.status_code == 200, r.content.decode()
    return re.search(r'data-code="([A-Z0-9]{8})"', r.content.decode()).group(1)


def test_show_is_single_use_and_logged(client, holder, mine, clerk):
    code = _show(client, holder, mine)
    assert LicenceShow.objects.get().token_sha256 != code and code not in str(LicenceShow.objects.values().get())
    client.force_login(clerk)
    first = client.post("/workbench/licences/show/", {"code": f"{code[:4].lower()}-{code[4:]}"})
    page = first.content.decode()
    assert first.status_code == 200 and "张三" in page and "MINE0001" in page and _id(holder) not in page
    again = client.post("/workbench/licences/show/", {"code": code})
    assert again.status_code == 409 and "已使用" in again.content.decode() and "张三" not in again.content.decode()
    show = LicenceShow.objects.get()
    assert show.used_by == clerk and show.used_at is not None and "市场监管局" in show.used_by_name
    assert AuditEvent.objects.filter(action="licences.show.view", actor_id=clerk.pk).count() == 1
    client.force_login(holder)
    detail = client.get(f"/licences/mine/{mine.pk}/").content.decode()
    assert "市场监管局" in detail and "未被查看" not in detail


def test_show_expires_after_60_seconds(client, holder, mine, clerk, monkeypatch):
    code = _show(client, holder, mine)
    later = timezone.now() + dt.timedelta(seconds=61)
    monkeypatch.setattr(showing.timezone, "now", lambda: later)
    client.force_login(clerk)
    r = client.post("/workbench/licences/show/", {"code": code})
    assert r.status_code == 409 and "已过期" in r.content.decode()
    assert LicenceShow.objects.get().used_at is None


def test_show_within_60_seconds_works(holder, mine, clerk, monkeypatch):
    _row, code = showing.create_show(holder, mine)
    soon = timezone.now() + dt.timedelta(seconds=59)
    monkeypatch.setattr(showing.timezone, "now", lambda: soon)
    assert showing.use_show(clerk, code).licence == mine


def test_qr_link_code_and_bad_codes(holder, mine, clerk):
    from django.core.exceptions import ValidationError

    _row, code = showing.create_show(holder, mine)
    assert showing.use_show(clerk, f"http://x/workbench/licences/show/?code={code}").licence == mine
    with pytest.raises(ValidationError):
        showing.use_show(clerk, "abc")
    with pytest.raises(showing.ShowRefused, match="不存在"):
        showing.use_show(clerk, "ABCDEFGH")


@pytest.mark.parametrize("change", ["revoked", "expired_by_date"])
def test_revoked_or_expired_cannot_be_shown(client, holder, mine, clerk, change):
    _row, code = showing.create_show(holder, mine)  # shown while valid …
    if change == "revoked":
        mine.status = "revoked"
    else:
        mine.valid_until = timezone.localdate() - dt.timedelta(days=1)
    mine.save()
    client.force_login(clerk)
    r = client.post("/workbench/licences/show/", {"code": code})  # … then revoked: refused
    assert r.status_code == 409 and "不能亮证" in r.content.decode()
    client.force_login(holder)
    r = client.post(f"/licences/mine/{mine.pk}/show/")
    assert r.status_code == 400 and "不能亮证" in r.content.decode()
    assert "亮证</button>" not in client.get(f"/licences/mine/{mine.pk}/").content.decode()


def test_holder_cannot_show_someone_elses_licence(client, other, mine):
    client.force_login(other)
    assert client.post(f"/licences/mine/{mine.pk}/show/").status_code == 404
    assert client.get(f"/licences/mine/{mine.pk}/show/").status_code in (404, 405)


def test_show_check_page_is_staff_only(client, holder):
    client.force_login(holder)
    assert client.get("/workbench/licences/show/").status_code == 403


def test_making_and_trying_codes_is_throttled(client, holder, mine, clerk, monkeypatch):
    from zhengwu.licenses import views_public, views_show

    monkeypatch.setattr(views_public, "SHOW_LIMIT", (2, 60))
    monkeypatch.setattr(views_show, "CHECK_LIMIT", (2, 60))
    client.force_login(holder)
    codes = [client.post(f"/licences/mine/{mine.pk}/show/").status_code for _ in range(3)]
    assert codes == [200, 200, 400] and LicenceShow.objects.count() == 2
    client.force_login(clerk)
    tries = [client.post("/workbench/licences/show/", {"code": "ABCDEFGH"}).status_code for _ in range(3)]
    assert tries == [409, 409, 429]
    assert "操作过于频繁" in client.post("/workbench/licences/show/", {"code": "ABCDEFGH"}).content.decode()
