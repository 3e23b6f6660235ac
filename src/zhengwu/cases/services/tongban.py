"""跨域通办 (异地代收): a window of one region receives an application for an item handled by
another region's department, checks the materials and forwards the case; the handling department
decides as for any case; the result is handed over where the applicant chose, the receiving window
included. The rules are in :mod:`zhengwu.cases.tongban_rules`.

The receiving clerk works on the case through the ordinary 窗口代录 pages (draft, materials,
submission — :mod:`.applying` asks :func:`may_receive` and :func:`is_receiver`); submitting is the
forwarding (:func:`forwarded`). Both sides see the case and its timeline: the handling department by
its grants, the receiving region's windows by :func:`is_receiver`.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone

from zhengwu.catalog.models import ServiceItem
from zhengwu.catalog.models.items import ItemStatus
from zhengwu.org.models import Region, Role, Window
from zhengwu.org.permissions import grants, is_sysadmin

from .. import tongban_rules
from ..models import Case, CrossIntake
from .base import record_event


def receiving_point(user) -> tuple[Region, Window | None] | None:
    """The region (and window) where ``user`` receives applications as 窗口人员: their first 窗口人员
    grant's region and window. None for anyone else. Read once per user object (per request)."""
    memo = getattr(user, "_zw_receiving_point", False)
    if memo is not False:
        return memo
    point = None
    for g in grants(user):
        if g.role == Role.WINDOW:
            region = Region.objects.filter(pk=g.region_id).first()
            window = Window.objects.filter(pk=g.window_id).first() if g.window_id else None
            point = (region, window) if region else None
            break
    if user is not None and user.is_authenticated:
        user._zw_receiving_point = point
    return point


def _item_scope(item: ServiceItem) -> str:
    version = item.published_version
    return version.tongban_scope if version is not None else "none"


def check_may_receive(user, item: ServiceItem) -> tuple[Region, Window | None]:
    """The receiving point of a clerk who may receive ``item`` for its department's region, or
    PermissionDenied naming why not (not a window clerk; outside the item's 通办范围)."""
    point = receiving_point(user)
    if point is None:
        raise PermissionDenied("仅窗口人员可以代申请人录入办件")
    region, _window = point
    item_region = item.region if item.region_id else None
    scope = _item_scope(item)
    if item_region is None or not tongban_rules.covers(scope, item_region.code, region.code):
        raise PermissionDenied(tongban_rules.refusal(scope, item_region.name if item_region else "其他地区", region.name))
    return point


def receivable_items(user, q: str = "", *, limit: int = 50):
    """Published items of other regions whose 通办范围 reaches the clerk's region (the 代收 list),
    found by name or 实施编码; the clerk's own departments' items are filed the ordinary way."""
    point = receiving_point(user)
    if point is None:
        return ServiceItem.objects.none()
    code = point[0].code
    reach = (Q(published_version__tongban_scope="national")
             | Q(published_version__tongban_scope="province", region__code__startswith=code[:2])
             | Q(published_version__tongban_scope="city", region__code__startswith=code[:4])
             | Q(published_version__tongban_scope="district", region__code__startswith=code[:6]))
    own = [g.region_prefix for g in grants(user) if g.role == Role.WINDOW]
    qs = ServiceItem.objects.filter(reach, status=ItemStatus.PUBLISHED)
    for prefix in own:
        qs = qs.exclude(region__code__startswith=prefix)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(implementation_code=q))
    return (qs.select_related("department", "region", "published_version")
            .order_by("region__code", "department__sort_order", "name")[:limit])


def record_receipt(user, case: Case, point: tuple[Region, Window | None], *, pickup_here: bool = True) -> CrossIntake:
    """Inside the draft's transaction: who received it where (异地代收), and the history event."""
    region, window = point
    item_region = case.service_item.region
    scope = _item_scope(case.service_item)
    intake = CrossIntake.objects.create(
        case=case, receiving_region=region, receiving_window=window, received_by=user,
        handling_region_code=item_region.code, receiving_region_code=region.code, scope=scope,
        reach=tongban_rules.reach(item_region.code, region.code), pickup_here=pickup_here)
    where = f"{region.name}{(' ' + window.number + '窗口') if window else ''}"
    case.acting_at = tongban_rules.place(region.name, window.number if window else "")
    record_event(case, "cross_receive", "异地代收", user,
                 data={"receiving": where, "scope": tongban_rules.SCOPE_LABELS.get(scope, scope),
                       "pickup_here": pickup_here})
    return intake


