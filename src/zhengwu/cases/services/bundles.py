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
class Choice:
    """What the 情形 answers and the 选办 ticks make of a bundle for one applicant — the one source
    of what the form shows and requires (:meth:`BundlePlan.form`), what :func:`check` refuses and
    which cases :func:`apply_bundle` makes."""

    answers: dict[int, scenarios.Option]
    unanswered: dict[str, list[str]]  # q_<id> → 请先回答
    selected: set[int]  # the items applied for
    open: set[int]  # 选办 items no answer decides and not ticked: the applicant may still tick them
    decided: set[int]  # the items the answers decide
    not_for: dict[int, str]  # items whose 服务对象 excludes the applicant → why, and what to do instead
    waived: dict[str, str]  # material keys not asked for → why

    @property
    def offered(self) -> set[int]:
        """The items whose fields and materials the form shows."""
        return self.selected | self.open

    @property
    def signature(self) -> str:
        """The answers as one string: a page remembers what it was drawn for (重新选择)."""
        return ",".join(f"{q}:{o.pk}" for q, o in sorted(self.answers.items()))


@dataclass
class Form:
    """The one form of a :class:`Choice`: the union schema cut to the fields of the items offered."""

    schema: dict
    required: set[str]  # required by an item applied for: what :func:`check` reports as 必填
    optional: set[str]  # required only by a 选办 item still open (required once it is ticked)
    applied: set[str]  # the fields of the items applied for: all that is saved


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

    def not_for(self, applicant) -> dict[int, str]:
        """Member items ``applicant`` may not apply for (服务对象, as :func:`applying.create_draft`
        refuses them) → the reason and what to do. Such an item is not this applicant's: the
        一件事 goes on without it (an employee's 健康证明 is applied for by the employee)."""
        if applicant is None:
            return {}
        out = {}
        for m in self.members:
            target = m.item.published_version.service_object
            why = rules.applicant_kind_refusal(target, applicant.kind, f"“{m.item.name}”")
            if why:
                out[m.item.pk] = f"{why}。{rules.applicant_kind_advice(target)}。"
        return out

    def choose(self, data=None, optional_chosen=(), applicant=None) -> Choice:
        """The items applied for, from the 情形 answers in ``data`` (``q_<id>`` → option id), the
        选办 ticks and who applies."""
        answers, unanswered = scenarios.parse_answers(self.questions, data or {})
        chosen = {int(x) for x in optional_chosen if str(x).isdigit()}
        mandatory = {m.item.pk for m in self.members if not m.optional}
        optional = {m.item.pk for m in self.members if m.optional}
        decided = scenarios.decided(self.questions)
        selected = scenarios.resolve(self.questions, answers, mandatory, optional, chosen)
        still_open = optional - decided - selected
        not_for = {pk: why for pk, why in self.not_for(applicant).items() if pk in selected | still_open}
        selected -= set(not_for)
        still_open -= set(not_for)
        return Choice(answers, unanswered, selected, still_open, decided, not_for,
                      scenarios.waived(answers, self.produced, selected))

    def form(self, choice: Choice) -> Form:
        """The form for ``choice``: the fields of the items offered (a field only a skipped item
        needs is not shown), required as the items applied for require them."""
        shown: set[str] = set()
        required: set[str] = set()
        optional: set[str] = set()
        applied: set[str] = set()
        for m in self.members:
            schema = m.item.published_version.form_schema or {}
            keys = set(schema.get("properties") or {})
            if m.item.pk in choice.offered:
                shown |= keys
            if m.item.pk in choice.selected:
                applied |= keys
                required |= set(schema.get("required") or [])
            elif m.item.pk in choice.open:
                optional |= set(schema.get("required") or [])
        props = self.schema.get("properties") or {}
        order = [k for k in self.schema.get("x-order") or [] if k in shown]
        schema = ({"type": "object", "properties": {k: props[k] for k in order}, "x-order": order,
                   "required": [k for k in order if k in required]} if order else {})
        return Form(schema, required & shown, (optional - required) & shown, applied)


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


def check(plan: BundlePlan, form_data: dict, files: dict, choice: Choice, *, applicant=None) -> dict[str, list[str]]:
    """Every problem of an application before anything is written: the questions unanswered,
    form fields by key (each item applied for validates its own fields: the fields
    :meth:`BundlePlan.form` marks required), materials by pool key, ``items`` for the choice of
    items. A waived material (情形, or issued by an item of the application) is never required,
    nor one a valid licence of ``applicant`` stands in for (免提交, recorded when each case is
    submitted)."""
    from zhengwu.licenses import use as licence_use

    errors: dict[str, list[str]] = dict(choice.unanswered)
    waived, selected = choice.waived, choice.selected
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
    choice = plan.choose(answers or {}, optional_items, applicant)
    errors = check(plan, form_data, files, choice, applicant=applicant)
    if errors:
        raise ValidationError(errors)
    applied = plan.form(choice).applied  # a field only an item not applied for asks is not kept
    form_data = {k: v for k, v in form_data.items() if k in applied}
    try:
        return _apply(user, applicant, plan, form_data, files, choice.selected, key,
                      answers=[{"question": q.text, "option": choice.answers[q.pk].label} for q in plan.questions],
                      waived=sorted(choice.waived))
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
