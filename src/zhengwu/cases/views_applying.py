"""Applicant pages that write a case: apply online, edit a draft, withdraw, supply a 容缺 material,
and 一件事一次办 (apply for a bundle, its page).

Every page works on the logged-in applicant's own cases (:func:`.views_applicant.my_case`); all
writes go through :mod:`zhengwu.cases.services`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from zhengwu.accounts.services_identity import data_source_label
from zhengwu.catalog.models import Material, ServiceItem
from zhengwu.catalog.models.items import ItemStatus
from zhengwu.catalog.models.materials import Necessity
from zhengwu.datashare import prefill as registry_prefill
from zhengwu.licenses import use as licence_use
from zhengwu.speedups import jinja_env

from . import formrender, forms_schema, rules
from .models import BundleCase, Case, CaseMaterial, PendingMaterial, SupplementNotice
from .rules import State
from .services import applying, approval, delivery
from .services import bundles as bundle_services
from . import views_bundle_files as bundle_files
from . import views_commitment as commitment_page
from .views_applicant import (ACCEPT_FILES, WITHDRAWABLE, decorate, my_case, my_cases, render_page, require_applicant,
                              with_needs)

KEY_RE = re.compile(r"^[0-9a-f]{32}$")
EDITABLE_STATES = (State.DRAFT, State.SUPPLEMENT)


# -- apply online / edit a draft / 补正 ------------------------------------------------------------
@dataclass
class MaterialRow:
    field: str
    name: str
    material: Material | None
    necessity: str = Necessity.REQUIRED
    necessity_label: str = "必要"
    form_label: str = ""
    copies: int = 1
    current: CaseMaterial | None = None
    reason: str = ""  # 补正 reason from the one-time notice
    errors: list[str] = field(default_factory=list)
    # 免提交 (zhengwu.licenses.use.annotate_rows): the licence standing in for the material, or
    # why the licence the applicant holds cannot be used.
    licence: object = None
    licence_note: str = ""
    licence_reason: str = ""

    @property
    def by_licence(self) -> bool:
        """No upload box: a valid licence stands in (unless a file is there or 补正 asks for one)."""
        return self.licence is not None and self.current is None and not self.reason

    @property
    def tolerated(self) -> bool:
        return self.necessity == Necessity.TOLERATED


def material_rows(version, case: Case | None, notice: SupplementNotice | None = None, *,
                  applicant=None) -> list[MaterialRow]:
    catalogue = list(Material.objects.filter(version=version).order_by("seq", "pk"))
    current: dict[str, CaseMaterial] = {}
    if case is not None:
        for cm in CaseMaterial.objects.filter(case=case).exclude(status=CaseMaterial.Status.REPLACED).order_by("uploaded_at"):
            current[cm.name] = cm
    rows = [MaterialRow(field=f"m_{m.pk}", name=m.name, material=m, necessity=m.necessity,
                        necessity_label=m.get_necessity_display(), form_label=m.get_form_display(), copies=m.copies,
                        current=current.get(m.name)) for m in catalogue]
    if notice is not None:
        by_name = {r.name: r for r in rows}
        for i, item in enumerate(notice.items or []):
            name = str(item.get("material", "")).strip()
            row = by_name.get(name)
            if row is None:  # a material the notice names outside the catalogue list
                row = MaterialRow(field=f"n_{i}", name=name, material=None, form_label="按告知要求",
                                  current=current.get(name))
                rows.append(row)
                by_name[name] = row
            row.reason = str(item.get("reason", ""))
        rows.sort(key=lambda r: 0 if r.reason else 1)  # what the notice asks for first
    licence_use.annotate_rows(rows, applicant if applicant is not None else (case.applicant if case else None), case)
    return rows


def _published_item(item_id: int) -> ServiceItem:
    # select_related: the page shows the item, its department and region, and reads the
    # published guide version (form schema, materials).
    item = (ServiceItem.objects.filter(pk=item_id, status=ItemStatus.PUBLISHED, published_version__isnull=False)
            .select_related("department", "region", "published_version").first())
    if item is None:
        raise Http404("该事项不存在或未发布")
    return item


def _real_name_short(request, item) -> dict | None:
    """The item needs a higher 实名等级 than the user has: the notice and where to raise it."""
    from zhengwu.accounts import oidc_client
    from zhengwu.accounts.oidc_rules import LEVEL_LABELS, level_at_least

    need = item.min_real_name_level
    if not need or level_at_least(request.user.real_name_level, need):
        return None
    try:
        citizen = [p for p in oidc_client.providers().values() if p.role == "citizen"]
    except ValueError:
        citizen = []
    login = (reverse("accounts:oidc_login", args=[citizen[0].name]) + "?next=" + request.path) if citizen else ""
    return {"need": LEVEL_LABELS[need], "have": LEVEL_LABELS.get(request.user.real_name_level, "未认证"),
            "login_url": login, "provider": citizen[0].display_name if citizen else ""}


def _form_page(request, *, item, version, case, applicant, key="", data=None, errors=None, raw=None,
               rows=None, notice=None, status=200):
    schema = version.form_schema or {}
    prefilled = forms_schema.prefill(schema, applicant)
    rows = rows if rows is not None else material_rows(version, case, notice, applicant=applicant)
    # 少填: fields the reused e-licences state (已调用电子证照), editable, for a new form.
    from_licences = forms_schema.prefill_from_licences(
        schema, licence_use.faces_of([r.licence for r in rows if getattr(r, "licence", None) is not None]),
        skip=set(prefilled))
    values = data if data is not None else (case.form_data if case else
                                            {**{k: v for k, (v, _) in from_licences.items()}, **prefilled})
    licence_notes = {k: f"来自电子证照：{name}" for k, (v, name) in from_licences.items() if values.get(k) == v}
    errors = errors or {}
    known = set((schema.get("properties") or {})) | DELIVERY_KEYS | commitment_page.KEYS
    source = data_source_label(applicant)
    return render_page(request, "cases/applicant/apply.html", {
        "delivery": _delivery_values(request, case), "delivery_methods": rules.DELIVERY_METHODS.items(),
        "delivery_errors": {k: errors[k] for k in DELIVERY_KEYS if k in errors},
        "item": item, "version": version, "case": case, "applicant": applicant, "key": key,
        **commitment_page.page_context(request, case, version, item.department_id, errors),  # 告知承诺
        "fields": formrender.fields(schema, values, errors, raw, readonly_keys=set(prefilled), readonly_note=source,
                                    notes=licence_notes),
        "identity_source": source, "real_name_short": _real_name_short(request, item),
        "form_errors": [m for k, msgs in errors.items() if k not in known and k != "materials" for m in msgs],
        "material_errors": errors.get("materials", []),
        "rows": rows,
        "notice": notice, "registry_prefill": registry_prefill.offer(schema, applicant),  # 少填免填
        "accept": ACCEPT_FILES, "max_mb": applying.MAX_UPLOAD_BYTES // 1024 // 1024,
        "supplement": case is not None and case.state == State.SUPPLEMENT,
        # An unfinished draft of the same item: offer it instead of starting over.
        "earlier_draft": None if case is not None else my_cases(applicant).filter(
            service_item_id=item.pk, state=State.DRAFT).order_by("-created_at").only("pk", "created_at").first(),
    }, status=status)


DELIVERY_KEYS = {"delivery_method", "delivery_address"}


def _delivery_values(request, case: Case | None) -> dict:
    """The 结果领取方式 shown: what was just posted, else what the case holds (the applicant's own
    address, shown back to them), else 窗口领取."""
    if request.method == "POST" and "delivery_method" in request.POST:
        return {"method": request.POST.get("delivery_method", ""), "address": request.POST.get("delivery_address", "")}
    if case is not None and case.delivery_method:
        address = case.delivery_address.reveal_unaudited() if case.delivery_address else ""
        return {"method": case.delivery_method, "address": address}
    return {"method": "window", "address": ""}


def _choose_delivery(request, case: Case, expected_lock: int, errors: dict) -> Case:
    """Record the posted 结果领取方式 (a page without the section leaves the case's choice alone)."""
    if "delivery_method" not in request.POST:
        return case
    try:
        return delivery.choose(request.user, case, request.POST.get("delivery_method", ""),
                               request.POST.get("delivery_address", "")[:400], expected_lock)
    except ValidationError as exc:
        for key, msgs in (exc.message_dict.items() if hasattr(exc, "error_dict") else [("form", exc.messages)]):
            errors.setdefault(key, []).extend(msgs)
        return case


def _store_data(case: Case, data: dict, parse_errors: dict) -> dict:
    """What to save: the values read, and the earlier value of any field that could not be read."""
    return {**data, **{k: case.form_data[k] for k in parse_errors if k in (case.form_data or {})}}


def _upload_all(request, case: Case, rows: list[MaterialRow]) -> bool:
    """Store every file chosen on the page; errors go next to their material. True when all went in."""
    ok = True
    for row in rows:
        uploaded = request.FILES.get(row.field)
        if not uploaded:
            continue
        try:
            row.current = applying.upload_material(request.user, case, uploaded, material=row.material,
                                                   name="" if row.material else row.name)
        except ValidationError as exc:
            row.errors = exc.messages
            ok = False
    return ok


def _mark_missing(case: Case, rows: list[MaterialRow], errors: dict) -> None:
    """Name every 必要 material still missing — and, in 补正, every material the notice asked for
    again without a new file — next to it and at the top, so that one try shows everything to fix
    (一次性告知)."""
    missing = applying.missing_required(case)
    again = ([n for n in applying.not_replaced(case) if n not in missing] if case.state == State.SUPPLEMENT
             else [])
    if not missing and not again:
        return
    errors["materials"] = ([f"缺少必要材料：{'、'.join(missing)}"] if missing else []) + (
        [rules.not_replaced_refusal(again)] if again else [])
    for row in rows:
        if row.errors:
            continue
        if row.name in missing:
            row.errors = [f"“{row.name}”是必要材料，请上传"]
        elif row.name in again:
            row.errors = [f"“{row.name}”需按补正告知重新上传"]


def _already_done(request, case: Case):
    """A submission repeated (double click, retry after a time-out): show the first one's result."""
    if case.state not in EDITABLE_STATES:
        messages.info(request, "该申请已经提交，请勿重复提交。")
        return redirect("cases:receipt" if case.number else "cases:my_case", case.pk)
    return None


def _process(request, item, version, case: Case, applicant, action: str, expected_lock: int | None, key: str = ""):
    """Save the form and files of a draft (or of a case in 补正); submit / resubmit if asked.

    The case row stays locked for the request, so a second post of the same page (a double
    click, a retry while the first is still running) waits for the first and then sees its
    result instead of racing it. A failed submission still keeps what was saved (the draft).
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        done = _already_done(request, case)
        if done:
            return done
        if expected_lock is None:  # a new application: the idempotency key identifies it
            expected_lock = case.lock_version
        return _process_locked(request, item, version, case, applicant, action, expected_lock, key)


def _process_locked(request, item, version, case: Case, applicant, action: str, expected_lock: int, key: str):
    schema = version.form_schema or {}
    prefilled = forms_schema.prefill(schema, applicant)
    data, errors, raw = formrender.parse(schema, request.POST, fixed=prefilled)
    notice = (SupplementNotice.objects.filter(case=case, resolved_at__isnull=True).order_by("-issued_at").first()
              if case.state == State.SUPPLEMENT else None)
    rows = material_rows(version, case, notice, applicant=applicant)

    def page(errs, status=200):
        return _form_page(request, item=item, version=version, case=case, applicant=applicant, key=key,
                          data=data, errors=errs, raw=raw, rows=rows, notice=notice, status=status)

    store = _store_data(case, data, errors)
    try:
        if store != case.form_data:
            case = applying.save_form(request.user, case, store, expected_lock)
            expected_lock = case.lock_version
    except ValidationError as exc:
        case = Case.objects.get(pk=case.pk)
        done = _already_done(request, case)
        if done:
            return done
        return page({"form": exc.messages}, status=409)
    case = _choose_delivery(request, case, expected_lock, errors)
    case = commitment_page.record_choice(request, case, case.lock_version, errors)
    expected_lock = case.lock_version
    files_ok = _upload_all(request, case, rows)
    if action in ("submit", "resubmit"):
        if action == "submit":
            for k, msgs in forms_schema.validate(schema, data).items():
                if k not in errors:
                    errors[k] = msgs
        if errors or not files_ok:
            _mark_missing(case, rows, errors)
            messages.warning(request, "已保存为草稿，请按提示修改后再提交。" if action == "submit"
                             else "已保存，请按提示修改后再重新提交。")
            return page(errors, status=400)
        try:
            with transaction.atomic():
                if action == "submit":
                    case = applying.submit(request.user, case, expected_lock,
                                           commitment_agreed=commitment_page.agreed(request))
                else:
                    case = applying.resubmit(request.user, case, expected_lock, request.POST.get("note", "")[:500])
        except ValidationError as exc:
            fresh = Case.objects.get(pk=case.pk)
            done = _already_done(request, fresh)
            if done:
                return done
            errs = exc.message_dict if hasattr(exc, "error_dict") else {"form": exc.messages}
            _mark_missing(fresh, rows, errs)
            return page(errs, status=400)
        if action == "submit":
            messages.success(request, f"申请已提交，办件编号 {case.number}。")
            return redirect("cases:receipt", case.pk)
        messages.success(request, "补正材料已提交，请等待窗口重新审核。")
        return redirect("cases:my_case", case.pk)
    # 保存草稿
    if errors or not files_ok:
        return page(errors, status=400)
    messages.success(request, "草稿已保存。" if case.state == State.DRAFT else "已保存。")
    return redirect("cases:edit", case.pk)


def _registry_filled(request, *, item, version, case, applicant, key=""):
    """少填免填: the page again, its empty fields filled from the 人口库/法人库 with consent (none saved)."""
    schema = version.form_schema or {}
    data, errors, raw = formrender.parse(schema, request.POST, fixed=forms_schema.prefill(schema, applicant))
    label = registry_prefill.offer(schema, applicant) or "基础库"
    if request.POST.get("registry_consent") != "1":
        messages.warning(request, f"请先勾选同意从{label}读取您的信息，再点击自动填写。")
        return _form_page(request, item=item, version=version, case=case, applicant=applicant, key=key,
                          data=data, raw=raw, status=400)
    filled = registry_prefill.from_registry(applicant, item, schema)
    added = [k for k, v in filled.values.items() if not raw.get(k) and k not in data]
    for k in added:
        data[k] = filled.values[k]
        raw.pop(k, None)
    titles = [str(((schema.get("properties") or {}).get(k) or {}).get("title") or k) for k in added]
    if not filled.found:  # the registry not read (nothing to fill) is not "not found"
        messages.warning(request, f"本申请表没有可从{label}填写的项目，请手工填写。" if filled.nothing_to_fill
                         else f"{label}中没有找到您的信息，请手工填写。")
    else:
        messages.success(request, f"已从{label}填写：{'、'.join(titles)}，请核对。" if titles
                         else f"{label}中的信息已填写或无需填写，请核对。")
    return _form_page(request, item=item, version=version, case=case, applicant=applicant, key=key,
                      data=data, raw=raw)


def _not_for_you(request, applicant, service_object: str, name: str, back_url: str):
    """The apply page of an item or 一件事 the applicant's kind may not apply for (服务对象):
    why not, instead of a form that would be refused on submission."""
    refusal = rules.applicant_kind_refusal(service_object, applicant.kind, f"“{name}”")
    if not refusal:
        return None
    return render_page(request, "cases/applicant/not_for_you.html", {
        "name": name, "refusal": refusal, "applicant": applicant, "back_url": back_url}, status=403)


@login_required
def apply(request, item_id: int):
    """网上申报: the item's form and material list; 保存草稿 / 提交 (idempotent by key)."""
    applicant = require_applicant(request, scope="apply")
    item = _published_item(item_id)
    version = item.published_version
    refused = _not_for_you(request, applicant, version.service_object, item.name,
                           reverse("catalog:item_guide", args=[item.pk]))
    if refused is not None:
        return refused
    if request.method != "POST":
        # 申请办理 again while a draft of this item waits: continue it rather than start a second one
        # (each failed try used to leave a draft behind). ?new=1 starts another on purpose.
        draft = None if request.GET.get("new") else (
            Case.objects.filter(applicant=applicant, service_item=item, state=State.DRAFT, agent__isnull=True,
                                filed_by__isnull=True)
            .order_by("-pk").only("pk", "created_at").first())
        if draft is not None:
            messages.info(request, format_html(
                "您已有该事项未提交的草稿（{} 创建），已为您打开继续填写。<a href=\"{}\">另起一份新的申请</a>",
                f"{timezone.localtime(draft.created_at):%Y-%m-%d %H:%M}", reverse("cases:apply", args=[item.pk]) + "?new=1"))
            return redirect("cases:edit", draft.pk)
        return _form_page(request, item=item, version=version, case=None, applicant=applicant,
                          key=uuid.uuid4().hex)
    key = request.POST.get("idempotency_key", "")
    if not KEY_RE.match(key):
        messages.error(request, "页面已过期，请重新填写。")
        return redirect("cases:apply", item.pk)
    if request.POST.get("action") == "prefill":
        return _registry_filled(request, item=item, version=version, case=None, applicant=applicant, key=key)
    action = "submit" if request.POST.get("action") == "submit" else "save"
    existing = Case.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.applicant_id != applicant.pk:
            raise Http404("办件不存在")
        done = _already_done(request, existing)
        if done:
            return done
    try:
        case = applying.create_draft(request.user, item, idempotency_key=key)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("cases:apply", item.pk)
    if case.applicant_id != applicant.pk:
        raise Http404("办件不存在")
    done = _already_done(request, case)
    if done:
        return done
    return _process(request, item, case.item_version, case, applicant, action, None, key)


@login_required
def edit(request, pk: int):
    """Continue a draft, or correct a case in 补正 and 重新提交 in the same case."""
    require_applicant(request, scope="apply")
    case = my_case(request, pk, related=("service_item__department", "item_version", "department", "applicant"))
    # The form is the applicant's, also when their 代办人 fills it in: prefill from the applicant.
    applicant = case.applicant
    if case.state not in EDITABLE_STATES:
        return redirect("cases:my_case", case.pk)
    item, version = case.service_item, case.item_version
    if request.method != "POST":
        notice = (SupplementNotice.objects.filter(case=case, resolved_at__isnull=True).order_by("-issued_at").first()
                  if case.state == State.SUPPLEMENT else None)
        return _form_page(request, item=item, version=version, case=case, applicant=applicant, notice=notice)
    try:
        lock = int(request.POST.get("lock", ""))
    except ValueError:
        lock = -1
    action = request.POST.get("action", "save")
    if action == "prefill":
        return _registry_filled(request, item=item, version=version, case=case, applicant=applicant)
    allowed = ("save", "submit") if case.state == State.DRAFT else ("save", "resubmit")
    if action not in allowed:
        action = "save"
    return _process(request, item, version, case, applicant, action, lock)


@login_required
def withdraw(request, pk: int):
    """撤回申请, after a confirmation page (works without JavaScript)."""
    require_applicant(request, scope="apply")
    case = my_case(request, pk, related=("service_item", "department"))
    if State(case.state) not in WITHDRAWABLE:
        messages.error(request, f"办件当前为“{case.state_label}”，不能撤回。")
        return redirect("cases:my_case", case.pk)
    if request.method == "POST":
        try:
            lock = int(request.POST.get("lock", ""))
        except ValueError:
            lock = -1
        reason = request.POST.get("reason", "").strip()[:500]
        try:
            applying.withdraw(request.user, case, lock, reason)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "申请已撤回。")
        return redirect("cases:my_case", case.pk)
    return render_page(request, "cases/applicant/withdraw.html", {"case": case})


