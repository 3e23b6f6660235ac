"""Workbench pages of 窗口代录 / 帮代办: a window clerk finds or registers the applicant and files a
case on their behalf (through ``cases.services``, like every other page)."""

from __future__ import annotations

import secrets
import uuid
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.accounts.models import Applicant
from zhengwu.catalog.models import Material, ServiceItem
from zhengwu.core import audit
from zhengwu.datashare import prefill as registry_prefill
from zhengwu.licenses import use as licence_use
from zhengwu.org.models import Role, Window
from zhengwu.org.permissions import grants
from zhengwu.workbench.views import roles_required

from . import forms_staff as f
from . import queries, rules, tongban_session
from .models import Case, CaseMaterial, Channel, SupplementNotice
from .rules import State
from .services import applying, delivery, staged
from .views_staff import scoped_items


def _bundles_for(applicant, user):
    from .views_staff_bundles import bundles_for

    return bundles_for(applicant, user)


# -- 窗口代录 / 帮代办 --------------------------------------------------------------------------------
def _find_applicant(number: str, kind: str) -> Applicant | None:
    if kind == "legal":
        return Applicant.objects.filter(uscc=number).select_related("user").first()
    lookup = Applicant._meta.get_field("id_number").lookup(number)
    return Applicant.objects.filter(kind=Applicant.Kind.PERSON, **lookup).select_related("user").first()


def _temporary_password() -> str:
    # Upper, lower, digit and symbol: passes the platform's password rules; shown once, never logged.
    return f"Zw@{secrets.token_hex(3)}{secrets.randbelow(90) + 10}"


def _my_window(user) -> Window | None:
    window_id = next((g.window_id for g in grants(user) if g.role == Role.WINDOW and g.window_id), None)
    return Window.objects.filter(pk=window_id).first() if window_id else None


def _start_items(request):
    """The items the clerk may file here, and the item of another region being received (异地代收,
    chosen on the 跨域代收 page): while one is chosen, it is the only item offered."""
    cross = tongban_session.session_item(request)
    if cross is not None:
        return ServiceItem.objects.filter(pk=cross.pk).select_related("department"), cross
    return scoped_items(request.user, [Role.WINDOW]), None


