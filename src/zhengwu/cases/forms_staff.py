"""Forms of the staff workbench pages (受理, 审批, 窗口代录, 审批流程编辑).

Forms only shape input; the rules live in ``cases.services`` and their Chinese
``ValidationError``s are put back on the form with :func:`apply_service_errors`. Every form
that changes a case carries the ``lock_version`` the page was rendered with (乐观锁).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhengwu.core import identifiers
from zhengwu.core.forms import NamedErrorsMixin
from zhengwu.org.models import Role

from . import rules, workflow
from .models import Channel
from .models.results import CaseResult

STANDARD_COMMITMENT = (
    "本人（单位）郑重承诺：\n"
    "一、所填写的信息和提交的材料真实、准确、完整、有效；\n"
    "二、已知晓本事项告知的全部条件、标准和要求，本人（单位）符合上述条件；\n"
    "三、在约定期限内补交告知承诺中尚缺的材料；\n"
    "四、愿意接受行政机关的事中事后核查。如有虚假承诺或违反承诺，愿意承担相应的法律责任，"
    "并接受撤销审批决定、纳入信用记录等处理。"
)


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: field keys the form knows go to the
    field, the rest (``__all__``, ``materials``, ``steps`` …) to the form's top."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(key if key in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, ``is-invalid`` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, forms.HiddenInput):
                continue
            if isinstance(w, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
                cls = "form-check-input"
            elif isinstance(w, forms.Select):
                cls = "form-select"
            else:
                cls = "form-control"
            extra = [c for c in w.attrs.get("class", "").split() if c not in ("form-control", "form-select",
                                                                              "form-check-input", "is-invalid")]
            w.attrs["class"] = " ".join([cls, *extra])

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields and "is-invalid" not in self.fields[name].widget.attrs.get("class", ""):
                self.fields[name].widget.attrs["class"] = self.fields[name].widget.attrs.get("class", "") + " is-invalid"


class LockedForm(StyledForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0,
                                      error_messages={"required": "缺少办件版本号，请刷新页面后重试"})


# -- 受理 ------------------------------------------------------------------------------------------
class AcceptForm(LockedForm):
    opinion = forms.CharField(label="受理意见", required=False, max_length=500, initial="材料齐全，符合法定形式，予以受理")


class RefuseForm(LockedForm):
    reason = forms.CharField(label="不予受理理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "不予受理理由：必填"})
    legal_basis = forms.CharField(label="法律依据", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                                  error_messages={"required": "法律依据：必填"},
                                  help_text="如：《中华人民共和国行政许可法》第三十二条第一款第（二）项")


class SupplementForm(LockedForm):
    """一次性告知: tick every faulty or missing material, one reason per material, one note."""

    other_name = forms.CharField(label="其他需补正的材料", required=False, max_length=300)
    other_reason = forms.CharField(label="原因", required=False, max_length=300)
    note = forms.CharField(label="补充说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    additional_reason = forms.CharField(
        label="再次告知原因", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="已发出过补正告知时必填：只限首次告知时无法知道的内容（如补正时新提交材料的问题）")

    def __init__(self, *args, materials: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.material_names = materials
        self.rows = []
        for i, name in enumerate(materials):
            self.fields[f"pick_{i}"] = forms.BooleanField(label=name, required=False)
            self.fields[f"reason_{i}"] = forms.CharField(label=f"“{name}”的补正原因", required=False, max_length=300)
            self.rows.append((i, name))
        self.style()

    def bound_rows(self):
        return [(name, self[f"pick_{i}"], self[f"reason_{i}"]) for i, name in self.rows]

    def clean(self):
        data = super().clean()
        items = []
        for i, name in self.rows:
            reason = (data.get(f"reason_{i}") or "").strip()
            if data.get(f"pick_{i}"):
                if not reason:
                    self.add_error(f"reason_{i}", f"“{name}”：请写明补正原因")
                items.append({"material": name, "reason": reason})
        other, other_reason = (data.get("other_name") or "").strip(), (data.get("other_reason") or "").strip()
        if other or other_reason:
            if not other:
                self.add_error("other_name", "其他需补正的材料：请填写材料名称")
            elif not other_reason:
                self.add_error("other_reason", f"“{other}”：请写明补正原因")
            items.append({"material": other, "reason": other_reason})
        if not items and not self.errors:
            raise ValidationError("补正告知：请至少勾选一项需要补正的材料并写明原因（一次性告知）")
        data["items"] = items
        return data


class TolerateForm(LockedForm):
    """容缺受理: the non-key materials the applicant will supply later, and by when."""

    materials = forms.MultipleChoiceField(
        label="容缺材料", widget=forms.CheckboxSelectMultiple,
        help_text="办事指南列明“容缺可后补”且申请人尚未提交的材料",
        error_messages={"required": "容缺材料：请至少选择一项",
                        "invalid_choice": "容缺材料：“%(value)s”不能容缺，只有办事指南列明“容缺可后补”且尚未提交的材料可以容缺"})
    # <input type=date> reads and shows yyyy-MM-dd only (the zh-hans input format would give 2026/12/21).
    due_date = forms.DateField(label="补交期限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               error_messages={"required": "补交期限：必填", "invalid": "补交期限：日期格式不正确"})
    opinion = forms.CharField(label="受理意见", required=False, max_length=500, initial="主要材料齐全，次要材料容缺后补")

    def __init__(self, *args, choices: list[str], **kwargs):
        """``choices``: the materials that may be 容缺 (intake.tolerable / rules.tolerable_materials)."""
        super().__init__(*args, **kwargs)
        self.fields["materials"].choices = [(n, n) for n in choices]
        self.fields["due_date"].initial = timezone.localdate() + dt.timedelta(days=14)

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise ValidationError("补交期限：不能早于今天")
        return due


class CommitmentForm(LockedForm):
    commitment_text = forms.CharField(label="告知承诺书", max_length=4000, widget=forms.Textarea(attrs={"rows": 7}),
                                      initial=STANDARD_COMMITMENT,
                                      error_messages={"required": "告知承诺书：内容不能为空"})
    signed = forms.BooleanField(label="申请人已签署", required=False,
                                help_text="未签署的告知承诺件在签署前不能办结")
    opinion = forms.CharField(label="受理意见", required=False, max_length=500, initial="申请人书面承诺，按告知承诺制受理")

    def __init__(self, *args, case=None, **kwargs):
        """``case``: a 承诺书 the applicant signed online comes prefilled and read-only (the
        service refuses a changed text: rules.commitment_text_changed)."""
        super().__init__(*args, **kwargs)
        if case is not None and case.commitment_signed_online:
            text = self.fields["commitment_text"]
            text.initial = case.commitment_text
            text.widget.attrs["readonly"] = "readonly"
            text.help_text = (f"申请人已在线签署（{timezone.localtime(case.commitment_signed_at):%Y-%m-%d %H:%M}），"
                              "按其签署的文本受理，不能修改；如需变更请一次性告知补正，由申请人重新签署")
            self.fields["signed"].initial = True
            self.fields["signed"].help_text = "申请人已在线签署"


# -- 审批 ------------------------------------------------------------------------------------------
class StepActionForm(LockedForm):
    action = forms.ChoiceField(label="审批意见", widget=forms.RadioSelect,
                               error_messages={"required": "审批决定：请选择通过、退回或不予通过",
                                               "invalid_choice": "审批决定：该环节不允许此操作"})
    opinion = forms.CharField(label="审批意见说明", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a, workflow.ACTIONS[a]) for a in actions if a in workflow.ACTIONS]

    def clean(self):
        data = super().clean()
        if data.get("action") in ("return", "reject") and not (data.get("opinion") or "").strip():
            self.add_error("opinion", "审批意见说明：退回或不予通过时必填")
        return data


class SuspendForm(LockedForm):
    # Only the procedures 行政许可法第四十五条 names stop the clock (rules.LAWFUL_SUSPENSIONS).
    kind = forms.ChoiceField(label="特别程序种类", choices=list(rules.LAWFUL_SUSPENSIONS.items()),
                             error_messages={"invalid_choice": "特别程序种类：只能是行政许可法第四十五条规定的"
                                                               "听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审"})
    legal_basis = forms.CharField(label="具体依据（可选）", required=False, max_length=200,
                                  help_text="需要该程序的法律、法规条款，如《食品安全法》第××条；"
                                            "系统自动注明行政许可法第四十五条")
    reason = forms.CharField(label="启动原因", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "启动原因：必填"})
    planned_days = forms.IntegerField(label="预计时长（工作日）", required=False, min_value=1, max_value=365,
                                      error_messages={"min_value": "预计时长：至少1个工作日",
                                                      "max_value": "预计时长：不能超过365个工作日",
                                                      "invalid": "预计时长：应为整数"})


class ExtensionRequestForm(LockedForm):
    reason = forms.CharField(label="延长理由（将告知申请人）", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "延长理由：必填"})


class ExtensionDecisionForm(LockedForm):
    decision = forms.ChoiceField(label="审批决定", choices=[("approve", "批准延长10个工作日"), ("decline", "不批准")],
                                 widget=forms.RadioSelect, error_messages={"required": "审批决定：请选择"})
    note = forms.CharField(label="审批意见", required=False, max_length=1000)


class ResumeForm(LockedForm):
    note = forms.CharField(label="结束说明", required=False, max_length=1000)


class DeliverForm(LockedForm):
    method = forms.ChoiceField(label="送达方式", choices=CaseResult.Delivery.choices, widget=forms.RadioSelect)
    address = forms.CharField(label="邮寄地址", required=False, max_length=300)
    carrier = forms.CharField(label="快递公司", required=False, max_length=40,
                              widget=forms.TextInput(attrs={"placeholder": "如：中国邮政EMS"}))
    tracking_number = forms.CharField(label="运单号", required=False, max_length=60)

    MAIL_ONLY = ("address", "carrier", "tracking_number")  # shown and kept only for 邮寄送达

    def clean(self):
        data = super().clean()
        if data.get("method") != CaseResult.Delivery.MAIL:
            for key in self.MAIL_ONLY:
                data[key] = ""
        if data.get("method") == CaseResult.Delivery.MAIL:
            for key, label in (("address", "邮寄地址"), ("carrier", "快递公司"), ("tracking_number", "运单号")):
                if not (data.get(key) or "").strip():
                    self.add_error(key, f"{label}：邮寄送达时必填")
        return data


# -- 窗口代录 ---------------------------------------------------------------------------------------
class LookupForm(StyledForm):
    number = forms.CharField(label="身份证号或统一社会信用代码", max_length=18, min_length=18,
                             error_messages={"required": "证件号码：必填",
                                             "min_length": "证件号码：应为18位身份证号或统一社会信用代码",
                                             "max_length": "证件号码：应为18位身份证号或统一社会信用代码"})

    def clean_number(self):
        """A 身份证号 or a 统一社会信用代码; a mistyped ID number is refused with the rule it
        breaks before any lookup (a bad check character must not read as 未找到该申请人, nor
        pass as an enterprise code)."""
        raw = self.cleaned_data["number"].strip().upper()
        problem = identifiers.id_number_problem(raw)
        if problem is None:
            self.kind = "person"
            return identifiers.validate_id_number(raw)
        if identifiers.resembles_id_number(raw):
            raise ValidationError(f"证件号码：不是有效的身份证号，身份证号{problem}，请逐位核对")
        try:
            self.kind = "legal"
            return identifiers.validate_uscc(raw)
        except ValidationError as exc:
            if raw[:17].isdigit():  # all digits: meant as an ID number
                raise ValidationError(f"证件号码：不是有效的身份证号，身份证号{problem}，请逐位核对") from None
            raise ValidationError(f"证件号码：不是有效的统一社会信用代码，{exc.messages[0]}") from None


class RegisterPersonForm(NamedErrorsMixin, StyledForm):
    """现场登记 of a person. Every message names its field (NamedErrorsMixin); the view adds the
    registration's own rules (身份证号, 手机号码 …) for the fields that passed, so that one round
    names every mistake (:func:`add_check_errors`)."""

    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18)
    phone = forms.CharField(label="手机号码", max_length=20, help_text="用于接收办件短信和登录验证")


class RegisterLegalForm(NamedErrorsMixin, StyledForm):
    """法人现场登记: the unit's name and code, its legal representative, a contact phone."""

    kind = forms.CharField(widget=forms.HiddenInput, initial="legal")
    name = forms.CharField(label="单位名称", max_length=100)
    uscc = forms.CharField(label="统一社会信用代码", max_length=18)
    legal_rep_name = forms.CharField(label="法定代表人", max_length=50)
    legal_rep_id_number = forms.CharField(label="法定代表人身份证号", max_length=18)
    phone = forms.CharField(label="联系电话", max_length=20, help_text="用于接收办件短信和登录验证")


