import pytest

from zhengwu.datashare import catalogue_rules as rules


@pytest.mark.parametrize("code", ["101001/000001", "2010010203/1", "399999123456789/0000000001"])
def test_good_codes(code):
    assert str(rules.parse_code(code)) == code


@pytest.mark.parametrize("code", ["", "101001", "101001-000001", "001001/000001", "100001/1", "101000/1",
                                  "101001/000000", "1010A1/1", "101001/12345678901", "101001/ 1"])
def test_bad_codes(code):
    with pytest.raises(ValueError):
        rules.parse_code(code)
    assert rules.code_error(code)


def test_code_parts_and_next_code():
    c = rules.parse_code("1020030405/000007")
    assert (c.cls, c.item, c.category, c.detail, c.sequence, c.prefix) == ("1", "02", "003", "0405", "000007",
                                                                          "1020030405")
    assert rules.next_code("101001", ["101001/000007", "101002/000009", "101001/x"]) == "101001/000008"
    assert rules.next_code("101001", []) == "101001/000001"


def test_sharing_rules():
    assert rules.sharing_errors("unconditional", "", "", "open") == {}
    assert "share_condition" in rules.sharing_errors("conditional", " ", "", "closed")
    assert rules.sharing_errors("conditional", "仅限核验", "", "closed") == {}
    assert "no_share_basis" in rules.sharing_errors("none", "", "", "closed")
    assert rules.sharing_errors("none", "", "《某法》第一条", "open") == {"open_type": "不予共享的资源不能向社会开放"}
    assert "share_type" in rules.sharing_errors("maybe", "", "", "closed")
    assert "registry" in rules.sharing_errors("unconditional", "", "", "closed", "car")


def test_field_rules():
    assert rules.field_errors([{"key": "id_number", "name": "身份证号", "length": 18}]) == []
    errs = rules.field_errors([{"key": "1bad", "name": ""}, {"key": "a", "name": "A", "length": "x"},
                               {"key": "A", "name": "B", "data_type": "图片"}, {"key": "b", "name": "b",
                                                                              "share_type": "x"}])
    joined = "\n".join(errs)
    assert "第1个信息项：字段标识须以字母开头" in joined and "信息项名称不能为空" in joined
    assert "第2个信息项：长度应为正整数" in joined and "第3个信息项：字段标识“A”重复" in joined
    assert "数据类型只能是" in joined and "第4个信息项：共享类型" in joined
    shared = [{"key": "a", "name": "A", "share_type": "unconditional"}, {"key": "b", "name": "B"}]
    assert rules.field_errors(shared, "conditional") == []
    assert rules.field_errors(shared, "none") == ["第1个信息项：资源不予共享，其信息项不能设为共享"]


def test_state_machine():
    assert rules.next_status("draft", "submit") == "review"
    assert rules.next_status("review", "approve") == "published"
    assert rules.next_status("review", "reject") == "draft"
    assert rules.next_status("published", "withdraw") == "withdrawn"
    assert rules.next_status("withdrawn", "submit") == "review"
    for status, action in [("draft", "approve"), ("published", "submit"), ("draft", "withdraw"), ("review", "x")]:
        with pytest.raises(ValueError):
            rules.next_status(status, action)


def test_is_open():
    assert rules.is_open("open", "published", 1)
    assert rules.is_open("open", "draft", 2)  # a revision keeps the last published version open
    assert not rules.is_open("open", "draft", 0)
    assert not rules.is_open("open", "withdrawn", 3)
    assert not rules.is_open("closed", "published", 1)
