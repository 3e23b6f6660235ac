"""Reviewing a 导入并提交审核 batch (ADR 0060): the versions one import left 待审核, and 批量通过并发布.

An import with 双人复核 on does not publish: it leaves drafts, or versions 待审核 submitted by the
importer and tagged with the :class:`~zhengwu.catalog.models.ImportJob`. Another 事项管理员 approves
them here, the whole batch or the items ticked, each through
:func:`zhengwu.catalog.services.items.approve_and_publish` — the one write path for publishing, so
the 双人复核 rule (not the importer, not the last editor) and the publication check (咨询电话,
办理地点 … that an import file may lack) apply to each item as to a single review. Every item is
its own transaction: an item that fails stays 待审核 whole (never half published) and is listed
with its reasons; the others are published.

A version belongs to the batch while it is still the one the import submitted: 待审核, tagged with
the job and submitted no later than the job finished (one withdrawn, changed and submitted again
is reviewed on its own).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from zhengwu.core import audit

from ..models import ImportJob, ItemVersion, ServiceItem
from ..models.items import VersionState
from . import items as item_svc

# Items approved by one click (each is its own transaction with its audit event and re-index);
# a bigger batch takes more clicks, the page says how many are left.
BULK_LIMIT = 500
AUDIT_ACTION = "catalog.items.bulk_publish"


def batch_versions(job: ImportJob):
    """The versions of ``job`` still waiting for review as the import submitted them."""
    if not job.submit or job.finished_at is None:
        return ItemVersion.objects.none()
    return ItemVersion.objects.filter(import_job=job, state=VersionState.PENDING,
                                      submitted_at__lte=job.finished_at)


@dataclass
class BatchResult:
    """What 批量通过并发布 did: published ``(item id, name, version number)`` and refused
    ``(item id, name, [reasons])`` — a refused item stays 待审核."""

    published: list[tuple[int, str, int]] = field(default_factory=list)
    refused: list[tuple[int, str, list[str]]] = field(default_factory=list)
    remaining: int = 0  # batch items not tried this time (more than BULK_LIMIT)


def approve_batch(actor, job: ImportJob, *, item_ids: list[int] | None = None, note: str = "",
                  limit: int = BULK_LIMIT) -> BatchResult:
    """审核通过并发布 the batch of ``job`` (or only ``item_ids`` of it), item by item.

    Refusals do not stop the others: 双人复核 (the importer, or whoever changed a version last),
    the publication check, a name clash, a disabled item, permissions — each listed with its
    Chinese reason. Versions outside the batch are ignored."""
    rows = list(batch_versions(job).order_by("service_item_id").values_list("service_item_id", flat=True))
    if item_ids is not None:
        wanted = set(item_ids)
        rows = [pk for pk in rows if pk in wanted]
    result = BatchResult(remaining=max(len(rows) - limit, 0))
    for pk in rows[:limit]:
        item = ServiceItem.objects.filter(pk=pk).only("pk", "name", "lock_version").first()
        if item is None:
            continue
        try:
            version = item_svc.approve_and_publish(actor, pk, lock_version=item.lock_version, note=note)
        except ValidationError as exc:
            result.refused.append((pk, item.name, _messages(exc)))
        except PermissionDenied as exc:
            result.refused.append((pk, item.name, [str(exc) or "您没有审核本事项的权限"]))
        else:
            result.published.append((pk, version.name, version.number))
    with transaction.atomic():
        audit.record(AUDIT_ACTION, actor=actor, object_type="catalog.importjob", object_id=job.pk,
                     after={"file_name": job.file_name, "published": len(result.published),
                            "refused": len(result.refused), "remaining": result.remaining,
                            "published_items": [pk for pk, _, _ in result.published]})
    return result


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for ms in exc.message_dict.values() for m in ms]
    return list(exc.messages)
