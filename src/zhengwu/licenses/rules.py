"""Pure rules of the 电子证照 registry (no ORM): type codes, the fields a type carries, validity,
the status table, what a verifier sees, serials and numbers.

- 证照类型代码 (GB/T 36904): the defining department's 统一社会信用代码 (18) + a 3-digit sequence.
- Validity: ``valid_until`` is the same calendar day ``years`` later (29 February → 28 February
  in a common year); blank years mean 长期有效. A licence is valid through its ``valid_until``.
- Status (a table of the core state-machine kernel): 有效 → 已变更 (a 变更 issued a new version),
  已注销, 已吊销, 已过期. Every other state is final: nothing moves a licence out of it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from enum import StrEnum

from zhengwu.core.identifiers import uscc_problem
from zhengwu.core.statemachine import StateMachine, t


# -- 证照类型代码 -------------------------------------------------------------------------------
def type_code_problem(code: str) -> str | None:
    """Why ``code`` is not a 21-character 证照类型代码, or None when it is."""
    code = str(code or "").strip().upper()
    if len(code) != 21:
        return f"证照类型代码应为21位（定义部门统一社会信用代码18位 + 3位数字序号），当前为{len(code)}位"
    problem = uscc_problem(code[:18])
    if problem:
        return f"证照类型代码前18位应为定义部门的统一社会信用代码：{problem}"
    if not code[18:].isdigit():
        return "证照类型代码后3位应为数字序号（如 001）"
    return None


# -- 照面信息项 (fields_schema) ----------------------------------------------------------------
FIELD_TYPES = {"string": "文本", "date": "日期", "number": "数字"}
FIELD_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_FIELDS = 40
MAX_DEFAULT = 100  # 默认值: what every licence of the type prints unless the case gives a value (投诉举报电话 12315)


def schema_problems(rows: list[dict]) -> list[str]:
    """What is wrong with the fields a type carries ([] when nothing): each row has a key
    (lower-case letters, digits, underscore; unique), a label, a type of :data:`FIELD_TYPES`, and
    at most :data:`MAX_DEFAULT` characters of 默认值."""
    problems: list[str] = []
    if len(rows) > MAX_FIELDS:
        problems.append(f"照面信息项最多{MAX_FIELDS}项")
    seen: set[str] = set()
    for i, row in enumerate(rows, start=1):
        key, label, kind = (str(row.get(k) or "").strip() for k in ("key", "label", "type"))
        where = f"第{i}项"
        if not FIELD_KEY_RE.fullmatch(key):
            problems.append(f"{where}字段代码“{key}”不正确：应以小写字母开头，由小写字母、数字和下划线组成，最多40位")
        elif key in seen:
            problems.append(f"{where}字段代码“{key}”重复")
        seen.add(key)
        if not label:
            problems.append(f"{where}名称不能为空")
        elif len(label) > 40:
            problems.append(f"{where}名称最多40个字")
        if kind not in FIELD_TYPES:
            problems.append(f"{where}类型应为 文本/日期/数字 之一")
        if len(str(row.get("default") or "").strip()) > MAX_DEFAULT:
            problems.append(f"{where}默认值最多{MAX_DEFAULT}个字")
    return problems


def clean_schema(rows: list[dict]) -> list[dict]:
    """The rows as stored (blank rows dropped, values trimmed)."""
    out = []
    for row in rows:
        key = str(row.get("key") or "").strip()
        label = str(row.get("label") or "").strip()
        if not key and not label:
            continue
        clean = {"key": key, "label": label, "type": str(row.get("type") or "string").strip(),
                 "required": bool(row.get("required"))}
        default = str(row.get("default") or "").strip()
        if default:
            clean["default"] = default
        out.append(clean)
    return out


def defaults(schema: list[dict]) -> dict:
    """The fields' 默认值 (the last source of a licence's face data)."""
    return {f["key"]: f["default"] for f in schema if f.get("default")}


def data_problems(schema: list[dict], data: dict) -> list[str]:
    """Required fields missing, dates and numbers of the wrong shape."""
    problems = []
    for f in schema:
        value = data.get(f["key"])
        text = "" if value is None else str(value).strip()
        if not text:
            if f.get("required"):
                problems.append(f"照面信息“{f['label']}”缺少：该项为必填")
            continue
        if f.get("type") == "date":
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                problems.append(f"照面信息“{f['label']}”应为日期 YYYY-MM-DD")
        elif f.get("type") == "number":
            try:
                float(text)
            except ValueError:
                problems.append(f"照面信息“{f['label']}”应为数字")
    return problems


# 签发人: a face field the system fills with the official who issued the licence (never the form).
SIGNATORY_KEY, SIGNATORY_LABEL = "signatory", "签发人"


def signatory_keys(schema: list[dict]) -> list[str]:
    """The keys of the type's 签发人 field(s): by the key ``signatory`` or the label 签发人."""
    return [f["key"] for f in schema if f.get("key") == SIGNATORY_KEY or f.get("label") == SIGNATORY_LABEL]


