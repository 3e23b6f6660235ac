"""What the reviewer reads of a draft's changes: structured guide fields as text, no false changes."""

from __future__ import annotations

from zhengwu.catalog.services import item_reads

FEE = {"name": "工本费", "standard": "20.00元", "basis": "豫发改收费〔2017〕1号", "rule": "", "amount": "20.00",
       "reductions": []}


def test_fees_read_as_text_not_python():
    text = item_reads.readable([FEE, {**FEE, "name": "加急费", "amount": "50.00"}])
    assert text == ("工本费；收费标准 20.00元；依据 豫发改收费〔2017〕1号；金额 20.00\n"
                    "加急费；收费标准 20.00元；依据 豫发改收费〔2017〕1号；金额 50.00")
    assert "{" not in text and "'" not in text
    assert item_reads.readable([]) is None and item_reads.readable(True) == "是"


def test_a_key_added_empty_is_no_change():
    before = [{"name": "养犬登记证", "type": "证照"}]
    after = [{"name": "养犬登记证", "type": "证照", "sample": ""}]
    assert item_reads._meaningful(before) == item_reads._meaningful(after)
    assert item_reads._meaningful(before) != item_reads._meaningful([{"name": "养犬登记证", "type": "批文"}])
