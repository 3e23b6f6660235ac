"""Forms of the results part: recording a result, the public page's filters, the figures' period."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from zhengwu.core.forms import NamedErrorsForm

from .models import InspectionTask

RESULT_CHOICES = [c for c in InspectionTask.Result.choices if c[0]]


class RecordForm(forms.Form):
    result = forms.ChoiceField(label="检查结果", choices=[("", "请选择")] + RESULT_CHOICES,
                               error_messages={"required": "检查结果必须选择", "invalid_choice": "检查结果必须从列表中选择"})
    checked_on = forms.DateField(label="检查日期", error_messages={"required": "检查日期必须填写",
                                                               "invalid": "检查日期格式不正确，应为 年-月-日"})
    note = forms.CharField(label="结果说明", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    hold = forms.BooleanField(label="暂缓公示（审核后公示，最迟在公示期限当日自动公示）", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PublicFilterForm(NamedErrorsForm):
    """The public page's filters (no login): its messages name the field (core.forms)."""

    department = forms.IntegerField(label="实施部门", required=False)
    start = forms.DateField(label="检查日期自", required=False,
                            error_messages={"invalid": "开始日期格式不正确，应为 年-月-日"})
    end = forms.DateField(label="检查日期至", required=False,
                          error_messages={"invalid": "结束日期格式不正确，应为 年-月-日"})
    result = forms.ChoiceField(label="检查结果", required=False, choices=[("", "全部")] + RESULT_CHOICES,
                               error_messages={"invalid_choice": "检查结果必须从列表中选择"})
    after = forms.CharField(label="翻页位置", required=False, max_length=64)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "结束日期不能早于开始日期")
        return data


class PeriodForm(forms.Form):
    start = forms.DateField(label="开始日期", required=False,
                            error_messages={"invalid": "开始日期格式不正确，应为 年-月-日"})
    end = forms.DateField(label="结束日期", required=False,
                          error_messages={"invalid": "结束日期格式不正确，应为 年-月-日"})
    department = forms.IntegerField(required=False)

    def clean(self):
        from .services.results_figures import check_period

        data = super().clean()
        today = timezone.localdate()
        data["start"] = data.get("start") or dt.date(today.year, 1, 1)
        data["end"] = data.get("end") or dt.date(today.year, 12, 31)
        if not self.errors:
            for name, message in check_period(data["start"], data["end"]).items():
                self.add_error(name, message)
        return data
