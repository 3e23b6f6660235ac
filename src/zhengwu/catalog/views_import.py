"""Workbench pages of 事项导入导出 (事项管理员): upload a 实施清单, see the job's report, download.

Files up to :data:`~zhengwu.catalog.services.imports.SYNC_ROW_LIMIT` rows are imported while the
page waits; bigger ones become a background job (``zhengwu worker``) whose page refreshes
itself until the report is there. Every upload is recorded as an
:class:`~zhengwu.catalog.models.ImportJob`; the form carries a one-time key so that a double
click or a resubmitted form shows the first job instead of starting a second.
"""

from __future__ import annotations

import io
import uuid
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from zhengwu.core import spreadsheets
from zhengwu.org.models import Region, Role
from zhengwu.org.permissions import grants, has_role, is_sysadmin
from zhengwu.workbench.views import staff_required

from . import importer
from .models import ImportJob
from .services import import_review, imports

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def item_admin_required(view):
    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_role(request.user, Role.ITEM_ADMIN):
            raise PermissionDenied("仅事项管理员可以导入导出事项")
        return view(request, *args, **kwargs)

    return wrapper


def _regions(user) -> list[Region]:
    """Regions the user may import into: those of their 事项管理员 grants (a district or above
    covers the districts below it that have departments)."""
    if is_sysadmin(user):
        # Regions that have departments: a national region table has thousands of rows.
        return list(Region.objects.filter(departments__isnull=False).distinct().order_by("code"))
    prefixes = {g.region_prefix for g in grants(user) if g.role == Role.ITEM_ADMIN}
    ids = {g.region_id for g in grants(user) if g.role == Role.ITEM_ADMIN}
    found = {r.pk: r for r in Region.objects.filter(pk__in=ids)}
    for prefix in prefixes:
        for r in Region.objects.filter(code__startswith=prefix, level__lte=3, departments__isnull=False).distinct():
            found.setdefault(r.pk, r)
    return sorted(found.values(), key=lambda r: r.code)


MODE_DRAFT, MODE_SUBMIT, MODE_PUBLISH = "draft", "submit", "publish"


MODES = [(MODE_DRAFT, "导入为草稿：有变化的事项生成草稿，核对补充后逐项提交审核"),
         (MODE_SUBMIT, "导入并提交审核：有变化的事项生成待审核版本（提交人为您），由另一位事项管理员审核发布，"
                       "可按本批次批量通过"),
         (MODE_PUBLISH, "直接发布新版本（本平台已关闭双人复核）")]


def import_modes() -> list[tuple[str, str]]:
    """The modes the page offers: 直接发布 only with 双人复核 off (a posted one is refused by the form)."""
    return [m for m in MODES if m[0] != MODE_PUBLISH or imports.publish_allowed()]


