"""Read side of the registry for staff: licences scoped to the issuing departments a staff member's
grants cover (one place, :func:`licences_for`), filters, and keyset pages.

A city holds about a million licences: a list page reads one page by the (issuer, issued_on)
index, newest first, and continues after the last row (keyset) instead of counting or offsetting.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404

from zhengwu.org.models import Role
from zhengwu.org.permissions import scope

from .models import Licence, LicenceType

LIST_ROLES = (Role.APPROVER, Role.WINDOW, Role.DEPT_ADMIN, Role.DATA_ADMIN, Role.SUPERVISOR, Role.LEADER)
REVEAL_ROLES = (Role.APPROVER, Role.WINDOW, Role.DEPT_ADMIN)
PAGE_SIZE = 30


def licences_for(user) -> QuerySet:
    return scope(Licence.objects.all(), user, LIST_ROLES, department_field="issuer")


def staff_licence(user, pk: int) -> Licence:
    licence = licences_for(user).select_related("type", "issuer__region", "previous", "case").filter(pk=pk).first()
    if licence is None:
        raise Http404("证照不存在或无权查看")
    return licence


def issued_in_case(user, case_id: int) -> list[Licence]:
    """The licences a case issued, for the staff case page: each with ``visible`` (within the
    user's scope, so the registry's licence page opens it)."""
    rows = list(Licence.objects.filter(case_id=case_id).select_related("type").order_by("pk"))
    seen = set(licences_for(user).filter(case_id=case_id).values_list("pk", flat=True)) if rows else set()
    for lic in rows:
        lic.visible = lic.pk in seen
    return rows


def types_list(active_only: bool = False) -> QuerySet:
    qs = LicenceType.objects.prefetch_related("departments").order_by("name")
    return qs.filter(is_active=True) if active_only else qs


def _cursor(value: str) -> tuple[dt.date, int] | None:
    day, _, pk = (value or "").partition("_")
    try:
        return dt.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def licence_page(user, filters: dict) -> tuple[list[Licence], str]:
    """One page of licences (newest first) and the cursor of the next page ("" when last).

    Filters: ``type`` (id), ``status``, ``number`` (证照编号 or 电子证照标识, exact), ``after``
    (the cursor)."""
    qs = licences_for(user)
    if str(filters.get("type", "")).isdigit():
        qs = qs.filter(type_id=int(filters["type"]))
    if filters.get("status") in Licence.Status.values:
        qs = qs.filter(status=filters["status"])
    number = str(filters.get("number") or "").strip().upper()
    if number:
        qs = qs.filter(Q(number=number) | Q(identifier=number))
    cursor = _cursor(str(filters.get("after") or ""))
    if cursor:
        day, pk = cursor
        qs = qs.filter(Q(issued_on__lt=day) | Q(issued_on=day, pk__lt=pk))
    rows = list(qs.select_related("type", "issuer").order_by("-issued_on", "-pk")[:PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    nxt = f"{rows[-1].issued_on.isoformat()}_{rows[-1].pk}" if more and rows else ""
    return rows, nxt
