"""申报: drafts, material uploads, submission (idempotent), resubmission after 补正, withdrawal."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.accounts.apikeys import is_machine, person_of
from zhengwu.catalog.models import Material, ServiceItem
from zhengwu.core import files
from zhengwu.catalog.models.items import ItemStatus
from zhengwu.catalog.models.materials import VERSION_MATERIALS, Necessity
from zhengwu.catalog.rules import material_key
from zhengwu.org import permissions
from zhengwu.org.models import Role

from .. import forms_schema, rules
from ..queries import CHILD_TABLES, has_child
from ..models import Case, CaseMaterial, Channel, SupplementNotice
from ..rules import Actor, State
from .base import LIFECYCLE, TRANSITION_RELATED, check_lock, locked_case, record_event, transition

MAX_UPLOAD_BYTES = getattr(settings, "ZHENGWU_MAX_UPLOAD_MB", 20) * 1024 * 1024
ACCEPTED_TYPES = "PDF、JPG、PNG、OFD"


CASE_FILE_TYPES = ("pdf", "jpg", "png", "ofd")  # what an applicant may upload (ACCEPTED_TYPES)


def applicant_of(user):
    """The applicant ``user`` acts for: their own, or the enterprise they act for as its 经办人
    in this request (:func:`zhengwu.accounts.agents.applicant_of_user`)."""
    from zhengwu.accounts.agents import applicant_of_user

    applicant = applicant_of_user(user) if user is not None else None
    if applicant is None:
        raise PermissionDenied("仅限已注册的个人或法人申请")
    return applicant


def check_service_object(service_object: str, applicant, name: str) -> None:
    """Refuse an applicant the item (or 一件事) does not serve (服务对象, see
    :func:`zhengwu.cases.rules.applicant_kind_refusal`), online and at the window alike."""
    refusal = rules.applicant_kind_refusal(service_object, applicant.kind, f"“{name}”")
    if refusal:
        raise ValidationError({"applicant": refusal}, code="service_object")


def actor_for(user, case: Case) -> Actor:
    """How ``user`` acts on ``case``: the applicant (or their agent) or window staff — or a
    department's system with its 应用密钥 (:class:`~zhengwu.accounts.apikeys.KeyPrincipal`),
    which files as a window does, for its own department's cases only."""
    if is_machine(user):
        require_key_department(user, case.department_id, "办件")
        return Actor.WINDOW
    from zhengwu.accounts.agents import applicant_of_user

    applicant = applicant_of_user(user)
    if applicant is not None and applicant.pk in (case.applicant_id, case.agent_id):
        return Actor.APPLICANT
    if permissions.has_role(user, Role.WINDOW, Role.APPROVER, department=case.department):
        return Actor.WINDOW
    from .tongban import acting_here, is_receiver

    if is_receiver(user, case):  # 异地代收: the receiving region's window completes and forwards it
        acting_here(user, case)  # its steps are recorded as done at that window
        return Actor.WINDOW
    raise PermissionDenied("无权办理该办件")


def require_key_department(principal, department_id: int, what: str) -> None:
    """A machine client acts for the department its key is bound to, and for no other."""
    key = principal.api_key
    if key.department_id is None:
        raise PermissionDenied("应用密钥未绑定部门：办件接口只接受绑定了实施部门的应用密钥")
    if key.department_id != department_id:
        raise PermissionDenied(f"该{what}不属于本应用密钥所属部门（{key.department.name}），无权办理")


def check_real_name_level(user, service_item: ServiceItem) -> None:
    """统一身份认证: an item may need a minimum 实名等级 to be applied for online by the applicant
    themselves. Staff filing for someone (窗口代录, checked the ID card) are not held to it."""
    from zhengwu.accounts.oidc_rules import LEVEL_LABELS, level_at_least

    need = service_item.min_real_name_level
    if need and not level_at_least(user.real_name_level, need):
        have = LEVEL_LABELS.get(user.real_name_level, "未认证")
        raise ValidationError(
            f"实名等级不足：办理“{service_item.name}”须达到实名等级{LEVEL_LABELS[need]}，您当前为{have}。"
            "请退出后通过统一身份认证登录以提升实名等级，或携带身份证到窗口办理")