def with_signatory(schema: list[dict], data: dict, name: str) -> dict:
    """``data`` with the type's 签发人 field(s) set to ``name`` — whatever another source put there
    (an applicant's form, the version a 变更 replaces) — or left empty when there is none."""
    keys = signatory_keys(schema)
    out = {k: v for k, v in data.items() if k not in keys}
    return {**out, **{k: name for k in keys}} if name else out


def pick_data(schema: list[dict], *sources: dict) -> dict:
    """The value of each field of the schema from the first source that has it (non-empty)."""
    data = {}
    for f in schema:
        for src in sources:
            value = src.get(f["key"]) if src else None
            if isinstance(value, (list, tuple)):  # a form's multiple choice (经营项目): one line
                value = "、".join(str(v) for v in value if v not in (None, ""))
            if value not in (None, ""):
                data[f["key"]] = value if isinstance(value, (int, float)) else str(value)
                break
    return data


def by_label(schema: list[dict], form_schema: dict, form_data: dict) -> dict:
    """The application form's answers keyed by the licence's fields whose label is the form field's
    title (the form's ``business_items`` titled 经营项目 fills the licence's ``business_scope`` 经营项目)."""
    props = (form_schema or {}).get("properties") or {}
    answers = {str(spec.get("title")): form_data[k] for k, spec in props.items()
               if isinstance(spec, dict) and spec.get("title") and k in (form_data or {})}
    return {f["key"]: answers[f["label"]] for f in schema if f.get("label") in answers}


# -- 模板 (the licence PDF's layout) ------------------------------------------------------------
PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points


def template_problems(template: dict, schema: list[dict]) -> list[str]:
    problems = []
    title = str(template.get("title") or "")
    if len(title) > 60:
        problems.append("版式标题最多60个字")
    keys = {f["key"] for f in schema}
    unknown = [k for k in template.get("field_order") or [] if k not in keys]
    if unknown:
        problems.append(f"版式字段顺序中有照面信息项以外的字段：{'、'.join(unknown)}")
    problems += variant_problems(template.get("variants"), keys)
    for axis, limit in (("seal_x", PAGE_WIDTH), ("seal_y", PAGE_HEIGHT)):
        value = template.get(axis)
        if value is None:
            continue
        if not isinstance(value, int) or not 0 <= value <= limit:
            problems.append(f"印章位置{'横' if axis == 'seal_x' else '纵'}坐标应为0–{limit}的整数（单位：磅，自页面左下角起）")
    return problems


def field_order(template: dict, schema: list[dict]) -> list[dict]:
    """The schema's fields in the template's order (the rest after, in schema order)."""
    by_key = {f["key"]: f for f in schema}
    ordered = [by_key[k] for k in template.get("field_order") or [] if k in by_key]
    return ordered + [f for f in schema if f not in ordered]


# 版式变体: a type whose licences print differently by what they state — the 营业执照 of a 个体工商户
# (类型 个体工商户) prints 经营者 and 经营场所, no 法定代表人 nor 注册资本. A variant is
# {"when": {field key: value}, "fields": [keys in print order], "labels": {key: label printed}}; a
# licence whose face data matches every ``when`` value prints the variant's fields (the first
# variant that matches). Any other licence prints the template's order without the fields that only
# variants name (a key in a variant's fields and not in a non-empty ``field_order``).
MAX_VARIANTS = 10


