"""申请材料 of a guide version."""

from __future__ import annotations

from django.db import models

from zhengwu.speedups.prepared import ByPk


class Necessity(models.TextChoices):
    REQUIRED = "required", "必要"
    OPTIONAL = "optional", "非必要"
    TOLERATED = "tolerated", "容缺可后补"


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", "原件"
    COPY = "copy", "复印件"
    ORIGINAL_AND_COPY = "both", "原件和复印件"
    ELECTRONIC = "electronic", "电子材料"


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", "申请人自备"
    GOVERNMENT = "government", "政府部门核发"
    INTERMEDIARY = "intermediary", "中介机构出具"
    OTHER = "other", "其他"


class Material(models.Model):
    version = models.ForeignKey("ItemVersion", verbose_name="指南版本", on_delete=models.CASCADE, related_name="materials")
    seq = models.PositiveSmallIntegerField("序号", default=1)
    name = models.CharField("材料名称", max_length=300)
    necessity = models.CharField("必要性", max_length=10, choices=Necessity.choices, default=Necessity.REQUIRED)
    form = models.CharField("材料形式", max_length=10, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    source = models.CharField("来源渠道", max_length=12, choices=MaterialSource.choices, default=MaterialSource.APPLICANT)
    source_department = models.CharField("核发部门", max_length=100, blank=True)
    licence_type = models.ForeignKey("licenses.LicenceType", verbose_name="可替代的电子证照", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="catalog_materials",
                                     help_text="政府部门核发的材料可由哪类电子证照替代，如：居民身份证、营业执照；"
                                               "申请人持有有效证照时免于提交（免提交）")
    # The type's name, kept with the row (ADR 0035): the guide, its cached snapshot, the API and
    # 一件事 merging read the name without a join. Written only from ``licence_type`` (save(),
    # the catalogue services, the import) and renamed with the type (catalog.signals).
    license_type = models.CharField("可替代的电子证照名称", max_length=100, blank=True, editable=False)
    blank_form = models.FileField("空白表格", upload_to="catalog/forms/%Y/", blank=True)
    sample = models.FileField("示例样表", upload_to="catalog/samples/%Y/", blank=True)
    acceptance_standard = models.TextField("受理标准", blank=True)
    note = models.CharField("备注", max_length=500, blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["version", "seq"]

    @property
    def file_slots(self) -> list[tuple[str, object]]:
        """(kind, file) for the blank form and the sample, in that order (templates)."""
        return [("blank_form", self.blank_form), ("sample", self.sample)]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.licence_type_id is None and self.license_type.strip():
            # A name alone (older callers): link the type of that name (ADR 0035).
            from ..licence_links import type_for_name

            self.licence_type = type_for_name(self.license_type, service_object=self.version.service_object,
                                              department_name=self.source_department)
        if self.licence_type_id is None:
            self.license_type = ""
        elif self.license_type != getattr(self.licence_type, "name", self.license_type):
            self.license_type = self.licence_type.name
        super().save(*args, **kwargs)


# A guide version's materials in the guide's order, compiled once (zhengwu.speedups.prepared): every
# guide page, the guide API, the staff case page and submission read them.
VERSION_MATERIALS = ByPk(lambda: Material.objects.order_by("seq", "pk"), field="version_id")
