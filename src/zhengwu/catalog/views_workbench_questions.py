"""情形引导 editor of a 一件事 in the catalogue workbench (事项管理员): add, edit and delete a
question and its answers — which items each answer selects or skips, which materials it waives.
Page composition only: the write path is :mod:`zhengwu.catalog.services.bundle_questions`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhengwu.workbench.views import roles_required

from .models import BundleQuestion
from .services import bundle_questions as svc
from .services.items import STALE_MESSAGE
from .views_workbench import BUNDLE_ROLES, _get_bundle

MAX_OPTIONS = 8


def _int_ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


def _posted_options(post) -> list[dict]:
    """The answer rows posted (``option-<n>-label`` …); a row left wholly blank is dropped."""
    rows = []
    for n in range(1, MAX_OPTIONS + 1):
        row = {"label": post.get(f"option-{n}-label", "").strip()[:200],
               "select": _int_ids(post.getlist(f"option-{n}-select")),
               "skip": _int_ids(post.getlist(f"option-{n}-skip")),
               "waive": post.get(f"option-{n}-waive", "").strip()[:600]}
        if row["label"] or row["select"] or row["skip"] or row["waive"]:
            rows.append(row)
    return rows


def _rows_for_form(options: list[dict]) -> list[dict]:
    """The rows shown: the answers so far and blank rows to add more (at least two, two spare)."""
    shown = list(options) + [{"label": "", "select": [], "skip": [], "waive": ""}] * max(2, 4 - len(options))
    return [{"n": n, **row} for n, row in enumerate(shown[:MAX_OPTIONS], start=1)]


def _existing_options(q: BundleQuestion) -> list[dict]:
    return [{"label": o.label, "select": [i.pk for i in o.select_items.all()], "skip": [i.pk for i in o.skip_items.all()],
             "waive": o.waive_materials} for o in q.options.order_by("seq", "pk").prefetch_related("select_items", "skip_items")]


@roles_required(*BUNDLE_ROLES, what="事项管理员")
def question_edit(request, pk: int, qid: int | None = None):
    bundle = _get_bundle(request, pk)
    question = get_object_or_404(BundleQuestion, bundle=bundle, pk=qid) if qid is not None else None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        text, help_text = request.POST.get("text", ""), request.POST.get("help_text", "")
        options = _posted_options(request.POST)
        try:
            svc.save_question(request.user, bundle.pk, lock_version=request.POST.get("lock_version"), text=text,
                              help_text=help_text, options=options, question_id=qid)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "stale" or STALE_MESSAGE in exc.messages:
                messages.error(request, exc.messages[0])
                return redirect("catalog:wb_bundle_detail", pk=bundle.pk)
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, "情形问题已保存。")
            return redirect("catalog:wb_bundle_detail", pk=bundle.pk)
        values = {"text": text, "help_text": help_text, "options": options}
    elif question is not None:
        values = {"text": question.text, "help_text": question.help_text, "options": _existing_options(question)}
    else:
        values = {"text": "", "help_text": "", "options": []}
    items = [bi.service_item for bi in bundle.bundle_items.select_related("service_item").order_by("seq", "pk")]
    return render(request, "catalog/workbench/bundle_question_form.html", {
        "bundle": bundle, "question": question, "values": values, "rows": _rows_for_form(values["options"]),
        "items": items, "errors": {k: v[0] for k, v in errors.items()},
    }, status=400 if errors else 200)


@require_POST
@roles_required(*BUNDLE_ROLES, what="事项管理员")
def question_delete(request, pk: int, qid: int):
    bundle = _get_bundle(request, pk)
    try:
        svc.delete_question(request.user, bundle.pk, lock_version=request.POST.get("lock_version"), question_id=qid)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "情形问题已删除。")
    return redirect("catalog:wb_bundle_detail", pk=bundle.pk)