@transaction.atomic
def create_draft(user, service_item: ServiceItem, *, applicant=None, channel: str = Channel.ONLINE,
                 agent=None, agent_note: str = "", form_data: dict | None = None, window=None,
                 idempotency_key: str | None = None, key_checked: bool = False, external_ref: str = "") -> Case:
    """A new draft application for the item's current published guide.

    Online, the applicant is the logged-in person. At a window (窗口/帮代办) staff file on the
    applicant's behalf: ``applicant`` is given and the staff member must hold 窗口人员.

    ``key_checked``: the caller has just looked the idempotency key up (the API does, to answer
    200 instead of 201); a request that races it is still caught by the key's unique index.
    """
    if idempotency_key and not key_checked:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if service_item.status != ItemStatus.PUBLISHED or service_item.published_version_id is None:
        raise ValidationError("该事项未发布或已停用，暂不能申请")
    filed_by = received_at = None
    if applicant is None:
        applicant = applicant_of(user)
        check_real_name_level(user, service_item)  # the citizen applies themselves (not 窗口代录)
    elif is_machine(user):
        require_key_department(user, service_item.department_id, "事项")
    else:
        if not permissions.has_role(user, Role.WINDOW, department=service_item.department):
            from .tongban import check_may_receive

            received_at = check_may_receive(user, service_item)  # 异地代收 within the 通办范围, or refused
        filed_by = user
    if channel not in Channel.values:
        raise ValidationError({"channel": f"申报渠道不正确：应为{'、'.join(Channel.labels)}"})
    if channel == Channel.AGENT and agent is None:
        raise ValidationError({"agent": "帮代办须登记代办人"})
    if agent is not None and agent.pk == applicant.pk:
        raise ValidationError({"agent": "代办人不能是申请人本人"})
    version = service_item.published_version
    check_service_object(version.service_object, applicant, service_item.name)
    prefilled = forms_schema.prefill(version.form_schema, applicant)
    case = Case(
        service_item=service_item, item_version=version, department_id=service_item.department_id,
        region_id=service_item.region_id, applicant=applicant, agent=agent, agent_note=agent_note,
        filed_by=filed_by, channel=channel, window=window, form_data={**prefilled, **(form_data or {})},
        promised_days=version.promised_days, idempotency_key=idempotency_key or None,
        api_key=user.api_key if is_machine(user) else None, external_ref=(external_ref or None) if is_machine(user) else None,
    )
    if received_at is not None:  # 异地代收: created at the receiving window (its history says so)
        from .tongban import acting_here

        acting_here(user, case)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:  # the same idempotency key (or 外部办件编号) raced us: return the winner
        winner = None
        if idempotency_key:
            winner = Case.objects.filter(idempotency_key=idempotency_key).first()
        if winner is None and case.external_ref:
            winner = Case.objects.filter(api_key=case.api_key, external_ref=case.external_ref).first()
        if winner is None:
            raise
        return winner
    case.known_events = [record_event(case, "create", "创建申请", user, to_state=State.DRAFT,
                                      data={"channel": channel, "agent": agent.name if agent else ""})]
    # A new draft has nothing in its dependent tables but this history (see
    # queries.with_child_flags): a caller answering with its detail need not ask.
    for name in CHILD_TABLES:
        setattr(case, f"has_{name}", False)
    if received_at is not None:
        from .tongban import record_receipt

        record_receipt(user, case, received_at)
        case.has_cross_intake = True
    return case


