"""Keep the search index in step with the catalogue: after a transaction that saved or deleted a
service item, a 一件事 or one of its members commits, the affected documents are re-indexed.

Receivers only collect document keys; the work runs once per key in ``transaction.on_commit``
(robust: a failure is logged and never undoes the publication — ``zhengwu reindex-items``
repairs). Write paths that use bulk operations (no signals) call
:func:`zhengwu.catalog.search.index_items` / :func:`~zhengwu.catalog.search.rebuild_index`.
"""

from __future__ import annotations

import logging
import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)

_pending = threading.local()


def _queue() -> tuple[set[int], set[int]]:
    if not hasattr(_pending, "items"):
        _pending.items, _pending.bundles = set(), set()
    return _pending.items, _pending.bundles


def _flush() -> None:
    from . import search

    items, bundles = _queue()
    item_ids, bundle_ids = sorted(items), sorted(bundles)
    items.clear()
    bundles.clear()
    if item_ids:
        search.index_items(item_ids)
    if bundle_ids:
        search.index_bundles(bundle_ids)


def schedule(*, items: tuple[int, ...] = (), bundles: tuple[int, ...] = ()) -> None:
    """Re-index these documents when the current transaction commits (at once outside one)."""
    pending_items, pending_bundles = _queue()
    pending_items.update(items)
    pending_bundles.update(bundles)
    # One callback per call: a callback discarded with a rolled-back savepoint must not strand
    # the keys queued after it; callbacks that find the queue empty do nothing.
    transaction.on_commit(_flush, robust=True)


def _item_changed(sender, instance, **kwargs) -> None:
    schedule(items=(instance.pk,))


def _bundle_changed(sender, instance, **kwargs) -> None:
    schedule(bundles=(instance.pk,))


def _bundle_member_changed(sender, instance, **kwargs) -> None:
    schedule(bundles=(instance.bundle_id,))


post_save.connect(_item_changed, sender="catalog.ServiceItem", dispatch_uid="catalog_search_item_saved")
post_delete.connect(_item_changed, sender="catalog.ServiceItem", dispatch_uid="catalog_search_item_deleted")
post_save.connect(_bundle_changed, sender="catalog.Bundle", dispatch_uid="catalog_search_bundle_saved")
post_delete.connect(_bundle_changed, sender="catalog.Bundle", dispatch_uid="catalog_search_bundle_deleted")
post_save.connect(_bundle_member_changed, sender="catalog.BundleItem", dispatch_uid="catalog_search_member_saved")
post_delete.connect(_bundle_member_changed, sender="catalog.BundleItem", dispatch_uid="catalog_search_member_deleted")


def _licence_type_renamed(sender, instance, created=False, raw=False, **kwargs) -> None:
    """A licence type renamed in the registry: the name kept with each material follows (ADR 0035)."""
    if created or raw:
        return
    from .models import Material

    Material.objects.filter(licence_type=instance).exclude(license_type=instance.name).update(
        license_type=instance.name)


post_save.connect(_licence_type_renamed, sender="licenses.LicenceType", dispatch_uid="catalog_licence_type_renamed")
