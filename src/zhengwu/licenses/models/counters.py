"""Counters the registry allocates numbers from (one row each, incremented in the caller's transaction)."""

from __future__ import annotations

from django.db import models


class Counter(models.Model):
    """A named counter: :func:`zhengwu.licenses.uscc_assign.next_value` adds one with a single
    ``UPDATE … SET value = value + 1`` and reads the row back in the same transaction, so two
    approvals at once wait for each other on the row and never get the same number. (On
    PostgreSQL the entity code comes from a database sequence instead.)"""

    name = models.CharField("名称", max_length=40, unique=True)
    value = models.BigIntegerField("当前值", default=0)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "编号计数器"
        verbose_name_plural = "编号计数器"

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
