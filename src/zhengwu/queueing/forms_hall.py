"""Forms of hall management (大厅管理): every message in Chinese and naming the field and the rule."""

from __future__ import annotations

from django import forms

from zhengwu.org.models import Window

from . import hall_rules as rules
from .models import BusinessType, Duty, ExtraSession, HallRules, OpeningPeriod, Zone

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Styled:
    """Bootstrap classes on every widget."""

    def _style(self):
        for f in self.fields.values():
            w = f.widget
            if isinstance(w, forms.CheckboxInput):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.CheckboxSelectMultiple):
                pass
            elif isinstance(w, forms.Select | forms.SelectMultiple):
                w.attrs.setdefault("class", "form-select")
            else:
                w.attrs.setdefault("class", "form-control")


class HallForm(_Styled, forms.ModelForm):
    def __init__(self, *args, hall=None, **kw):
        self.hall = hall
        super().__init__(*args, **kw)
        if hall is not None and "zone" in self.fields:
            self.fields["zone"].queryset = Zone.objects.filter(hall=hall)
        if hall is not None and "business_types" in self.fields:
            self.fields["business_types"].queryset = BusinessType.objects.filter(hall=hall)
        self._style()

    def _period(self, cleaned):
        for name, msg in rules.period_errors(cleaned.get("start"), cleaned.get("end")).items():
            if not self.has_error(name):
                self.add_error(name, msg)


class ZoneForm(HallForm):
    class Meta:
        model = Zone
        fields = ["name", "floor", "order"]

    def clean_name(self):
        name = (self.cleaned_data.get("name") or "").strip()
        qs = Zone.objects.filter(hall=self.hall, name=name).exclude(pk=self.instance.pk)
        if qs.exists():
            raise forms.ValidationError("该大厅已有同名功能区")
        return name


class BusinessTypeForm(HallForm):
    class Meta:
        model = BusinessType
        fields = ["prefix", "name", "zone", "items", "service_minutes", "bookable", "appointment_share",
                  "daily_limit", "is_active", "order"]
        widgets = {"items": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        from zhengwu.catalog.models import ServiceItem

        region = getattr(self.hall, "region", None)
        qs = ServiceItem.objects.filter(status="published")
        if region is not None:
            qs = qs.filter(region__code__startswith=region.prefix) if getattr(region, "prefix", "") else qs
        self.fields["items"].queryset = qs.order_by("name")
        self.fields["items"].required = False

    def clean_prefix(self):
        prefix = (self.cleaned_data.get("prefix") or "").strip().upper()
        if (err := rules.prefix_error(prefix)) is not None:
            raise forms.ValidationError(err)
        if BusinessType.objects.filter(hall=self.hall, prefix=prefix).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"该大厅已有号码字头为 {prefix} 的业务类型")
        return prefix

    def clean_service_minutes(self):
        v = self.cleaned_data.get("service_minutes")
        if not v or v < 1 or v > 480:
            raise forms.ValidationError("平均办理时长须在 1 至 480 分钟之间")
        return v

    def clean_appointment_share(self):
        v = self.cleaned_data.get("appointment_share")
        if v is None or v > 100:
            raise forms.ValidationError("预约号源比例须在 0 至 100 之间")
        return v


