"""Background tasks of the catalogue (django-tasks, run by ``zhengwu worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import_job(job_id: int) -> dict:
    """Run a queued 事项导入 job; the job row holds status and report for the page.

    Safe to deliver twice: a job that has run returns its stored counts.
    """
    from .models import ImportJob
    from .services import imports

    job = ImportJob.objects.select_related("region", "requested_by").get(pk=job_id)
    report = imports.run_job(job, wait_seconds=3600)
    return {"job": job_id, "rows": report.rows, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "failed": report.failed, "fatal": report.fatal}


@task()
def index_items_task(item_ids: list[int]) -> int:
    """Re-index imported items for search (a big import hands this to the worker in chunks)."""
    from django.db import transaction

    from . import search

    with transaction.atomic():
        search.index_items(item_ids)
    return len(item_ids)
