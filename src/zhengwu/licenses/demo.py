"""Demo 证照类型 for the demo items that issue licences, and two licences issued through the
service (sealed and signed like any other): the demo citizen's 居民身份证 and the demo
enterprise's 营业执照. Idempotent: existing types and licences are left alone.

Type codes are the issuing demo department's USCC + a 3-digit sequence (GB/T 36904); the
catalogue's result names (``医师执业证书（电子证照）``, ``中华人民共和国居民身份证``) find their
type by :func:`zhengwu.licenses.services.issuing.licence_type_for_item`.

A type's fields are what the real licence prints, each filled by the demo item's form field of the
same key or the same title (:mod:`zhengwu.catalog.data.demo.forms`): the 食品经营许可证 states
经营者名称、社会信用代码、法定代表人（负责人）、住所、经营场所、主体业态、经营项目、日常监督管理机构、
投诉举报电话、签发人 and 签发日期 (《食品经营许可和备案管理办法》, 国家市场监督管理总局令第78号; 许可证编号、
有效期 and 发证机关 the PDF prints for every type; 日常监督管理人员 is left off). A demo type still exactly as an earlier demo made it
(:data:`EARLIER`) is brought up to date when the demo loads again; one an administrator changed
is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction


def _f(key, label, kind="string", required=False, default=""):
    field = {"key": key, "label": label, "type": kind, "required": required}
    return {**field, "default": default} if default else field


NAME, ID, USCC, CODE = (_f("name", "姓名", required=True), _f("id_number", "公民身份号码", required=True),
                        _f("uscc", "统一社会信用代码", required=True), _f("holder_code", "证件号码", required=True))
ISSUED = _f("issued_on", "签发日期", "date")

FOOD_FIELDS = [_f("name", "经营者名称", required=True), _f("holder_code", "社会信用代码（身份证号码）", required=True),
               _f("legal_rep", "法定代表人（负责人）"), _f("residence", "住所"), _f("shop_address", "经营场所"),
               _f("main_business", "主体业态"), _f("business_scope", "经营项目"), _f("issuer", "日常监督管理机构"),
               _f("complaint_phone", "投诉举报电话", default="12315"), ISSUED]  # before 签发人 was added

BUSINESS_FIELDS_2026 = [  # the 营业执照 as the demo made it before the 个体工商户 face
    _f("name", "名称", required=True), USCC, _f("company_type", "类型"), _f("legal_rep", "法定代表人"),
    _f("organisation", "组成形式"), _f("registered_capital", "注册资本（万元）", "number"),
    _f("shop_address", "住所（经营场所）"), _f("business_scope", "经营范围"), _f("issued_on", "登记日期", "date")]
BUSINESS_FIELDS = [*BUSINESS_FIELDS_2026[:4], _f("operator", "经营者"), *BUSINESS_FIELDS_2026[4:]]

# Templates beyond the title and every field in order. The 营业执照 of a 个体工商户 (类型 个体工商户)
# prints the national 个体工商户 face — 统一社会信用代码、名称、类型、经营者、组成形式、经营场所、经营范围、
# 注册日期 — without 法定代表人 or 注册资本 (《市场主体登记管理条例实施细则》第六条 lists what a
# 个体工商户 registers: 组成形式、经营范围、经营场所 and its 经营者; 资金数额 is not printed); every other
# licence of the type prints the company face, without 经营者.
TEMPLATES = {
    "营业执照": {
        "field_order": [f["key"] for f in BUSINESS_FIELDS_2026],
        "variants": [{"when": {"company_type": "个体工商户"},
                      "fields": ["uscc", "name", "company_type", "operator", "organisation", "shop_address",
                                 "business_scope", "issued_on"],
                      "labels": {"shop_address": "经营场所", "issued_on": "注册日期"}}],
    },
}


def _template(name: str, fields: list[dict]) -> dict:
    """The template data the type service takes for a demo type: its field order and variants."""
    extra = TEMPLATES.get(name) or {}
    return {"field_order": extra.get("field_order") or [f["key"] for f in fields],
            "variants": extra.get("variants") or []}


# name, defining/issuing department (demo short name), sequence, holder kind, years, fields, title
TYPES = [
    ("居民身份证", "公安分局", "001", "person", 20, [NAME, ID, _f("address", "住址"), ISSUED], "中华人民共和国居民身份证"),
    # 个体工商户设立登记 and 企业设立登记 fill 类型、注册资本、组成形式 and 住所（经营场所） by their forms' keys;
    # 经营者 (a 个体工商户's, the applicant) is printed only on a 个体工商户's face (:data:`TEMPLATES`).
    ("营业执照", "市场监管局", "001", "legal", None, BUSINESS_FIELDS, "营业执照"),
    # 日常监督管理机构: the issuing 市场监管局 (the system's ``issuer``); 12315: 全国市场监管投诉举报热线;
    # 签发人: the official who decided (the system's, see issuing.signatory_of). 日常监督管理人员 is
    # not on it: the platform records no officer assigned to a licensee.
    ("食品经营许可证", "市场监管局", "002", "legal", 5,
     [*FOOD_FIELDS[:-1], _f("signatory", "签发人"), ISSUED], "食品经营许可证"),
    ("医师执业证书", "卫健委", "001", "person", None,
     [NAME, ID, _f("practice_org", "执业机构"), _f("practice_scope", "执业范围"), ISSUED], "医师执业证书"),
    ("护士执业证书", "卫健委", "002", "person", 5, [NAME, ID, _f("practice_org", "执业机构"), ISSUED], "护士执业证书"),
    ("不动产权证书", "不动产登记中心", "001", "person", None,
     [_f("name", "权利人", required=True), CODE, _f("location", "坐落"), _f("area", "面积（平方米）", "number"), ISSUED],
     "不动产权证书"),
]

# The fields earlier demos gave a type (name → fields): such a type, unchanged since, is updated.
EARLIER = {
    "营业执照": [[_f("name", "名称", required=True), USCC, _f("legal_rep", "法定代表人"),
                  _f("business_scope", "经营范围"), _f("issued_on", "登记日期", "date")], BUSINESS_FIELDS_2026],
    "食品经营许可证": [[_f("name", "经营者名称", required=True),
                       _f("holder_code", "社会信用代码（身份证号码）", required=True),
                       _f("business_scope", "经营项目"), ISSUED], FOOD_FIELDS],
}


def ensure_types() -> int:
    """The demo licence types with their issuing departments' codes; the catalogue's demo calls
    this before it links its licence names, so that they find these types rather than register
    placeholders. Returns how many were created (a type as an earlier demo left it is updated)."""
    from zhengwu.org.models import Department

    from .models import LicenceType
    from .services import types

    made = 0
    for name, short, seq, holder_kind, years, fields, title in TYPES:
        existing = LicenceType.objects.filter(name=name).first()
        if existing is not None:
            _update_earlier(existing, fields)
            continue
        dept = Department.objects.filter(short_name=short, uscc__isnull=False).order_by("pk").first()
        if dept is None:
            continue
        types.create_type(None, {
            "name": name, "code": f"{dept.uscc}{seq}", "holder_kind": holder_kind, "departments": [dept.pk],
            "validity_years": years, "fields_schema": fields, "title": title, **_template(name, fields)})
        made += 1
    return made


def _update_earlier(t, fields: list[dict]) -> bool:
    """The demo's current fields for a type still exactly as an earlier demo made it (its fields and
    field order untouched), through the types service (audited); everything else of the type kept."""
    from .services import types

    template = t.template or {}
    earlier = EARLIER.get(t.name) or []
    if t.fields_schema not in earlier or template.get("field_order") != [f["key"] for f in t.fields_schema]:
        return False
    types.update_type(None, t.pk, t.lock_version, {
        "name": t.name, "code": t.code, "holder_kind": t.holder_kind,
        "departments": list(t.departments.values_list("pk", flat=True)), "validity_years": t.validity_years,
        "fields_schema": fields, "title": template.get("title", ""), **_template(t.name, fields),
        "seal_x": template.get("seal_x"), "seal_y": template.get("seal_y"), "is_active": t.is_active})
    return True


def load(stdout) -> None:
    from zhengwu.accounts.demo import CITIZEN_ID, ENTERPRISE_USCC
    from zhengwu.accounts.models import Applicant
    from zhengwu.core.pii import blind_index

    from .models import Licence, LicenceType
    from .services import issuing

    made = ensure_types()
    issued = 0
    person = Applicant.objects.filter(kind="person", id_number_index=blind_index("id_number", CITIZEN_ID)).first()
    legal = Applicant.objects.filter(kind="legal", uscc=ENTERPRISE_USCC).first()
    wanted = [
        (person, "居民身份证", {"address": "河南省郑州市金水区花园路街道经三路68号"}, dt.date(2016, 3, 7)),
        (legal, "营业执照", {"legal_rep": legal.legal_rep_name if legal else "", "company_type": "有限责任公司（自然人独资）",
                          "registered_capital": 100, "shop_address": "河南省郑州市金水区经三路68号",
                          "business_scope": "餐饮服务；食品销售（仅销售预包装食品）"}, dt.date(2023, 5, 18)),
    ]
    for applicant, type_name, data, issued_on in wanted:
        t = LicenceType.objects.filter(name=type_name).first()
        if applicant is None or t is None:
            continue
        holder = ({"holder_uscc": applicant.uscc} if applicant.kind == "legal"
                  else {"holder_id_number_index": blind_index("id_number", CITIZEN_ID)})
        if Licence.objects.filter(type=t, status=Licence.Status.VALID, **holder).exists():
            continue
        issuer = t.departments.order_by("pk").first()
        with transaction.atomic():
            issuing.issue_direct(None, t, issuer, applicant, data, issued_on=issued_on)
        issued += 1
    stdout.write(f"演示电子证照：新增证照类型 {made} 种，颁发证照 {issued} 件")
