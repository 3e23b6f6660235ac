"""搜索词库 and 搜索日志: the synonym rules 事项管理员 keep beside ``data/synonyms.txt``, and what
citizens searched (without personal data) so that the lexicon can learn from use.

A :class:`SearchSynonym` row is one rule in the synonyms file's own syntax (``A=B=C``,
``A>B,C``, ``语境 A>B``). :class:`SearchLexiconState` is a single row whose ``version`` every
lexicon write renews: each process compares it with the version its analyzer loaded (see
:mod:`zhengwu.catalog.lexicon_sync`).

:class:`SearchLog` is one search (the first page of results) and, if the citizen opened a guide
from the results within 30 minutes, which item and at which rank. Queries are stored normalised
with digit runs and ID/phone numbers masked; the session is a random token from a cookie, never
the user or the address.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SearchSynonym(models.Model):
    rule = models.CharField("规则", max_length=200, unique=True,
                            help_text="与同义词文件相同的写法：A=B=C（互为同义）、A>B,C（单向扩展）、“语境 A>B”")
    enabled = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "搜索同义词"
        verbose_name_plural = "搜索词库"
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.rule


class SearchLexiconState(models.Model):
    """The single row (pk=1): ``version`` is renewed by every lexicon write."""

    version = models.CharField("词库版本", max_length=32, default="")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "搜索词库版本"
        verbose_name_plural = "搜索词库版本"

    def __str__(self) -> str:
        return self.version


class SearchLog(models.Model):
    class Source(models.TextChoices):
        PORTAL = "portal", "网上办事大厅"
        API = "api", "接口"

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField("搜索时间")
    day = models.DateField("日期")
    query = models.CharField("搜索词（已脱敏）", max_length=100)
    result_count = models.IntegerField("结果数")
    top_items = models.CharField("前几位事项ID", max_length=80, blank=True)
    session = models.CharField("会话随机标识", max_length=16, blank=True)
    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.PORTAL)
    opened_item_id = models.IntegerField("打开的事项ID", null=True, blank=True)
    opened_rank = models.SmallIntegerField("打开的名次", null=True, blank=True)
    opened_at = models.DateTimeField("打开时间", null=True, blank=True)

    class Meta:
        verbose_name = "搜索日志"
        verbose_name_plural = "搜索日志"
        indexes = [
            # The analysis pages: a period's searches grouped by query (and pruning by day).
            models.Index(fields=["day", "query"], name="catalog_sl_day_query"),
            # One query's history: the items opened after it (the synonym suggestion).
            models.Index(fields=["query", "day"], name="catalog_sl_query_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.query}"
