"""The item a window clerk is receiving for another region (跨域通办: 异地代收), kept in the session
between 跨域代收 and 窗口代录: while it is set, 窗口代录 offers that one item only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from zhengwu.catalog.models import ServiceItem

from .services import tongban

SESSION_KEY = "zw_cross_item"  # the item being received for another region (窗口代录 offers only it)


def session_item(request) -> ServiceItem | None:
    """The item chosen for 异地代收, still receivable by this clerk; forgotten otherwise."""
    pk = request.session.get(SESSION_KEY)
    if not pk:
        return None
    item = ServiceItem.objects.filter(pk=pk).select_related("department", "region", "published_version").first()
    try:
        if item is None:
            raise PermissionDenied
        tongban.check_may_receive(request.user, item)
    except PermissionDenied:
        request.session.pop(SESSION_KEY, None)
        return None
    return item


def forget_item(request) -> None:
    request.session.pop(SESSION_KEY, None)
