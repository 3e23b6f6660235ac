"""用证 / 免提交: a 必要 material whose 可替代的电子证照 the applicant holds as a valid licence is
satisfied by the licence instead of an upload; the use is recorded (:class:`LicenceUse`).

Called by the cases services (:mod:`zhengwu.cases.services.applying`): the application form asks
:func:`offers_for` what to show, submission calls :func:`record_uses` and the missing-material
check asks :func:`still_missing`. The rules themselves are pure (:mod:`.use_rules`).

Cost: a guide's licence materials are cached per published version (immutable); the applicant's
licences of the needed types are one indexed query (holder index + type) per form.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhengwu.core import audit

from . import use_rules
from .models import Licence, LicenceUse
from .models.licences import HolderKind
from .use_rules import Offer

MATERIALS_SECONDS = 24 * 3600


class LicenceMaterial(NamedTuple):
    """A 必要 material of a published guide version that a licence type may replace."""

    pk: int
    name: str
    licence_type_id: int
    license_type: str
    necessity: str = "required"


def licence_materials(version_id: int) -> tuple[LicenceMaterial, ...]:
    """The version's 必要 materials with a licence type (cached: a published version never changes)."""
    key = f"licenses:use:materials:{version_id}"
    found = cache.get(key)
    if found is None:
        from zhengwu.catalog.models.materials import VERSION_MATERIALS, Necessity

        found = tuple(LicenceMaterial(m.pk, m.name, m.licence_type_id, m.license_type)
                      for m in VERSION_MATERIALS.all(version_id)
                      if m.necessity == Necessity.REQUIRED and m.licence_type_id)
        cache.set(key, found, MATERIALS_SECONDS)
    return found


def holder_q(applicant) -> Q | None:
    """Licences held by ``applicant``: by the 身份证号's blind index for a person, by the USCC for
    a 法人; None when the applicant has no such number on record."""
    if applicant is None:
        return None
    if applicant.kind == HolderKind.PERSON:
        index = getattr(applicant, "id_number_index", "") or ""
        return Q(holder_kind=HolderKind.PERSON, holder_id_number_index=index) if index else None
    if applicant.kind == HolderKind.LEGAL:
        return Q(holder_kind=HolderKind.LEGAL, holder_uscc=applicant.uscc) if applicant.uscc else None
    return None


def held_licences(applicant, type_ids: Iterable[int]) -> list[Licence]:
    """The applicant's licences (any status but 已变更) of the given types: one query. The licence's
    own holder decides, not the type's usual holder kind: a 个体工商户 registered as a person holds
    its 营业执照 as a person, and the registry issues it so."""
    q = holder_q(applicant)
    type_ids = sorted(set(type_ids))
    if q is None or not type_ids:
        return []
    return list(Licence.objects.filter(q, type_id__in=type_ids)
                .exclude(status=Licence.Status.SUPERSEDED).select_related("type")
                .only("pk", "number", "type_id", "type__name", "type__holder_kind", "holder_kind", "status",
                      "valid_from", "valid_until", "issued_on"))


def offers_for(applicant, materials: Sequence, *, today: dt.date | None = None) -> dict[int, Offer]:
    """{material pk: Offer} for the form: which 必要 materials a held valid licence satisfies, and
    for which the held licence cannot be used (with the reason). No query when no material names
    a licence type."""
    wanted = [m for m in materials if getattr(m, "licence_type_id", None) and m.necessity == "required"]
    if not wanted or applicant is None:
        return {}
    licences = held_licences(applicant, (m.licence_type_id for m in wanted))
    return use_rules.offers(wanted, licences, holder_kind=applicant.kind, today=today or timezone.localdate())


def channel_of(case) -> str:
    """窗口代录 for a case filed by staff (窗口受理, 帮代办); 网上申请 for one the applicant filed
    (网上申报, 自助终端)."""
    return LicenceUse.Channel.WINDOW if case.channel in ("window", "agent") else LicenceUse.Channel.ONLINE


def used_names(case_id: int) -> set[str]:
    return set(LicenceUse.objects.filter(case_id=case_id).values_list("material_name", flat=True))


def still_missing(case, missing: list[str]) -> list[str]:
    """``missing`` (必要 materials not uploaded) less those a licence satisfies: used already
    (recorded at submission), or — for a case not yet submitted — usable now."""
    candidates = {m.name: m for m in licence_materials(case.item_version_id) if m.name in missing}
    if not candidates:
        return missing
    covered = used_names(case.pk) & set(candidates)
    rest = [m for name, m in candidates.items() if name not in covered]
    if rest and case.state in ("draft", "supplement"):
        offers = offers_for(case.applicant, rest)
        covered |= {m.name for m in rest if m.pk in offers and offers[m.pk].usable}
    return [name for name in missing if name not in covered]


@transaction.atomic
def record_uses(user, case, *, uploaded: Iterable[str]) -> list[LicenceUse]:
    """免提交 at submission: for each 必要 material with a licence type that was not uploaded and
    not used yet, use the applicant's valid licence of that type (one :class:`LicenceUse` row
    each, channel from the case). Runs in the submission's transaction: a refused submission
    leaves no use behind. Returns the new rows."""
    done = set(uploaded)
    wanted = [m for m in licence_materials(case.item_version_id) if m.name not in done]
    if not wanted:
        return []
    wanted = [m for m in wanted if m.name not in used_names(case.pk)]
    if not wanted:
        return []
    offers = offers_for(case.applicant, wanted)
    applicant = case.applicant
    name = _actor_name(user, applicant)
    rows = [LicenceUse(licence=offers[m.pk].licence, case=case, material_name=m.name, channel=channel_of(case),
                       used_by=user if getattr(user, "pk", None) else None, used_by_name=name,
                       department_id=case.department_id)
            for m in wanted if m.pk in offers and offers[m.pk].usable]
    if not rows:
        return []
    LicenceUse.objects.bulk_create(rows)
    audit.record("licenses.use", actor=user, obj=case, object_type="cases.case",
                 after={"uses": [{"material": r.material_name, "licence": r.licence.pk, "number": r.licence.number,
                                  "channel": r.channel} for r in rows]})
    return rows


