"""统一社会信用代码 for a new 市场主体 (GB 32100-2015): the pure rules of the code, the local assigner's
counter (no code twice, also with two approvals at once) and the check of what an assigner answers."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test import override_settings
from stdnum.cn import uscc as std_uscc

from zhengwu.licenses import entity_rules as er

ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def gb11714_check(body8: str) -> str:
    """GB 11714-1997 §5, written out here independently of the project's helper."""
    total = sum(ORG_ALPHABET.index(c) * w for c, w in zip(body8, (3, 7, 9, 10, 5, 8, 4, 2)))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


# -- pure rules ---------------------------------------------------------------------------------
@pytest.mark.parametrize("category", ["1", "2", "3"])
@pytest.mark.parametrize("sequence", [1, 2, 30, 31, 961, 123456, er.MAX_SEQUENCE])
def test_new_code_is_valid_with_both_check_characters(category, sequence):
    code = er.new_uscc(category, "410105000000", sequence)
    assert std_uscc.is_valid(code), code
    assert len(code) == 18 and code[0] == "9" and code[1] == category and code[2:8] == "410105"
    body = code[8:16]
    assert body.startswith("MA") and all(c in er.DIGITS for c in body)
    assert code[16] == gb11714_check(body)  # the 组织机构代码's own check character
    assert code[17] == std_uscc.calc_check_digit(code[:17])  # the USCC's (GB/T 17710 MOD 31-3)


def test_sequences_give_distinct_bodies_and_the_range_is_guarded():
    bodies = {er.body_for(n) for n in range(1, 2000)}
    assert len(bodies) == 1999
    assert er.body_for(1) == "MA000001" and er.body_for(31) == "MA000010"
    for bad in (0, -1, er.MAX_SEQUENCE + 1):
        with pytest.raises(ValueError):
            er.body_for(bad)


def test_region_is_the_deciding_departments_county():
    assert er.new_uscc("2", "410105001000", 7)[2:8] == "410105"  # a street's office: its district
    assert er.new_uscc("1", "410100000000", 7)[2:8] == "410100"
    for bad in ("", "4101", "000000000000", "41A105000000"):
        with pytest.raises(ValueError):
            er.region6(bad)
    with pytest.raises(ValueError):
        er.new_uscc("4", "410105000000", 1)  # not a category of 登记管理部门 9


def test_which_items_register_an_entity_and_of_which_category():
    assert er.is_establishment("个体工商户设立登记") and er.is_establishment("企业设立登记")
    assert not er.is_establishment("企业变更登记") and not er.is_establishment("个体工商户注销登记")
    assert er.category_for("个体工商户设立登记") == "2"
    assert er.category_for("企业设立登记") == "1" and er.category_for("分公司设立登记") == "1"
    assert er.category_for("农民专业合作社设立登记") == "3"


def test_entity_name_from_the_form():
    assert er.entity_name({"company_name": " 郑州老王餐饮管理有限公司 "}) == "郑州老王餐饮管理有限公司"
    assert er.entity_name({"trade_name": "金水区老王小吃店", "applicant_name": "王小吃"}) == "金水区老王小吃店"
    assert er.entity_name({"applicant_name": "王小吃", "trade_name": ""}) == ""


# -- the local assigner -------------------------------------------------------------------------
@pytest.mark.django_db
def test_two_allocations_give_different_valid_codes():
    from zhengwu.licenses import uscc_assign

    entity = uscc_assign.NewEntity(name="金水区老王小吃店", category="2", region_code="410105000000")
    first, second = uscc_assign.assign(entity), uscc_assign.assign(entity)
    assert first != second and std_uscc.is_valid(first) and std_uscc.is_valid(second)
    assert first[:8] == second[:8] == "92410105"


@pytest.mark.django_db
def test_a_code_already_on_record_is_skipped(make_citizen):
    from zhengwu.accounts.services import register_legal
    from zhengwu.core.identifiers import make_id_number
    from zhengwu.licenses import uscc_assign

    value = uscc_assign.next_value()  # the sequence's number now; the next assignment would take value + 1
    taken = er.new_uscc("1", "410105000000", value + 1)
    register_legal(name="已登记公司", uscc=taken, legal_rep_name="刘企业",
                   legal_rep_id_number=make_id_number("41010519850612234"), phone="13803710002",
                   password="Zw@test-2026x", password2="Zw@test-2026x")
    code = uscc_assign.assign(uscc_assign.NewEntity(name="新公司", category="1", region_code="410105000000"))
    assert code != taken and code == er.new_uscc("1", "410105000000", value + 2)


class BadAssigner:
    code, label = "bad", "测试"
    answer = ""

    def assign(self, entity):
        return self.answer


@pytest.mark.django_db
@pytest.mark.parametrize("answer, message", [
    ("91410105MA000001X0", "不正确"),
    (er.new_uscc("1", "410105000000", 5), "不是市场监管登记的个体工商户代码"),
])
def test_what_a_plugin_answers_is_checked(answer, message):
    from zhengwu.licenses import uscc_assign

    BadAssigner.answer = answer
    uscc_assign._build.cache_clear()
    with override_settings(ZHENGWU_USCC_ASSIGNER=f"{__name__}.BadAssigner"):
        with pytest.raises(ValidationError, match=message):
            uscc_assign.assign(uscc_assign.NewEntity(name="小店", category="2", region_code="410105000000"))
    uscc_assign._build.cache_clear()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("counter", ["entity_code", "row_counter"])
def test_two_approvals_at_once_never_get_the_same_code(counter):
    """Two threads, each in its own transaction, allocate at the same moment and hold their
    transaction open a while (as an approval does while it seals the licence): different codes.
    ``entity_code`` is the assigner's own (a database sequence on PostgreSQL); ``row_counter`` the
    counter-row path other databases use."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL (SQLite runs one writer at a time)")
    from django.db import transaction

    from zhengwu.licenses import uscc_assign

    barrier, codes, errors = threading.Barrier(2), [], []
    entity = uscc_assign.NewEntity(name="并发小店", category="2", region_code="410105000000")

    def run():
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                if counter == uscc_assign.COUNTER:
                    code = uscc_assign.assign(entity)
                else:
                    code = er.new_uscc("2", "410105000000", uscc_assign.next_value(counter))
                threading.Event().wait(0.3)
            codes.append(code)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert len(codes) == 2 and codes[0] != codes[1], codes
    assert all(std_uscc.is_valid(c) for c in codes)
