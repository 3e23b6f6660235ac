"""Server-side rendering of an application form (申报表单) from its JSON Schema.

:func:`fields` turns the item version's ``form_schema`` plus the current values and errors into
a list of :class:`Field` objects that the template ``cases/applicant/_schema_fields.html`` draws
as a Chinese Bootstrap form; :func:`parse` turns the posted strings back into typed JSON values
(number, integer, boolean, enum, date …) with a Chinese message naming the field when a value
cannot be read. The JSON Schema rules themselves (required, minLength, minimum …) are checked
by :func:`zhengwu.cases.forms_schema.validate`, not here.

Supported property shapes: ``string`` (``format`` date / date-time / time / email; ``maxLength``
over 100 or ``x-widget: textarea`` gives a text area), ``number``, ``integer``, ``boolean``
(a check box), ``enum`` or ``oneOf`` of ``{const, title}`` (a select; ``x-enum-titles`` gives
labels to a plain enum) and ``array`` of an enum (check boxes). Anything else is a text box.

Order: PostgreSQL ``jsonb`` does not keep the key order of ``properties``, so a schema may name
its order in ``x-order`` (a list of keys) or give each property an ``x-order`` number; without
either, required fields come first (lists keep their order), then the rest.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

FIELD_PREFIX = "f_"
TEXTAREA_OVER = 100


@dataclass
class Choice:
    value: str  # as posted by the browser
    label: str
    selected: bool = False


@dataclass
class Field:
    key: str
    name: str  # HTML name
    id: str  # HTML id (keys may hold characters an id should not)
    title: str
    widget: str  # text, textarea, number, date, datetime-local, time, email, select, checkbox, checkboxes
    required: bool = False
    description: str = ""
    value: str = ""
    checked: bool = False
    choices: list[Choice] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    readonly: bool = False
    note: str = ""  # e.g. 来自实名认证信息 / 选办事项需要

    @property
    def input_type(self) -> str:
        return self.widget if self.widget not in ("textarea", "select", "checkbox", "checkboxes") else ""


def ordered_keys(schema: dict) -> list[str]:
    props = (schema or {}).get("properties") or {}
    explicit = [k for k in (schema.get("x-order") or []) if k in props]
    rest = [k for k in props if k not in explicit]
    if any(isinstance(props[k].get("x-order"), int | float) for k in rest):
        rest.sort(key=lambda k: (props[k].get("x-order", 10**6), k))
    elif not explicit:
        required = [k for k in (schema.get("required") or []) if k in props]
        rest = required + [k for k in rest if k not in required]
    return explicit + rest


def _enum_choices(prop: dict) -> list[tuple[Any, str]] | None:
    """(value, label) pairs of an enumerated property, or None."""
    if isinstance(prop.get("enum"), list):
        titles = prop.get("x-enum-titles") or prop.get("enumNames") or []
        return [(v, str(titles[i]) if i < len(titles) else str(v)) for i, v in enumerate(prop["enum"])]
    one_of = prop.get("oneOf") or prop.get("anyOf")
    if isinstance(one_of, list) and one_of and all(isinstance(o, dict) and "const" in o for o in one_of):
        return [(o["const"], str(o.get("title", o["const"]))) for o in one_of]
    return None


def _as_html(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _widget(prop: dict) -> str:
    kind = prop.get("type")
    if _enum_choices(prop) is not None:
        return "select"
    if kind == "array" and _enum_choices(prop.get("items") or {}) is not None:
        return "checkboxes"
    if kind == "boolean":
        return "checkbox"
    if kind in ("number", "integer"):
        return "number"
    fmt = prop.get("format")
    if fmt == "date":
        return "date"
    if fmt == "date-time":
        return "datetime-local"
    if fmt in ("time", "email"):
        return fmt
    if prop.get("x-widget") == "textarea" or (prop.get("maxLength") or 0) > TEXTAREA_OVER:
        return "textarea"
    return "text"


def _attrs(prop: dict, widget: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if widget == "number":
        attrs["step"] = "1" if prop.get("type") == "integer" else "any"
        attrs["inputmode"] = "numeric" if prop.get("type") == "integer" else "decimal"
        if "minimum" in prop:
            attrs["min"] = _as_html(prop["minimum"])
        if "maximum" in prop:
            attrs["max"] = _as_html(prop["maximum"])
    if widget in ("text", "textarea", "email"):
        if "minLength" in prop:
            attrs["minlength"] = prop["minLength"]
        if "maxLength" in prop:
            attrs["maxlength"] = prop["maxLength"]
        if widget == "text" and prop.get("pattern"):
            attrs["pattern"] = prop["pattern"]
    examples = prop.get("examples")
    if isinstance(examples, list) and examples and widget in ("text", "textarea", "number", "email"):
        attrs["placeholder"] = f"例如：{examples[0]}"
    return attrs


def _datetime_local(value: Any) -> str:
    """An RFC 3339 date-time as the browser's datetime-local value (YYYY-MM-DDTHH:MM)."""
    text = str(value or "")
    return text[:16] if len(text) >= 16 else text


