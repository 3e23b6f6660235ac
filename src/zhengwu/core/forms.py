"""Forms whose messages name the field and the rule (姓名：必填；姓名：不能超过 50 个字（现在 300 个）).

Django's own wording names neither ("这个字段是必填项。", "确保该变量包含不超过 50 字符"), and
a page that lists several errors leaves the applicant guessing which box is meant. Every form of
the portal (citizens and enterprises) takes :class:`NamedErrorsMixin` (or derives from
:class:`NamedErrorsForm`): each field's Django default message is replaced by one that starts
with the field's label. A message the form sets itself (``error_messages={…}`` on the field) is
kept as it is.

Inputs with a ``max_length`` carry the ``maxlength`` attribute (Django puts it in the widget's
attributes; ``templates/_form.html`` writes it out), so a browser stops the typing at the limit
and the message is for pasted or scripted input.
"""

from __future__ import annotations

from django import forms

# Messages by Django's error code; ``{label}`` is the field's label, ``%(…)s`` Django's own
# parameters of the code (the length limit and the current length …).
NAMED_MESSAGES = {
    "required": "{label}：必填",
    "max_length": "{label}：不能超过 %(limit_value)d 个字（现在 %(show_value)d 个）",
    "min_length": "{label}：至少 %(limit_value)d 个字（现在 %(show_value)d 个）",
    "max_value": "{label}：不能大于 %(limit_value)s",
    "min_value": "{label}：不能小于 %(limit_value)s",
    "step_size": "{label}：应为 %(limit_value)s 的整数倍",
    "max_digits": "{label}：不能超过 %(max)s 位数字",
    "max_decimal_places": "{label}：小数不能超过 %(max)s 位",
    "max_whole_digits": "{label}：整数部分不能超过 %(max)s 位",
    "invalid_choice": "{label}：请从列表中选择",
    "invalid_list": "{label}：请从列表中选择",
    "invalid_pk_value": "{label}：请从列表中选择",
    "empty": "{label}：文件是空的",
    "missing": "{label}：没有收到文件，请重新选择",
    "contradiction": "{label}：请选择文件或勾选清除，不能同时进行",
}
FILE_MAX_LENGTH = "{label}：文件名不能超过 %(max)d 个字（现在 %(length)d 个）"
# The codes of validators (not in the field's ``default_error_messages``): Django uses the
# field's message for them when the field has one.
VALIDATOR_CODES = frozenset({"max_length", "min_length", "max_value", "min_value", "step_size", "max_digits",
                             "max_decimal_places", "max_whole_digits"})
# “invalid” depends on what the field holds.
INVALID_MESSAGES = (
    (forms.IntegerField, "{label}：应为整数"),
    (forms.DecimalField, "{label}：应为数字"),
    (forms.FloatField, "{label}：应为数字"),
    (forms.DateTimeField, "{label}：格式不正确，应为 年-月-日 时:分"),
    (forms.DateField, "{label}：日期格式不正确，应为 年-月-日"),
    (forms.TimeField, "{label}：时间格式不正确，应为 时:分"),
    (forms.EmailField, "{label}：电子邮箱格式不正确"),
    (forms.URLField, "{label}：网址格式不正确"),
    (forms.FileField, "{label}：请选择文件"),
)


def _django_defaults(field: forms.Field) -> dict:
    messages: dict = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def _wanted(field: forms.Field) -> dict[str, str]:
    wanted = dict(NAMED_MESSAGES)
    invalid = next((m for cls, m in INVALID_MESSAGES if isinstance(field, cls)), None)
    if invalid:
        wanted["invalid"] = invalid
    if isinstance(field, forms.FileField):
        wanted["max_length"] = FILE_MAX_LENGTH
    return wanted


def name_field_errors(field: forms.Field, label: str | None = None) -> None:
    """Replace ``field``'s Django default messages by ones naming ``label`` (default: the
    field's label); messages the form set itself stay. Without a label the rule alone is said."""
    label = str(label if label is not None else (field.label or "")).strip()
    defaults = _django_defaults(field)
    for code, template in _wanted(field).items():
        current = field.error_messages.get(code)
        if code in defaults:
            if current is not None and str(current) != str(defaults[code]):
                continue  # the form's own message
        elif current is not None or (code not in VALIDATOR_CODES and code != "invalid"):
            continue  # the form's own message, or a code the field never raises
        # Django formats a message with parameters by “%”: a “%” of the label is doubled there.
        name = label.replace("%", "%%") if "%(" in template else label
        field.error_messages[code] = template.format(label=name) if name else template.format(label="")[1:]


class NamedErrorsMixin:
    """A form whose every field names itself in its messages (see the module's docstring).
    Put it first among the bases: ``class LoginForm(NamedErrorsMixin, AuthenticationForm)``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            name_field_errors(field)


class NamedErrorsForm(NamedErrorsMixin, forms.Form):
    """A plain form of the portal with named messages."""
