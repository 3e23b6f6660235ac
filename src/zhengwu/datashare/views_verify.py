"""我的数据使用记录: a citizen (or enterprise) sees which department read or checked their data in
人口库/法人库, when, what for, which fields and with what result — their own rows only, found
by the blind index of their 身份证号 (or their 统一社会信用代码)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from . import verify_rules as rules
from .models import QueryCall

PAGE = 20
FIELD_LABELS = {**rules.LEGAL_FIELDS, **rules.PERSON_FIELDS, "id_number": "身份证号", "uscc": "统一社会信用代码"}


def subject_of(applicant) -> tuple[str, str]:
    """(registry, subject index) of an applicant's own rows."""
    if applicant.kind == "legal":
        return "legal", applicant.uscc or ""
    return "person", applicant.id_number_index or ""


def my_uses(applicant, before: int | None = None):
    """The applicant's own successful calls, newest first (keyset: ``pk < before``)."""
    registry, subject = subject_of(applicant)
    if not subject:
        return QueryCall.objects.none()
    qs = (QueryCall.objects.filter(subject_index=subject, registry=registry, status_code=200)
          .select_related("consumer").order_by("-pk"))
    if before:
        qs = qs.filter(pk__lt=before)
    return qs


@login_required
def my_data_uses(request):
    applicant = getattr(request.user, "applicant", None)
    if applicant is None:
        raise PermissionDenied("仅限已注册的个人或法人申请人查看")
    before = request.GET.get("before", "")
    before = int(before) if before.isdigit() and len(before) < 19 else None
    rows = list(my_uses(applicant, before)[:PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    for row in rows:
        row.field_labels = "、".join(FIELD_LABELS.get(f, f) for f in row.fields or [])
        row.who = row.consumer.name if row.consumer else row.consumer_name
    return render(request, "datashare/verify/my_data_uses.html", {
        "rows": rows, "next_before": rows[-1].pk if more and rows else None, "first_page": before is None,
        "registry_label": rules.REGISTRY_LABELS[subject_of(applicant)[0]],
    })
