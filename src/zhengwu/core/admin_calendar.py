"""Admin page 录入年度放假通知: paste the State Council's notice, preview, confirm (one screen).

GET shows each year's status (已公布 / 仅法定节日 / 无数据) and the form; POST ``preview`` parses
the text and shows every date read, what it changes and any problem; POST ``confirm`` parses the
same text again (nothing from the preview is trusted) and stores it with
``services.apply_year_notice``. A notice with problems cannot be confirmed.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from . import calendar, calendar_notice, services
from . import calendar_statutory as statutory

WEEKDAY_NAMES = "一二三四五六日"


class NoticeForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    source = forms.CharField(label="依据（通知名称和文号）", max_length=200,
                             help_text="例如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）")
    text = forms.CharField(label="通知正文", max_length=20000, widget=forms.Textarea(attrs={"rows": 12, "cols": 100}),
                           help_text="粘贴通知全文或其中“一、元旦：……”各行；也可以每行写“2027-02-05 至 2027-02-11 放假”"
                                     "或“2027-02-20 上班”。")


def _rows(result: calendar_notice.NoticeResult, cal: calendar.WorkCalendar) -> list[dict]:
    rows = []
    for d in sorted({*result.holidays, *result.workdays}):
        off = d in result.holidays
        rows.append({
            "date": d, "weekday": WEEKDAY_NAMES[d.weekday()], "kind": "放假" if off else "上班",
            "label": result.holidays.get(d) or result.workdays.get(d),
            "now": "工作日" if cal.is_workday(d) else "休息日",
            "changes": cal.is_workday(d) == off,
        })
    return rows


def _missing_statutory(result: calendar_notice.NoticeResult) -> list[str]:
    """第二条 days the notice does not list as days off: almost always a line left out."""
    try:
        days = statutory.statutory_holidays(result.year)
    except ValueError:
        return []
    return [f"{d:%Y年%-m月%-d日}（{name}）" for d, name in sorted(days.items()) if d not in result.holidays]


def year_statuses(cal: calendar.WorkCalendar, years) -> list[dict]:
    return [{"year": y, "status": cal.year_status(y), "label": statutory.STATUS_LABELS[cal.year_status(y)]}
            for y in years]


def notice_view(request, admin_site):
    if not request.user.has_perm("core.add_calendaroverride"):
        raise PermissionDenied
    cal = calendar.get_calendar()
    this_year = dt.date.today().year
    ctx = {
        **admin_site.each_context(request),
        "title": "录入年度放假通知",
        "years": year_statuses(cal, range(this_year - 1, this_year + 3)),
        "statutory_source": statutory.SOURCE,
    }
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            year, source, text = (form.cleaned_data[k] for k in ("year", "source", "text"))
            result = calendar_notice.parse_notice(text, year)
            missing = _missing_statutory(result)
            if request.POST.get("action") == "confirm" and result.ok:
                try:
                    counts = services.apply_year_notice(request.user, year, result.holidays, result.workdays, source)
                except ValidationError as exc:
                    for field, errs in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errs)
                else:
                    calendar.invalidate()
                    messages.success(request, f"{year}年放假安排已录入：放假{counts['holidays']}天，调休上班"
                                              f"{counts['workdays']}天；该年已标记为已核实。")
                    return redirect("admin:core_calendaroverride_changelist")
            ctx.update({"result": result, "rows": _rows(result, cal), "missing": missing,
                        "can_confirm": result.ok and form.is_valid()})
    else:
        year = this_year + 1
        form = NoticeForm(initial={"year": year, "source": f"国务院办公厅关于{year}年部分节假日安排的通知"})
    ctx["form"] = form
    return TemplateResponse(request, "admin/calendar_notice.html", ctx)