@require_POST
@login_required
def supply_pending(request, pk: int, pending_id: int):
    """补交一项容缺材料: upload it and mark it supplied, in one transaction."""
    require_applicant(request, scope="apply")
    case = my_case(request, pk, related=("item_version",))
    pending = PendingMaterial.objects.filter(case=case, pk=pending_id).first()
    if pending is None:
        raise Http404("容缺材料不存在")
    uploaded = request.FILES.get("file")
    if pending.supplied_at is not None:
        messages.info(request, f"“{pending.name}”已经补交。")
    elif not uploaded:
        messages.error(request, f"请选择“{pending.name}”的文件后再提交")
    else:
        material = Material.objects.filter(version_id=case.item_version_id, name=pending.name).first()
        try:
            with transaction.atomic():
                cm = applying.upload_material(request.user, case, uploaded, material=material,
                                              name="" if material else pending.name)
                approval.supply_pending(request.user, case, pending, cm)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"“{pending.name}”已补交。")
    return redirect(f"{reverse('cases:my_case', args=[case.pk])}#needs")


# -- 一件事一次办 -----------------------------------------------------------------------------
def _bundle_page(request, plan, applicant, *, key, token="", data=None, errors=None, raw=None, chosen=None,
                 status=200):
    return render_page(request, "cases/applicant/bundle_apply.html", {
        **bundle_files.form_context(request, plan, applicant, token=token, data=data, errors=errors, raw=raw,
                                    chosen=chosen),
        "key": key, "action_url": reverse("cases:bundle_apply", args=[plan.bundle.pk]),
        "accept": ACCEPT_FILES, "max_mb": applying.MAX_UPLOAD_BYTES // 1024 // 1024,
    }, status=status)


