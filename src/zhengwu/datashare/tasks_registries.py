"""Background task of 基础库导入 (django-tasks, run by ``zhengwu worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_registry_import(batch_id: int) -> dict:
    """Import the uploaded file of a queued batch, then delete the upload (it holds personal
    data; the registry and the report keep what is needed). Delivered twice, a finished batch
    returns its counts without importing again."""
    from django.core.files.storage import default_storage

    from .models import ImportBatch
    from .services import loading

    batch = ImportBatch.objects.select_related("started_by").get(pk=batch_id)
    source = (batch.summary or {}).get("source", "")
    if batch.status == ImportBatch.Status.RUNNING and source and default_storage.exists(source):
        try:
            with default_storage.open(source, "rb") as fh:
                loading.run_import(batch, fh)
        except loading.ImportFileError:
            pass  # recorded on the batch
        finally:
            default_storage.delete(source)
    elif batch.status == ImportBatch.Status.RUNNING:
        loading.fail_batch(batch, "上传的文件已不存在，请重新上传")
    batch.refresh_from_db()
    return {"batch": batch.pk, "status": batch.status, "loaded": batch.rows_loaded, "bad": batch.rows_bad}