def add_check_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Put what a service's check found (field → messages, e.g. ``accounts.services.check_person``)
    on a form that found other fields wrong itself: one round names every mistake. A field the
    form already found wrong keeps its own message (one message per problem)."""
    for key, messages in errors.items():
        field = key if key in form.fields else None
        if field is not None and field in form.errors:
            continue
        for message in messages:
            form.add_error(field, message)


class FileStartForm(StyledForm):
    CHANNELS = [(Channel.WINDOW, Channel.WINDOW.label), (Channel.AGENT, Channel.AGENT.label)]

    applicant = forms.IntegerField(widget=forms.HiddenInput)
    item = forms.ModelChoiceField(label="办理事项", queryset=None, empty_label="请选择事项",
                                  error_messages={"required": "办理事项：请选择", "invalid_choice": "办理事项：不在可代录范围内"})
    channel = forms.ChoiceField(label="申报渠道", choices=CHANNELS, initial=Channel.WINDOW, widget=forms.RadioSelect)
    agent_number = forms.CharField(label="代办人身份证号", required=False, max_length=18,
                                   help_text="帮代办时必填；代办人须先登记")
    agent_note = forms.CharField(label="代办说明", required=False, max_length=200,
                                 widget=forms.TextInput(attrs={"placeholder": "如：为行动不便的老年人代办"}))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].widget.attrs["data-zw-filter"] = "事项名称或部门"  # hundreds of items: searchable
        self.fields["item"].label_from_instance = lambda it: f"{it.name}（{it.department.short_name or it.department.name}）"

    def clean(self):
        data = super().clean()
        if data.get("channel") == Channel.AGENT:
            number = (data.get("agent_number") or "").strip().upper()
            if not number:
                self.add_error("agent_number", "代办人身份证号：帮代办时必填")
            else:
                try:
                    data["agent_number"] = identifiers.validate_id_number(number, "代办人身份证号")
                except ValidationError as exc:
                    self.add_error("agent_number", exc.messages[0])
            if not (data.get("agent_note") or "").strip():
                self.add_error("agent_note", "代办说明：帮代办时必填，如“为行动不便的老年人代办”")
        return data


def schema_form_class(schema: dict) -> type[forms.Form]:
    """A Django form for an item's JSON Schema (申报表单): one field per property, in order.

    The form converts types (numbers, booleans, dates as text); the service validates the
    result against the schema again on submission, so the two can never disagree.
    """
    fields: dict[str, forms.Field] = {}
    required = set((schema or {}).get("required") or [])
    for key, prop in ((schema or {}).get("properties") or {}).items():
        title = prop.get("title") or key
        kind = prop.get("type")
        common = {"label": title, "required": key in required, "help_text": prop.get("description", ""),
                  "error_messages": {"required": f"{title}：必填", "invalid": f"{title}：格式不正确"}}
        if "enum" in prop:
            choices = [("", "请选择")] + [(str(v), str(v)) for v in prop["enum"]]
            field = forms.ChoiceField(choices=choices, **common)
        elif kind == "boolean":
            common["required"] = False
            field = forms.BooleanField(**common)
        elif kind in ("number", "integer"):
            field = forms.CharField(**common, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
        elif prop.get("format") == "date":
            field = forms.CharField(**common, widget=forms.DateInput(attrs={"type": "date"}))
        else:
            long = (prop.get("maxLength") or 0) > 200
            field = forms.CharField(**common, widget=forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput())
        field.schema_type = kind
        field.schema_enum = prop.get("enum")
        fields[f"f_{key}"] = field

    def to_data(self) -> dict:
        """The cleaned values as form data (JSON types), empty fields left out."""
        out = {}
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            key = name[2:]
            if value in (None, ""):
                continue
            if field.schema_enum is not None:
                value = next((v for v in field.schema_enum if str(v) == value), value)
            out[key] = value
        return out

    def clean(self):
        data = StyledForm.clean(self)
        for name, field in self.fields.items():
            value = data.get(name)
            if field.schema_type in ("number", "integer") and value not in (None, ""):
                try:
                    number = Decimal(str(value).strip().replace(",", ""))
                except InvalidOperation:
                    self.add_error(name, f"{field.label}：应为数字")
                    continue
                if field.schema_type == "integer":
                    if number != number.to_integral_value():
                        self.add_error(name, f"{field.label}：应为整数")
                        continue
                    data[name] = int(number)
                else:
                    data[name] = int(number) if number == number.to_integral_value() else float(number)
        return data

    return type("SchemaForm", (StyledForm,), {**fields, "to_data": to_data, "clean": clean})


def schema_initial(schema: dict, form_data: dict) -> dict:
    keys = ((schema or {}).get("properties") or {}).keys()
    return {f"f_{k}": form_data[k] for k in keys if k in form_data}


# -- 审批流程编辑 -------------------------------------------------------------------------------------
STEP_ROLE_CHOICES = [(Role.APPROVER.value, Role.APPROVER.label), (Role.WINDOW.value, Role.WINDOW.label)]
OP_CHOICES = [("", "（无条件）"), ("==", "等于"), ("!=", "不等于"), (">", "大于"), (">=", "大于等于"),
              ("<", "小于"), ("<=", "小于等于"), ("in", "属于（用顿号或逗号分隔）")]


class StepRowForm(StyledForm):
    id = forms.SlugField(label="环节编号", max_length=40, required=False,
                         error_messages={"invalid": "环节编号：只能用英文字母、数字、下划线或连字符"})
    name = forms.CharField(label="环节名称", max_length=60, required=False)
    role = forms.ChoiceField(label="办理角色", choices=STEP_ROLE_CHOICES, initial=Role.APPROVER, required=False)
    department = forms.TypedChoiceField(label="办理部门", coerce=int, required=False, empty_value=None)
    share = forms.IntegerField(label="时限占比（%）", required=False, min_value=1, max_value=100,
                               error_messages={"min_value": "时限占比：应在1%%到100%%之间",
                                               "max_value": "时限占比：应在1%%到100%%之间",
                                               "invalid": "时限占比：应为整数"})
    act_return = forms.BooleanField(label="可退回", required=False)
    act_reject = forms.BooleanField(label="可不予通过", required=False)
    parallel = forms.CharField(label="并联组", max_length=40, required=False,
                               help_text="相邻且并联组相同的环节同时办理（会签）")
    cond_field = forms.ChoiceField(label="条件字段", required=False)
    cond_op = forms.ChoiceField(label="条件", choices=OP_CHOICES, required=False)
    cond_value = forms.CharField(label="条件值", max_length=200, required=False)
    DELETE = forms.BooleanField(label="删除", required=False)

    def __init__(self, *args, departments=(), schema_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "事项实施部门")] + list(departments)
        self.fields["cond_field"].choices = [("", "—")] + list(schema_fields)
        self.style()

    def is_blank(self) -> bool:
        d = self.cleaned_data
        return not (d.get("name") or "").strip() and not d.get("id")


def _condition_value(raw: str, op: str, schema_type: str | None):
    def one(text: str):
        text = text.strip()
        if schema_type in ("number", "integer"):
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise ValidationError(f"条件值“{text}”应为数字") from None
            return int(number) if number == number.to_integral_value() else float(number)
        if schema_type == "boolean":
            if text in ("是", "true", "True", "1"):
                return True
            if text in ("否", "false", "False", "0"):
                return False
            raise ValidationError(f"条件值“{text}”应为“是”或“否”")
        return text

    if op == "in":
        parts = [p for p in raw.replace("，", ",").replace("、", ",").split(",") if p.strip()]
        if not parts:
            raise ValidationError("条件值：“属于”需要至少一个值")
        return [one(p) for p in parts]
    return one(raw)


class BaseStepFormSet(forms.BaseFormSet):
    def __init__(self, *args, departments=(), schema=None, **kwargs):
        self.departments = list(departments)
        self.schema = schema or {}
        props = (self.schema.get("properties") or {})
        self.schema_fields = [(k, p.get("title") or k) for k, p in props.items()]
        self.schema_types = {k: p.get("type") for k, p in props.items()}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"departments": self.departments, "schema_fields": self.schema_fields}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, departments=self.departments, schema_fields=self.schema_fields)
        self.add_fields(form, None)
        return form

    def steps(self) -> list[dict]:
        """The definition as data (cases.workflow format), in row order; blank and deleted rows
        left out. Row-level problems are added to the row's form (then ``is_valid`` is False)."""
        out: list[dict] = []
        used_ids: set[str] = set()
        for n, form in enumerate(self.forms, start=1):
            if not form.is_valid() or form.cleaned_data.get("DELETE") or form.is_blank():
                continue
            d = form.cleaned_data
            name = (d.get("name") or "").strip()
            if not name:
                form.add_error("name", f"第{n}行环节名称：必填")
                continue
            sid = d.get("id") or f"step{n}"
            while sid in used_ids and not d.get("id"):
                sid += "_"
            used_ids.add(sid)
            share = d.get("share")
            if share is None:
                form.add_error("share", f"第{n}行时限占比：必填（1%到100%）")
                continue
            step = {"id": sid, "name": name, "role": d.get("role") or Role.APPROVER.value, "department": d.get("department"),
                    "share": round(share / 100, 4), "actions": ["pass"] + (["return"] if d.get("act_return") else [])
                    + (["reject"] if d.get("act_reject") else [])}
            if (d.get("parallel") or "").strip():
                step["parallel"] = d["parallel"].strip()
            field, op, raw = d.get("cond_field"), d.get("cond_op"), (d.get("cond_value") or "").strip()
            if field or op or raw:
                if not (field and op and raw):
                    form.add_error("cond_value", f"第{n}行条件：字段、条件和条件值须一并填写")
                    continue
                try:
                    value = _condition_value(raw, op, self.schema_types.get(field))
                except ValidationError as exc:
                    form.add_error("cond_value", f"第{n}行{exc.messages[0]}")
                    continue
                step["condition"] = {"field": field, "op": op, "value": value}
            out.append(step)
        return out


