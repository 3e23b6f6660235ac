"""发证: a licence issued on 准予 in the case's own transaction, and 变更 to a new version.

``issue_for_case(case, result, user)`` is called by ``cases.services.approval.conclude_now`` with the
``CaseResult`` not yet saved (the 决定书, made next, names the licence): when the case concludes 准予
and the item's result is a licence type, the licence is issued — identifier (GB/T 36904), holder from the applicant, face data from the
result's ``licence_payload``, the case's form (by key, or a form field with the licence field's
label), the system's values (holder, issuer, dates) and last the type's 默认值; dates, the PDF
sealed by the issuer and the canonical data signed by it. The 签发人 is the official whose decision
it is (``user``, by display name): kept on the licence and, when the type has a 签发人 field, on its
face. Any failure raises and rolls back the conclusion with it.

A second 准予 for the same holder and type (a 变更 or 延续 case) issues version + 1 of the same
licence, linked by ``previous``, its face data kept where the case gives no new value; the old one
becomes 已变更.

A 设立登记 (:mod:`..entity_rules`) registers a new entity (and makes it an applicant its registrant
acts for: :mod:`zhengwu.accounts.entities`): its licence (a 法人 type such as the 营业执照)
is held by that entity — named by the form's entity-name field (企业名称, 个体工商户名称（字号）) and
carrying the 统一社会信用代码 the case gives, else the one assigned now (:mod:`..uscc_assign`) — and the
applicant is its ``registrant`` (申请设立人), who sees it in 我的证照. The code and name are recorded on
the case's result (``licence_payload["entity"]``) and in the audit log. A 法人 licence of a 一件事
that registers an entity beside it (食品经营许可证 in 开办餐饮店一件事) is that entity's, issued once the
registration is approved (:func:`_bundle_entity`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.core.identifiers import make_license_identifier, uscc_problem
from zhengwu.core.transitions import actor_name
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role

from .. import documents, entity_rules, rules, sealing, uscc_assign
from ..models import Licence, LicenceEvent, LicenceType
from ..models.licences import HolderKind
from . import StaleLicence

log = logging.getLogger(__name__)
ACT_ROLES = (Role.APPROVER, Role.DEPT_ADMIN)


# -- which type an item issues ------------------------------------------------------------------
def licence_type_for_item(version) -> LicenceType | None:
    """The licence type an item version's 办理结果 is, or None.

    First an explicit reference ``result_licence_type_id`` on the version (added by the
    catalogue's result editor), else the name of its first result of type 证照 matched against
    the active types' names (as given, or without a trailing remark in brackets and without the
    prefix 中华人民共和国)."""
    explicit = getattr(version, "result_licence_type_id", None)
    if explicit:
        return LicenceType.objects.filter(pk=explicit, is_active=True).first()
    for result in getattr(version, "results", None) or []:
        if result.get("type") != "证照":
            continue
        name = str(result.get("name") or "").strip()
        candidates = {name, rules.bare_name(name)} - {""}
        found = LicenceType.objects.filter(name__in=candidates, is_active=True).order_by("pk").first()
        if found is not None:
            return found
    return None


# -- the face data ------------------------------------------------------------------------------
def _holder_of(applicant) -> dict:
    if applicant.kind == HolderKind.LEGAL:
        return {"kind": HolderKind.LEGAL, "name": applicant.name, "uscc": applicant.uscc or "", "id_number": ""}
    return {"kind": HolderKind.PERSON, "name": applicant.name, "uscc": "",
            "id_number": applicant.id_number.reveal_unaudited() if applicant.id_number else ""}


def _derived(holder: dict, issuer, issued_on: dt.date, until: dt.date | None, case=None) -> dict:
    """Values every type may name in its schema without the form carrying them."""
    code = holder["uscc"] or holder["id_number"]
    return {"name": holder["name"], "holder_name": holder["name"], "holder": holder["name"],
            "id_number": holder["id_number"], "uscc": holder["uscc"], "holder_code": code,
            "issuer": issuer.name, "issued_on": issued_on.isoformat(), "valid_from": issued_on.isoformat(),
            "valid_until": until.isoformat() if until else "长期",
            "case_number": getattr(case, "number", "") or ""}


def signatory_of(user) -> str:
    """签发人: the display name of the official who decided (their login name when they have none);
    "" when no person did (a 秒批 concluded by the system, a demo or an import)."""
    if user is None or not getattr(user, "pk", None):
        return ""
    return (getattr(user, "display_name", "") or user.get_username())[:100]


def _valid_text(valid_from: dt.date, until: dt.date | None) -> str:
    return f"{valid_from:%Y年%m月%d日}至{until:%Y年%m月%d日}" if until else f"{valid_from:%Y年%m月%d日}起长期有效"


# -- the write ------------------------------------------------------------------------------------
def _refuse_no_uscc(issuer) -> None:
    raise ValidationError(f"颁发部门“{issuer.name}”未登记统一社会信用代码，无法生成电子证照标识：请部门管理员在组织机构中补录后再办结")


def _issue(user, licence_type: LicenceType, issuer, holder: dict, data: dict, *, case=None,
           previous: Licence | None = None, issued_on: dt.date | None = None,
           signatory: str | None = None, registrant=None) -> Licence:
    """Write one licence (a new one, or the next version of ``previous``): identifier, PDF,
    seal, signature, event and audit. Inside the caller's transaction. ``signatory``: the 签发人,
    put on the face's 签发人 field (None: as ``data`` states it, e.g. a licence imported)."""
    if not issuer.uscc:
        _refuse_no_uscc(issuer)
    schema = licence_type.fields_schema or []
    if signatory is None:
        signatory = next((str(data[k]) for k in rules.signatory_keys(schema) if data.get(k)), "")
    else:
        data = rules.with_signatory(schema, data, signatory)
    problems = rules.data_problems(licence_type.fields_schema or [], data)
    if problems:
        raise ValidationError(problems)
    issued_on = issued_on or timezone.localdate()
    until = rules.valid_until(issued_on, licence_type.validity_years)
    version = previous.version + 1 if previous else 1
    licence = Licence(
        identifier=f"pending:{uuid.uuid4().hex}", number="", serial="", type=licence_type, version=version,
        previous=previous, holder_kind=holder["kind"], holder_name=holder["name"],
        holder_id_number=holder["id_number"], holder_uscc=holder["uscc"], issuer=issuer, case=case,
        signatory=signatory[:100],
        registrant=registrant if registrant is not None else getattr(previous, "registrant", None),
        data=json.dumps(data, ensure_ascii=False, sort_keys=True), issued_on=issued_on, valid_from=issued_on,
        valid_until=until, status=rules.Status.VALID,
    )
    licence.save()  # the row's id is the serial's sequence: unique without a counter to queue on
    licence.serial = previous.serial if previous else rules.make_serial(issued_on, licence.pk)
    licence.number = previous.number if previous else rules.make_number(licence_type.code, licence.serial)
    licence.identifier = make_license_identifier(licence_type.code, issuer.uscc, licence.serial, version)
    dates = {"issued_on": issued_on.isoformat(), "valid_from": issued_on.isoformat(),
             "valid_until": until.isoformat() if until else None}
    canonical = rules.canonical(
        licence.identifier, licence_type.code,
        {"kind": holder["kind"], "name": holder["name"], "id_number": holder["id_number"], "uscc": holder["uscc"]},
        {"name": issuer.name, "uscc": issuer.uscc}, dates, data)
    signature = sealing.sign_data(issuer, canonical)
    licence.signature_algorithm, licence.signature = signature.algorithm, signature.value
    licence.signer_certificate = signature.certificate_serial
    template = licence_type.template or {}
    pdf = documents.licence_pdf(
        title=template.get("title") or licence_type.name,
        rows=documents.rows_for(licence_type, data, holder_name=holder["name"],
                                holder_code=holder["uscc"] or holder["id_number"], number=licence.number,
                                valid_text=_valid_text(issued_on, until)),
        identifier=licence.identifier, issuer_name=issuer.name, issued_on_text=f"{issued_on:%Y年%m月%d日}",
        seal_xy=rules.seal_position(template))
    # The seal's centre at the template's seal position (points from the page's bottom left).
    sealed = sealing.seal_pdf(pdf, issuer, reason="电子证照", position=rules.seal_position(template))
    licence.pdf_sha256 = hashlib.sha256(sealed).hexdigest()
    licence.pdf_file.save(f"{licence.serial}-{version:03d}.pdf", ContentFile(sealed), save=False)
    licence.save()
    kind = LicenceEvent.Kind.CHANGE if previous else LicenceEvent.Kind.ISSUE
    LicenceEvent.objects.create(licence=licence, kind=kind, actor=user if getattr(user, "pk", None) else None,
                                actor_name=actor_name(user), case=case,
                                reason=f"办件 {case.number}" if case is not None else "")
    audit.record(f"licenses.{kind}", actor=user, obj=licence,
                 after={"identifier": licence.identifier, "type": licence_type.code, "issuer": issuer.pk,
                        "case": getattr(case, "pk", None), "version": version,
                        "previous": getattr(previous, "pk", None)})
    return licence


