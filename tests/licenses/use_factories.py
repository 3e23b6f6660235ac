"""Small factories for the 用证 / 免提交 tests: licence types and licences created directly (the
issuing service is another part of the licences app)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from zhengwu.core.identifiers import make_license_identifier, make_uscc

_seq = itertools.count(1)


def licence_type(name: str = "营业执照", holder_kind: str = "legal", **kw):
    from zhengwu.licenses.models import LicenceType

    found = LicenceType.objects.filter(name=name).first()
    if found is not None:
        return found
    n = next(_seq)
    return LicenceType.objects.create(code=kw.pop("code", f"91410100MA0000000{n:04d}"), name=name,
                                      holder_kind=holder_kind, **kw)


def licence(type_, *, issuer, applicant=None, holder_uscc: str = "", holder_id_number: str = "",
            status: str = "valid", valid_until: dt.date | None = None, valid_from: dt.date | None = None,
            issued_on: dt.date | None = None, holder_name: str = ""):
    """A licence of ``type_`` held by ``applicant`` (their USCC or 身份证号) or the given holder."""
    from zhengwu.licenses.models import Licence

    n = next(_seq)
    today = timezone.localdate()
    if applicant is not None:
        holder_name = holder_name or applicant.name
        if applicant.kind == "legal":
            holder_uscc = applicant.uscc
        else:
            holder_id_number = applicant.id_number.reveal_unaudited() if hasattr(applicant.id_number, "reveal_unaudited") \
                else str(applicant.id_number)
    serial = f"{n:08d}"
    uscc = issuer.uscc or make_uscc("1", "1", "410105", f"L{n:07d}")
    issued = issued_on or today - dt.timedelta(days=400)
    return Licence.objects.create(
        identifier=make_license_identifier(type_.code, uscc, serial), number=f"ZW{n:08d}", type=type_,
        serial=serial, holder_kind=type_.holder_kind, holder_name=holder_name or "持证人",
        holder_id_number=holder_id_number, holder_uscc=holder_uscc, issuer=issuer, data="{}",
        issued_on=issued, valid_from=valid_from or issued, valid_until=valid_until, status=status)


def company(name: str = "郑州老王餐饮有限公司", body: str | None = None):
    """A registered 法人 applicant (User); ``user.applicant`` holds the USCC."""
    from zhengwu.accounts import services
    from zhengwu.core.identifiers import make_id_number

    n = next(_seq)
    uscc = make_uscc("9", "1", "410105", body or f"M{n:07d}")
    return services.register_legal(name=name, uscc=uscc, legal_rep_name="王老板",
                                   legal_rep_id_number=make_id_number(f"41010519800101{n % 1000:03d}"),
                                   phone="13900000000", password="Test@2026pw", password2="Test@2026pw")
