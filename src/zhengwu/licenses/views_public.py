"""Public and holder pages of 电子证照: 证照验证 (no login: identifier, number, QR code or the PDF),
我的证照 (the holder's licences, detail with events and 亮证记录, the PDF), and 亮证 (a one-minute,
single-use code and its QR code). Writes go through :mod:`.showing`; checks through
:mod:`.verification`."""

from __future__ import annotations

import io

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.core.middleware import client_ip

from . import showing, verification
from .models import Licence

QUERY_LIMIT = (30, 60)  # identifier/number lookups per client address: 30 a minute
UPLOAD_LIMIT = (10, 600)  # PDF checks: 10 per 10 minutes
SHOW_LIMIT = (10, 60)  # 亮证 codes a holder may make per minute


def _messages(exc: ValidationError) -> list[str]:
    return [m for ms in (exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]) for m in ms]


def verify(request):
    """证照验证: GET ?id= (the QR code's link) or ?q= (typed), POST a PDF file."""
    query = (request.GET.get("id") or request.GET.get("q") or "").strip()
    ctx: dict = {"query": query, "verdicts": [], "errors": [], "uploaded": False,
                 "max_mb": verification.MAX_PDF_BYTES // 2**20}
    status = 200
    try:
        if request.method == "POST":
            ctx["uploaded"] = True
            verification.throttle("upload", client_ip(request), *UPLOAD_LIMIT)
            upload = request.FILES.get("pdf")
            if upload is None:
                raise ValidationError({"pdf": "证照文件：请选择电子证照PDF文件"})
            if upload.size > verification.MAX_PDF_BYTES:
                raise ValidationError({"pdf": f"证照文件：不能超过 {verification.MAX_PDF_BYTES // 2**20} MB"})
            ctx["verdicts"] = [verification.verify_pdf_upload(upload.read())]
        elif query:
            verification.throttle("query", client_ip(request), *QUERY_LIMIT)
            ctx["verdicts"] = verification.verify_query(query)
    except ValidationError as exc:
        ctx["errors"], status = _messages(exc), 400
    except verification.RateLimited as exc:
        ctx["errors"], status = [str(exc)], 429
    return render(request, "licenses/public/verify.html", ctx, status=status)


# -- 我的证照 ------------------------------------------------------------------------------------------
def _applicant_only(request):
    if getattr(request.user, "applicant", None) is None:
        raise PermissionDenied("仅限已注册的个人或法人申请人查看")


@login_required
def my_licences(request):
    _applicant_only(request)
    rows = list(showing.holder_licences(request.user).order_by("-issued_on", "-pk")[:200])
    for lic in rows:
        lic.for_entity = showing.for_entity(lic, request.user.applicant)
        lic.effective = showing.status_of(lic)
        lic.effective_label = verification.status_label(lic.effective)
    return render(request, "licenses/public/my_licences.html", {"rows": rows})


def _detail_context(request, lic: Licence) -> dict:
    lic.effective = showing.status_of(lic)
    return {
        "lic": lic,
        "status": lic.effective,
        "status_label": verification.status_label(lic.effective),
        "status_css": verification.CSS.get(lic.effective, "warning"),
        "face": showing.face_fields(lic),
        "events": list(lic.events.order_by("at", "pk")),
        "shows": showing.recent_shows(lic),
        "newer": Licence.objects.filter(previous=lic).only("pk", "identifier").first(),
        "verify_url": request.build_absolute_uri(reverse("licenses:verify") + f"?id={lic.identifier}"),
        "can_show": lic.effective == Licence.Status.VALID,
    }


@login_required
def my_licence(request, pk: int):
    _applicant_only(request)
    lic = showing.holder_licence(request.user, pk)
    return render(request, "licenses/public/my_licence.html", _detail_context(request, lic))


@login_required
def my_licence_pdf(request, pk: int):
    _applicant_only(request)
    lic = showing.holder_licence(request.user, pk)
    f = showing.open_pdf(request.user, lic)
    return FileResponse(f, as_attachment=True, filename=f"{lic.type.name}-{lic.number}.pdf",
                        content_type="application/pdf")


def qr_svg(data: str, scale: int = 5) -> str:
    buf = io.BytesIO()
    segno.make(data, error="m").save(buf, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True)
    return buf.getvalue().decode()


@login_required
@require_POST
def show(request, pk: int):
    """亮证: a new single-use code for one minute (rendered once, never stored in the clear)."""
    _applicant_only(request)
    lic = showing.holder_licence(request.user, pk)
    try:
        verification.throttle("show", f"user:{request.user.pk}", *SHOW_LIMIT)
        row, code = showing.create_show(request.user, lic)
    except (showing.ShowRefused, verification.RateLimited) as exc:
        ctx = _detail_context(request, lic)
        ctx["show_error"] = str(exc)
        return render(request, "licenses/public/my_licence.html", ctx, status=400)
    link = request.build_absolute_uri(reverse("licenses:show_check") + f"?code={code}")
    return render(request, "licenses/public/show.html", {
        "lic": lic, "code": code, "code_display": f"{code[:4]}-{code[4:]}", "qr": qr_svg(link, 6),
        "seconds": showing.SHOW_SECONDS, "expires_at": row.expires_at})