@roles_required(Role.WINDOW, what="窗口人员")
def file_start(request):
    """窗口代录 step 1: find the applicant by 身份证号/统一社会信用代码 (or register a person on
    the spot), choose the item and the channel, and open a draft.

    The lookup is a POST so that an ID number never lands in a URL (access logs, history).
    """
    items, cross = _start_items(request)
    ctx: dict = {"lookup": f.LookupForm(), "check_form": registry_prefill.WindowCheckForm(), "cross_item": cross}
    applicant = None
    op = request.POST.get("op") if request.method == "POST" else None
    if op == "lookup":
        lookup = f.LookupForm(request.POST)
        if lookup.is_valid():
            number, kind = lookup.cleaned_data["number"], lookup.kind
            applicant = _find_applicant(number, kind)
            ctx["kind"] = kind
            if applicant is None:
                ctx["not_found"] = True
                if kind == "person":
                    ctx["register"] = f.RegisterPersonForm(initial={"id_number": number})
                else:
                    ctx["register"] = f.RegisterLegalForm(initial={"uscc": number})
        else:
            ctx["lookup"] = lookup
    elif op == "registry_check":  # 人口库核验 of a walk-in person (zhengwu.datashare.prefill)
        check = ctx["check_form"] = registry_prefill.WindowCheckForm(request.POST)
        if check.is_valid():
            number, name = check.cleaned_data["id_number"], check.cleaned_data["name"].strip()
            ctx["registry_check"] = outcome = registry_prefill.window_check(request.user, number, name)
            applicant = _find_applicant(number, "person") if outcome.match else None
            if outcome.match and applicant is None:
                ctx.update(not_found=True, kind="person",
                           register=f.RegisterPersonForm(initial={"id_number": number, "name": name}))
    elif op == "start":
        start = f.FileStartForm(request.POST, items=items)
        applicant = Applicant.objects.filter(pk=request.POST.get("applicant") or 0).first()
        if applicant is None:
            raise Http404("申请人不存在")
        if start.is_valid():
            d = start.cleaned_data
            agent = None
            if d["channel"] == Channel.AGENT:
                agent = _find_applicant(d["agent_number"], "person")
                if agent is None:
                    start.add_error("agent_number", "代办人身份证号：该代办人尚未登记，请先在左侧查找并为其登记")
            if not start.errors:
                try:
                    case = applying.create_draft(
                        request.user, d["item"], applicant=applicant, channel=d["channel"], agent=agent,
                        agent_note=(d["agent_note"] or "").strip(), window=_my_window(request.user),
                        idempotency_key=request.POST.get("idempotency_key") or None)
                except ValidationError as exc:
                    if hasattr(exc, "error_dict") and "applicant" in exc.error_dict:
                        # 服务对象: the item does not serve this kind of applicant — said at the item.
                        exc = ValidationError({"item" if k == "applicant" else k: v
                                               for k, v in exc.message_dict.items()})
                    if hasattr(exc, "error_dict") and "agent" in exc.error_dict:
                        # 代办人: said at the 代办人身份证号 the clerk typed.
                        exc = ValidationError({"agent_number" if k == "agent" else k: v
                                               for k, v in exc.message_dict.items()})
                    f.apply_service_errors(start, exc)
                else:
                    tongban_session.forget_item(request)
                    return redirect("cases:staff_file_draft", pk=case.pk)
        ctx["start"] = start
    if applicant is not None:
        ctx["applicant"] = applicant
        ctx.setdefault("start", f.FileStartForm(initial={"applicant": applicant.pk, "channel": Channel.WINDOW,
                                                         "item": cross.pk if cross else None}, items=items))
    ctx["idempotency_key"] = request.POST.get("idempotency_key") if op == "start" else uuid.uuid4().hex
    if applicant is not None:
        ctx["bundles"] = [] if cross else _bundles_for(applicant, request.user)  # 异地代收: this one item only
    return render(request, "cases/staff/file_start.html", ctx)


@require_POST
@roles_required(Role.WINDOW, what="窗口人员")
def file_register(request):
    """Register a person or an enterprise at the window (现场注册) with a temporary password, audited."""
    legal = request.POST.get("kind") == "legal"
    form = f.RegisterLegalForm(request.POST) if legal else f.RegisterPersonForm(request.POST)
    ctx: dict = {"lookup": f.LookupForm(), "register": form, "not_found": True, "kind": "legal" if legal else "person"}
    from zhengwu.accounts.services import check_legal, check_person, register_legal, register_person

    if not form.is_valid():  # name the registration's rules on the fields that passed, in this round
        given = {k: v for k, v in form.cleaned_data.items() if k != "kind"}
        f.add_check_errors(form, (check_legal if legal else check_person)(**given))
    else:
        d = form.cleaned_data
        password = _temporary_password()

        try:
            with transaction.atomic():
                if legal:
                    user = register_legal(name=d["name"], uscc=d["uscc"], legal_rep_name=d["legal_rep_name"],
                                          legal_rep_id_number=d["legal_rep_id_number"], phone=d["phone"],
                                          password=password, password2=password, temporary=True)
                    after = {"name": user.applicant.name, "uscc": user.applicant.uscc,
                             "legal_rep_id_number": str(user.applicant.legal_rep_id_number), "channel": "window"}
                else:
                    user = register_person(name=d["name"], id_number=d["id_number"], phone=d["phone"],
                                           password=password, password2=password, temporary=True)
                    after = {"name": user.applicant.name, "id_number": str(user.applicant.id_number),
                             "channel": "window"}
                audit.record("cases.window_register", actor=request.user, obj=user.applicant, after=after)
        except ValidationError as exc:
            f.apply_service_errors(form, exc)
        else:
            applicant = user.applicant
            messages.success(request, f"已为{applicant.name}完成{'法人' if legal else '实名'}登记")
            items, cross = _start_items(request)
            return render(request, "cases/staff/file_start.html", {
                "cross_item": cross,
                "lookup": f.LookupForm(initial={"number": ""}), "applicant": applicant, "temp_password": password,
                "start": f.FileStartForm(initial={"applicant": applicant.pk, "channel": Channel.WINDOW,
                                                  "item": cross.pk if cross else None}, items=items),
                "idempotency_key": uuid.uuid4().hex, "bundles": [] if cross else _bundles_for(applicant, request.user),
            })
    return render(request, "cases/staff/file_start.html", ctx)


