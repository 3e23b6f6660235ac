import os
from pathlib import Path

from django.conf import settings
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import calendar
from .models import CalendarOverride, CalendarYear


@receiver([post_save, post_delete], sender=CalendarOverride)
@receiver([post_save, post_delete], sender=CalendarYear)
def _calendar_changed(**kwargs):
    calendar.invalidate()


@receiver(connection_created)
def _embedded_database_private(connection, **kwargs):
    """The embedded SQLite file in the data directory (and its -wal/-shm files) holds personal
    data: 0600 whatever the umask of the process that created it (``make run``'s is usually 0022).
    A database elsewhere (another NAME, PostgreSQL) is the operator's to set."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or Path(name).parent != Path(settings.DATA_DIR):
        return
    for path in (name, f"{name}-wal", f"{name}-shm"):
        try:
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except OSError:  # not there (yet), or not ours: nothing to tighten
            continue