def _supersede(user, old: Licence, reason: str = "") -> None:
    refusal = rules.refusal_for(old.status, "change")
    if refusal:
        raise ValidationError(refusal)
    old.status, old.status_changed_at = rules.Status.SUPERSEDED, timezone.now()
    old.status_reason = (reason or "证照信息变更，已换发新版本")[:300]
    old.lock_version += 1
    old.save(update_fields=["status", "status_changed_at", "status_reason", "lock_version"])


def _current_for(licence_type: LicenceType, holder: dict) -> Licence | None:
    """The holder's valid licence of this type, locked (a 变更 replaces it)."""
    qs = Licence.objects.select_for_update().filter(type=licence_type, status=rules.Status.VALID)
    if holder["kind"] == HolderKind.LEGAL:
        qs = qs.filter(holder_kind=HolderKind.LEGAL, holder_uscc=holder["uscc"])
    else:
        qs = qs.filter(holder_kind=HolderKind.PERSON, **Licence._meta.get_field("holder_id_number").lookup(
            holder["id_number"]))
    return qs.order_by("-version", "-pk").first()


def _new_entity(case, licence_type: LicenceType, issuer) -> tuple[dict, dict] | None:
    """For a 设立登记 issuing a 法人 licence: (the new entity as holder, the face values it decides);
    None for any other case (the holder is then the applicant)."""
    version = case.item_version
    if licence_type.holder_kind != HolderKind.LEGAL or not entity_rules.is_establishment(version.name):
        return None
    form = case.form_data or {}
    category = entity_rules.category_for(version.name)
    name = entity_rules.entity_name(form)
    if not name and category == entity_rules.SOLE_TRADER:
        name = case.applicant.name  # a 个体工商户 may use no name (字号): its 经营者 names it
    if not name:
        raise ValidationError(f"申请表未填写新设立{entity_rules.CATEGORY_LABELS[category]}的名称（如“企业名称”），"
                              f"无法颁发“{licence_type.name}”：请退回申请人补正后再办结")
    # A code the case already carries for the entity (not the applicant's own, which a form may
    # prefill) is kept; otherwise the registration assigns one now.
    carried = str(form.get("uscc") or "").strip().upper()
    if carried and carried != (case.applicant.uscc or ""):
        problem = uscc_problem(carried)
        if problem:
            raise ValidationError(f"申请表中新设立主体的统一社会信用代码“{carried}”不正确：{problem}")
        code = carried
    else:
        code = uscc_assign.assign(uscc_assign.NewEntity(name=name, category=category, region_code=issuer.region.code,
                                                        case_number=case.number or ""))
    holder = {"kind": HolderKind.LEGAL, "name": name[:100], "uscc": code, "id_number": ""}
    values = {"name": name, "holder_name": name, "holder": name, "uscc": code, "holder_code": code}
    # 经营者: a 个体工商户's is the citizen who registers it; 法定代表人: a company's as its form names it.
    operator = case.applicant.name if category == entity_rules.SOLE_TRADER else ""
    if operator:
        values["operator"] = operator
    fallback = {"company_type": entity_rules.CATEGORY_LABELS[category]} if category != entity_rules.ENTERPRISE else {}
    capital = form.get("capital") if form.get("capital") not in (None, "") else form.get("registered_capital")
    return holder, {"values": values, "fallback": fallback, "category": category, "assigned": code != carried,
                    "operator": operator, "legal_rep": str(form.get("legal_representative") or "").strip(),
                    "capital": "" if capital in (None, "") else f"{capital:g}" if isinstance(capital, float) else str(capital),
                    "address": str(form.get("shop_address") or "").strip()}


