"""免申即享 rules as unit tests (no database): validation, every operator, age edges, explanations."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.benefits import rules

D = dt.date
REF = D(2026, 12, 4)


def person(**kw):
    base = {"birth_date": D(1940, 1, 1), "gender": "男", "region_code": "410105001000", "alive": True,
            "nation": "汉族"}
    base.update(kw)
    return base


def legal(**kw):
    base = {"kind": "有限责任公司（自然人投资或控股）", "status": "存续", "established_on": D(2024, 6, 1),
            "region_code": "410105", "registered_capital": "100万元人民币"}
    base.update(kw)
    return base


def ok(kind, conds, record, ref=REF):
    return rules.evaluate(kind, rules.validate(kind, conds), record, ref)[0]


# -- validation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("conds, message", [
    ([], "请至少设置一条资格条件"),
    ([{"field": "salary", "op": "gte", "value": 1}], "第1条条件（未选择条件项）：请选择条件项"),
    ([{"field": "age", "op": "eq", "value": 80}], "第1条条件（年龄）：比较方式应为不小于、不大于、介于"),
    ([{"field": "age", "op": "gte", "value": "八十"}], "第1条条件（年龄）：年龄应为 0–150 的整数"),
    ([{"field": "age", "op": "gte", "value": 151}], "第1条条件（年龄）：年龄应为 0–150 的整数"),
    ([{"field": "age", "op": "between", "value": 60, "value2": 50}], "第1条条件（年龄）：年龄上限不能小于下限"),
    ([{"field": "age", "op": "between", "value": 60}], "第1条条件（年龄）：年龄上限应为 0–150 的整数"),
    ([{"field": "gender", "op": "eq", "value": "M"}], "第1条条件（性别）：性别应为 男 或 女"),
    ([{"field": "region", "op": "prefix", "value": "41a"}], "第1条条件（户籍区划）：区划代码应为 2–12 位数字"),
    ([{"field": "alive", "op": "eq", "value": "maybe"}], "第1条条件（在世状态）：在世状态应为 在世 或 已故"),
    ([{"field": "nation", "op": "eq", "value": " "}], "第1条条件（民族）：请填写 1–60 个字的取值"),
    ([{"field": "age", "op": "gte", "value": 80}, "x"], "第2条条件：格式不正确"),
])
def test_bad_person_rules_name_the_condition(conds, message):
    with pytest.raises(rules.RuleError) as exc:
        rules.validate("person", conds)
    assert any(m.startswith(message) for m in exc.value.messages), exc.value.messages


@pytest.mark.parametrize("conds, message", [
    ([{"field": "age", "op": "gte", "value": 1}], "第1条条件（未选择条件项）"),  # a person field on a legal policy
    ([{"field": "established_on", "op": "after", "value": "2024-13-01"}], "第1条条件（成立日期）：日期格式应为 YYYY-MM-DD"),
    ([{"field": "established_on", "op": "within_years", "value": 0}], "第1条条件（成立日期）：年数应为 1–100 的整数"),
    ([{"field": "registered_capital", "op": "lte", "value": "-5"}], "第1条条件（注册资本（万元））：注册资本应为不小于 0 的数字"),
])
def test_bad_legal_rules_name_the_condition(conds, message):
    with pytest.raises(rules.RuleError) as exc:
        rules.validate("legal", conds)
    assert any(m.startswith(message) for m in exc.value.messages), exc.value.messages


def test_every_bad_condition_is_reported_and_unknown_kind_refused():
    with pytest.raises(rules.RuleError) as exc:
        rules.validate("person", [{"field": "age", "op": "gte", "value": "x"}, {"field": "gender", "op": "eq", "value": "?"}])
    assert [m[:6] for m in exc.value.messages] == ["第1条条件（", "第2条条件（"]
    with pytest.raises(rules.RuleError):
        rules.validate("robot", [{"field": "age", "op": "gte", "value": 1}])
    with pytest.raises(rules.RuleError, match="最多"):
        rules.validate("person", [{"field": "alive", "op": "eq", "value": True}] * (rules.MAX_CONDITIONS + 1))


def test_validate_cleans_values():
    got = rules.validate("person", [{"field": "age", "op": "gte", "value": " 80 "}, {"field": "alive", "op": "eq", "value": "在世"},
                                    {"field": "region", "op": "prefix", "value": "410105"}])
    assert got == [{"field": "age", "op": "gte", "value": 80}, {"field": "alive", "op": "eq", "value": True},
                   {"field": "region", "op": "prefix", "value": "410105"}]


# -- age ----------------------------------------------------------------------------------------
def test_birthday_today_counts():
    assert rules.age_on(D(1946, 12, 4), REF) == 80
    assert rules.age_on(D(1946, 12, 5), REF) == 79
    conds = [{"field": "age", "op": "gte", "value": 80}]
    assert ok("person", conds, person(birth_date=D(1946, 12, 4)))
    assert not ok("person", conds, person(birth_date=D(1946, 12, 5)))


def test_leap_day_birthday_is_first_of_march_in_a_common_year():
    born = D(1944, 2, 29)
    assert rules.age_on(born, D(2025, 2, 28)) == 80
    assert rules.age_on(born, D(2024, 2, 28)) == 79
    assert rules.age_on(born, D(2024, 2, 29)) == 80
    assert rules.age_on(born, D(2023, 2, 28)) == 78
    assert rules.age_on(born, D(2023, 3, 1)) == 79
    assert rules.years_before(D(2024, 2, 29), 1) == D(2023, 2, 28)


def test_age_operators():
    lte = [{"field": "age", "op": "lte", "value": 35}]
    assert ok("person", lte, person(birth_date=D(1991, 12, 5)))  # 34
    assert ok("person", lte, person(birth_date=D(1991, 12, 4)))  # 35 today
    assert not ok("person", lte, person(birth_date=D(1990, 12, 4)))  # 36 today
    between = [{"field": "age", "op": "between", "value": 60, "value2": 69}]
    assert ok("person", between, person(birth_date=D(1966, 12, 4)))  # 60
    assert ok("person", between, person(birth_date=D(1956, 12, 5)))  # 69
    assert not ok("person", between, person(birth_date=D(1956, 12, 4)))  # 70
    assert not ok("person", between, person(birth_date=D(1966, 12, 5)))  # 59
    ok_, why = rules.evaluate("person", between, person(birth_date=None), REF)
    assert not ok_ and why[0]["actual"] == "出生日期未登记"


def test_other_person_operators():
    assert ok("person", [{"field": "gender", "op": "eq", "value": "女"}], person(gender="女"))
    assert not ok("person", [{"field": "gender", "op": "eq", "value": "女"}], person(gender="男"))
    assert ok("person", [{"field": "region", "op": "prefix", "value": "410105"}], person())
    assert not ok("person", [{"field": "region", "op": "prefix", "value": "410102"}], person())
    assert ok("person", [{"field": "alive", "op": "eq", "value": True}], person())
    assert not ok("person", [{"field": "alive", "op": "eq", "value": True}], person(alive=False))
    assert ok("person", [{"field": "nation", "op": "eq", "value": "回族"}], person(nation="回族"))
    assert not ok("person", [{"field": "nation", "op": "eq", "value": "回族"}], person())


def test_legal_operators():
    assert ok("legal", [{"field": "kind", "op": "contains", "value": "有限责任公司"}], legal())
    assert not ok("legal", [{"field": "kind", "op": "contains", "value": "个体"}], legal())
    assert ok("legal", [{"field": "status", "op": "eq", "value": "存续"}], legal())
    assert not ok("legal", [{"field": "status", "op": "eq", "value": "存续"}], legal(status="注销"))
    after = [{"field": "established_on", "op": "after", "value": "2024-06-01"}]
    assert ok("legal", after, legal()) and not ok("legal", after, legal(established_on=D(2024, 5, 31)))
    before = [{"field": "established_on", "op": "before", "value": "2024-06-01"}]
    assert ok("legal", before, legal()) and not ok("legal", before, legal(established_on=D(2024, 6, 2)))
    within = [{"field": "established_on", "op": "within_years", "value": 3}]
    assert ok("legal", within, legal(established_on=D(2023, 12, 5)))
    assert not ok("legal", within, legal(established_on=D(2023, 12, 4)))  # exactly 3 years: not within
    assert not ok("legal", within, legal(established_on=None))
    assert ok("legal", [{"field": "region", "op": "prefix", "value": "4101"}], legal())


@pytest.mark.parametrize("text, amount", [("100万元人民币", 100), ("100万元", 100), ("50.5万", 50.5),
                                          ("500000元", 50), ("100万美元", None), ("", None), ("若干", None)])
def test_registered_capital_parsing(text, amount):
    assert rules.parse_capital(text) == amount


def test_registered_capital_condition_and_unparseable_is_not_eligible():
    cap = [{"field": "registered_capital", "op": "lte", "value": 100}]
    assert ok("legal", cap, legal(registered_capital="100万元人民币"))
    assert not ok("legal", cap, legal(registered_capital="101万元人民币"))
    eligible, why = rules.evaluate("legal", rules.validate("legal", cap), legal(registered_capital="100万美元"), REF)
    assert not eligible and "无法识别" in why[0]["actual"]


def test_explanation_names_each_condition_and_its_actual_value():
    conds = rules.validate("person", [{"field": "age", "op": "gte", "value": 80},
                                      {"field": "region", "op": "prefix", "value": "410102"}])
    eligible, why = rules.evaluate("person", conds, person(birth_date=D(1944, 3, 1)), REF)
    assert not eligible
    assert why == [{"label": "年龄 ≥ 80 周岁", "actual": "82 周岁", "ok": True},
                   {"label": "户籍区划属于 410102", "actual": "410105001000", "ok": False}]
    # the birth date itself is never part of the explanation (personal data)
    assert "1944" not in str(why)
    named = {"410102": "中原区（410102）", "410105001000": "金水区（410105001000）"}
    _, why = rules.evaluate("person", conds, person(birth_date=D(1944, 3, 1)), REF, region_name=named.get)
    assert why[1] == {"label": "户籍区划属于中原区（410102）", "actual": "金水区（410105001000）", "ok": False}


def test_compile_q_leaves_capital_to_evaluate():
    q = rules.compile_q("legal", rules.validate("legal", [{"field": "registered_capital", "op": "lte", "value": 1}]), REF)
    assert not q.children
    q = rules.compile_q("person", rules.validate("person", [{"field": "age", "op": "gte", "value": 80}]), REF)
    assert q.children == [("birth_date__lte", D(1946, 12, 4))]