def acting_here(user, case) -> None:
    """``user`` acts on ``case`` as its receiving window (not as a handler of its department): what
    they do is recorded as done there (:func:`.base.record_event` keeps ``case.acting_at`` in the
    event's data as ``at``), and the applicant's timeline names that window, not the department's."""
    point = receiving_point(user)
    if point is not None:
        region, window = point
        case.acting_at = tongban_rules.place(region.name, window.number if window else "")


def intake_place(intake: CrossIntake) -> str:
    """Where the case was received, as the timeline names it (events written before the place was
    kept with them: views_applicant.actor_label)."""
    window = intake.receiving_window
    return tongban_rules.place(intake.receiving_region.name, window.number if window else "")


def pickup_place(intake: CrossIntake) -> str:
    """Where a result picked up at the receiving window is collected, for the receipt: the hall, the
    window and the hall's address (``二七区政务服务中心 D01窗口（郑州市二七区…）``)."""
    window = intake.receiving_window
    if window is None:
        return tongban_rules.place(intake.receiving_region.name)
    hall = window.hall
    return f"{hall.name} {window.number}窗口" + (f"（{hall.address}）" if hall.address else "")


def forwarded(case: Case, now: dt.datetime) -> dict | None:
    """When a received case is submitted (before the submission's transition): it is thereby
    forwarded to its department. The submission's history event carries what is returned."""
    if CrossIntake.objects.filter(case_id=case.pk, forwarded_at__isnull=True).update(forwarded_at=now):
        return {"cross_forward": case.department.name if case.department_id else ""}
    return None


def is_receiver(user, case: Case) -> bool:
    """``user`` is a 窗口人员 of the region (and subregions) that received ``case`` for another
    region: they see it, complete its materials and hand over the result when it is picked up there."""
    from ..queries import has_child

    if not has_child(case, "cross_intake"):
        return False
    return is_receiver_of(user, case.pk)


def is_receiver_of(user, case_id: int) -> bool:
    """:func:`is_receiver` for a case known by its id only (a payment order's case)."""
    prefixes = [g.region_prefix for g in grants(user) if g.role == Role.WINDOW]
    if not prefixes and not is_sysadmin(user):
        return False
    intake = CrossIntake.objects.filter(case_id=case_id).values_list("receiving_region_code", flat=True).first()
    return intake is not None and (is_sysadmin(user) or any(intake.startswith(p) for p in prefixes))


def received_cases(user, *, limit: int = 100):
    """The cases the user's region received for other regions, newest first (代收办件)."""
    prefixes = [g.region_prefix for g in grants(user) if g.role == Role.WINDOW]
    if not prefixes and not is_sysadmin(user):
        return CrossIntake.objects.none()
    qs = CrossIntake.objects.all()
    if not is_sysadmin(user):
        cond = Q()
        for p in prefixes:
            cond |= Q(receiving_region_code__startswith=p)
        qs = qs.filter(cond)
    return (qs.select_related("case__service_item", "case__department", "receiving_region", "receiving_window")
            .order_by("-created_at", "-pk")[:limit])


def figures(region_prefix: str, start: dt.date, end: dt.date) -> dict:
    """代收 (received here for elsewhere) and 代办 (handled here, received elsewhere) in [start, end]
    of the region ``region_prefix`` (all regions when empty), by the other region and by reach."""
    lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    base = CrossIntake.objects.filter(created_at__gte=lo, created_at__lt=hi, case__submitted_at__isnull=False)
    received = base.filter(receiving_region_code__startswith=region_prefix) if region_prefix else base
    handled = base.filter(handling_region_code__startswith=region_prefix) if region_prefix else base

    def by(qs, field):
        return list(qs.values(field).annotate(n=Count("pk")).order_by("-n", field))

    return {
        "received": received.count(), "handled": handled.count(),
        "received_by_region": by(received, "handling_region_code"),
        "handled_by_region": by(handled, "receiving_region_code"),
        "received_by_reach": by(received, "reach"),
    }


def hands_over_here(user, case: Case, method: str) -> bool:
    """The receiving window registers the hand-over (窗口领取) of a result picked up there."""
    return (method == "window" and is_receiver(user, case)
            and CrossIntake.objects.filter(case_id=case.pk, pickup_here=True).exists())


def cross_of(case: Case) -> CrossIntake | None:
    """The case's 异地代收 record with its region and window (for the case pages), or None."""
    return (CrossIntake.objects.filter(case_id=case.pk)
            .select_related("receiving_region", "receiving_window__hall").first())


def scope_label(intake: CrossIntake) -> str:
    return tongban_rules.SCOPE_LABELS.get(intake.scope, intake.scope)