def _flagged(case: Case) -> dict[str, str]:
    """Material → reason, of the open 补正 notice (empty for a draft)."""
    if case.state != State.SUPPLEMENT:
        return {}
    notice = SupplementNotice.objects.filter(case=case, resolved_at__isnull=True).order_by("-issued_at").first()
    reasons: dict[str, str] = {}
    for item in (notice.items if notice else None) or []:
        name = str(item.get("material", "")).strip()
        if name and name not in reasons:
            reasons[name] = str(item.get("reason", ""))
    return reasons


def _keep_files(request, token: str, case: Case, targets: dict) -> dict[str, str]:
    """The round's file choices for the form ``token``: 移除 ticked ones dropped, every file chosen
    kept (checked, encrypted) until a round goes through (:mod:`.services.staged`). Returns the
    refused files' messages by field."""
    for field in request.POST.getlist("unstage"):
        staged.drop(request.session, token, case, field)
    refused: dict[str, str] = {}
    for field, (material, name) in targets.items():
        upload = request.FILES.get(field)
        if upload is None:
            continue
        try:
            staged.stage(request.session, token, case, field, upload, label=material.name if material else name)
        except ValidationError as exc:
            refused[field] = "；".join(exc.messages)
    return refused


def _missing_materials(request, token: str, case: Case, targets: dict) -> list[str]:
    pending = staged.pending(request.session, token, case)
    kept = {(m.name if m else n) for field, (m, n) in targets.items() if field in pending}
    missing = [name for name in applying.missing_required(case) if name not in kept]
    return [f"缺少必要材料：{'、'.join(missing)}"] if missing else []


