"""core.forms.NamedErrorsMixin: every Django default message of a portal form names the field
and the rule; a message the form sets itself stays."""

from django import forms

from zhengwu.core.forms import NamedErrorsForm


class Sample(NamedErrorsForm):
    name = forms.CharField(label="姓名", max_length=5, min_length=2)
    count = forms.IntegerField(label="份数", min_value=1, max_value=9)
    day = forms.DateField(label="日期", required=False)
    kind = forms.ChoiceField(label="类别", choices=[("a", "甲")], required=False)
    ratio = forms.CharField(label="比例%", max_length=2, required=False)
    own = forms.CharField(label="自定", error_messages={"required": "请填写自定内容"})
    bare = forms.IntegerField(required=False)


def errors(**data):
    form = Sample(data)
    assert not form.is_valid()
    return {k: list(v) for k, v in form.errors.items()}


def test_required_and_lengths_name_the_field():
    e = errors(name="", count="")
    assert e["name"] == ["姓名：必填"] and e["count"] == ["份数：必填"]
    assert errors(name="张" * 7)["name"] == ["姓名：不能超过 5 个字（现在 7 个）"]
    assert errors(name="张")["name"] == ["姓名：至少 2 个字（现在 1 个）"]


def test_values_dates_choices_and_a_percent_in_the_label():
    e = errors(count="x", day="2026-13-40", kind="z", ratio="123")
    assert e["count"] == ["份数：应为整数"]
    assert e["day"] == ["日期：日期格式不正确，应为 年-月-日"]
    assert e["kind"] == ["类别：请从列表中选择"]
    assert e["ratio"] == ["比例%：不能超过 2 个字（现在 3 个）"]
    assert errors(count="0")["count"] == ["份数：不能小于 1"]
    assert errors(count="10")["count"] == ["份数：不能大于 9"]


def test_own_messages_stay_and_a_field_without_label_says_the_rule():
    e = errors(own="", bare="x")
    assert e["own"] == ["请填写自定内容"]
    assert e["bare"] == ["应为整数"]


def test_inputs_carry_maxlength():
    form = Sample()
    assert form.fields["name"].widget.attrs["maxlength"] == "5"