def _bundle_entity(case, licence_type: LicenceType) -> tuple[dict, dict] | None:
    """For a case of a 一件事 that also registers a new entity (a sibling 设立登记, e.g. the
    食品经营许可证核发 of 开办餐饮店一件事 beside 个体工商户设立登记): that entity as the holder of this
    case's 法人 licence and the face values the registration decided (名称, 统一社会信用代码, 经营者 or
    法定代表人 as 法定代表人（负责人）, 住所); None when the 一件事 registers nothing.

    The entity exists only once the registration is approved (its code is assigned then): before that
    this case cannot be concluded 准予 — the licence would go to the person, not to the entity a
    bureau issues it to — and after a 不予 or a withdrawal it cannot be either."""
    if licence_type.holder_kind != HolderKind.LEGAL or not case.bundle_case_id:
        return None
    if entity_rules.is_establishment(case.item_version.name):
        return None
    siblings = case.bundle_case.cases.exclude(pk=case.pk).select_related("item_version", "service_item")
    registration = next((s for s in siblings.order_by("pk") if entity_rules.is_establishment(s.item_version.name)),
                        None)
    if registration is None:
        return None
    item = registration.service_item.name
    category = entity_rules.CATEGORY_LABELS[entity_rules.category_for(registration.item_version.name)]
    result = getattr(registration, "result", None)  # none until it concludes
    entity = (result.licence_payload or {}).get("entity") if result is not None and result.outcome == "approved" \
        else None
    if entity and entity.get("name") and entity.get("uscc"):
        name, code = entity["name"], entity["uscc"]
        holder = {"kind": HolderKind.LEGAL, "name": name[:100], "uscc": code, "id_number": ""}
        values = {"name": name, "holder_name": name, "holder": name, "uscc": code, "holder_code": code,
                  "legal_rep": entity.get("operator") or entity.get("legal_rep") or "",
                  "residence": entity.get("address") or ""}
        return holder, {"values": {k: v for k, v in values.items() if v}, "fallback": {}}
    if result is not None and result.outcome == "approved":
        raise ValidationError(f"本一件事中的“{item}”已准予，但未记载登记的{category}（名称、统一社会信用代码），"
                              f"无法确定“{licence_type.name}”的持证主体：请联系登记机关核实后再办结")
    if result is not None or registration.state in ("withdrawn", "refused"):
        why = "不予登记" if result is not None else registration.state_label
        raise ValidationError(f"本一件事中的“{item}”未准予登记（{why}），“{licence_type.name}”"
                              f"须颁发给登记的{category}，不能准予：请作出不予决定，或待申请人取得营业执照后另行申请")
    raise ValidationError(f"请先办结本一件事中的“{item}”：“{licence_type.name}”颁发给该事项登记的{category}"
                          f"（名称和统一社会信用代码在准予登记时确定），不能颁发给申请人个人")