@transaction.atomic
def save_form(user, case: Case, form_data: dict, expected_lock: int) -> Case:
    case = locked_case(case.pk, expected_lock)
    actor_for(user, case)
    if case.state not in (State.DRAFT, State.SUPPLEMENT):
        raise ValidationError(f"办件当前为“{case.state_label}”，表单不能再修改")
    case.form_data = form_data
    case.lock_version += 1
    case.save(update_fields=["form_data", "lock_version", "updated_at"])
    return case


def inspect_upload(uploaded, label: str) -> tuple[str, str]:
    """(SHA-256 of the plaintext, MIME type) of an uploaded file meant as the material ``label``;
    ValidationError naming the material and the rule when it is empty, too large or of a type not
    accepted (sniffed from its first bytes, never its name)."""
    size = uploaded.size
    if size == 0:
        raise ValidationError({"file": f"“{label}”是空文件，请重新选择"})
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": f"“{label}”超过大小限制：单个文件不能超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB"})
    digest = hashlib.sha256()  # of the plaintext, whatever the storage writes to disk
    head = b""
    for chunk in uploaded.chunks():
        if len(head) < 4096:
            head += chunk[: 4096 - len(head)]
        digest.update(chunk)
    ext = files.sniff(head)
    content_type = files.FILE_TYPES[ext] if ext in CASE_FILE_TYPES else None
    if content_type is None:
        raise ValidationError({"file": f"“{label}”的文件格式不支持：只接受{ACCEPTED_TYPES}文件"})
    return digest.hexdigest(), content_type


@transaction.atomic
def upload_material(user, case: Case, uploaded, *, material: Material | None = None, name: str = "",
                    original_name: str = "") -> CaseMaterial:
    """Store one uploaded file for the case: type sniffed, size limited, SHA-256 recorded.
    ``original_name``: the name the file was chosen with, when ``uploaded`` is a stored copy
    (a pending upload, :mod:`.staged`)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    actor = actor_for(user, case)
    if case.state not in (State.DRAFT, State.SUPPLEMENT, State.SUBMITTED, State.IN_REVIEW, State.SUSPENDED):
        raise ValidationError(f"办件当前为“{case.state_label}”，不能再上传材料")
    if actor == Actor.APPLICANT and case.state == State.SUBMITTED:
        raise ValidationError("办件已提交，正在等待受理，暂不能修改材料")
    if material is not None and material.version_id != case.item_version_id:
        raise ValidationError({"material": "该材料不属于本事项的申请材料清单"})
    label = material.name if material else (name or "").strip()
    if not label:
        raise ValidationError({"name": "请填写材料名称"})
    sha256, content_type = inspect_upload(uploaded, label)
    size = uploaded.size
    cm = CaseMaterial(case=case, material=material, name=label,
                      original_name=str(original_name or uploaded.name)[:255],
                      content_type=content_type, size=size, sha256=sha256, uploaded_by=person_of(user))
    # Streamed from the upload (read again from its start) through the storage's cipher: no
    # second copy of a 20 MB file in memory.
    cm.file.save(cm.sha256, uploaded, save=False)
    # A new upload for the same material replaces the earlier one (kept for the record).
    CaseMaterial.objects.filter(case=case, name=label).exclude(status=CaseMaterial.Status.REPLACED).update(
        status=CaseMaterial.Status.REPLACED)
    cm.save()
    record_event(case, "upload", "上传材料", user, data={"material": label, "sha256": cm.sha256, "size": size},
                 visible=True)
    return cm


# A case's guide version was published when the case was created, and a published version is
# immutable (edits go to a new draft): its list of 必要 materials can be kept as long as the
# process likes. The TTL only bounds the cache's memory.
REQUIRED_NAMES_SECONDS = 24 * 3600


def required_material_names(version_id: int) -> tuple[str, ...]:
    """The 必要 materials of a published guide version, in the guide's order (cached)."""
    key = f"cases:required:{version_id}"
    names = cache.get(key)
    if names is None:
        names = tuple(m.name for m in VERSION_MATERIALS.all(version_id) if m.necessity == Necessity.REQUIRED)
        cache.set(key, names, REQUIRED_NAMES_SECONDS)
    return names


