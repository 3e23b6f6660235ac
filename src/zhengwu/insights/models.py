"""Models of the insights app.

:class:`ScreenLayout` — the 大屏 layouts the data admin composes from the registry's figures.
Rollups and reports add their own models (see their modules).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ScreenLayout(models.Model):
    """One 大屏 layout: an ordered list of tiles, each a registered figure shown one way.

    ``tiles`` is a list of ``{"figure": "<registry key>", "show": "number|trend|ranking|share|region",
    "by": "<dimension or ''>", "period": "day|month|year"}``; the one ``is_current`` layout is what
    ``/screen/`` shows. ``lock_version`` guards concurrent edits (乐观锁).
    """

    name = models.CharField("名称", max_length=60, unique=True)
    title = models.CharField("大屏标题", max_length=60)
    tiles = models.JSONField("版面", default=list)
    is_current = models.BooleanField("当前使用", default=False)
    refresh_seconds = models.PositiveIntegerField("刷新间隔（秒）", default=60)
    lock_version = models.PositiveIntegerField("版本锁", default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("最后修改时间", auto_now=True)

    class Meta:
        verbose_name = "大屏版面"
        verbose_name_plural = verbose_name
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["is_current"], condition=models.Q(is_current=True),
                                               name="insights_one_current_screen")]

    def __str__(self) -> str:
        return self.name