def issue_for_case(case, result, user) -> Licence | None:
    """发证 on 准予 (called inside the conclusion's transaction; a failure rolls it back).

    Nothing for 不予 or an item whose result is not a licence type. The issuing department is
    the case's: when it is not one of the type's issuing departments, or has no USCC (there can
    be no identifier), nothing is issued and an audit event ``licenses.not_issued`` on the case
    says why."""
    if result.outcome != "approved":
        return None
    licence_type = licence_type_for_item(case.item_version)
    if licence_type is None:
        return None
    issuer = case.department
    why = ""
    if not licence_type.departments.filter(pk=issuer.pk).exists():
        why = f"“{issuer.name}”不是“{licence_type.name}”的颁发部门（见证照类型的颁发部门），未颁发电子证照"
    elif not issuer.uscc:
        why = f"颁发部门“{issuer.name}”未登记统一社会信用代码，未能颁发“{licence_type.name}”电子证照"
    if why:
        # The decision stands; the licence is not issued, and why is on record for the
        # department (or the type's maintainers) to complete the data.
        log.warning("licence not issued for case %s (type %s, issuer %s)", case.pk, licence_type.pk, issuer.pk)
        audit.record("licenses.not_issued", actor=user, obj=case, after={"type": licence_type.code, "reason": why})
        return None
    # The holder is the applicant as registered (a 个体工商户 may hold a licence whose usual
    # holder is a 法人): lookups by 身份证号 or USCC then find it. A 设立登记's is the new entity, and
    # so is that of a 法人 licence of the same 一件事 (the applicant, its registrant, sees both).
    entity = _new_entity(case, licence_type, issuer)
    sibling = None if entity else _bundle_entity(case, licence_type)  # a 一件事's entity registered beside it
    holder, registered = entity or sibling or (_holder_of(case.applicant), {})
    today = timezone.localdate()
    until = rules.valid_until(today, licence_type.validity_years)
    # Two cases of the same holder concluding at once: the second waits here and then finds the
    # version the first issued, instead of issuing a second valid licence beside it.
    type(case.applicant).objects.select_for_update().filter(pk=case.applicant_id).first()
    previous = _current_for(licence_type, holder)
    payload = result.licence_payload or {}
    schema = licence_type.fields_schema or []
    # A 变更 or 延续 keeps what the licence it replaces states unless this case says otherwise (its
    # form asks only what changes, if anything); the holder, issuer and dates are this version's.
    kept = json.loads((previous.data.reveal_unaudited() if previous.data else "") or "{}") if previous else {}
    data = rules.pick_data(schema, registered.get("values") or {}, payload.get("data") or {}, payload,
                           case.form_data or {},
                           rules.by_label(schema, case.item_version.form_schema, case.form_data or {}),
                           _derived(holder, issuer, today, until, case), kept, registered.get("fallback") or {},
                           rules.defaults(schema))
    if previous is not None:
        _supersede(user, previous, reason=f"办件 {case.number} 变更，换发新版本")
    licence = _issue(user, licence_type, issuer, holder, data, case=case, previous=previous, issued_on=today,
                     signatory=signatory_of(user),  # the official whose 准予 it is
                     registrant=case.applicant if entity or sibling else None)
    if entity:
        _record_entity(user, case, result, holder, registered)
    if previous is not None:
        LicenceEvent.objects.create(licence=previous, kind=LicenceEvent.Kind.CHANGE,
                                    actor=user if getattr(user, "pk", None) else None,
                                    actor_name=actor_name(user), case=case,
                                    reason=f"变更为第{licence.version}版（办件 {case.number}）")
    return licence


