"""跨域通办: a case received by a window of another region (异地代收) and handled by the item's own
department (代办). Kept beside the case (one row per received case) rather than on the busy case
table: most cases are received at home and need nothing here."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..tongban_rules import REACH_LABELS


class CrossIntake(models.Model):
    """异地代收: which window of which region received the case, for which handling region."""

    case = models.OneToOneField("cases.Case", verbose_name="办件", on_delete=models.CASCADE,
                                related_name="cross_intake")
    receiving_region = models.ForeignKey("org.Region", verbose_name="代收地区划", on_delete=models.PROTECT,
                                         related_name="+")
    receiving_window = models.ForeignKey("org.Window", verbose_name="代收窗口", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="代收人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    # Denormalised from the case's item for the figures (代办 per handling region).
    handling_region_code = models.CharField("办理地区划代码", max_length=12)
    receiving_region_code = models.CharField("代收地区划代码", max_length=12)
    scope = models.CharField("通办范围", max_length=10)
    reach = models.CharField("通办类型", max_length=10, choices=list(REACH_LABELS.items()))
    pickup_here = models.BooleanField("在代收窗口领取结果", default=True)
    created_at = models.DateTimeField("代收时间", auto_now_add=True)
    forwarded_at = models.DateTimeField("转交时间", null=True, blank=True)

    class Meta:
        verbose_name = "跨域代收"
        verbose_name_plural = "跨域代收"
        indexes = [
            models.Index(fields=["receiving_region_code", "created_at"], name="case_cross_receiving"),
            models.Index(fields=["handling_region_code", "created_at"], name="case_cross_handling"),
        ]

    def __str__(self) -> str:
        return f"代收#{self.case_id}"