def _actor_name(user, applicant) -> str:
    if applicant is not None and getattr(applicant, "user_id", None) == getattr(user, "pk", object()):
        return applicant.name[:150]
    full = (user.get_full_name() if hasattr(user, "get_full_name") else "") or getattr(user, "username", "")
    return f"{full}（窗口代录）"[:150] if full else ""


# -- reading ------------------------------------------------------------------------------------
def uses_of_case(case_id: int) -> list[LicenceUse]:
    """The licences a case used, with their type (staff case page, case API)."""
    return list(LicenceUse.objects.filter(case_id=case_id).select_related("licence__type").order_by("at", "pk"))


def uses_for_holder(applicant):
    """用证记录 of the licences ``applicant`` holds (their own only), newest first."""
    q = holder_q(applicant)
    if q is None:
        return LicenceUse.objects.none()
    licence_q = Q(**{f"licence__{k}": v for k, v in q.children})
    return (LicenceUse.objects.filter(licence_q)
            .select_related("licence__type", "case", "department").order_by("-at", "-pk"))


def staff_licence_view(user, use_id: int) -> LicenceUse:
    """A clerk opens the licence a case used: allowed to whoever may open the case; audited (the
    licence's face data is personal data of the holder)."""
    from zhengwu.cases import queries as case_queries

    use = (LicenceUse.objects.select_related("licence__type", "licence__issuer", "case__department__region",
                                             "department").filter(pk=use_id).first())
    if use is None or use.case_id is None:
        raise PermissionDenied("无权查看该电子证照")
    case = use.case
    if not case_queries.staff_may_open(user, case):
        raise PermissionDenied("无权查看该电子证照")
    audit.record("licenses.use.view", actor=user, obj=use.licence, object_type="licenses.licence",
                 after={"case": case.number or case.pk, "material": use.material_name, "use": use.pk})
    return use


def faces_of(licences: Sequence[Licence]) -> list[tuple[str, dict]]:
    """(type name, 照面信息) of ``licences`` in their order, the face data read in one query (the
    licences a form found were read without it); for prefilling the form
    (:func:`zhengwu.cases.forms_schema.prefill_from_licences`)."""
    wanted = list(dict.fromkeys(lic.pk for lic in licences))
    if not wanted:
        return []
    stored = dict(Licence.objects.filter(pk__in=wanted).values_list("pk", "data"))
    names = {lic.pk: lic.type.name for lic in licences}
    out = []
    for pk in wanted:
        raw = stored.get(pk)
        try:
            data = json.loads(raw.reveal_unaudited() if raw else "") if raw else {}
        except ValueError:
            data = {}
        if isinstance(data, dict):
            out.append((names[pk], data))
    return out


def annotate_rows(rows: Sequence, applicant, case=None) -> None:
    """Give each material row of an application form (``row.material``, ``row.name``) what 免提交
    says: ``row.licence`` (the licence that stands in for it: used already by this case, or
    usable now) and ``row.licence_note`` ("已调用电子证照：…"), or ``row.licence_reason`` (why the
    held licence cannot be used: the upload is asked for). At most two queries; none when no
    material names a licence type."""
    materials = [r.material for r in rows if getattr(r, "material", None) is not None]
    if not any(getattr(m, "licence_type_id", None) for m in materials):
        return
    used = ({u.material_name: u.licence for u in uses_of_case(case.pk)}
            if case is not None and case.submitted_at is not None else {})
    offers = offers_for(applicant, materials) if case is None or case.state in ("draft", "supplement") else {}
    for r in rows:
        lic = used.get(r.name)
        offer = offers.get(r.material.pk) if getattr(r, "material", None) is not None else None
        if lic is None and offer is not None and offer.usable:
            lic = offer.licence
        if lic is not None:
            r.licence = lic
            r.licence_note = f"已调用电子证照：{lic.type.name}（{validity_text(lic)}）"
        elif offer is not None and offer.reason:
            r.licence_reason = offer.reason


def pool_offers(pool: Sequence, selected: set[int], applicant) -> dict[str, Offer]:
    """免提交 for a 一件事's material pool (``entry.key``, ``entry.uses`` = [(member, material)]):
    an entry is satisfied when every applied-for item that needs it as 必要 gets it from a valid
    licence of the applicant (one query); else the reason a held licence cannot be used."""
    wanted = [mat for entry in pool for m, mat in entry.uses
              if m.item.pk in selected and getattr(mat, "licence_type_id", None)]
    offers = offers_for(applicant, wanted) if wanted and applicant is not None else {}
    out: dict[str, Offer] = {}
    if not offers:
        return out
    for entry in pool:
        found = [offers.get(mat.pk) for m, mat in entry.uses if m.item.pk in selected and mat.necessity == "required"]
        if found and all(o is not None and o.usable for o in found):
            out[entry.key] = found[0]
        else:
            reason = next((o.reason for o in found if o is not None and o.reason), "")
            if reason:
                out[entry.key] = Offer(reason=reason)
    return out


def validity_text(licence) -> str:
    return f"有效期至{licence.valid_until:%Y年%m月%d日}" if licence.valid_until else "长期有效"
