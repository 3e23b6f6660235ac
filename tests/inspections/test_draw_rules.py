"""The pure draw (zw-draw-1) with fixed seeds: two inspectors, 回避, the last-time rule, joint plans,
reproducibility and the export re-run."""

from __future__ import annotations

import copy
import time
from collections import Counter

import pytest

from zhengwu.inspections import draw_rules as r

SEED = "0f" * 32


def inputs(**kw):
    base = {"objects": tuple(range(1, 101)), "inspectors": tuple((i, 7) for i in range(1001, 1011)), "count": 10}
    base.update(kw)
    return r.DrawInputs(**base)


def test_stream_is_fixed_hmac_sha256_counter():
    import hashlib
    import hmac

    s = r.Stream("abc")
    block = hmac.new(b"abc", (0).to_bytes(8, "big"), hashlib.sha256).digest()
    assert [s.next_u64() for _ in range(4)] == [int.from_bytes(block[k:k + 8], "big") for k in (0, 8, 16, 24)]
    block1 = hmac.new(b"abc", (1).to_bytes(8, "big"), hashlib.sha256).digest()
    assert s.next_u64() == int.from_bytes(block1[:8], "big")


def test_known_answer_for_a_fixed_seed():
    """The algorithm is frozen: this answer must never change under the name zw-draw-1."""
    result = r.draw(inputs(), SEED)
    assert [o for o, _ in result] == KNOWN_OBJECTS
    assert result[0][1] == KNOWN_FIRST_TEAM


def test_same_inputs_and_seed_same_result_other_seed_other_result():
    a = r.draw(inputs(), SEED)
    assert a == r.draw(inputs(), SEED)
    assert a == r.draw(inputs(objects=tuple(reversed(range(1, 101)))), SEED)  # order of the ids does not matter
    assert [o for o, _ in a] != [o for o, _ in r.draw(inputs(), "another seed")]


def test_two_distinct_inspectors_each_and_balanced_load():
    result = r.draw(inputs(count=50), SEED)
    assert len(result) == 50 and len({o for o, _ in result}) == 50
    for _obj, team in result:
        assert len(team) == 2 and len(set(team)) == 2
    load = Counter(i for _o, team in result for i in team)
    assert max(load.values()) - min(load.values()) <= 1  # fewest assignments first


def test_ratio_rounds_up():
    assert len(r.draw(inputs(count=None, ratio="5"), SEED)) == 5
    assert len(r.draw(inputs(count=None, ratio="0.5"), SEED)) == 1
    assert r.sample_size(None, "12.5", 7) == 1 and r.sample_size(None, "100", 7) == 7
    assert r.sample_size(500, None, 20) == 20


@pytest.mark.parametrize("kw, field", [({"count": None, "ratio": None}, "ratio"), ({"count": 3, "ratio": "5"}, "ratio"),
                                       ({"count": None, "ratio": "120"}, "ratio"), ({"objects": ()}, "object_filter"),
                                       ({"per_object": 1}, "inspectors_per_object")])
def test_refusals(kw, field):
    with pytest.raises(r.DrawRefused) as exc:
        r.draw(inputs(**kw), SEED)
    assert exc.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)


def test_conflicts_and_last_time_are_never_sent():
    objs = tuple(range(1, 11))
    conflicts = frozenset((i, o) for o in objs for i in (1001, 1002))
    previous = {o: (1003, 1004) for o in objs}
    result = r.draw(inputs(objects=objs, conflicts=conflicts, previous=previous, count=10), SEED)
    for obj, team in result:
        assert not {1001, 1002, 1003, 1004} & set(team), (obj, team)


def test_a_pool_that_cannot_give_two_inspectors_names_the_object():
    pool = ((1, 7), (2, 7), (3, 7))
    with pytest.raises(r.DrawRefused) as exc:
        r.draw(inputs(inspectors=pool, conflicts=frozenset({(1, 42)}), previous={42: (2,)}), SEED,
               labels={42: "郑州某某食品有限公司"})
    assert exc.value.object_id == 42 and "郑州某某食品有限公司" in exc.value.message
    with pytest.raises(r.DrawRefused, match="只有1名"):
        r.draw(inputs(inspectors=((1, 7),)), SEED)


def test_joint_plan_each_team_has_the_lead_department_and_spans_departments():
    pool = tuple((i, 7) for i in range(1, 4)) + tuple((i, 8) for i in range(11, 21))
    result = r.draw(inputs(inspectors=pool, lead_department=7, joint_departments=(8,), count=30), SEED)
    dep = dict(pool)
    for _obj, team in result:
        assert dep[team[0]] == 7  # the lead (主办) from the lead department
        assert {dep[i] for i in team} == {7, 8}
    assert len({o for o, _ in result}) == 30  # one visit per object


def test_joint_plan_lead_department_when_possible_only():
    pool = ((1, 7), (11, 8), (12, 8))
    result = r.draw(inputs(inspectors=pool, lead_department=7, joint_departments=(8,), count=3,
                           conflicts=frozenset({(1, o) for o in range(1, 101)})), SEED)
    assert all(set(team) == {11, 12} for _o, team in result)


def test_export_reruns_to_the_same_result_and_detects_tampering():
    inp = inputs(conflicts=frozenset({(1001, 5)}), previous={6: (1002, 1003)}, count=20)
    result = r.draw(inp, SEED)
    export = r.build_export(inp, SEED, result, plan={"number": "T1"})
    assert r.verify_export(copy.deepcopy(export)) == []
    import json
    assert r.verify_export(json.loads(json.dumps(export))) == []
    tampered = copy.deepcopy(export)
    tampered["result"][0][1] = list(reversed(tampered["result"][0][1]))
    assert any("执法人员不同" in d for d in r.verify_export(tampered))
    other_seed = copy.deepcopy(export)
    other_seed["seed"] = "x"
    assert r.verify_export(other_seed)
    changed_inputs = copy.deepcopy(export)
    changed_inputs["inputs"]["objects"].remove(changed_inputs["result"][0][0])
    assert any("输入摘要不同" in d for d in r.verify_export(changed_inputs))


def test_one_million_objects_runs():
    """Performance is measured in `make bench`; this only runs the size (and prints its time)."""
    objects = range(1, 1_000_001)
    pool = tuple((i, 1 + i % 3) for i in range(1, 301))
    started = time.perf_counter()
    result = r.draw(r.DrawInputs(objects=objects, inspectors=pool, count=500), SEED)
    elapsed = time.perf_counter() - started
    print(f"draw of 500 from 1,000,000 with 300 inspectors: {elapsed:.3f} s")
    assert len(result) == 500 and len({o for o, _ in result}) == 500


KNOWN_OBJECTS = [38, 60, 71, 74, 14, 96, 31, 72, 32, 76]
KNOWN_FIRST_TEAM = [1009, 1002]


def test_ratio_text_is_canonical():
    assert [r.ratio_text(x) for x in ("100", "100.00", "12.50", "5", "0.50")] == ["100", "100", "12.5", "5", "0.5"]