class ImportForm(forms.Form):
    file = forms.FileField(label="实施清单文件", help_text="Excel（.xlsx）或CSV（UTF-8或GBK编码）；第一行为列名")
    region = forms.ChoiceField(label="导入到区划")
    # 双人复核 on (ADR 0060): 导入为草稿 or 导入并提交审核; 直接发布 only with it off.
    mode = forms.ChoiceField(label="导入方式", required=False, widget=forms.RadioSelect)
    create_departments = forms.BooleanField(
        label="新建机构库中没有的实施主体（批量建库时使用；不勾选则这样的行报错，以免把写错的名称建成部门）", required=False)
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, regions: list[Region], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, f"{r.name}（{r.code}）") for r in regions]
        self.fields["mode"].choices = MODES

    def clean_mode(self):
        """The chosen mode; a form without one (an old page) imports as before: as a draft when
        its box was ticked, else publishing — which with 双人复核 on becomes a draft."""
        mode = self.cleaned_data.get("mode") or ""
        if not mode:
            publish = imports.publish_allowed() and not self.data.get("as_draft")
            mode = MODE_PUBLISH if publish else MODE_DRAFT
        if mode == MODE_PUBLISH and not imports.publish_allowed():
            raise forms.ValidationError(imports.PUBLISH_REFUSED)
        return mode

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = (f.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError("只能导入 .xlsx 或 .csv 文件（旧版 .xls 请在Excel中另存为 .xlsx）")
        if f.size > importer.MAX_FILE_BYTES:
            raise forms.ValidationError(f"文件过大：不能超过{importer.MAX_FILE_BYTES // 1024 // 1024}MB，请拆分后分批导入")
        if f.size == 0:
            raise forms.ValidationError("文件是空的")
        return f


def _job_visible(user, job: ImportJob) -> bool:
    return job.requested_by_id == user.pk or has_role(user, Role.ITEM_ADMIN, region_code=job.region.code)


@item_admin_required
def import_page(request):
    regions = _regions(request.user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, regions=regions)
        if form.is_valid():
            response = _start_import(request, form)
            if response is not None:
                return response
    else:
        default = next((r.code for r in regions if r.code == _home_region()), regions[0].code if regions else None)
        form = ImportForm(initial={"token": uuid.uuid4().hex, "region": default,
                                   "mode": MODE_PUBLISH if imports.publish_allowed() else MODE_DRAFT},
                          regions=regions)
    # The page lists the user's recent imports (and, for the region's admins, everyone's).
    jobs = (ImportJob.objects.filter(region__in=regions) if regions else ImportJob.objects.none()).select_related(
        "region", "requested_by")[:20]  # select_related: the table shows region and uploader names
    jobs = list(jobs)
    for j in jobs:  # the counts labelled as the job's page labels them (新增事项（待审核） …)
        j.report = imports.ImportReport.from_dict(j.result) if j.result else None
    return render(request, "catalog/import/import.html", {
        "form": form, "jobs": jobs, "columns": importer.COLUMNS, "regions": regions,
        "sync_limit": imports.SYNC_ROW_LIMIT, "four_eyes": not imports.publish_allowed(), "modes": import_modes(),
    })


def _home_region() -> str:
    from django.conf import settings

    return getattr(settings, "ZHENGWU_HOME_REGION", "")


def _start_import(request, form: ImportForm):
    region = Region.objects.filter(code=form.cleaned_data["region"]).first()
    if region is None or not has_role(request.user, Role.ITEM_ADMIN, region_code=region.code):
        form.add_error("region", "您没有该区划的事项管理权限")
        return None
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        estimated = importer.estimate_rows(data, upload.name)
    except importer.ImportFileError as exc:
        form.add_error("file", exc.message)
        return None
    background = estimated > imports.SYNC_ROW_LIMIT
    job, created = imports.submit_job(
        region=region, data=data, file_name=upload.name, as_draft=form.cleaned_data["mode"] == MODE_DRAFT,
        submit=form.cleaned_data["mode"] == MODE_SUBMIT,
        create_departments=form.cleaned_data["create_departments"], user=request.user,
        idempotency_key=f"{request.user.pk}:{form.cleaned_data['token']}", keep_file=background)
    if not created:
        messages.info(request, "该文件已提交过，下面是那次导入的结果（没有重复导入）。")
        return redirect("catalog:wb_import_job", pk=job.pk)
    if background:
        _enqueue(job)
        messages.success(request, f"文件约有{estimated:,}行，已转入后台导入。本页面会自动刷新显示进度和结果。")
        return redirect("catalog:wb_import_job", pk=job.pk)
    try:
        imports.run_job(job, data, wait_seconds=20)
    except imports.ImportBusy:
        # Another import of this region is running: queue this one behind it.
        from django.core.files.base import ContentFile

        job.file.save(job.file_name, ContentFile(data), save=True)
        _enqueue(job)
        messages.info(request, "该区划正有其他导入在进行，本次导入已排队，将在其完成后自动开始。")
    return redirect("catalog:wb_import_job", pk=job.pk)


def _enqueue(job: ImportJob) -> None:
    from .tasks import run_import_job

    result = run_import_job.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))