def fields(schema: dict, values: dict | None = None, errors: dict[str, list[str]] | None = None,
           raw: dict[str, Any] | None = None, *, readonly_keys=(), optional_keys=(),
           required_keys=None, readonly_note: str = "来自注册信息", notes: dict[str, str] | None = None) -> list[Field]:
    """The form's fields in order, with values (``raw`` — what was typed — wins over ``values``)
    and messages. ``required_keys`` overrides the schema's ``required`` (一件事: the union form);
    ``optional_keys`` are marked as needed only by 选办 items. ``readonly_note``: where the
    prefilled (read-only) values came from — 来自实名认证信息 only when 统一身份认证 verified them;
    ``notes``: a note per key for editable prefilled fields (来自电子证照：营业执照)."""
    schema = schema or {}
    props = schema.get("properties") or {}
    values, errors, raw = values or {}, errors or {}, raw or {}
    required = set(schema.get("required") or []) if required_keys is None else set(required_keys)
    out = []
    for index, key in enumerate(ordered_keys(schema), start=1):
        prop = props[key] if isinstance(props[key], dict) else {}
        widget = _widget(prop)
        value = raw.get(key, values.get(key))
        f = Field(key=key, name=f"{FIELD_PREFIX}{key}", id=f"field-{index}", title=str(prop.get("title") or key),
                  widget=widget, required=key in required, description=str(prop.get("description") or ""),
                  errors=list(errors.get(key, [])), attrs=_attrs(prop, widget), readonly=key in readonly_keys)
        if key in readonly_keys:
            f.note = readonly_note
        elif key in optional_keys:
            f.note = "所选的选办事项需要"
        elif key in (notes or {}):
            f.note = notes[key]
        if widget == "select":
            current = _as_html(value)
            f.choices = [Choice(_as_html(v), label, _as_html(v) == current and value is not None)
                         for v, label in _enum_choices(prop) or []]
        elif widget == "checkboxes":
            chosen = {_as_html(v) for v in (value if isinstance(value, list) else [])}
            f.choices = [Choice(_as_html(v), label, _as_html(v) in chosen)
                         for v, label in _enum_choices(prop.get("items") or {}) or []]
        elif widget == "checkbox":
            f.checked = value is True or value in ("true", "1", "on")
        elif widget == "datetime-local":
            f.value = _datetime_local(value)
        else:
            f.value = _as_html(value)
        out.append(f)
    return out


# -- showing the answers -----------------------------------------------------------------------
_PERSONAL_HINTS = ("身份证", "证件号码", "公民身份号码", "电话", "手机")