def variant_problems(variants, keys: set[str]) -> list[str]:
    if not variants:
        return []
    if not isinstance(variants, list) or len(variants) > MAX_VARIANTS:
        return [f"版式变体最多{MAX_VARIANTS}个"]
    problems = []
    for i, v in enumerate(variants, start=1):
        where = f"版式变体{i}"
        when, fields, labels = (v.get(k) if isinstance(v, dict) else None for k in ("when", "fields", "labels"))
        if not isinstance(when, dict) or not when:
            problems.append(f"{where}缺少适用条件（照面信息项 = 值）")
        else:
            unknown = [k for k in when if k not in keys]
            if unknown or not all(str(val or "").strip() for val in when.values()):
                problems.append(f"{where}的适用条件应为照面信息项及其值：{'、'.join(unknown) or '值不能为空'}")
        if not isinstance(fields, list) or not fields or any(k not in keys for k in fields):
            unknown = [str(k) for k in fields or [] if k not in keys] if isinstance(fields, list) else []
            problems.append(f"{where}的打印字段应为照面信息项：{'、'.join(unknown) or '不能为空'}")
        if labels is not None and (not isinstance(labels, dict) or any(
                k not in keys or not 1 <= len(str(label or "").strip()) <= 40 for k, label in labels.items())):
            problems.append(f"{where}的打印名称应为照面信息项及1至40个字的名称")
    return problems


def variant_for(template: dict, data: dict) -> dict | None:
    """The first of the template's variants whose condition the face data meets, or None."""
    for v in (template or {}).get("variants") or []:
        when = v.get("when") or {}
        if when and all(str(data.get(k) or "") == str(value) for k, value in when.items()):
            return v
    return None


def printed_fields(template: dict, schema: list[dict], data: dict) -> list[dict]:
    """The fields a licence stating ``data`` prints, in order, each with the label printed."""
    template = template or {}
    by_key = {f["key"]: f for f in schema}
    variant = variant_for(template, data)
    if variant is not None:
        labels = variant.get("labels") or {}
        return [{**by_key[k], "label": labels.get(k) or by_key[k]["label"]}
                for k in variant.get("fields") or [] if k in by_key]
    only_variants = _only_variants(template)
    return [f for f in field_order(template, schema) if f["key"] not in only_variants]


def _only_variants(template: dict) -> set[str]:
    """The fields only variants print: named in a variant and not in a non-empty ``field_order``."""
    order = set(template.get("field_order") or [])
    return {k for v in template.get("variants") or [] for k in v.get("fields") or []} - order if order else set()


def variants_shown(template: dict, schema: list[dict]) -> dict:
    """The type's 版式变体 as its editor shows them, read-only: each variant's condition in words
    (``类型 = 个体工商户``) and the rows it prints (the label printed, and the field's own label when
    the variant renames it), and the fields the type's other licences do not print."""
    template = template or {}
    by_key = {f["key"]: f for f in schema}

    def label(key: str) -> str:
        return str((by_key.get(key) or {}).get("label") or key)

    variants = []
    for v in template.get("variants") or []:
        labels = v.get("labels") or {}
        when = " 且 ".join(f"{label(k)} = {value}" for k, value in (v.get("when") or {}).items())
        rows = [{"key": k, "label": labels.get(k) or label(k),
                 "field_label": label(k) if labels.get(k) and labels[k] != label(k) else ""}
                for k in v.get("fields") or []]
        variants.append({"when": when, "rows": rows, "renamed": [r for r in rows if r["field_label"]]})
    only = _only_variants(template)
    hidden = [label(f["key"]) for f in field_order(template, schema) if f["key"] in only]
    return {"variants": variants, "hidden": hidden}


DEFAULT_SEAL = (400, 150)


def seal_position(template: dict) -> tuple[int, int]:
    return (int(template.get("seal_x", DEFAULT_SEAL[0])), int(template.get("seal_y", DEFAULT_SEAL[1])))


# -- validity -----------------------------------------------------------------------------------
def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def valid_until(issued_on: dt.date, years: int | None) -> dt.date | None:
    """The last day of validity (None: 长期有效)."""
    if years in (None, 0):
        return None
    return add_years(issued_on, int(years))


def is_past(valid_until_: dt.date | None, today: dt.date) -> bool:
    return valid_until_ is not None and today > valid_until_