StepFormSet = forms.formset_factory(StepRowForm, formset=BaseStepFormSet, extra=2, can_delete=False)


def step_initial(steps: list[dict]) -> list[dict]:
    rows = []
    for s in steps:
        cond = s.get("condition") or {}
        value = cond.get("value", "")
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "是" if value else "否"
        actions = s.get("actions") or ["pass"]
        rows.append({"id": s.get("id", ""), "name": s.get("name", ""), "role": s.get("role", Role.APPROVER),
                     "department": s.get("department"), "share": round((s.get("share") or 0) * 100),
                     "act_return": "return" in actions, "act_reject": "reject" in actions,
                     "parallel": s.get("parallel", ""), "cond_field": cond.get("field", ""),
                     "cond_op": cond.get("op", ""), "cond_value": "" if value == "" else str(value)})
    return rows


class FormSchemaForm(StyledForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
    schema = forms.CharField(label="申报表单定义（JSON Schema）", widget=forms.Textarea(attrs={"rows": 18, "class": "font-monospace"}),
                             error_messages={"required": "申报表单定义：不能为空，没有表单时填 {}"})

    def clean_schema(self):
        from . import forms_schema

        raw = self.cleaned_data["schema"]
        try:
            schema = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"申报表单定义：不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}）") from None
        if not isinstance(schema, dict):
            raise ValidationError("申报表单定义：顶层应为对象 {…}")
        errors = forms_schema.check_schema(schema)
        if errors:
            raise ValidationError([f"申报表单定义：{e}" for e in errors])
        return schema