@roles_required(Role.WINDOW, what="窗口人员")
def file_draft(request, pk: int):
    """窗口代录 step 2: fill the form, upload the materials, submit — on one page.

    A round refused (a required field empty, a file of the wrong type, a stale version) writes
    nothing of the case; the files chosen in it are kept for the next round (暂存, shown as 已上传
    with 移除) and go into the case with the round that goes through."""
    case = queries.staff_case(request.user, pk)
    if case.state not in (State.DRAFT, State.SUPPLEMENT):
        return redirect("cases:staff_case", pk=case.pk)
    schema = case.item_version.form_schema or {}
    SchemaForm = f.schema_form_class(schema)
    catalogue = list(Material.objects.filter(version_id=case.item_version_id).order_by("seq"))
    # 补正: what the open notice asks for again, with its reason; a material it names outside the
    # catalogue gets an upload box of its own (n_<i>), as on the applicant's page.
    flagged = _flagged(case)
    known = {m.name for m in catalogue}
    extra = [(f"n_{i}", name) for i, name in enumerate(flagged) if name not in known]
    targets = {**{f"file_{m.pk}": (m, "") for m in catalogue}, **{k: (None, n) for k, n in extra}}
    token = (staged.valid_token(request.POST.get("upload_token")) if request.method == "POST" else "") \
        or staged.new_token()
    errors: list[str] = []
    file_errors: dict[str, str] = {}
    if request.method == "POST":
        file_errors = _keep_files(request, token, case, targets)
    if request.method == "POST" and request.POST.get("op") == "registry_fill":  # 少填免填 at the window
        filled = registry_prefill.from_registry(case.applicant, case.service_item, schema, clerk=request.user)
        typed = {k: v for k, v in (case.form_data or {}).items() if v not in ("", None)}
        form = SchemaForm(initial=f.schema_initial(schema, {**filled.values, **typed}))
        if filled.nothing_to_fill:  # a stale page: the button is only offered when there is something
            messages.info(request, "本事项没有可从基础库填写的项目")
        elif not filled.found:
            errors.append("基础库中没有该申请人的信息")
        else:
            messages.info(request, f"已从基础库填写{len(set(filled.values) - set(typed))}项（未保存），请与申请人核对后保存")
    elif request.method == "POST":
        form = SchemaForm(request.POST)
        lock = request.POST.get("lock_version", "")
        submit = request.POST.get("op") == "submit"
        if not submit:  # a draft may be saved half-filled; 必填 is checked on submission
            for field in form.fields.values():
                field.required = False
        valid = form.is_valid()  # every field named this round, whatever else is wrong
        if valid and lock.isdigit() and not file_errors:
            try:
                with transaction.atomic():
                    case = applying.save_form(request.user, case, {**case.form_data, **form.to_data()}, int(lock))
                    if request.POST.get("delivery_method"):
                        method = request.POST["delivery_method"]
                        address = request.POST.get("delivery_address", "").strip()[:400]
                        if method == "mail" and not address and case.delivery_address:
                            address = case.delivery_address.reveal_unaudited()  # 留空则不变
                        case = delivery.choose(request.user, case, method, address, case.lock_version)
                    staged.adopt(request.user, request.session, token, case, targets)  # the files kept
                    case.refresh_from_db()
                    if submit:
                        if case.state == State.SUPPLEMENT:
                            case = applying.resubmit(request.user, case, case.lock_version)
                        else:
                            case = applying.submit(request.user, case, case.lock_version)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for key, msgs in exc.message_dict.items():
                        if f"f_{key}" in form.fields:
                            for msg in msgs:
                                form.add_error(f"f_{key}", msg)
                        else:
                            errors += msgs
                else:
                    errors += exc.messages
                case = Case.objects.select_related(*queries.STAFF_CASE_RELATED).get(pk=case.pk)
            else:
                staged.forget(request.session, token)  # in the case now
                if submit:
                    messages.success(request, f"已提交，办件编号 {case.number}")
                    return redirect("cases:staff_case", pk=case.pk)
                messages.success(request, "草稿已保存")
                return redirect("cases:staff_file_draft", pk=case.pk)
        else:
            if not lock.isdigit():
                errors.append("缺少办件版本号，请刷新页面后重试")
            if submit:  # the 必要 materials still missing, named with the fields (a file just kept counts)
                errors += _missing_materials(request, token, case, targets)
    else:
        form = SchemaForm(initial=f.schema_initial(schema, case.form_data))
    kept = staged.pending(request.session, token, case)
    uploaded = {m.name: m for m in CaseMaterial.objects.filter(case=case).exclude(
        status=CaseMaterial.Status.REPLACED).order_by("uploaded_at")}
    rows = [SimpleNamespace(field=f"file_{m.pk}", material=m, name=m.name, uploaded=uploaded.get(m.name),
                            staged=kept.get(f"file_{m.pk}"), error=file_errors.get(f"file_{m.pk}"),
                            reason=flagged.get(m.name, ""), licence=None, licence_note="", licence_reason="")
            for m in catalogue]
    rows += [SimpleNamespace(field=key, material=None, name=name, uploaded=uploaded.get(name), staged=kept.get(key),
                             error=file_errors.get(key), reason=flagged[name], licence=None, licence_note="",
                             licence_reason="") for key, name in extra]
    licence_use.annotate_rows(rows, case.applicant, case)  # 免提交: the applicant's valid licences
    return render(request, "cases/staff/file_draft.html", {
        "case": case, "form": form, "rows": rows, "errors": errors, "upload_token": token, "kept": bool(kept),
        # 从基础库填写: only for a form with a field the 人口库/法人库 can fill
        "registry_fill": registry_prefill.offer(schema, case.applicant),
        "delivery_methods": rules.DELIVERY_METHODS.items(),
        "delivery_method": request.POST.get("delivery_method") or case.delivery_method or "window",
        "saved_address": str(case.delivery_address) if case.delivery_address else "",  # masked
    })
