"""统计报告 pages: the runs of the 月报/年报 (status, time taken, downloads) and the request form.

Leaders, supervisors and data admins (and the system administrator). The files are served by
:func:`download` after the role check, never from a public URL; they hold aggregates only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from zhengwu.workbench.views import roles_required

from .models import ReportRun
from .reports import services

WHO = "领导、督办人员和数据管理员"
PAGE_SIZE = 30
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


def file_name(run: ReportRun, fmt: str) -> str:
    return f"{run.title}-{run.pk}.{fmt}"


def open_file(run: ReportRun, fmt: str):
    """The stored file of a done run (its plaintext), or Http404 with the reason in Chinese."""
    field = run.xlsx_file if fmt == "xlsx" else run.pdf_file
    if fmt not in CONTENT_TYPES or run.status != ReportRun.Status.DONE or not field:
        raise Http404("报告尚未生成或生成失败，没有可下载的文件")
    try:
        return field.open("rb")
    except FileNotFoundError:
        raise Http404("报告文件已不存在，请重新申请生成") from None


def file_response(run: ReportRun, fmt: str) -> FileResponse:
    response = FileResponse(open_file(run, fmt), as_attachment=True, filename=file_name(run, fmt),
                            content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "private, no-store"
    return response


@roles_required(*services.REPORT_ROLES, what=WHO)
@require_http_methods(["GET", "POST"])
def reports(request):
    today = timezone.localdate()
    form = {"kind": "month", "period": f"{today:%Y-%m}"}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        form = {"kind": (request.POST.get("kind") or "").strip(), "period": (request.POST.get("period") or "").strip()}
        try:
            run, created = services.request_report(form["kind"], form["period"], request.user)
        except ValidationError as exc:
            errors, status = exc.message_dict, 400
        else:
            if created:
                messages.success(request, f"已申请生成{run.title}，稍后刷新本页即可下载")
            else:
                messages.info(request, f"{run.title}已在{run.get_status_display()}，无需重复申请")
            return redirect("insights:reports")
    runs = ReportRun.objects.select_related("requested_by").order_by("-created_at", "-pk")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "insights/reports.html", {
        "page": page, "form": form, "errors": errors, "kinds": ReportRun.Kind.choices,
        "pending": any(r.is_pending for r in page)}, status=status)


@roles_required(*services.REPORT_ROLES, what=WHO)
def download(request, run_id: int, fmt: str):
    return file_response(get_object_or_404(ReportRun, pk=run_id), fmt)
