"""少填免填 and 窗口查询: the platform reads 人口库/法人库 for a person it serves.

- Online (:func:`from_registry`): with the applicant's consent (a box they tick), the fields of
  the application form whose key — or ``x-registry`` — names a registry field are filled from
  their record. Recorded as a :class:`QueryCall` of kind ``prefill``, consumer the item's
  department, purpose "少填免填：<事项>". Without consent nothing is read.
- At the window (:func:`window_check`): the clerk types the walk-in person's 身份证号 and the
  name they give; the answer is 一致/不一致, and on 一致 what the record says (to prefill the
  registration). Recorded as kind ``lookup`` with the clerk's department.

身份证号 and phone numbers are never copied into a form (form data is not encrypted).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError

from zhengwu.core.identifiers import validate_id_number
from zhengwu.core.pii import blind_index

from . import registry_reads
from . import verify_rules as rules
from .models import QueryCall
from .services.verify import person_value, record_internal

# Form keys understood without ``x-registry``: form key → registry field.
PERSON_KEYS = {"name": "name", "gender": "gender", "sex": "gender", "birth_date": "birth_date",
               "birthday": "birth_date", "nation": "nation", "household_address": "household_address",
               "hukou_address": "household_address"}
LEGAL_KEYS = {"name": "name", "company_name": "name", "enterprise_name": "name", "legal_rep": "legal_rep",
              "legal_rep_name": "legal_rep", "address": "address", "company_address": "address",
              "kind": "kind", "company_kind": "kind", "established_on": "established_on",
              "registered_capital": "registered_capital"}
NEVER = {"id_number", "phone", "legal_rep_id_number"}


def registry_of(applicant) -> str:
    return "legal" if applicant.kind == "legal" else "person"


def matching_keys(schema: dict, registry: str) -> dict[str, str]:
    """Form key → registry field, for the properties the registry can fill (pure)."""
    known = rules.FIELDS[registry]
    implicit = PERSON_KEYS if registry == "person" else LEGAL_KEYS
    out = {}
    for key, prop in ((schema or {}).get("properties") or {}).items():
        prop = prop if isinstance(prop, dict) else {}
        if prop.get("x-prefill"):  # filled from the verified account already
            continue
        src = prop.get("x-registry") or implicit.get(key)
        if src in known and src not in NEVER:
            out[key] = src
    return out


def form_value(prop: dict, value):
    """The registry value as the form property takes it, or None when it does not fit."""
    if value is None or value == "":
        return None
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    choices = prop.get("enum")
    if isinstance(choices, list):
        return value if value in choices else None
    one_of = prop.get("oneOf") or prop.get("anyOf")
    if isinstance(one_of, list) and one_of:
        return value if any(isinstance(o, dict) and o.get("const") == value for o in one_of) else None
    if prop.get("type") in ("number", "integer", "boolean", "array"):
        return None
    return str(value)


def offer(schema: dict, applicant) -> str:
    """The registry's name when the form has fields it can fill ("" otherwise)."""
    if applicant is None:
        return ""
    registry = registry_of(applicant)
    return rules.REGISTRY_LABELS[registry] if matching_keys(schema, registry) else ""


@dataclass
class Filled:
    """What :func:`from_registry` found. Three outcomes, each told differently: nothing to fill
    (the form has no field the registry fills: the registry is not read, and nobody is "not
    found"), not found (read, no record), found (``values``: what fits the form)."""

    values: dict = field(default_factory=dict)
    found: bool = False
    read: bool = False  # the registry was read (there were fields to fill)

    @property
    def nothing_to_fill(self) -> bool:
        return not self.read

    @property
    def titles(self) -> list[str]:
        return list(self.values)


def from_registry(applicant, item, schema: dict, *, clerk=None) -> Filled:
    """少填免填 with the applicant's consent (the caller checked it): the fillable values. With
    ``clerk`` (窗口代录, the applicant at the window) the row is a ``lookup`` of the clerk's
    department instead of a ``prefill`` of the item's."""
    started = time.perf_counter()
    registry = registry_of(applicant)
    mapping = matching_keys(schema, registry)
    if not mapping:
        return Filled()  # nothing_to_fill: not read, so not "not found" either
    if registry == "person":
        subject = applicant.id_number_index
        record = registry_reads.lookup_person(applicant.id_number.reveal_unaudited()) if applicant.id_number else None
    else:
        subject = applicant.uscc or ""
        record = registry_reads.lookup_legal(subject)
    props = schema.get("properties") or {}
    values = {}
    if record is not None:
        for key, src in mapping.items():
            value = form_value(props.get(key) or {}, person_value(record, src))
            if value is not None:
                values[key] = value
    dept = item.department if clerk is None else clerk_department(clerk)
    record_internal(kind=QueryCall.Kind.PREFILL if clerk is None else QueryCall.Kind.LOOKUP, registry=registry,
                    consumer=dept, consumer_name=dept.name if dept else "政务服务中心窗口",
                    purpose=f"{'少填免填' if clerk is None else '窗口代录'}：{item.name}", subject_index=subject,
                    fields=sorted(set(mapping.values())), started=started,
                    result=QueryCall.Result.FOUND if record is not None else QueryCall.Result.NOT_FOUND)
    return Filled(values, record is not None, True)


# -- 窗口查询 ------------------------------------------------------------------------------------------
class WindowCheckForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=18, error_messages={"required": "身份证号：必填"},
                                widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}))
    name = forms.CharField(label="姓名（申请人自述）", max_length=50, error_messages={"required": "姓名：必填"},
                           widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}))

    def clean_id_number(self):
        try:
            return validate_id_number(self.cleaned_data["id_number"].strip(), "身份证号")
        except ValidationError as exc:
            raise ValidationError(f"身份证号：{exc.messages[0]}") from None


@dataclass
class WindowCheck:
    result: str  # 一致 / 不一致
    id_number: str
    name: str
    gender: str = ""
    birth_date: str = ""
    nation: str = ""
    household_address: str = ""  # masked

    @property
    def match(self) -> bool:
        return self.result == rules.MATCH


def clerk_department(user):
    """The department of the clerk's first department-bound role (None for a 综合窗口 clerk)."""
    from zhengwu.org.models import RoleGrant

    g = RoleGrant.objects.filter(user=user, department__isnull=False).select_related("department").order_by("pk").first()
    return g.department if g else None


def window_check(user, id_number: str, name: str, purpose: str = "窗口代录：核验申请人身份") -> WindowCheck:
    """窗口查询: 一致/不一致 of the typed name for the 身份证号; on 一致 the record's fields."""
    started = time.perf_counter()
    record = registry_reads.lookup_person(id_number)
    match = record is not None and record.name_index == blind_index("name", name)
    dept = clerk_department(user)
    record_internal(kind=QueryCall.Kind.LOOKUP, registry="person", consumer=dept,
                    consumer_name=dept.name if dept else "政务服务中心窗口", purpose=purpose,
                    subject_index=registry_reads.person_index(id_number),
                    fields=["name", "gender", "birth_date", "nation", "household_address"] if match else ["name"],
                    started=started, result=QueryCall.Result.MATCH if match else QueryCall.Result.MISMATCH)
    if not match:
        return WindowCheck(rules.MISMATCH, id_number, name)
    return WindowCheck(rules.MATCH, id_number, name, gender=record.gender,
                       birth_date=record.birth_date.isoformat() if record.birth_date else "", nation=record.nation,
                       household_address=str(record.household_address) if record.household_address else "")