def missing_required(case: Case) -> list[str]:
    """Names of 必要 materials not yet uploaded (容缺 ones are not required at submission).

    A guide without 必要 materials asks the database nothing more here."""
    required = required_material_names(case.item_version_id)
    if not required:
        return []
    have = set(CaseMaterial.objects.filter(case_id=case.pk).exclude(status=CaseMaterial.Status.REPLACED)
               .values_list("name", flat=True))
    missing = [name for name in required if name not in have]
    if missing and case.bundle_case_id:
        waived = bundle_waived(case.bundle_case_id)
        missing = [name for name in missing if (material_key(name) or name) not in waived]
    if missing:  # 免提交: a valid 电子证照 of the material's type stands in for it
        from zhengwu.licenses import use as licence_use

        missing = licence_use.still_missing(case, missing)
    return missing


def use_licences(user, case: Case) -> list:
    """免提交 at submission: record the licences that stand in for 必要 materials not uploaded
    (:func:`zhengwu.licenses.use.record_uses`), in the caller's transaction."""
    from zhengwu.licenses import use as licence_use

    if not licence_use.licence_materials(case.item_version_id):
        return []
    uploaded = (CaseMaterial.objects.filter(case_id=case.pk).exclude(status=CaseMaterial.Status.REPLACED)
                .values_list("name", flat=True))
    return licence_use.record_uses(user, case, uploaded=list(uploaded))


def bundle_waived(bundle_case_id: int) -> set[str]:
    """Material keys a 一件事 application does not ask for (情形 answers, or issued by an item of
    the same application — see :mod:`.scenarios`)."""
    from ..models import BundleCase

    return set(BundleCase.objects.filter(pk=bundle_case_id).values_list("waived_materials", flat=True).first() or [])


@transaction.atomic
def submit(user, case: Case, expected_lock: int, *, delivery: tuple[str, str] | None = None,
           commitment_agreed: bool = False) -> Case:
    """提交: validate the form and the required materials, number the case.

    ``delivery``: the 结果领取方式 (method, address) chosen with the submission (the API), kept
    with it in the same transaction; refused with the form's errors when invalid.

    ``commitment_agreed``: the applicant ticked 我已阅读并承诺 — required when the draft chose
    告知承诺 (:mod:`.commitment`); the letter is then signed now.

    Submitting an already submitted case (double click, retry after a timeout) returns it
    unchanged instead of failing or duplicating.
    """
    # One locked read: the form definition and the region (for the number) come with it, and
    # which dependent tables have rows (the API answers with the case's detail).
    case = locked_case(case.pk, None, related=(*TRANSITION_RELATED, "item_version", "region", "department"),
                       child_flags=True)
    actor = actor_for(user, case)
    if case.state == State.SUBMITTED and case.submitted_at and case.lock_version == expected_lock + 1:
        return case
    check_lock(case, expected_lock)
    errors = forms_schema.validate(case.item_version.form_schema, case.form_data)
    if use_licences(user, case):  # rolled back with the submission when it is refused
        case.has_licence_uses = True  # the child flags were read before (queries.with_child_flags)
    missing = missing_required(case)
    if missing:
        errors["materials"] = [f"缺少必要材料：{'、'.join(missing)}"]
    if delivery is not None:
        errors.update({k: [v] for k, v in rules.delivery_choice_problems(*delivery).items()})
    refusal = rules.commitment_refusal(chosen=bool(case.commitment_text), agreed=commitment_agreed)
    if refusal:
        errors["commitment"] = [refusal]
    if errors:
        raise ValidationError(errors)
    fields = []
    now = timezone.now()
    if case.commitment_text:  # 告知承诺 chosen and agreed: signed with the submission
        case.commitment_signed_at = now
        fields.append("commitment_signed_at")
    if delivery is not None:
        from .delivery import set_on_locked  # delivery builds on this module

        fields += set_on_locked(user, case, *delivery)
    case.submitted_at = now
    case.number = rules.case_number(case.region.code, timezone.localdate(now), case.pk)
    fields += ["submitted_at", "number", *_received(case, now)]
    if case.channel in (Channel.WINDOW, Channel.AGENT):  # filed in person: one trip (跑动)
        case.visits += 1
        fields.append("visits")
    data = None
    if has_child(case, "cross_intake"):  # 异地代收: submitting forwards it to the item's department
        from .tongban import forwarded

        data = forwarded(case, now)
    from .instant import after_submit

    case_id = case.pk
    transaction.on_commit(lambda: after_submit(case_id))  # 秒批: decided at once where the item's rules say so
    return transition(case, "submit", actor, user, extra_fields=fields, data=data)


