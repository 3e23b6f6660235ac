"""Workbench pages of 基础库 (数据管理员): upload a 人口库/法人库 file, follow its batch, download the
data-quality report (audited); browse: find one person by 身份证号 or one 法人 by 统一社会信用代码
(masked; 查看完整信息 audited) and counts by region.

Small files import while the page waits; bigger ones run as a django-tasks background task
(``zhengwu worker``) whose page refreshes itself with the batch's progress. 10,000,000-row
files are loaded with ``zhengwu registry-load``. The form carries a one-time token: a double
submission shows the first batch instead of importing twice.
"""

from __future__ import annotations

import uuid
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from zhengwu.core import audit
from zhengwu.core.pii import mask
from zhengwu.core.services import reveal_pii
from zhengwu.org.models import Region, Role
from zhengwu.org.permissions import has_role
from zhengwu.workbench.views import staff_required

from . import registry_reads
from . import registry_rules as rules
from .models import ImportBatch, LegalEntityRecord, PersonRecord
from .services import loading

SYNC_MAX_BYTES = 1024 * 1024  # ~10,000 rows: imported while the page waits
MAX_UPLOAD_BYTES = 512 * 1024 * 1024  # bigger files: zhengwu registry-load on the server
COUNTS_CACHE_SECONDS = 600
PERSON_REVEAL = {"id_number": "身份证号", "name": "姓名", "household_address": "户籍地址", "phone": "联系电话"}
LEGAL_REVEAL = {"legal_rep_id_number": "法定代表人身份证号"}


def data_admin_required(view):
    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_role(request.user, Role.DATA_ADMIN):
            raise PermissionDenied("仅数据管理员可以管理基础库")
        return view(request, *args, **kwargs)

    return wrapper


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入到", choices=ImportBatch.Kind.choices)
    file = forms.FileField(label="数据文件", help_text="CSV（UTF-8或GBK编码）或Excel（.xlsx）；第一行为列名")
    token = forms.CharField(widget=forms.HiddenInput)

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = (f.name or "").lower()
        if not name.endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError("数据文件只能是 .csv 或 .xlsx（旧版 .xls 请在Excel中另存为 .xlsx）")
        if f.size == 0:
            raise forms.ValidationError("数据文件是空的")
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"数据文件过大：网页上传不能超过{MAX_UPLOAD_BYTES // 1024 // 1024}MB，更大的文件请由系统管理员用"
                "“zhengwu registry-load”命令导入")
        return f


@data_admin_required
def import_page(request):
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            return _start(request, form)
    else:
        form = UploadForm(initial={"token": uuid.uuid4().hex, "kind": request.GET.get("kind", "person")})
    batches = ImportBatch.objects.select_related("started_by")[:30]  # the table shows who started each
    return render(request, "datashare/registries/import.html", {
        "form": form, "batches": batches, "person_columns": rules.PERSON_COLUMNS, "legal_columns": rules.LEGAL_COLUMNS,
    })


def _start(request, form: UploadForm):
    token = form.cleaned_data["token"]
    existing = ImportBatch.objects.filter(started_by=request.user, summary__token=token).first()
    if existing is not None:
        messages.info(request, "该文件已提交过，下面是那次导入的结果（没有重复导入）。")
        return redirect("datashare:registry_batch", pk=existing.pk)
    upload = form.cleaned_data["file"]
    kind = form.cleaned_data["kind"]
    if upload.size <= SYNC_MAX_BYTES:
        batch = loading.start_batch(kind, upload.name, request.user, token=token)
        try:
            loading.run_import(batch, upload.open("rb"))
        except loading.ImportFileError:
            pass  # the batch page shows the refusal
        return redirect("datashare:registry_batch", pk=batch.pk)
    source = default_storage.save(f"datashare/uploads/{uuid.uuid4().hex}-{kind}.bin", upload)  # encrypted at rest
    batch = loading.start_batch(kind, upload.name, request.user, token=token, source=source)
    from .tasks_registries import run_registry_import

    transaction.on_commit(lambda: run_registry_import.enqueue(batch.pk))
    messages.success(request, "文件较大，已转入后台导入。本页面会自动刷新显示进度和结果。")
    return redirect("datashare:registry_batch", pk=batch.pk)


