"""Background task of the 检查对象名录库 jobs (django-tasks, run by ``zhengwu worker``): 同步法人库
and big 检查对象 imports (``services.registers_jobs``)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_register_job(job_id: int) -> dict:
    """Run a queued RegisterJob. Delivered twice, a job already running or finished is left as it
    is (nothing is synced or imported again) and its state returned."""
    from .services import registers_jobs

    job = registers_jobs.run(job_id)
    if job is None:
        return {"job": job_id, "status": "missing"}
    return {"job": job.pk, "status": job.status, "progress": job.progress, "added": job.added,
            "updated": job.updated, "closed": job.closed, "rejected": job.rejected}