def not_replaced(case: Case) -> list[str]:
    """The materials an open 补正 notice flagged that have no new file since the notice (in the
    notice's order). The file the window found faulty is marked 需补正 when the notice is issued
    (:func:`.intake.request_supplement`) and only a later upload under the same name replaces it."""
    names: list[str] = []
    for notice in SupplementNotice.objects.filter(case_id=case.pk, resolved_at__isnull=True).only("items", "issued_at"):
        flagged = rules.flagged_materials(notice.items)
        renewed = set(CaseMaterial.objects.filter(case_id=case.pk, name__in=flagged, uploaded_at__gte=notice.issued_at)
                      .exclude(status__in=(CaseMaterial.Status.REPLACED, CaseMaterial.Status.REJECTED))
                      .values_list("name", flat=True))
        names += [name for name in flagged if name not in renewed and name not in names]
    return names


def resubmit_problems(case: Case) -> list[str]:
    """Why a case in 补正 cannot be resubmitted as it is: 必要 materials missing, and materials the
    notice asked for again without a new file (each named once)."""
    problems = []
    missing = missing_required(case)
    if missing:
        problems.append(f"缺少必要材料：{'、'.join(missing)}")
    refusal = rules.not_replaced_refusal([name for name in not_replaced(case) if name not in missing])
    if refusal:
        problems.append(refusal)
    return problems


@transaction.atomic
def resubmit(user, case: Case, expected_lock: int, note: str = "") -> Case:
    """补正后重新提交 in the same case: every material the notice flagged has a new file."""
    case = locked_case(case.pk, expected_lock)
    actor = actor_for(user, case)
    LIFECYCLE.check(case, "resubmit", actor)  # out of 补正: the state table's message, before any check
    if use_licences(user, case):
        case.has_licence_uses = True
    problems = resubmit_problems(case)
    if problems:
        raise ValidationError({"materials": problems})
    SupplementNotice.objects.filter(case=case, resolved_at__isnull=True).update(resolved_at=timezone.now())
    return transition(case, "resubmit", actor, user, opinion=note, extra_fields=_received(case, timezone.now()))


def _received(case: Case, now) -> list[str]:
    """The materials are received (online submission, the window's receipt, resubmission after
    补正): five working days to accept, refuse or tell what is missing (行政许可法第三十二条)."""
    from zhengwu.core import calendar

    case.received_on = timezone.localdate(now)
    case.acceptance_due = rules.acceptance_due(calendar.get_calendar(), case.received_on)
    return ["received_on", "acceptance_due"]


@transaction.atomic
def withdraw(user, case: Case, expected_lock: int, reason: str = "") -> Case:
    case = locked_case(case.pk, expected_lock)
    actor = actor_for(user, case)
    if actor != Actor.APPLICANT:
        raise PermissionDenied("只有申请人本人可以撤回申请")
    return transition(case, "withdraw", actor, user, opinion=reason or "申请人撤回")