@data_admin_required
def batch_page(request, pk: int):
    batch = get_object_or_404(ImportBatch.objects.select_related("started_by"), pk=pk)
    summary = batch.summary or {}
    counts = [(loading.CODE_LABELS.get(code, code), n) for code, n in sorted((summary.get("counts") or {}).items())]
    return render(request, "datashare/registries/batch.html", {
        "batch": batch, "summary": summary, "counts": counts, "waiting": batch.status == ImportBatch.Status.RUNNING,
        "problems": summary.get("first_problems") or [],
    })


@data_admin_required
@require_GET
def batch_report(request, pk: int):
    """The full quality report (CSV, masked values), decrypted from storage; the download is audited."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    if not batch.report_file:
        raise Http404("该批次没有质量报告")
    with transaction.atomic():
        audit.record("datashare.registry_report.download", actor=request.user, obj=batch,
                     after={"kind": batch.kind, "file_name": batch.file_name})
    fh = batch.report_file.open("rb")
    return FileResponse(fh, as_attachment=True, filename=f"{batch.get_kind_display()}质量报告-{batch.pk}.csv",
                        content_type="text/csv; charset=utf-8")


def _region_counts(kind: str) -> list[tuple[str, str, int]]:
    key = f"datashare:registry_counts:{kind}"
    rows = cache.get(key)
    if rows is None:
        model = PersonRecord if kind == "person" else LegalEntityRecord
        # GROUP BY the indexed region_code column: one index-only scan.
        counted = list(model.objects.order_by("region_code").values_list("region_code").annotate(n=Count("pk")))
        names = dict(Region.objects.filter(code__in=[c for c, _ in counted if c]).values_list("code", "name"))
        rows = [(code, names.get(code, "（未知区划）" if code else "（未填写）"), n) for code, n in counted]
        cache.set(key, rows, COUNTS_CACHE_SECONDS)
    return rows


@data_admin_required
def browse(request):
    """查询: POST (the 身份证号 stays out of URLs and access logs); the lookup itself is audited."""
    kind = request.POST.get("kind") or request.GET.get("kind") or "person"
    if kind not in ("person", "legal"):
        kind = "person"
    record, searched, error, revealed = None, False, "", {}
    model = PersonRecord if kind == "person" else LegalEntityRecord
    if request.method == "POST" and request.POST.get("reveal"):
        # 查看完整信息 of a record found before: by its id, so the clear 身份证号 never goes back
        # into the page's forms.
        field = request.POST["reveal"]
        if field not in (PERSON_REVEAL if kind == "person" else LEGAL_REVEAL):
            raise Http404("没有这项个人信息")
        record = get_object_or_404(model, pk=request.POST.get("pk") or 0)
        searched = True
        with transaction.atomic():
            revealed[field] = reveal_pii(request.user, record, field, "基础库查询")
    elif request.method == "POST":
        searched = True
        q = (request.POST.get("q") or "").strip().upper()
        if kind == "person":
            problem = rules.id_number_problem(q) if q else "未填写"
            if problem:
                error = f"身份证号不正确：{problem}"
            else:
                record = registry_reads.lookup_person(q)
        else:
            from zhengwu.core.identifiers import uscc_problem

            problem = uscc_problem(q) if q else "未填写"
            if problem:
                error = f"统一社会信用代码不正确：{problem}"
            else:
                record = registry_reads.lookup_legal(q)
        if not error:
            with transaction.atomic():
                audit.record("datashare.registry.lookup", actor=request.user,
                             object_type=model._meta.label_lower, object_id=record.pk if record else "",
                             after={"kind": kind, "query": mask("id_number", q) if kind == "person" else q,
                                    "found": record is not None})
    fields = []
    if record is not None:
        labels = PERSON_REVEAL if kind == "person" else LEGAL_REVEAL
        fields = [(name, label, getattr(record, name), revealed.get(name)) for name, label in labels.items()]
    counts = _region_counts(kind)
    return render(request, "datashare/registries/browse.html", {
        "kind": kind, "record": record, "searched": searched, "error": error, "fields": fields,
        "q": request.POST.get("q", "") if kind == "legal" and request.method == "POST" else "",
        "counts": counts, "total": sum(n for _c, _n, n in counts),
    })
