"""我的证照 and 亮证 (services and scoped reads for the holder's side).

- :func:`holder_licences` — the licences of the logged-in applicant: a person's by the blind
  index of their 身份证号, an enterprise's by its 统一社会信用代码, and those of the entities whose
  设立登记 they applied for (``registrant``: a new 个体工商户's 营业执照 is held by the 个体工商户, its
  经营者 sees it). The one place this is scoped.
- :func:`create_show` — 亮证: a single-use code valid for :data:`SHOW_SECONDS`; only its SHA-256
  is stored (:class:`~zhengwu.licenses.models.LicenceShow`), the clear code is shown once.
- :func:`use_show` — a clerk types or scans the code: the licence's face once, logged (who, when).
- :func:`open_pdf` — the holder downloads the licence file (audited).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from zhengwu.core import audit, pii
from zhengwu.core.identifiers import resembles_id_number

from . import rules
from .models import Licence, LicenceShow
from .models.licences import HolderKind
from .verification import effective_status, status_label

SHOW_SECONDS = 60
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from a phone
CODE_LENGTH = 8


class ShowRefused(Exception):
    """A show code that cannot be used (已使用, 已过期, 不存在, the licence not valid)."""


# -- scoped reads -----------------------------------------------------------------------------------
def _applicant_of(user):
    return getattr(user, "applicant", None) if getattr(user, "is_authenticated", False) else None


def holder_licences(user):
    """Every licence (all versions) whose holder is this user's applicant, or whose holder's
    设立登记 the applicant applied for (``registrant``); none for staff."""
    applicant = _applicant_of(user)
    if applicant is None:
        return Licence.objects.none()
    q = Q(registrant=applicant)
    if applicant.kind == HolderKind.LEGAL and applicant.uscc:
        q |= Q(holder_kind=HolderKind.LEGAL, holder_uscc=applicant.uscc)
    elif applicant.kind != HolderKind.LEGAL and applicant.id_number_index:
        q |= Q(holder_kind=HolderKind.PERSON, holder_id_number_index=applicant.id_number_index)
    return Licence.objects.select_related("type", "issuer").filter(q)


def held_by(lic: Licence, applicant) -> bool:
    """The rule of :func:`holder_licences` for one licence already read."""
    if applicant is None:
        return False
    if lic.registrant_id is not None and lic.registrant_id == applicant.pk:
        return True
    if applicant.kind == HolderKind.LEGAL:
        return lic.holder_kind == HolderKind.LEGAL and bool(applicant.uscc) and lic.holder_uscc == applicant.uscc
    return (lic.holder_kind == HolderKind.PERSON and bool(applicant.id_number_index)
            and lic.holder_id_number_index == applicant.id_number_index)


def for_entity(lic: Licence, applicant) -> bool:
    """The licence is held by an entity the applicant registered, not by the applicant itself
    (我的证照 then names the holder)."""
    return (applicant is not None and lic.registrant_id == applicant.pk and lic.holder_kind == HolderKind.LEGAL
            and lic.holder_uscc != (applicant.uscc or ""))


def holder_licence(user, pk: int) -> Licence:
    lic = holder_licences(user).filter(pk=pk).first()
    if lic is None:
        raise Http404("证照不存在")
    return lic


def issued_in_case(user, case_id: int) -> list[Licence]:
    """The licences a case issued (every version it made), for the applicant's case page: each with
    ``mine`` (``user`` holds it, so 我的证照 opens it; not for a 代办人) and ``status_text``."""
    rows = list(Licence.objects.filter(case_id=case_id).select_related("type").order_by("pk"))
    applicant = _applicant_of(user)
    for lic in rows:  # the rule of holder_licences, on the rows already read
        lic.mine = held_by(lic, applicant)
        lic.status_text = status_label(status_of(lic))
    return rows


def status_of(lic: Licence, today: dt.date | None = None) -> str:
    return effective_status(lic.status, lic.valid_until, today)


def face_fields(lic: Licence, *, mask_ids: bool = True) -> list[tuple[str, str]]:
    """照面信息 as (label, value) in the type's field order — a 版式变体's fields and labels when the
    licence is one (a 个体工商户's 营业执照: :func:`rules.variant_for`); ID numbers masked."""
    raw = lic.data.reveal_unaudited() if lic.data else ""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        return []
    labels = {}
    for f in lic.type.fields_schema or []:
        if isinstance(f, dict) and f.get("key"):
            labels[f["key"]] = (f.get("label") or f["key"], f.get("type", "string"))
    order = [k for k in labels if k in data] + [k for k in data if k not in labels]
    variant = rules.variant_for(lic.type.template or {}, data)
    if variant is not None:
        shown = [k for k in variant.get("fields") or [] if k in labels]
        order = [k for k in shown if k in data]
        for k, label in (variant.get("labels") or {}).items():
            if k in labels and label:
                labels[k] = (label, labels[k][1])
    out = []
    for key in order:
        label, kind = labels.get(key, (key, "string"))
        value = data[key]
        text = "、".join(map(str, value)) if isinstance(value, list) else ("" if value is None else str(value))
        if mask_ids and (kind == "id_number" or resembles_id_number(text)):
            text = pii.mask("id_number", text)
        out.append((label, text))
    return out


# -- 亮证 ----------------------------------------------------------------------------------------------
def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def normalise_code(text: str) -> str:
    """The typed code (any case, spaces or a dash in the middle) or the scanned QR URL."""
    text = (text or "").strip()
    m = re.search(r"[?&]code=([A-Za-z0-9-]+)", text)
    if m:
        text = m.group(1)
    return re.sub(r"[\s-]", "", text).upper()


def create_show(user, lic: Licence) -> tuple[LicenceShow, str]:
    """A new 亮证 code for the holder's licence. Returns the row and the clear code (shown once)."""
    if holder_licences(user).filter(pk=lic.pk).first() is None:
        raise PermissionDenied("只能出示本人（本单位）的证照")
    status = status_of(lic)
    if status != Licence.Status.VALID:
        raise ShowRefused(f"该证照{status_label(status)}，不能亮证")
    now = timezone.now()
    for _ in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                show = LicenceShow.objects.create(licence=lic, token_sha256=_digest(code),
                                                  expires_at=now + dt.timedelta(seconds=SHOW_SECONDS))
                audit.record("licences.show.create", actor=user, obj=lic, after={"show": show.pk})
            return show, code
        except IntegrityError:  # the same code drawn twice (1 in 10¹²): draw again
            continue
    raise RuntimeError("could not draw a unique show code")


def use_show(staff, code_text: str) -> LicenceShow:
    """A clerk uses a 亮证 code: the show row (with its licence) once; ShowRefused otherwise."""
    code = normalise_code(code_text)
    if not re.fullmatch(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}", code):
        raise ValidationError({"code": f"亮证码：应为{CODE_LENGTH}位字母或数字（不含 0、O、1、I）"})
    with transaction.atomic():
        show = (LicenceShow.objects.select_for_update().filter(token_sha256=_digest(code)).first())
        if show is None:
            raise ShowRefused("亮证码不存在：请核对后重新输入，或请持证人重新亮证")
        if show.used_at is not None:
            raise ShowRefused(f"亮证码已使用（{timezone.localtime(show.used_at):%H:%M:%S}）：每个亮证码只能查看一次，"
                              "请持证人重新亮证")
        now = timezone.now()
        if show.expires_at <= now:
            raise ShowRefused("亮证码已过期：亮证码有效期为60秒，请持证人重新亮证")
        lic = Licence.objects.select_related("type", "issuer").get(pk=show.licence_id)
        status = status_of(lic)
        if status != Licence.Status.VALID:
            raise ShowRefused(f"该证照{status_label(status)}，不能亮证")
        dept = ""
        from zhengwu.org.models import RoleGrant

        grant = RoleGrant.objects.filter(user=staff, department__isnull=False).select_related("department").first()
        if grant is not None:
            dept = grant.department.short_name or grant.department.name
        show.used_at = now
        show.used_by = staff
        show.used_by_name = (f"{staff}（{dept}）" if dept else str(staff))[:150]
        show.save(update_fields=["used_at", "used_by", "used_by_name"])
        audit.record("licences.show.view", actor=staff, obj=lic,
                     after={"show": show.pk, "holder": pii.mask("name", lic.holder_name)})
    show.licence = lic
    return show


def recent_shows(lic: Licence, limit: int = 50):
    """亮证记录 of a licence, newest first (the holder sees who viewed it and when)."""
    return list(lic.shows.order_by("-created_at", "-pk")[:limit])


# -- the file ------------------------------------------------------------------------------------------
def open_pdf(user, lic: Licence):
    """The licence file for its holder (audited). Http404 if the licence has no file."""
    if not lic.pdf_file:
        raise Http404("该证照没有证照文件")
    audit.record("licences.download", actor=user, obj=lic, after={"sha256": lic.pdf_sha256})
    return lic.pdf_file.open("rb")
