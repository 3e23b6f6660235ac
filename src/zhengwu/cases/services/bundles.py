"""一件事一次办: one form and one material pool for a bundle; one linked case per item.

:func:`bundle_plan` works out what the applicant fills in and uploads: the union of the items'
form fields (the same key is the same field) and the materials de-duplicated by name across the
items (one upload serves every item that lists it). :func:`apply_bundle` then, in one
transaction and idempotent by key, creates a :class:`~zhengwu.cases.models.BundleCase`, a draft
per item with the shared form data, attaches each pooled file to every case that lists it (one
stored file, one CaseMaterial row per case, same SHA-256) and submits every case — or, when
anything is wrong, writes nothing and raises one ValidationError listing every problem.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from zhengwu.catalog.models import Bundle, BundleItem, Material, ServiceItem
from zhengwu.catalog.models.items import ItemStatus
from zhengwu.catalog.models.materials import Necessity
from zhengwu.catalog.rules import material_key
from zhengwu.core import audit
from zhengwu.org import permissions
from zhengwu.org.models import Role

from .. import forms_schema, rules
from ..formrender import ordered_keys
from ..models import BundleCase, Case, CaseMaterial, Channel
from . import applying, scenarios
from .base import record_event

NECESSITY_RANK = {Necessity.OPTIONAL: 1, Necessity.TOLERATED: 2, Necessity.REQUIRED: 3}
MAX_KEY = 40  # the per-item case keys append ":<item id>" and must fit in 64 characters


@dataclass
class Member:
    item: ServiceItem  # with department and published version loaded
    optional: bool  # 选办: the applicant decides
    materials: list[Material]


@dataclass
class PoolEntry:
    """One material of the pool: uploaded once, attached to every case that lists it."""

    key: str  # the HTML name of its upload field
    name: str
    necessity: str  # the strictest of the items that list it
    form: str
    copies: int
    uses: list[tuple[Member, Material]] = field(default_factory=list)

    @property
    def item_names(self) -> list[str]:
        return [m.item.name for m, _ in self.uses]

    @property
    def necessity_label(self) -> str:
        return Necessity(self.necessity).label

    @property
    def only_optional(self) -> bool:
        return all(m.optional for m, _ in self.uses)

    def necessity_for(self, selected: set[int]) -> str | None:
        """The strictest necessity among the items the applicant applies for (None: not needed)."""
        ranks = [mat.necessity for m, mat in self.uses if m.item.pk in selected]
        return max(ranks, key=lambda n: NECESSITY_RANK.get(n, 0)) if ranks else None


@dataclass
class BundlePlan:
    bundle: Bundle
    members: list[Member]
    schema: dict  # the union form
    required_keys: set[str]  # required by a mandatory item
    optional_keys: set[str]  # required only by 选办 items
    pool: list[PoolEntry]
    questions: list[scenarios.Question] = field(default_factory=list)  # 情形引导
    produced: dict[str, list[int]] = field(default_factory=dict)  # material key → items issuing it

    def selected_ids(self, optional_chosen, answers: dict | None = None) -> set[int]:
        """The items applied for, from the 选办 ticks and the 情形 answers (option per question)."""
        chosen = {int(x) for x in optional_chosen if str(x).isdigit()}
        mandatory = {m.item.pk for m in self.members if not m.optional}
        optional = {m.item.pk for m in self.members if m.optional}
        return scenarios.resolve(self.questions, answers or {}, mandatory, optional, chosen)

    def waived(self, answers: dict | None, selected: set[int]) -> dict[str, str]:
        """Material keys not asked for (an answer waives them, or a selected item issues them) → why."""
        return scenarios.waived(answers or {}, self.produced, selected)


def bundle_plan(bundle: Bundle | int) -> BundlePlan:
    """The union form and the material pool of a published bundle (three queries)."""
    pk = bundle.pk if isinstance(bundle, Bundle) else bundle
    bundle = Bundle.objects.filter(pk=pk, status=Bundle.Status.PUBLISHED).select_related("region").first()
    if bundle is None:
        raise ValidationError("该一件事不存在或未发布")
    # select_related: each member shows its item, department and guide version (form schema);
    # prefetch: the materials of every member's guide in one more query.
    rows = (BundleItem.objects.filter(bundle=bundle, service_item__status=ItemStatus.PUBLISHED,
                                      service_item__published_version__isnull=False)
            .select_related("service_item__department__region", "service_item__region",
                            "service_item__published_version")
            .prefetch_related(Prefetch("service_item__published_version__materials",
                                       queryset=Material.objects.order_by("seq", "pk")))
            .order_by("seq", "pk"))
    members = [Member(r.service_item, r.optional, list(r.service_item.published_version.materials.all()))
               for r in rows]
    if not members:
        raise ValidationError("该一件事暂无可申请的事项")

    properties: dict[str, dict] = {}
    order: list[str] = []
    required_keys: set[str] = set()
    optional_keys: set[str] = set()
    for m in members:
        schema = m.item.published_version.form_schema or {}
        props = schema.get("properties") or {}
        for key in ordered_keys(schema):
            if key not in properties:  # same key = same field: the first item's definition is shown
                properties[key] = props[key]
                order.append(key)
        for key in schema.get("required") or []:
            (optional_keys if m.optional else required_keys).add(key)
    optional_keys -= required_keys
    union = {"type": "object", "properties": properties, "x-order": order} if properties else {}

    pool: dict[str, PoolEntry] = {}
    for m in members:
        for mat in m.materials:
            norm = material_key(mat.name) or mat.name
            entry = pool.get(norm)
            if entry is None:
                entry = pool[norm] = PoolEntry(key="p_" + hashlib.sha1(norm.encode()).hexdigest()[:12],
                                               name=mat.name, necessity=mat.necessity, form=mat.get_form_display(),
                                               copies=mat.copies)
            elif NECESSITY_RANK.get(mat.necessity, 0) > NECESSITY_RANK.get(entry.necessity, 0):
                entry.necessity = mat.necessity
            entry.copies = max(entry.copies, mat.copies)
            entry.uses.append((m, mat))
    return BundlePlan(bundle, members, union, required_keys, optional_keys, list(pool.values()),
                      scenarios.load(bundle), scenarios.produced_by(members))


def check(plan: BundlePlan, form_data: dict, files: dict, selected: set[int],
          waived: dict[str, str] | None = None, *, applicant=None) -> dict[str, list[str]]:
    """Every problem of an application before anything is written: form fields by key,
    materials by pool key, ``items`` for the choice of items. A waived material (情形, or issued
    by an item of the application) is never required, nor one a valid licence of ``applicant``
    stands in for (免提交, recorded when each case is submitted)."""
    from zhengwu.licenses import use as licence_use

    errors: dict[str, list[str]] = {}
    waived = waived or {}
    licensed = ({k for k, o in licence_use.pool_offers(plan.pool, selected, applicant).items() if o.usable}
                if applicant is not None else set())
    if not selected:
        errors["items"] = ["请至少选择一个事项"]
    for m in plan.members:
        if m.item.pk not in selected:
            continue
        for key, messages in forms_schema.validate(m.item.published_version.form_schema, form_data).items():
            bucket = errors.setdefault(key, [])
            bucket.extend(msg for msg in messages if msg not in bucket)
    for entry in plan.pool:
        if scenarios.key(entry.name) in waived or entry.key in licensed:
            continue
        if entry.necessity_for(selected) == Necessity.REQUIRED and not files.get(entry.key):
            errors.setdefault(entry.key, []).append(f"“{entry.name}”是必要材料，请上传")
    return errors


def _slice(schema: dict, form_data: dict) -> dict:
    keys = set((schema or {}).get("properties") or {})
    return {k: v for k, v in form_data.items() if k in keys}


def _existing(idempotency_key: str, applicant) -> BundleCase:
    found = BundleCase.objects.get(idempotency_key=idempotency_key)
    if found.applicant_id != applicant.pk:
        raise ValidationError("提交标识无效，请刷新页面后重新填写")
    return found


def apply_bundle(user, bundle: Bundle | int, *, form_data: dict, files: dict, optional_items=(),
                 idempotency_key: str, answers=None, applicant=None) -> BundleCase:
    """Apply for a bundle: one BundleCase and one submitted case per chosen item.

    ``files`` maps pool keys (:attr:`PoolEntry.key`) to uploaded files; ``optional_items`` are
    the ids of the 选办 items chosen; ``answers`` the posted 情形 answers (``q_<id>`` → option id).
    The same ``idempotency_key`` (a double click, a retry after a time-out) returns the BundleCase
    made the first time.

    At a window (一件事综合受理窗口) staff file for ``applicant``: the clerk must hold 窗口人员 for
    the department of every item filed (checked per item by :func:`applying.create_draft`).
    """
    if applicant is None:
        applicant = applying.applicant_of(user)
    elif not permissions.has_role(user, Role.WINDOW):
        raise PermissionDenied("仅窗口人员可以代申请人录入一件事")
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY:
        raise ValidationError("提交标识无效，请刷新页面后重新填写")
    if BundleCase.objects.filter(idempotency_key=key).exists():
        return _existing(key, applicant)
    plan = bundle_plan(bundle)
    applying.check_service_object(plan.bundle.target, applicant, plan.bundle.name)
    chosen, errors = scenarios.parse_answers(plan.questions, answers or {})
    selected = plan.selected_ids(optional_items, chosen)
    waived = plan.waived(chosen, selected)
    errors.update(check(plan, form_data, files, selected, waived, applicant=applicant))
    if errors:
        raise ValidationError(errors)
    try:
        return _apply(user, applicant, plan, form_data, files, selected, key,
                      answers=[{"question": q.text, "option": chosen[q.pk].label} for q in plan.questions],
                      waived=sorted(waived))
    except IntegrityError:
        # The same key raced us and won (the unique key made us wait for it): its result stands.
        if BundleCase.objects.filter(idempotency_key=key).exists():
            return _existing(key, applicant)
        raise


@transaction.atomic
def _apply(user, applicant, plan: BundlePlan, form_data: dict, files: dict, selected: set[int], key: str, *,
           answers: list | None = None, waived: list | None = None) -> BundleCase:
    bundle = plan.bundle
    bc = BundleCase.objects.create(bundle=bundle, applicant=applicant, form_data=form_data, idempotency_key=key,
                                   answers=answers or [], waived_materials=waived or [])
    bc.number = "YJS" + rules.case_number(bundle.region.code, timezone.localdate(), bc.pk)
    bc.save(update_fields=["number"])

    cases: dict[int, Case] = {}
    for m in plan.members:
        if m.item.pk not in selected:
            continue
        case = applying.create_draft(user, m.item, form_data=_slice(m.item.published_version.form_schema, form_data),
                                     idempotency_key=f"{key}:{m.item.pk}",
                                     applicant=applicant if applicant.user_id != getattr(user, "pk", None) else None,
                                     channel=Channel.WINDOW if applicant.user_id != getattr(user, "pk", None)
                                     else Channel.ONLINE)
        case.bundle_case = bc
        case.save(update_fields=["bundle_case", "updated_at"])
        cases[m.item.pk] = case

    errors: dict[str, list[str]] = {}
    for entry in plan.pool:
        uploaded = files.get(entry.key)
        uses = [(m, mat) for m, mat in entry.uses if m.item.pk in selected]
        if scenarios.key(entry.name) in (waived or ()):
            continue
        if uploaded is None or not uses:
            continue
        first_member, first_material = uses[0]
        try:
            stored = applying.upload_material(user, cases[first_member.item.pk], uploaded, material=first_material)
        except ValidationError as exc:
            errors.setdefault(entry.key, []).extend(exc.messages)
            continue
        for m, mat in uses[1:]:
            # The same stored file (same SHA-256), one row per case so each case is complete.
            case = cases[m.item.pk]
            cm = CaseMaterial.objects.create(
                case=case, material=mat, name=mat.name, file=stored.file.name, original_name=stored.original_name,
                content_type=stored.content_type, size=stored.size, sha256=stored.sha256, uploaded_by=user)
            record_event(case, "upload", "上传材料", user,
                         data={"material": mat.name, "sha256": cm.sha256, "size": cm.size, "pooled": True})
    if errors:
        raise ValidationError(errors)

    for m in plan.members:
        if m.item.pk not in selected:
            continue
        case = cases[m.item.pk]
        try:
            cases[m.item.pk] = applying.submit(user, case, case.lock_version)
        except ValidationError as exc:
            messages = [msg for msgs in exc.message_dict.values() for msg in msgs] if hasattr(exc, "error_dict") \
                else exc.messages
            errors.setdefault("items", []).extend(f"{m.item.name}：{msg}" for msg in messages)
    if errors:
        raise ValidationError(errors)
    audit.record("case.bundle_apply", actor=user, obj=bc,
                 after={"bundle": bundle.name, "number": bc.number,
                        "cases": [c.number for c in cases.values()]})
    return bc
