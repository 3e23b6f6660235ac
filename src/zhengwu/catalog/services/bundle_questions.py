"""The one write path for a 一件事's 情形引导 (questions and their answers): add, edit, delete.

Same rules as every bundle edit (:mod:`.bundles`): only 事项管理员 of the bundle's region, the
bundle row locked and its ``lock_version`` compared (乐观锁), one transaction, one audit event
(``catalog.bundle.question.*``) with the question before and after. An answer selects or skips
items of the bundle only (:func:`zhengwu.catalog.rules.scenario_question_problems`).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from zhengwu.core import audit

from .. import rules
from ..models import Bundle, BundleItem, BundleOption, BundleQuestion
from .bundles import AUDIT_TYPE, _lock, _require


def _snapshot(q: BundleQuestion | None) -> dict | None:
    if q is None:
        return None
    return {"text": q.text, "help_text": q.help_text, "seq": q.seq, "options": [
        {"label": o.label, "select": sorted(o.select_items.values_list("pk", flat=True)),
         "skip": sorted(o.skip_items.values_list("pk", flat=True)), "waive": o.waive_materials}
        for o in q.options.order_by("seq", "pk")]}


def _locked_for_edit(actor, bundle: Bundle | int, lock_version, what: str) -> Bundle:
    bundle = _lock(bundle, lock_version)
    _require(actor, bundle.region, what)
    if bundle.status == Bundle.Status.DISABLED:
        raise ValidationError("该一件事已停用，请先重新发布后再修改", code="transition")
    return bundle


def _question_of(bundle: Bundle, question_id: int) -> BundleQuestion:
    q = BundleQuestion.objects.filter(bundle=bundle, pk=question_id).first()
    if q is None:
        raise ValidationError("该情形问题不存在或已被删除，请刷新页面", code="stale")
    return q


def _bump(bundle: Bundle) -> None:
    bundle.lock_version += 1
    bundle.save(update_fields=["lock_version", "updated_at"])


def save_question(actor, bundle: Bundle | int, *, lock_version, text: str, options: Sequence[dict],
                  help_text: str = "", question_id: int | None = None) -> BundleQuestion:
    """新增 (``question_id`` None) or 修改 a 情形 question; ``options`` replace its answers, in order:
    ``{"label", "select": [item ids], "skip": [item ids], "waive": "材料、材料"}``."""
    with transaction.atomic():
        bundle = _locked_for_edit(actor, bundle, lock_version, "编辑情形引导")
        item_ids = set(BundleItem.objects.filter(bundle=bundle).values_list("service_item_id", flat=True))
        problems = rules.scenario_question_problems(text, list(options), item_ids)
        if len((help_text or "").strip()) > 300:
            problems["help_text"] = "说明：不能超过300个字"
        if problems:
            raise ValidationError(problems)
        if question_id is None:
            seq = (BundleQuestion.objects.filter(bundle=bundle).aggregate(m=Max("seq"))["m"] or 0) + 1
            q, before = BundleQuestion(bundle=bundle, seq=seq), None
        else:
            q = _question_of(bundle, question_id)
            before = _snapshot(q)
        q.text, q.help_text = text.strip(), (help_text or "").strip()
        q.save()
        q.options.all().delete()
        for n, o in enumerate(options, start=1):
            option = BundleOption.objects.create(question=q, seq=n, label=o["label"].strip(),
                                                 waive_materials=(o.get("waive") or "").strip())
            option.select_items.set(sorted(set(o.get("select") or ())))
            option.skip_items.set(sorted(set(o.get("skip") or ())))
        _bump(bundle)
        audit.record("catalog.bundle.question." + ("create" if before is None else "edit"), actor=actor, obj=bundle,
                     object_type=AUDIT_TYPE, before=before, after=_snapshot(q))
    return q


def delete_question(actor, bundle: Bundle | int, *, lock_version, question_id: int) -> None:
    """删除 a 情形 question and its answers."""
    with transaction.atomic():
        bundle = _locked_for_edit(actor, bundle, lock_version, "编辑情形引导")
        q = _question_of(bundle, question_id)
        before = _snapshot(q)
        q.delete()
        _bump(bundle)
        audit.record("catalog.bundle.question.delete", actor=actor, obj=bundle, object_type=AUDIT_TYPE,
                     before=before, after=None)
