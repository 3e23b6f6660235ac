"""The written notices a window clerk prints for a walk-in applicant (《行政许可法》第三十二条):
申请回执 / 受理通知书, 一次性补正告知书, 不予受理决定书 — PDFs made on request from the case
(:mod:`.documents`), each only in the states where it applies, every read audited like the
case's other documents."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from zhengwu.org.models import Role
from zhengwu.workbench.views import roles_required

from . import access, documents, queries
from .models import Case, SupplementNotice


def available(case: Case) -> list[str]:
    """The intake notices ``case`` can be printed with now (see :func:`documents.intake_documents`)."""
    notices = SupplementNotice.objects.filter(case_id=case.pk).count() if queries.has_child(case, "supplements") else 0
    return documents.intake_documents(case.state, numbered=bool(case.number), accepted=case.accepted_on is not None,
                                      notices=notices)


def links(case: Case) -> list[tuple[str, str]]:
    """(kind, label) of the notices to offer on the staff case page."""
    return [(kind, documents.INTAKE_DOCUMENTS[kind]) for kind in available(case)]


@roles_required(Role.WINDOW, Role.APPROVER, what="窗口人员或审批人员")
def intake_document(request, pk: int, kind: str):
    """One intake notice as a PDF, shown inline (the browser prints it)."""
    if kind not in documents.INTAKE_DOCUMENTS:
        raise Http404("没有这种文书")
    case = queries.staff_case(request.user, pk)
    label = documents.INTAKE_DOCUMENTS[kind]
    if kind not in available(case):
        raise Http404(f"办件当前为“{case.state_label}”，没有{label}")
    if kind == "receipt":
        pdf = documents.receipt_pdf(case)
    elif kind == "acceptance":
        pdf = documents.acceptance_notice_pdf(case)
    elif kind == "supplement":
        pdf = documents.supplement_notice_pdf(case, SupplementNotice.objects.filter(case=case)
                                              .order_by("-issued_at", "-pk").first())
    else:
        pdf = documents.refusal_pdf(case)
    access.record_file_read(request.user, case, kind, name=f"{label} {case.number}")
    response = HttpResponse(pdf.content.read(), content_type="application/pdf")
    filename = f"{kind}-{case.number or case.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