class WindowForm(HallForm):
    """An ``org.Window`` with what it serves in the queue (its ``WindowSetup``)."""

    zone = forms.ModelChoiceField(Zone.objects.none(), label="功能区", required=False)
    business_types = forms.ModelMultipleChoiceField(BusinessType.objects.none(), label="办理业务类型", required=False,
                                                    widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Window
        fields = ["number", "name", "kind", "theme", "departments", "is_active"]
        widgets = {"departments": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        from zhengwu.org.models import Department

        region = getattr(self.hall, "region", None)
        self.fields["departments"].queryset = (Department.objects.filter(region=region) if region is not None
                                               else Department.objects.all())
        self.fields["departments"].required = False
        setup = getattr(self.instance, "setup", None) if self.instance.pk else None
        if setup is not None and not self.is_bound:
            self.initial["zone"] = setup.zone_id
            self.initial["business_types"] = list(setup.business_types.values_list("pk", flat=True))

    def clean_number(self):
        number = (self.cleaned_data.get("number") or "").strip()
        if not number:
            raise forms.ValidationError("窗口号不能为空")
        if Window.objects.filter(hall=self.hall, number=number).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"该大厅已有窗口号 {number}")
        return number


class DutyForm(HallForm):
    class Meta:
        model = Duty
        fields = ["window", "user", "date", "period"]
        widgets = {"date": DATE_WIDGET}

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        from zhengwu.accounts.models import User

        self.fields["window"].queryset = Window.objects.filter(hall=self.hall, is_active=True)
        self.fields["user"].queryset = User.objects.filter(kind="staff", is_active=True,
                                                           role_grants__role="window").distinct().order_by("username")
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name or u.username}（{u.username}）"

    def clean(self):
        cleaned = super().clean()
        w, d, p = cleaned.get("window"), cleaned.get("date"), cleaned.get("period")
        if w and d and p:
            others = Duty.objects.filter(window=w, date=d).exclude(pk=self.instance.pk)
            if others.filter(period=p).exists():
                self.add_error("period", "该窗口该班次已有值班人员")
            elif p == Duty.Period.DAY and others.filter(period__in=["am", "pm"]).exists():
                self.add_error("period", "该窗口当天已按上午/下午排班，不能再排全天")
            elif p in ("am", "pm") and others.filter(period="day").exists():
                self.add_error("period", "该窗口当天已排全天班")
        return cleaned


class OpeningPeriodForm(HallForm):
    class Meta:
        model = OpeningPeriod
        fields = ["weekday", "start", "end"]
        widgets = {"start": TIME_WIDGET, "end": TIME_WIDGET}

    def clean(self):
        cleaned = super().clean()
        self._period(cleaned)
        wd, s, e = cleaned.get("weekday"), cleaned.get("start"), cleaned.get("end")
        if wd is not None and s and e and e > s:
            others = OpeningPeriod.objects.filter(hall=self.hall, weekday=wd).exclude(pk=self.instance.pk)
            hit = rules.overlap([(o.start, o.end) for o in others], s, e)
            if hit:
                self.add_error("start", f"与{rules.WEEKDAYS[wd]}已有的办公时间 {hit[0]:%H:%M}-{hit[1]:%H:%M} 重叠")
        return cleaned


class ExtraSessionForm(HallForm):
    class Meta:
        model = ExtraSession
        fields = ["kind", "date", "weekday", "start", "end", "business_types", "note"]
        widgets = {"start": TIME_WIDGET, "end": TIME_WIDGET, "date": DATE_WIDGET,
                   "weekday": forms.Select(choices=[("", "—")] + list(enumerate(rules.WEEKDAYS))),
                   "business_types": forms.CheckboxSelectMultiple}

    def clean(self):
        cleaned = super().clean()
        self._period(cleaned)
        d, wd = cleaned.get("date"), cleaned.get("weekday")
        if (d is None) == (wd is None):
            self.add_error("date", "请填写日期（某一天）或每周星期（每周重复），二者填其一")
        elif (s := cleaned.get("start")) and (e := cleaned.get("end")) and e > s:
            others = ExtraSession.objects.filter(hall=self.hall, date=d, weekday=wd).exclude(pk=self.instance.pk)
            hit = rules.overlap([(o.start, o.end) for o in others], s, e)
            if hit:
                self.add_error("start", f"与同一天已有的延时/周末办 {hit[0]:%H:%M}-{hit[1]:%H:%M} 重叠")
        return cleaned


class HallRulesForm(HallForm):
    class Meta:
        model = HallRules
        exclude = ["hall", "version"]

    def clean_slot_minutes(self):
        v = self.cleaned_data.get("slot_minutes")
        if not v or v < 5 or v > 240:
            raise forms.ValidationError("预约时段长度须在 5 至 240 分钟之间")
        return v

    def clean_booking_days(self):
        v = self.cleaned_data.get("booking_days")
        if not v or v > 60:
            raise forms.ValidationError("可预约天数须在 1 至 60 天之间")
        return v

    def clean_noshow_days(self):
        v = self.cleaned_data.get("noshow_days")
        if not v:
            raise forms.ValidationError("爽约统计天数须至少为 1 天")
        return v


FORMS = {
    "zone": (ZoneForm, "功能区"),
    "btype": (BusinessTypeForm, "业务类型"),
    "window": (WindowForm, "窗口"),
    "duty": (DutyForm, "排班"),
    "period": (OpeningPeriodForm, "办公时间"),
    "extra": (ExtraSessionForm, "延时/周末办"),
}
