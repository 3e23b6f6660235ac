"""The 抽查计划 form: fields only; the rules (ratio or count, ≥ 2 inspectors, dates) are the
service's (services.plans._clean), so the page and any other caller refuse alike."""

from __future__ import annotations

from django import forms

from zhengwu.org.models import Department, Region

from .models import InspectedObject, Inspector, SupervisionItem


def _split(text: str) -> list[str]:
    return [p.strip() for p in (text or "").replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
            if p.strip()]


class PlanForm(forms.Form):
    name = forms.CharField(label="计划名称", max_length=200)
    department = forms.ModelChoiceField(label="牵头部门", queryset=Department.objects.none(), empty_label="请选择")
    joint_departments = forms.ModelMultipleChoiceField(label="联合抽查部门", required=False,
                                                       queryset=Department.objects.none(),
                                                       help_text="部门联合抽查：同一对象只检查一次，执法人员从各部门抽取")
    items = forms.ModelMultipleChoiceField(label="抽查事项", queryset=SupervisionItem.objects.none())
    region = forms.ModelChoiceField(label="抽查区域", queryset=Region.objects.none(), empty_label="请选择")
    categories = forms.CharField(label="对象类别", required=False, help_text="多个用逗号分隔，如：企业,个体工商户；留空为全部")
    industries = forms.CharField(label="行业", required=False, help_text="多个用逗号分隔；留空为全部")
    risk_levels = forms.MultipleChoiceField(label="风险等级", required=False, choices=InspectedObject.Risk.choices,
                                            widget=forms.CheckboxSelectMultiple)
    region_prefixes = forms.CharField(label="区划代码前缀", required=False, help_text="如 410105；多个用逗号分隔；留空为全部")
    ratio = forms.DecimalField(label="抽查比例（%）", required=False, max_digits=5, decimal_places=2,
                               help_text="与抽查数量二选一；按比例时向上取整")
    count = forms.IntegerField(label="抽查数量", required=False, min_value=1)
    inspectors_per_object = forms.IntegerField(label="每个对象执法人员数", initial=2, min_value=2, max_value=10,
                                               help_text="不少于2人")
    pool = forms.ModelMultipleChoiceField(label="执法人员库", required=False, queryset=Inspector.objects.none(),
                                          help_text="留空表示参与部门全部在岗、证件有效的执法人员")
    period_start = forms.DateField(label="检查开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label="检查结束日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, departments, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["joint_departments"].queryset = Department.objects.order_by("name")
        self.fields["items"].queryset = SupervisionItem.objects.filter(is_active=True).select_related("department") \
            .order_by("department__name", "name")
        self.fields["region"].queryset = regions  # the user's region and those below it
        self.fields["pool"].queryset = Inspector.objects.filter(status=Inspector.Status.ACTIVE) \
            .select_related("department").order_by("department__name", "name")

    def error_summary(self) -> list[str]:
        """Every error once, for the summary above the form: each names its field once (the
        service's messages already start with "字段：", Django's own do not)."""
        out = list(self.non_field_errors())
        for field in self:
            for e in field.errors:
                out.append(e if e.startswith(f"{field.label}：") else f"{field.label}：{e}")
        return out

    def service_data(self) -> dict:
        """The cleaned form as services.plans.create_plan / update_plan take it."""
        c = self.cleaned_data
        object_filter = {"categories": _split(c.get("categories")), "industries": _split(c.get("industries")),
                         "risk_levels": list(c.get("risk_levels") or []),
                         "region_prefixes": _split(c.get("region_prefixes"))}
        return {"name": c.get("name"), "department": c.get("department"), "region": c.get("region"),
                "items": list(c.get("items") or []), "joint_departments": list(c.get("joint_departments") or []),
                "pool": list(c.get("pool") or []), "object_filter": object_filter,
                "ratio": c.get("ratio"), "count": c.get("count"),
                "inspectors_per_object": c.get("inspectors_per_object") or 2,
                "period_start": c.get("period_start"), "period_end": c.get("period_end")}

    @staticmethod
    def initial_of(plan) -> dict:
        f = plan.object_filter or {}
        return {"name": plan.name, "department": plan.department_id, "region": plan.region_id,
                "joint_departments": list(plan.joint_departments.values_list("pk", flat=True)),
                "items": list(plan.items.values_list("pk", flat=True)),
                "pool": list(plan.pool.values_list("pk", flat=True)),
                "categories": ",".join(f.get("categories") or []), "industries": ",".join(f.get("industries") or []),
                "risk_levels": f.get("risk_levels") or [], "region_prefixes": ",".join(f.get("region_prefixes") or []),
                "ratio": plan.ratio, "count": plan.count, "inspectors_per_object": plan.inspectors_per_object,
                "period_start": plan.period_start, "period_end": plan.period_end}