@item_admin_required
def import_job(request, pk: int):
    # select_related: the page shows region and uploader.
    job = get_object_or_404(ImportJob.objects.select_related("region", "requested_by"), pk=pk)
    if not _job_visible(request.user, job):
        raise PermissionDenied("您无权查看该导入记录")
    report = imports.ImportReport.from_dict(job.result) if job.result else None
    waiting = not job.is_finished
    stalled = False
    if job.status == ImportJob.Status.QUEUED and (timezone.now() - job.created_at).total_seconds() > 120:
        stalled = True  # queued for minutes: the background worker is probably not running
    percent = None
    if job.status == ImportJob.Status.RUNNING and job.estimated_rows:
        percent = min(99, int(job.progress * 100 / max(job.estimated_rows - 1, 1)))
    pending = import_review.batch_versions(job).count() if job.submit and job.is_finished else 0
    return render(request, "catalog/import/job.html", {
        "job": job, "report": report, "waiting": waiting, "stalled": stalled, "percent": percent,
        "pending": pending,
    })


@item_admin_required
@require_GET
def import_job_errors(request, pk: int):
    """The bad rows of a job as CSV (UTF-8 with BOM, opens in Excel)."""
    job = get_object_or_404(ImportJob.objects.select_related("region"), pk=pk)
    if not _job_visible(request.user, job):
        raise PermissionDenied("您无权查看该导入记录")
    report = imports.ImportReport.from_dict(job.result)
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = spreadsheets.csv_writer(buf)
    writer.writerow(["行号", "列", "问题", "填写的内容"])
    for e in report.errors:
        writer.writerow([e["row"], e["column"], e["message"], e["value"]])
    response = HttpResponse(buf.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _attachment(f"导入问题-{job.pk}.csv")
    return response


@item_admin_required
@require_GET
def export(request):
    """Download the region's 实施清单 in the import layout (.xlsx, or .csv with ?format=csv)."""
    code = request.GET.get("region") or _home_region()
    if not code:
        regions = _regions(request.user)
        code = regions[0].code if regions else ""
    region = Region.objects.filter(code=code).first()
    if region is None:
        messages.error(request, f"区划 {code} 不存在")
        return redirect("catalog:wb_import")
    if not has_role(request.user, Role.ITEM_ADMIN, region_code=region.code):
        raise PermissionDenied("您没有该区划的事项管理权限")
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    buf = io.BytesIO()
    imports.export_items(region, buf, fmt=fmt)
    buf.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return FileResponse(buf, as_attachment=True, filename=f"{region.name}实施清单-{stamp}.{fmt}",
                        content_type=XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8")


@item_admin_required
@require_GET
def template(request):
    """An empty import file: the header row and one example row (complete enough to be published)."""
    buf = io.BytesIO()
    example = importer.export_cells({
        "department": "郑州市金水区市场监督管理局", "name": "食品经营许可（新办）", "item_type": "01",
        "base_code": "000105001000", "implementation_code": "", "main_item": "食品经营许可",
        "statutory_days": 20, "promised_days": 5, "case_type": "committed", "visits": 0,
        "acceptance_conditions": "申请人已依法取得营业执照，有与经营食品相适应的经营场所。",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条", "service_object": "legal",
        "materials": ["食品经营许可申请书", "营业执照", "法定代表人身份证明"], "fees": [],
        "popular_name": "开饭店办食品经营许可证", "keywords": "饭店，小吃店，餐饮",
        "channels": ["window", "online"], "locations": "郑州市金水区政务服务中心B区市场监管窗口",
        "office_hours": "周一至周五 9:00-12:00，13:00-17:00（法定节假日除外）", "consult_phone": "0371-65500004",
        "complaint_phone": "12345", "handling_name": "", "handling_code": "",
    })
    importer.write_xlsx(buf, imports.EXPORT_HEADER, [example], sheet_name="实施清单")
    buf.seek(0)
    return FileResponse(buf, as_attachment=True, filename="事项导入模板.xlsx", content_type=XLSX_TYPE)


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(filename)}"
