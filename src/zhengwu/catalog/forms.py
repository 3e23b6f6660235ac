"""Workbench forms of the catalogue: the 办事指南 editor, the material table, review, bundles.

Forms only parse and check input; the writes go through ``catalog.services``. The JSON list
fields of a guide (办理流程, 收费, 审批结果, 特别程序) are edited as repeatable rows
(:class:`RowsField`), never as raw JSON. Errors of the pure rules are attached to the field
they concern, in Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django import forms
from django.core.exceptions import ValidationError

from . import fee_rules, rules
from .models import Bundle, ItemVersion, ServiceItem
from .models.items import CHANNELS, LEGAL_THEMES, PERSON_THEMES
from .models.materials import Material, MaterialForm, MaterialSource, Necessity
from .services.items import GUIDE_FIELDS


class BootstrapMixin:
    """Bootstrap 5 classes on every widget; ``is-invalid`` on fields that carry errors."""

    def _style(self) -> None:
        for name, field in self.fields.items():
            w = field.widget
            if isinstance(w, (RowsWidget, forms.HiddenInput)):
                continue
            if isinstance(w, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(w, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            w.attrs["class"] = f"{w.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in (self.errors.keys() if field is None else [field]):
            if name in self.fields:
                w = self.fields[name].widget
                if "is-invalid" not in w.attrs.get("class", ""):
                    w.attrs["class"] = f"{w.attrs.get('class', '')} is-invalid".strip()


def apply_service_errors(form: forms.BaseForm, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError next to the fields it names (others on top of the form)."""
    aliases = aliases or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = aliases.get(name, name)
            for message in errors:
                form.add_error(target if target in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


# -- repeatable rows -----------------------------------------------------------------------------
class RowsWidget(forms.Widget):
    """A small table of rows; inputs are named ``<name>-<row>-<column>``; a button adds rows."""

    template_name = "catalog/workbench/widgets/rows.html"

    def __init__(self, columns: Sequence[tuple[str, str, str]], attrs=None, min_rows: int = 1):
        super().__init__(attrs)
        self.columns = list(columns)  # (key, label, kind: text|int|bool)
        self.min_rows = min_rows

    def value_from_datadict(self, data, files, name):
        rows: dict[int, dict] = {}
        pattern = re.compile(rf"^{re.escape(name)}-(\d+)-(\w+)$")
        for key in data:
            m = pattern.match(key)
            if m and any(m[2] == c[0] for c in self.columns):
                rows.setdefault(int(m[1]), {})[m[2]] = data.get(key)
        return [rows[i] for i in sorted(rows)]

    def value_omitted_from_data(self, data, files, name):
        return False

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = list(value or [])
        while len(rows) < self.min_rows:
            rows.append({})
        context["widget"].update({
            "columns": self.columns,
            "rows": [[(key, kind, "" if row.get(key) is None else row.get(key)) for key, _, kind in self.columns]
                     for row in rows],
            "blank": [(key, kind, "") for key, _, kind in self.columns],
        })
        return context


class RowsField(forms.Field):
    """A list of dicts edited as rows. Blank rows are dropped; ``int`` columns are checked."""

    def __init__(self, columns: Sequence[tuple[str, str, str]], *, required_column: str, min_rows: int = 1, **kwargs):
        self.columns = list(columns)
        self.required_column = required_column
        kwargs.setdefault("required", False)
        super().__init__(widget=RowsWidget(columns, min_rows=min_rows), **kwargs)

    def prepare_value(self, value):
        return value or []

    def to_python(self, value):
        out = []
        labels = {key: label for key, label, _ in self.columns}
        for i, raw in enumerate(value or [], start=1):
            row = {}
            for key, _, kind in self.columns:
                v = raw.get(key)
                if kind == "bool":
                    row[key] = v in (True, "on", "1", "true")
                    continue
                v = (v or "").strip() if isinstance(v, str) or v is None else v
                if kind == "int" and v != "":
                    try:
                        v = int(v)
                        if v < 0:
                            raise ValueError
                    except (TypeError, ValueError):
                        raise ValidationError(f"第{i}行“{labels[key]}”应为不小于0的整数") from None
                row[key] = None if (kind == "int" and v == "") else v
            if all(row.get(k) in ("", None, False) for k, _, kind in self.columns):
                continue
            if not row.get(self.required_column):
                raise ValidationError(f"第{i}行须填写“{labels[self.required_column]}”")
            out.append(row)
        return out


STEP_COLUMNS = [("name", "环节名称", "text"), ("description", "办理内容及标准", "text"), ("days", "时限（工作日）", "int")]
FEE_COLUMNS = [("name", "收费项目", "text"), ("amount", "金额（元）", "text"), ("rule", "计费规则（金额视情况而定时）", "text"),
               ("basis", "收费依据", "text"), ("reductions", "减免（名称|条件|免收或50%，多条用；分隔）", "text"),
               ("standard", "收费标准说明", "text")]


class FeeRowsField(RowsField):
    """收费: per row a fixed amount (元) or a rule, the basis, and 减免 written on one line
    (``名称|条件|免收`` or ``名称|条件|50%``, several separated by ``；``) — see :mod:`.fee_rules`."""

    def prepare_value(self, value):
        rows = []
        for row in value or []:
            if isinstance(row, dict) and isinstance(row.get("reductions"), list):
                row = {**row, "reductions": fee_rules.format_reductions(row["reductions"])}
            rows.append(row)
        return rows

    def to_python(self, value):
        rows = super().to_python(value)
        out = []
        for i, row in enumerate(rows, start=1):
            try:
                reductions = fee_rules.parse_reductions(row.get("reductions") or "")
            except ValueError as exc:
                raise ValidationError(f"第{i}项收费“{row.get('name')}”：{exc}") from None
            out.append(fee_rules.normalise_fee({**row, "reductions": reductions}))
        return out
RESULT_COLUMNS = [("name", "结果名称", "text"), ("type", "结果类型", "text"), ("sample", "结果样本说明", "text")]
SPECIAL_COLUMNS = [("name", "特别程序名称", "text"), ("days", "时限（工作日）", "int"), ("description", "说明", "text")]

THEME_CHOICES = [(t, f"个人·{t}") for t in PERSON_THEMES] + [(t, f"法人·{t}") for t in LEGAL_THEMES if t not in PERSON_THEMES]

# Sections of the editor, in the order of a printed 办事指南.
GUIDE_SECTIONS = [
    ("基本信息", ["name", "handling_name", "popular_name", "keywords", "item_type", "service_object", "legal_basis",
              "themes", "base_code", "implementation_code", "handling_code"]),
    ("受理与时限", ["acceptance_conditions", "case_type", "statutory_days", "promised_days", "visits",
               "allows_commitment", "commitment_check_days", "allows_tolerance"]),
    ("办理形式", ["channels", "online_depth", "min_real_name_level", "supports_appointment", "supports_express",
              "supports_online_payment", "tongban_scope"]),
    ("办理流程与地点", ["process_steps", "locations", "office_hours", "consult_phone", "complaint_phone"]),
    ("收费、结果与特别程序", ["fees", "results", "result_licence_type", "special_procedures"]),
    ("修改说明", ["change_note"]),
]


class GuideForm(BootstrapMixin, forms.ModelForm):
    """办事指南 editor: guide fields of a version plus the item's codes (and department when new)."""

    department = forms.ModelChoiceField(label="实施主体（部门）", queryset=None, required=False,
                                        empty_label="请选择部门")
    handling_name = forms.CharField(label="业务办理项名称", max_length=200, required=False,
                                    help_text="同一事项按情形拆分办理项时填写，如：新办、变更、延续")
    base_code = forms.CharField(label="基本编码", max_length=40, required=False,
                                help_text="12位：目录前缀2位+事项类型2位+主项5位+子项3位；省定格式照原样填写")
    implementation_code = forms.CharField(label="实施编码", max_length=80, required=False,
                                          help_text="31位：实施主体统一社会信用代码18位+行使层级1位+基本编码12位")
    handling_code = forms.CharField(label="业务办理项编码", max_length=80, required=False,
                                    help_text="实施编码+2位顺序号")
    channels = forms.MultipleChoiceField(label="办理形式", choices=list(CHANNELS.items()), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    themes = forms.MultipleChoiceField(label="主题分类", choices=THEME_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple, help_text="用于网上办事大厅按主题浏览")
    process_steps = RowsField(STEP_COLUMNS, required_column="name", label="办理流程", min_rows=2)
    fees = FeeRowsField(FEE_COLUMNS, required_column="name", label="收费",
                        help_text="不收费的留空；每项填固定金额（元）或计费规则之一，并填写收费依据")
    results = RowsField(RESULT_COLUMNS, required_column="name", label="审批结果")
    special_procedures = RowsField(SPECIAL_COLUMNS, required_column="name", label="特别程序",
                                   help_text="只有行政许可法第四十五条规定的听证、招标、拍卖、检验、检测、检疫、鉴定、"
                                             "专家评审所需时间不计入承诺时限；现场核查等计入承诺时限")
    min_real_name_level = forms.ChoiceField(
        label="最低实名等级（网上申请）", required=False,
        choices=[("", "不限")] + list(ServiceItem._meta.get_field("min_real_name_level").choices),
        error_messages={"invalid_choice": "最低实名等级不正确，请从列表中选择"},
        help_text="网上申请须通过统一身份认证达到的实名等级；窗口办理不受此限。属于事项本身、不分版本：保存草稿即生效")
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ItemVersion
        fields = [f for f in GUIDE_FIELDS if f not in ("form_schema", "no_materials")]
        widgets = {
            "acceptance_conditions": forms.Textarea(attrs={"rows": 4}),
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "locations": forms.Textarea(attrs={"rows": 2}),
            "change_note": forms.TextInput(attrs={"placeholder": "本次修改了什么，供审核人参考"}),
        }

    def __init__(self, *args, departments=None, codes: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = departments
            self.fields["department"].required = True
            self.fields["department"].error_messages["required"] = "请选择实施主体（部门）"
        for key, value in (codes or {}).items():
            if key in self.fields and not self.is_bound:
                self.initial[key] = value
        for name in ("item_type", "service_object", "case_type"):
            self.fields[name].error_messages["required"] = f"请选择{self.fields[name].label}"
        self.fields["name"].error_messages["required"] = "事项名称不能为空"
        for name, title in rules.DAYS_TITLES.items():
            if name in self.fields:  # the bounds themselves are refused by rules.check_guide
                self.fields[name].error_messages.update({
                    "invalid": f"{title}：应为整数（工作日）",
                    "min_value": f"{title}不能为负数：应为0至{rules.MAX_DAYS}个工作日",
                    "max_value": f"{title}不能超过{rules.MAX_DAYS}个工作日",
                })
        if "result_licence_type" in self.fields:
            field = self.fields["result_licence_type"]
            field.queryset = licence_type_choices()
            field.empty_label = "（不颁发电子证照）"
            field.error_messages["invalid_choice"] = "办理结果的电子证照不在证照目录中，请重新选择"
            field.widget.attrs["data-zw-filter"] = "证照类型"
        self._style()

    def sections(self):
        out = []
        for title, names in GUIDE_SECTIONS:
            out.append((title, [self[n] for n in names if n in self.fields]))
        return out

    def clean(self):
        data = super().clean()
        check = rules.check_guide(data, codes={k: data.get(k, "") for k in ("base_code", "implementation_code",
                                                                             "handling_code")})
        for name, errors in check.errors.items():
            for message in errors:
                if name in self.fields and name not in self.errors:
                    self.add_error(name, message)
        self.warnings = check.warnings
        return data

    def service_data(self) -> dict:
        """cleaned_data as the service expects it (guide + identity fields)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("department", "lock_version")}
        for key in ("statutory_days",):
            if data.get(key) == "":
                data[key] = None
        return data


# -- materials -----------------------------------------------------------------------------------
class MaterialRowForm(BootstrapMixin, forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="材料名称", max_length=300, required=False)
    necessity = forms.ChoiceField(label="必要性", choices=Necessity.choices, initial=Necessity.REQUIRED)
    form = forms.ChoiceField(label="材料形式", choices=MaterialForm.choices, initial=MaterialForm.ORIGINAL)
    copies = forms.IntegerField(label="份数", min_value=1, max_value=99, initial=1,
                                error_messages={"min_value": "份数至少为1", "max_value": "份数不超过99",
                                                "invalid": "份数应为整数", "required": "请填写份数"})
    source = forms.ChoiceField(label="来源渠道", choices=MaterialSource.choices, initial=MaterialSource.APPLICANT)
    source_department = forms.CharField(label="核发部门", max_length=100, required=False)
    licence_type = forms.ModelChoiceField(label="可替代的电子证照", queryset=None, required=False,
                                          empty_label="（无）", error_messages={
                                              "invalid_choice": "可替代的电子证照不在证照目录中，请重新选择"})
    acceptance_standard = forms.CharField(label="受理标准", required=False, widget=forms.Textarea(attrs={"rows": 1}))
    note = forms.CharField(label="备注", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["licence_type"].queryset = licence_type_choices()
        self._style()

    def clean(self):
        data = super().clean()
        if self.has_changed() and not (data.get("name") or "").strip() and not data.get("DELETE"):
            self.add_error("name", "请填写材料名称（不需要的行请勾选删除）")
        if data.get("source") == MaterialSource.GOVERNMENT and not data.get("source_department") \
                and not data.get("licence_type"):
            self.add_error("source_department", "政府部门核发的材料请填写核发部门或可替代的电子证照")
        return data


class BaseMaterialFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        out = []
        for f in self.forms:
            if self.can_delete and self._should_delete_form(f):
                continue
            if not f.has_changed() and not f.cleaned_data.get("id"):
                continue
            row = {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
            if not row.get("id"):
                row.pop("id", None)
            out.append(row)
        return out


MaterialFormSet = forms.formset_factory(MaterialRowForm, formset=BaseMaterialFormSet, extra=1, can_delete=True)


class MaterialsMetaForm(BootstrapMixin, forms.Form):
    no_materials = forms.BooleanField(label="无需提交申请材料", required=False,
                                      help_text="确认本事项不需要申请人提交任何材料时勾选")
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


def material_initial(material: Material | dict) -> dict:
    fields = ["id", "name", "necessity", "form", "copies", "source", "source_department", "licence_type",
              "acceptance_standard", "note"]
    if isinstance(material, dict):
        out = {k: material.get(k) for k in fields}
    else:
        out = {k: getattr(material, "pk" if k == "id" else ("licence_type_id" if k == "licence_type" else k))
               for k in fields}
    if hasattr(out.get("licence_type"), "pk"):
        out["licence_type"] = out["licence_type"].pk
    return out


def licence_type_choices():
    """The licence types an editor may pick: the registry's active types (证照目录)."""
    from zhengwu.licenses.models import LicenceType

    return LicenceType.objects.filter(is_active=True).order_by("name")


# -- review and simple actions -------------------------------------------------------------------
class SomeDisabledRadioSelect(forms.RadioSelect):
    """Radio buttons of which the values in ``disabled_values`` are shown but cannot be chosen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.disabled_values: set[str] = set()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label="审核结论", choices=[("approve", "通过并发布"), ("reject", "退回修改")],
                                 widget=SomeDisabledRadioSelect, error_messages={"required": "请选择审核结论"})
    note = forms.CharField(label="审核意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="退回修改时必填，说明需要修改的内容")
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, approve_refused: str | None = None, **kwargs):
        """``approve_refused``: why this reviewer may not approve (双人复核): 通过并发布 is shown
        disabled; a posted approval still goes to the service, which refuses it with that reason."""
        super().__init__(*args, **kwargs)
        if approve_refused:
            self.fields["decision"].widget.disabled_values = {"approve"}
        self._style()

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "退回修改时须填写审核意见，说明需要修改的内容")
        return data


class ActionForm(forms.Form):
    """The lock version (and an optional note/reason) carried by a state-changing button."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(max_length=500, required=False)


# -- bundles -------------------------------------------------------------------------------------
BUNDLE_ITEM_COLUMNS = [("item", "事项（编号、实施编码或完整名称）", "text"), ("optional", "可选", "bool")]


class BundleForm(BootstrapMixin, forms.ModelForm):
    items = RowsField(BUNDLE_ITEM_COLUMNS, required_column="item", label="包含事项", min_rows=3,
                      help_text="按办理顺序填写；可用上方“查找事项”搜索后添加")
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Bundle
        fields = ["name", "popular_name", "keywords", "target", "lead_department", "description", "promised_days",
                  "visits"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "promised_days": "整件事的承诺办结时限；留空表示按所含事项中最长的承诺时限计算",
            "visits": "申请人办完整件事需要到现场的次数，0 表示零跑动",
        }

    def __init__(self, *args, departments=None, item_lookup=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["lead_department"].queryset = departments
        self.fields["name"].error_messages["required"] = "一件事名称不能为空"
        self.item_lookup = item_lookup
        self._style()

    def _post_clean(self):
        # The write (and its uniqueness check) happens in services.bundles, not here.
        pass

    def clean_items(self):
        rows = self.cleaned_data.get("items") or []
        out = []
        for i, row in enumerate(rows, start=1):
            item = self.item_lookup(row["item"]) if self.item_lookup else None
            if item is None:
                raise ValidationError(f"第{i}行：找不到事项“{row['item']}”（可填写事项编号、实施编码或完整名称）")
            out.append({"service_item": item, "optional": row.get("optional", False)})
        return out

    def service_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields}