def _record_entity(user, case, result, holder: dict, registered: dict) -> None:
    """The new entity's name and code on the case's result and in the audit log."""
    record = {"name": holder["name"], "uscc": holder["uscc"], "category": registered["category"],
              "assigned": registered["assigned"]}
    # 经营者 / 法定代表人, 资金数额 or 注册资本（万元）and 住所（经营场所）: what the registration states
    # beyond the face (a sibling licence of the same 一件事 and the entity's account are made from it).
    record.update({k: registered[k] for k in ("operator", "legal_rep", "capital", "address") if registered.get(k)})
    result.licence_payload = {**(result.licence_payload or {}), "entity": record}
    if result.pk:  # a result not yet written (conclude_now saves it after the licence) takes it with it
        result.save(update_fields=["licence_payload"])
    audit.record("licenses.uscc_assigned" if registered["assigned"] else "licenses.uscc_kept", actor=user, obj=case,
                 after={**record, "assigner": uscc_assign.get().code if registered["assigned"] else ""})
    # The entity now exists for the platform: its 法人 account, which its registrant acts for.
    from zhengwu.accounts import entities

    sole = registered["category"] == entity_rules.SOLE_TRADER
    entities.register_entity(user, name=holder["name"], uscc=holder["uscc"], registrant=case.applicant,
                             legal_rep_name=registered.get("operator") if sole else registered.get("legal_rep") or "",
                             role="经营者" if sole else "法定代表人" if registered.get("legal_rep") == case.applicant.name
                             else "申请设立人", case_number=case.number or "")