@login_required
def bundle_apply(request, bundle_id: int):
    applicant = require_applicant(request, scope="apply")
    try:
        plan = bundle_services.bundle_plan(bundle_id)
    except ValidationError:
        raise Http404("该一件事不存在或未发布") from None
    refused = _not_for_you(request, applicant, plan.bundle.target, plan.bundle.name,
                           reverse("catalog:bundle_detail", args=[plan.bundle.pk]))
    if refused is not None:
        return refused
    if request.method != "POST":
        return _bundle_page(request, plan, applicant, key=uuid.uuid4().hex)
    key = request.POST.get("idempotency_key", "")
    if not KEY_RE.match(key):
        messages.error(request, "页面已过期，请重新填写。")
        return redirect("cases:bundle_apply", bundle_id)
    done = BundleCase.objects.filter(idempotency_key=key, applicant=applicant).first()
    if done is not None:
        messages.info(request, "该申请已经提交，请勿重复提交。")
        return redirect("cases:bundle_case", done.pk)
    posted = bundle_files.submit(request, plan, applicant, lambda data, files, chosen: bundle_services.apply_bundle(
        request.user, plan.bundle, form_data=data, files=files, optional_items=chosen, idempotency_key=key,
        answers=request.POST))  # the files chosen are kept across refused rounds
    if posted.done is not None:
        messages.success(request, f"“{plan.bundle.name}”已提交，一件事编号 {posted.done.number}。")
        return redirect("cases:bundle_case", posted.done.pk)
    return _bundle_page(request, plan, applicant, key=key, token=posted.token, data=posted.data, errors=posted.errors,
                        raw=posted.raw, chosen={int(x) for x in posted.chosen},
                        status=400 if posted.errors else 200)  # 重新选择 refuses nothing


@login_required
def bundle_case(request, pk: int):
    """一件事 progress: every linked case with its state, and one result set."""
    applicant = require_applicant(request)
    bc = BundleCase.objects.filter(pk=pk, applicant_id=applicant.pk).select_related("bundle").first()
    if bc is None:
        raise Http404("一件事办件不存在")
    # select_related: each row shows item, department and (once concluded) the decision;
    # with_needs: what each case still needs from the applicant.
    cases = decorate(list(with_needs(bc.cases.select_related("service_item", "department", "result")
                                      .order_by("pk"))))
    for c in cases:  # the status column and the needs of a row of 我的办件 (Jinja2 fragments, ADR 17)
        c.status_html = jinja_env.render("cases/applicant/case_status.html", {"c": c})
        c.needs_html = jinja_env.render("cases/applicant/needs.html", {"c": c})
    results = [c for c in cases if c.state in (State.CONCLUDED, State.DELIVERED) and getattr(c, "result", None)]
    return render_page(request, "cases/applicant/bundle_case.html", {
        "bc": bc, "cases": cases, "results": results,
        "progress": rules.bundle_progress(c.state for c in cases),  # withdrawn/refused members apart
    })
