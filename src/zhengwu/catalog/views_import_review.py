"""审核导入批次 (ADR 0060): the versions one 导入并提交审核 left 待审核, and 批量通过并发布.

Each row says whether the version meets the publication requirements (what is missing, with a
link to the item's review page, where the reviewer can withdraw and complete it) and whether
the viewer may approve it (双人复核: not the importer). Approving goes through
:func:`zhengwu.catalog.services.import_review.approve_batch`, item by item: items that fail stay
待审核 and are listed with their reasons.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from .models import ImportJob
from .services import import_review
from .services import items as svc
from .views_import import _job_visible, item_admin_required

# Rows shown (and ticked) on the page; the 本批全部 button covers the rest of the batch too.
SHOWN = import_review.BULK_LIMIT


def _rows(request, job: ImportJob) -> tuple[list, int]:
    qs = import_review.batch_versions(job)
    total = qs.count()
    # select_related: each row shows the item, its department and codes (the publication check).
    versions = list(qs.select_related("service_item__department", "service_item__base_item", "submitted_by")
                    .order_by("service_item__department_id", "name")[:SHOWN])
    rows = []
    for v in versions:
        item = v.service_item
        check = svc.publication_check(item, v)
        rows.append({"item": item, "version": v,
                     "missing": [m for ms in check.errors.values() for m in ms],
                     "refused": svc.review_refusal(request.user, v) if svc.can_review(request.user, item)
                     else "您没有审核本事项的权限"})
    return rows, total


@item_admin_required
def import_batch(request, pk: int):
    # select_related: the page shows region and importer.
    job = get_object_or_404(ImportJob.objects.select_related("region", "requested_by"), pk=pk)
    if not _job_visible(request.user, job):
        raise PermissionDenied("您无权查看该导入记录")
    result = None
    if request.method == "POST":
        ids = None
        if request.POST.get("scope") != "all":
            ids = [int(x) for x in request.POST.getlist("items") if x.isdigit()]
            if not ids:
                messages.error(request, "请至少勾选一个事项，或点击“本批全部通过并发布”")
        if ids is None or ids:
            result = import_review.approve_batch(request.user, job, item_ids=ids,
                                                 note=(request.POST.get("note") or "")[:500])
            if result.published:
                messages.success(request, f"已通过并发布 {len(result.published)} 项，网上办事大厅即时生效。")
            if result.refused:
                messages.warning(request, f"{len(result.refused)} 项未发布，仍为待审核，原因见下方。")
    rows, total = _rows(request, job)
    return render(request, "catalog/import/batch.html", {
        "job": job, "rows": rows, "total": total, "result": result,
        "ready": sum(1 for r in rows if not r["missing"] and not r["refused"]),
        "own": job.requested_by_id == request.user.pk,
    })