def issue_direct(user, licence_type: LicenceType, issuer, applicant, data: dict | None = None,
                 issued_on: dt.date | None = None) -> Licence:
    """发证 without a case (demo data, migration of licences issued before the platform)."""
    holder = _holder_of(applicant)
    issued_on = issued_on or timezone.localdate()
    until = rules.valid_until(issued_on, licence_type.validity_years)
    schema = licence_type.fields_schema or []
    merged = rules.pick_data(schema, data or {}, _derived(holder, issuer, issued_on, until), rules.defaults(schema))
    with transaction.atomic():
        return _issue(user, licence_type, issuer, holder, merged, issued_on=issued_on,
                      signatory=signatory_of(user) or None)


@transaction.atomic
def change(user, pk: int, expected_lock: int, data: dict, reason: str) -> Licence:
    """变更 by staff of the issuing department: version + 1 with the new face data."""
    licence = Licence.objects.select_for_update().select_related("type", "issuer__region").filter(pk=pk).first()
    if licence is None:
        raise Licence.DoesNotExist("证照不存在")
    if not has_role(user, *ACT_ROLES, department=licence.issuer):
        raise PermissionDenied("仅颁发部门的审批人员或部门管理员可以变更证照")
    if licence.lock_version != int(expected_lock):
        raise StaleLicence(StaleLicence.message, code="stale")
    refusal = rules.refusal_for(licence.status, "change")
    if refusal:
        raise ValidationError(refusal)
    problem = rules.reason_problem(reason, "变更")
    if problem:
        raise ValidationError({"reason": [problem]})
    holder = {"kind": licence.holder_kind, "name": licence.holder_name, "uscc": licence.holder_uscc,
              "id_number": licence.holder_id_number.reveal_unaudited() if licence.holder_id_number else ""}
    old_data = json.loads(licence.data.reveal_unaudited() or "{}")
    merged = {**old_data, **{k: v for k, v in data.items() if v not in (None, "")}}
    _supersede(user, licence, reason=reason.strip())
    new = _issue(user, licence.type, licence.issuer, holder, merged, previous=licence,
                 signatory=signatory_of(user))  # the new version is this official's
    LicenceEvent.objects.create(licence=licence, kind=LicenceEvent.Kind.CHANGE, actor=user,
                                actor_name=actor_name(user), reason=reason.strip()[:300])
    return new