# -- status table -------------------------------------------------------------------------------
class Status(StrEnum):
    VALID = "valid"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Actor(StrEnum):
    STAFF = "staff"  # 发证部门工作人员
    CASE = "case"  # a later case of the same holder (变更/注销 on application)
    SYSTEM = "system"  # the expiry job


STATUS_LABELS = {Status.VALID: "有效", Status.SUPERSEDED: "已变更", Status.CANCELLED: "已注销",
                 Status.REVOKED: "已吊销", Status.EXPIRED: "已过期"}
FINAL = frozenset({Status.SUPERSEDED, Status.CANCELLED, Status.REVOKED, Status.EXPIRED})
PEOPLE = {Actor.STAFF, Actor.CASE}

MACHINE = StateMachine([
    t("change", {Status.VALID}, Status.SUPERSEDED, PEOPLE, "变更"),
    t("cancel", {Status.VALID}, Status.CANCELLED, PEOPLE, "注销"),
    t("revoke", {Status.VALID}, Status.REVOKED, PEOPLE, "吊销"),
    t("expire", {Status.VALID}, Status.EXPIRED, {Actor.SYSTEM}, "过期"),
], noun="证照", state_labels=STATUS_LABELS, state=Status, actor=Actor,
    wrong_state="该证照{state}，不能再{action}：已变更、注销、吊销或过期的证照不可再变动")


def refusal_for(status: str, action: str) -> str | None:
    """Why ``action`` may not happen to a licence in ``status`` (None: it may)."""
    from zhengwu.core.statemachine import TransitionRefused

    try:
        MACHINE.check(status, action)
    except TransitionRefused as exc:
        return exc.message
    return None


REASON_MIN, REASON_MAX = 4, 300


def reason_problem(reason: str, action_label: str) -> str | None:
    text = (reason or "").strip()
    if len(text) < REASON_MIN:
        return f"{action_label}原因不能少于{REASON_MIN}个字：请写明事实和依据"
    if len(text) > REASON_MAX:
        return f"{action_label}原因最多{REASON_MAX}个字"
    return None


# -- what a verifier sees -----------------------------------------------------------------------
def seen_status(status: str, valid_until_: dt.date | None, today: dt.date) -> tuple[str, str]:
    """(status, label) as a verifier sees it: a 有效 licence past its last day is 已过期 even
    before the expiry job has marked it."""
    status = Status(status)
    if status == Status.VALID and is_past(valid_until_, today):
        status = Status.EXPIRED
    return status.value, STATUS_LABELS[status]


# -- serials and numbers ------------------------------------------------------------------------
def make_serial(issued_on: dt.date, sequence: int) -> str:
    """顺序号: the year of issue + a 10-digit sequence (the registry row's number), unique
    within a type and issuer and kept by every later version of the same licence."""
    if sequence < 1 or sequence >= 10**10:
        raise ValueError("sequence out of range")
    return f"{issued_on:%Y}{sequence:010d}"


def make_number(type_code: str, serial: str) -> str:
    """证照编号 printed on the licence: the type's 3-digit sequence + the serial."""
    return f"{type_code[18:21]}{serial}"


# -- canonical data (what is signed) ------------------------------------------------------------
def canonical(identifier: str, type_code: str, holder: dict, issuer: dict, dates: dict, data: dict) -> bytes:
    """Sorted-key JSON of what a licence states; the bytes the issuer signs."""
    body = {"identifier": identifier, "type": type_code, "holder": holder, "issuer": issuer, "dates": dates,
            "data": data}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


# -- names as the catalogue writes them --------------------------------------------------------
NATIONAL_PREFIX = "中华人民共和国"
_TRAILING_REMARK = re.compile(r"[（(][^（）()]*[）)]\s*$")


def bare_name(name: str) -> str:
    """A licence name without its trailing remarks in brackets and the national prefix, as the
    catalogue's texts vary: 医师执业证书（电子证照） → 医师执业证书, 中华人民共和国居民身份证 → 居民身份证,
    营业执照（正、副本及电子营业执照） → 营业执照."""
    name = (name or "").strip()
    while _TRAILING_REMARK.search(name):
        name = _TRAILING_REMARK.sub("", name).strip()
    return name.removeprefix(NATIONAL_PREFIX).strip() or (name or "").strip()