def _answer(prop: dict, value: Any) -> str:
    """One answer as a person reads it: a choice by its label, 是/否, a multiple choice as 甲、乙."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        labels = dict((_as_html(v), label) for v, label in _enum_choices(prop.get("items") or {}) or [])
        return "、".join(labels.get(_as_html(v), _as_html(v)) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return "；".join(f"{k}：{_answer({}, v)}" for k, v in value.items() if v not in (None, ""))
    labels = dict((_as_html(v), label) for v, label in _enum_choices(prop) or [])
    return labels.get(_as_html(value), _as_html(value))


def _masked(key: str, title: str, text: str) -> str:
    """ID and phone numbers masked as everywhere on the portal (:func:`zhengwu.core.pii.mask`): by
    what the field is (its key or title) or by what the value looks like."""
    from zhengwu.core import pii
    from zhengwu.core.identifiers import PHONE_RE, resembles_id_number

    hint = f"{key} {title}".lower()
    if "id_number" in hint or resembles_id_number(text) or any(h in title for h in _PERSONAL_HINTS[:3]):
        return pii.mask("id_number", text)
    if "phone" in hint or "mobile" in hint or PHONE_RE.fullmatch(text) or any(h in title for h in _PERSONAL_HINTS[3:]):
        return pii.mask("phone", text)
    return text


def answers(schema: dict, data: dict | None, *, skip_empty: bool = False) -> list[tuple[str, str]]:
    """The submitted form as (field title, answer) in the form's order (:func:`ordered_keys`), keys
    the schema no longer names at the end; personal numbers masked. The 申请表 card of the staff
    and the applicant case pages both show this. ``skip_empty``: leave out fields not answered."""
    schema, data = schema or {}, data or {}
    props = schema.get("properties") or {}
    rows = []
    for key in [*ordered_keys(schema), *(k for k in data if k not in props)]:
        prop = props.get(key) if isinstance(props.get(key), dict) else {}
        title = str(prop.get("title") or key)
        text = _answer(prop, data.get(key))
        if text.strip() == "" and skip_empty:
            continue
        rows.append((title, _masked(key, title, text) if text else ""))
    return rows


# -- reading the posted form -----------------------------------------------------------------
class _Unreadable(ValueError):
    pass


def _normalise(text: str) -> str:
    return text.strip()


def _folded(text: str) -> str:
    # Full-width digits and signs (３０．５) are common with Chinese input methods. Only what is
    # read as a number, date, time or choice is folded; free text keeps the citizen's own
    # punctuation (（） stays full-width).
    return unicodedata.normalize("NFKC", text).strip()


def _number(text: str, integer: bool) -> int | float:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise _Unreadable("应为整数" if integer else "应为数字") from None
    if not number.is_finite():
        raise _Unreadable("应为数字")
    if integer:
        if number != number.to_integral_value():
            raise _Unreadable("应为整数")
        return int(number)
    return int(number) if number == number.to_integral_value() else float(number)


def _scalar(prop: dict, text: str) -> Any:
    kind = prop.get("type")
    if kind in ("number", "integer") or prop.get("format") in ("date", "date-time", "time", "email"):
        text = _folded(text)
    if kind in ("number", "integer"):
        return _number(text, kind == "integer")
    fmt = prop.get("format")
    if fmt == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise _Unreadable("日期格式应为 年-月-日，如 2026-03-01") from None
    if fmt == "date-time":
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise _Unreadable("时间格式应为 年-月-日 时:分") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))  # 北京时间
        return moment.isoformat()
    if fmt == "time":
        try:
            return dt.time.fromisoformat(text).isoformat()
        except ValueError:
            raise _Unreadable("时间格式应为 时:分") from None
    if fmt == "email" and ("@" not in text or text.startswith("@") or text.endswith("@")):
        raise _Unreadable("电子邮箱格式不正确")
    return text


def _pick(choices: list[tuple[Any, str]], posted: str) -> Any:
    for value, _label in choices:
        if _as_html(value) == posted:
            return value
    folded = _folded(posted)
    for value, _label in choices:
        if _folded(_as_html(value)) == folded:
            return value
    raise _Unreadable("只能从列表中选择")


def parse(schema: dict, post, fixed: dict | None = None) -> tuple[dict, dict[str, list[str]], dict]:
    """(typed data, Chinese errors by key, raw strings to show again) from a posted form.

    Empty inputs are left out of the data, so that ``required`` reports them. ``fixed`` values
    (prefilled from the applicant's verified account) win over anything posted.
    """
    props = (schema or {}).get("properties") or {}
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    raw: dict[str, Any] = {}
    for key in ordered_keys(schema or {}):
        prop = props[key] if isinstance(props[key], dict) else {}
        name = f"{FIELD_PREFIX}{key}"
        title = str(prop.get("title") or key)
        widget = _widget(prop)
        try:
            if widget == "checkbox":
                data[key] = post.get(name) in ("true", "1", "on")
                continue
            if widget == "checkboxes":
                posted = [_normalise(v) for v in post.getlist(name) if v.strip()]
                raw[key] = posted
                choices = _enum_choices(prop.get("items") or {}) or []
                if posted:
                    data[key] = [_pick(choices, v) for v in posted]
                continue
            text = _normalise(post.get(name, "") or "")
            raw[key] = text
            if not text:
                continue
            choices = _enum_choices(prop)
            data[key] = _pick(choices, text) if choices is not None else _scalar(prop, text)
        except _Unreadable as exc:
            errors.setdefault(key, []).append(f"{title}：{exc}")
    for key, value in (fixed or {}).items():
        if key in props:
            data[key] = value
            raw.pop(key, None)
    return data, errors, raw
