"""The application form (申报表单) drawn from an item's JSON Schema and read back from a post."""

from django.http import QueryDict
from django.template.loader import render_to_string

from zhengwu.cases import forms_schema, formrender

SCHEMA = {
    "type": "object",
    "required": ["shop_name", "area", "kind"],
    "x-order": ["applicant_name", "shop_name", "kind", "area", "staff", "opened_on", "chain", "scope", "plan"],
    "properties": {
        "area": {"type": "number", "title": "经营面积（平方米）", "minimum": 1, "description": "按营业执照填写"},
        "applicant_name": {"type": "string", "title": "申请人名称", "x-prefill": "name"},
        "shop_name": {"type": "string", "title": "店铺名称", "minLength": 2, "maxLength": 50, "examples": ["老王小吃"]},
        "kind": {"type": "string", "title": "经营类型", "enum": ["dine", "takeaway"], "x-enum-titles": ["堂食", "外卖"]},
        "staff": {"type": "integer", "title": "从业人员数"},
        "opened_on": {"type": "string", "format": "date", "title": "开业日期"},
        "chain": {"type": "boolean", "title": "连锁经营"},
        "scope": {"type": "array", "title": "经营项目", "items": {"enum": ["热食", "冷食", "饮品"]}},
        "plan": {"type": "string", "title": "经营方案", "maxLength": 2000},
    },
}


def post(**data):
    q = QueryDict(mutable=True)
    for k, v in data.items():
        if isinstance(v, list):
            q.setlist(f"f_{k}", v)
        else:
            q[f"f_{k}"] = v
    return q


def by_key(fields):
    return {f.key: f for f in fields}


def test_fields_follow_x_order_and_pick_a_widget_per_type():
    fields = formrender.fields(SCHEMA, {"applicant_name": "王小吃"}, readonly_keys={"applicant_name"})
    assert [f.key for f in fields] == SCHEMA["x-order"]
    f = by_key(fields)
    assert f["applicant_name"].readonly and f["applicant_name"].value == "王小吃"
    # Without 统一身份认证 the prefilled values came from registration (docs/identity.md).
    assert f["applicant_name"].note == "来自注册信息"
    verified = formrender.fields(SCHEMA, {"applicant_name": "王小吃"}, readonly_keys={"applicant_name"},
                                 readonly_note="来自实名认证信息")
    assert by_key(verified)["applicant_name"].note == "来自实名认证信息"
    assert f["shop_name"].widget == "text" and f["shop_name"].required
    assert f["shop_name"].attrs == {"minlength": 2, "maxlength": 50, "placeholder": "例如：老王小吃"}
    assert f["kind"].widget == "select" and [(c.value, c.label) for c in f["kind"].choices] == [
        ("dine", "堂食"), ("takeaway", "外卖")]
    assert f["area"].widget == "number" and f["area"].attrs["step"] == "any" and f["area"].attrs["min"] == "1"
    assert f["area"].description == "按营业执照填写"
    assert f["staff"].attrs["step"] == "1"
    assert f["opened_on"].widget == "date"
    assert f["chain"].widget == "checkbox" and not f["chain"].required
    assert f["scope"].widget == "checkboxes" and [c.label for c in f["scope"].choices] == ["热食", "冷食", "饮品"]
    assert f["plan"].widget == "textarea"


def test_without_x_order_required_fields_come_first():
    schema = {"type": "object", "required": ["b"], "properties": {
        "a": {"type": "string", "title": "甲"}, "b": {"type": "string", "title": "乙"}}}
    assert [f.key for f in formrender.fields(schema)] == ["b", "a"]


def test_parse_types_values_and_full_width_digits():
    data, errors, _raw = formrender.parse(SCHEMA, post(
        shop_name=" 老王小吃 ", area="３０．５", kind="takeaway", staff="12", opened_on="2026-03-01", chain="true",
        scope=["热食", "饮品"], plan=""))
    assert errors == {}
    assert data == {"shop_name": "老王小吃", "area": 30.5, "kind": "takeaway", "staff": 12,
                    "opened_on": "2026-03-01", "chain": True, "scope": ["热食", "饮品"]}
    assert "plan" not in data  # empty inputs are left out, so that required can report them


def test_parse_reports_unreadable_values_in_chinese_naming_the_field():
    data, errors, raw = formrender.parse(SCHEMA, post(area="三十", staff="1.5", opened_on="2026-02-30",
                                                      kind="bar", scope=["烧烤"]))
    assert errors == {
        "area": ["经营面积（平方米）：应为数字"],
        "staff": ["从业人员数：应为整数"],
        "opened_on": ["开业日期：日期格式应为 年-月-日，如 2026-03-01"],
        "kind": ["经营类型：只能从列表中选择"],
        "scope": ["经营项目：只能从列表中选择"],
    }
    assert raw["area"] == "三十"  # shown again as typed
    assert data["chain"] is False and "area" not in data


def test_required_and_rules_come_from_the_schema_validation():
    data, errors, _ = formrender.parse(SCHEMA, post(shop_name="王", area="0"))
    assert errors == {}
    messages = forms_schema.validate(SCHEMA, data)
    assert messages["shop_name"] == ["店铺名称：至少2个字"]
    assert messages["area"] == ["经营面积（平方米）：不能小于1"]
    assert messages["kind"] == ["经营类型：必填"]


def test_prefilled_values_win_over_what_is_posted():
    data, _, _ = formrender.parse(SCHEMA, post(applicant_name="别人"), fixed={"applicant_name": "王小吃"})
    assert data["applicant_name"] == "王小吃"


def test_integer_enum_keeps_its_type():
    schema = {"type": "object", "properties": {"floors": {"type": "integer", "title": "楼层", "enum": [1, 2, 3]}}}
    data, errors, _ = formrender.parse(schema, post(floors="2"))
    assert data == {"floors": 2} and not errors
    [field] = formrender.fields(schema, data)
    assert [c.selected for c in field.choices] == [False, True, False]


def test_template_draws_labels_errors_and_escapes_values():
    fields = formrender.fields(SCHEMA, {"shop_name": '"><script>alert(1)</script>'},
                               {"area": ["经营面积（平方米）：必填"]})
    html = render_to_string("cases/applicant/_schema_fields.html", {"fields": fields})
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert '<label class="form-label" for="field-4">经营面积（平方米）' in html
    assert "经营面积（平方米）：必填" in html and "is-invalid" in html
    assert 'type="date"' in html and '<option value="dine">堂食</option>' in html


def test_empty_schema_renders_a_note():
    assert formrender.fields({}) == []
    html = render_to_string("cases/applicant/_schema_fields.html", {"fields": []})
    assert "本事项无需填写申请表" in html


def test_full_width_punctuation_in_a_choice_and_in_free_text_is_kept():
    schema = {"type": "object", "properties": {
        "form": {"type": "string", "title": "组织形式", "enum": ["有限责任公司（自然人独资）", "个人独资企业"]},
        "plan": {"type": "string", "title": "经营方案"},
        "area": {"type": "number", "title": "面积"},
    }}
    data, errors, _raw = formrender.parse(schema, post(form="有限责任公司（自然人独资）", plan="堂食（二楼）", area="３０．５"))
    assert errors == {}
    assert data == {"form": "有限责任公司（自然人独资）", "plan": "堂食（二楼）", "area": 30.5}
