"""Context processors of the cases app: the portal navbar's unread-notification count."""

from __future__ import annotations

import functools

from django.db import connections, router
from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread_count(user) -> int:
    """The navbar's unread count, on every logged-in portal page.

    The ORM built this COUNT's SQL anew on every page, which cost more than running it; the
    statement is written out once from the model's names instead (index notification_inbox:
    recipient, read_at, -created_at)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    using = router.db_for_read(Notification)
    with connections[using].cursor() as cursor:
        cursor.execute(_unread_sql(using), [user.pk])
        return cursor.fetchone()[0]


@functools.cache
def _unread_sql(using: str) -> str:
    quote, meta = connections[using].ops.quote_name, Notification._meta
    return (f"SELECT COUNT(*) FROM {quote(meta.db_table)} WHERE {quote(meta.get_field('recipient').column)} = %s"
            f" AND {quote(meta.get_field('read_at').column)} IS NULL")


def nav_context(request) -> dict:
    """Context processor for the portal navbar (我的办件 / 消息 with the unread count).

    Lazy: the count is queried only when a page shows it."""
    return {"cases_unread": SimpleLazyObject(lambda: unread_count(request.user))}
