"""基本目录事项: the nationally/provincially defined item that departments implement."""

from __future__ import annotations

from django.db import models

from zhengwu.core.identifiers import ITEM_TYPES


class ItemType(models.TextChoices):
    LICENSING = "01", "行政许可"
    PENALTY = "02", "行政处罚"
    COERCION = "03", "行政强制"
    LEVY = "04", "行政征收"
    BENEFIT = "05", "行政给付"
    INSPECTION = "06", "行政检查"
    CONFIRMATION = "07", "行政确认"
    REWARD = "08", "行政奖励"
    ADJUDICATION = "09", "行政裁决"
    OTHER_POWER = "10", "其他行政权力"
    PUBLIC_SERVICE = "20", "公共服务"


assert dict(ItemType.choices) == ITEM_TYPES  # one list of 事项类型, two spellings


class BaseItem(models.Model):
    """基本目录事项 (主项 or 子项). ``code`` is the 12-digit 基本编码 when known."""

    code = models.CharField("基本编码", max_length=40, unique=True, null=True, blank=True)
    name = models.CharField("事项名称", max_length=200)
    item_type = models.CharField("事项类型", max_length=2, choices=ItemType.choices)
    legal_basis = models.TextField("设定依据", blank=True)
    parent = models.ForeignKey("self", verbose_name="主项", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="sub_items", help_text="为空表示主项；填写表示本事项是该主项下的子项")
    code_recognised = models.BooleanField("编码格式已识别", default=True,
                                          help_text="导入的编码不符合国家格式时为否（照原样保存并标记）")

    class Meta:
        verbose_name = "基本目录事项"
        verbose_name_plural = "基本目录事项"
        ordering = ["code", "name"]

    def __str__(self) -> str:
        return self.name
