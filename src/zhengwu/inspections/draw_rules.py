"""双随机 draw, algorithm ``zw-draw-1``: a pure function of the published inputs and the seed.

No ORM, no Django, no ``random`` (its algorithm may change between Python versions): anyone can
re-implement it from docs/inspections-draw.md and get the same result from a published export.

1. **PRNG.** Block *i* (i = 0, 1, 2 …) = HMAC-SHA256(key = seed as UTF-8, message = i as 8 bytes
   big-endian); each 32-byte block gives four 64-bit unsigned integers (big-endian, in order).
   ``below(n)``: take the next integer *u*; while *u* ≥ 2⁶⁴ − (2⁶⁴ mod n) take another (rejection,
   no modulo bias); answer *u* mod n.
2. **Objects.** Sort the eligible object ids ascending (duplicates removed); N of them.
   n = count, or ⌈ratio × N / 100⌉ (ratio in per cent, exact decimal arithmetic), at most N.
   Partial Fisher–Yates: for i = 0 … n−1: j = i + below(N − i); swap positions i and j; the object
   at position i is the i-th drawn. The draw order is this order.
3. **Inspectors.** For each drawn object in draw order, pick ``per_object`` distinct inspectors
   one at a time among the candidates: the pool minus the inspectors with a declared conflict
   (回避) with the object, minus the inspectors of the object's previous check, minus those
   already picked for it. Each pick ranks the candidates by a key and takes the lowest; ties are
   broken by ``below(number tied)`` over the tied ids in ascending order. The key is
   (load) for a single-department plan and (department preference, load) for a joint plan, where
   load = the inspector's assignments so far in this draw and the department preference is 0 for
   the first pick when the candidate is in the lead department (1 otherwise), and for later picks
   0 when the candidate's department is not yet on the object's team (1 otherwise).
   The first inspector picked is the team's 主办 (lead).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

ALGORITHM = "zw-draw-1"
MIN_INSPECTORS = 2  # 双随机: at least two law-enforcement officers per object
_U64 = 1 << 64


class DrawRefused(ValueError):
    """The inputs cannot give a draw; ``message`` is Chinese, ``object_id`` the object at fault."""

    def __init__(self, message: str, object_id: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.object_id = object_id
        self.field = field


class Stream:
    """The HMAC-SHA256 counter stream of a seed (step 1)."""

    def __init__(self, seed: str):
        if not seed:
            raise DrawRefused("随机种子：不能为空", field="seed")
        self._key = seed.encode("utf-8")
        self._counter = 0
        self._buffer: list[int] = []

    def next_u64(self) -> int:
        if not self._buffer:
            block = hmac.new(self._key, self._counter.to_bytes(8, "big"), hashlib.sha256).digest()
            self._counter += 1
            self._buffer = [int.from_bytes(block[k:k + 8], "big") for k in (24, 16, 8, 0)]  # popped from the end
        return self._buffer.pop()

    def below(self, n: int) -> int:
        if n <= 0:
            raise ValueError("below(n) needs n ≥ 1")
        limit = _U64 - (_U64 % n)
        while True:
            u = self.next_u64()
            if u < limit:
                return u % n


@dataclass(frozen=True)
class DrawInputs:
    """Everything the draw depends on, as published (ids only; names are not inputs)."""

    objects: tuple[int, ...]
    inspectors: tuple[tuple[int, int], ...]  # (inspector id, department id)
    conflicts: frozenset[tuple[int, int]] = frozenset()  # (inspector id, object id)
    previous: Mapping[int, tuple[int, ...]] = field(default_factory=dict)  # object id → last check's inspectors
    count: int | None = None
    ratio: str | None = None  # per cent, a decimal string ("5", "12.50")
    per_object: int = MIN_INSPECTORS
    lead_department: int | None = None
    joint_departments: tuple[int, ...] = ()

    @property
    def joint(self) -> bool:
        return bool(self.joint_departments)


def sample_size(count: int | None, ratio, eligible: int) -> int:
    """n of step 2, or DrawRefused when count and ratio are both or neither set, or out of range."""
    if (count is None) == (ratio is None or ratio == ""):
        raise DrawRefused("抽查比例和抽查数量：必须且只能填写其中一项", field="ratio")
    if count is not None:
        if int(count) < 1:
            raise DrawRefused("抽查数量：至少为1", field="count")
        return min(int(count), eligible)
    try:
        r = Decimal(str(ratio))
    except InvalidOperation:
        raise DrawRefused("抽查比例：应为0到100之间的数", field="ratio") from None
    if not (Decimal(0) < r <= Decimal(100)):
        raise DrawRefused("抽查比例：应大于0且不超过100（单位：%）", field="ratio")
    return min(eligible, math.ceil(r * eligible / Decimal(100)))


def check(inputs: DrawInputs, labels: Mapping[int, str] | None = None) -> None:
    """Refuse inputs that cannot give a draw, whatever the seed (so a plan is refused at publish,
    before its seed is known): no objects, too few inspectors per object, an object whose pool
    minus its conflicts and its previous inspectors has fewer than ``per_object`` left."""
    labels = labels or {}
    if inputs.per_object < MIN_INSPECTORS:
        raise DrawRefused(f"每个对象执法人员数：至少{MIN_INSPECTORS}人（双随机抽查的法定最低人数）", field="inspectors_per_object")
    if not inputs.objects:
        raise DrawRefused("检查对象条件：没有符合条件的在册检查对象，请调整对象类别、行业、风险等级或区划", field="object_filter")
    eligible = set(inputs.objects)
    sample_size(inputs.count, inputs.ratio, len(eligible))
    pool = {i for i, _d in inputs.inspectors}
    if len(pool) < inputs.per_object:
        raise DrawRefused(f"执法人员库：只有{len(pool)}名在岗、证件有效的执法人员，每个检查对象需要{inputs.per_object}名",
                          field="pool")
    excluded: dict[int, set[int]] = {}
    for inspector, obj in inputs.conflicts:
        excluded.setdefault(obj, set()).add(inspector)
    for obj, team in inputs.previous.items():
        excluded.setdefault(obj, set()).update(team)
    for obj in sorted(excluded):
        if obj not in eligible:
            continue
        left = len(pool - excluded[obj])
        if left < inputs.per_object:
            name = labels.get(obj, f"编号{obj}")
            raise DrawRefused(f"执法人员库：检查对象“{name}”除去回避和上次检查的执法人员后只剩{left}人，"
                              f"不足每个对象{inputs.per_object}名", object_id=obj, field="pool")


def draw(inputs: DrawInputs, seed: str, labels: Mapping[int, str] | None = None) -> list[tuple[int, list[int]]]:
    """[(object id, [inspector ids, lead first])] in draw order. DrawRefused when impossible."""
    check(inputs, labels)
    stream = Stream(seed)
    ids = sorted(set(inputs.objects))
    total = len(ids)
    n = sample_size(inputs.count, inputs.ratio, total)
    # Partial Fisher–Yates over the sorted ids; only the touched positions are stored.
    moved: dict[int, int] = {}
    chosen: list[int] = []
    for i in range(n):
        j = i + stream.below(total - i)
        at_j = moved.get(j, ids[j])
        moved[j] = moved.get(i, ids[i])
        chosen.append(at_j)
    department = dict(inputs.inspectors)
    pool = sorted(department)
    blocked: dict[int, set[int]] = {}
    for inspector, obj in inputs.conflicts:
        blocked.setdefault(obj, set()).add(inspector)
    load = dict.fromkeys(pool, 0)
    result = []
    for obj in chosen:
        skip = set(blocked.get(obj, ())) | set(inputs.previous.get(obj, ()))
        team: list[int] = []
        for pick in range(inputs.per_object):
            best_key, tied = None, []
            represented = {department[i] for i in team}
            for inspector in pool:
                if inspector in skip:
                    continue
                if inputs.joint:
                    dep = department[inspector]
                    pref = (0 if dep == inputs.lead_department else 1) if pick == 0 else (1 if dep in represented else 0)
                    key = (pref, load[inspector])
                else:
                    key = (0, load[inspector])
                if best_key is None or key < best_key:
                    best_key, tied = key, [inspector]
                elif key == best_key:
                    tied.append(inspector)
            if not tied:  # check() makes this unreachable; kept as the rule's statement
                raise DrawRefused(f"执法人员库：检查对象“{(labels or {}).get(obj, f'编号{obj}')}”的可选执法人员不足",
                                  object_id=obj, field="pool")
            inspector = tied[stream.below(len(tied))] if len(tied) > 1 else tied[0]
            team.append(inspector)
            skip.add(inspector)
            load[inspector] += 1
        result.append((obj, team))
    return result


# -- the canonical form of inputs and result (digests, the export) -------------------------------------
def canonical(value) -> bytes:
    """UTF-8 JSON, keys sorted, no spaces: the bytes that are hashed."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def digest(value) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def ratio_text(ratio) -> str:
    """A ratio in its canonical text: plain decimal notation, no trailing zeros ("12.5", "100")."""
    text = format(Decimal(str(ratio)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def inputs_to_json(inputs: DrawInputs) -> dict:
    return {
        "objects": sorted(set(inputs.objects)),
        "inspectors": sorted([int(i), int(d)] for i, d in inputs.inspectors),
        "conflicts": sorted([int(i), int(o)] for i, o in inputs.conflicts),
        "previous": sorted([int(o), sorted(int(i) for i in team)] for o, team in inputs.previous.items() if team),
        "count": None if inputs.count is None else int(inputs.count),
        "ratio": None if inputs.ratio in (None, "") else ratio_text(inputs.ratio),
        "per_object": int(inputs.per_object),
        "lead_department": inputs.lead_department,
        "joint_departments": sorted(int(d) for d in inputs.joint_departments),
    }


def inputs_from_json(data: Mapping) -> DrawInputs:
    try:
        return DrawInputs(
            objects=tuple(int(o) for o in data["objects"]),
            inspectors=tuple((int(i), int(d)) for i, d in data["inspectors"]),
            conflicts=frozenset((int(i), int(o)) for i, o in data.get("conflicts", ())),
            previous={int(o): tuple(int(i) for i in team) for o, team in data.get("previous", ())},
            count=None if data.get("count") is None else int(data["count"]),
            ratio=data.get("ratio"),
            per_object=int(data.get("per_object", MIN_INSPECTORS)),
            lead_department=None if data.get("lead_department") is None else int(data["lead_department"]),
            joint_departments=tuple(int(d) for d in data.get("joint_departments", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DrawRefused(f"导出文件：输入格式不正确（{exc}）", field="inputs") from None


def result_to_json(result: Iterable[tuple[int, list[int]]]) -> list:
    return [[int(o), [int(i) for i in team]] for o, team in result]


def compare(expected: list, actual: list) -> list[str]:
    """The differences between a published result and a re-run, in Chinese (empty: 一致)."""
    diffs = []
    if len(expected) != len(actual):
        diffs.append(f"抽取对象数量不同：导出文件 {len(expected)} 个，复核 {len(actual)} 个")
    for pos, (e, a) in enumerate(zip(expected, actual), start=1):
        if list(e[0:1]) != list(a[0:1]):
            diffs.append(f"第{pos}个对象不同：导出文件 {e[0]}，复核 {a[0]}")
        elif list(e[1]) != list(a[1]):
            diffs.append(f"第{pos}个对象（{e[0]}）的执法人员不同：导出文件 {e[1]}，复核 {a[1]}")
    return diffs


# -- the export: every input, the seed, the algorithm and the result ---------------------------------
EXPORT_FORMAT = "zhengwu.inspections.draw/1"


def build_export(inputs: DrawInputs, seed: str, result, *, plan: Mapping | None = None,
                 draw_info: Mapping | None = None, labels: Mapping | None = None,
                 inputs_json: dict | None = None) -> dict:
    """The public export of one draw. ``plan``/``draw_info``/``labels`` are for people reading it
    (names, dates, the redraw reason); only ``inputs``, ``seed`` and ``algorithm`` are re-run."""
    inputs_json = inputs_to_json(inputs) if inputs_json is None else inputs_json
    result_json = result_to_json(result)
    return {
        "format": EXPORT_FORMAT,
        "algorithm": ALGORITHM,
        "plan": dict(plan or {}),
        "draw": dict(draw_info or {}),
        "inputs": inputs_json,
        "inputs_digest": digest(inputs_json),
        "seed": seed,
        "result": result_json,
        "result_digest": digest(result_json),
        "labels": dict(labels or {}),
    }


def verify_export(data: Mapping) -> list[str]:
    """Re-run the draw of an export; the differences in Chinese (empty list: 一致)."""
    if not isinstance(data, Mapping):
        return ["导出文件：不是抽取结果导出文件（应为 JSON 对象）"]
    if data.get("algorithm") != ALGORITHM:
        return [f"算法版本不同：导出文件为 {data.get('algorithm')!r}，本程序实现 {ALGORITHM}"]
    diffs = []
    inputs = inputs_from_json(data.get("inputs") or {})
    inputs_json = inputs_to_json(inputs)
    if data.get("inputs") != inputs_json:
        diffs.append("输入不是规范形式（未排序或有重复），按规范形式复核")
    if data.get("inputs_digest") != digest(inputs_json):
        diffs.append(f"输入摘要不同：导出文件 {data.get('inputs_digest')}，复核 {digest(inputs_json)}")
    try:
        actual = result_to_json(draw(inputs, str(data.get("seed") or "")))
    except DrawRefused as exc:
        return [*diffs, f"无法复核：{exc.message}"]
    expected = data.get("result") or []
    diffs += compare(expected, actual)
    if data.get("result_digest") != digest(expected):
        diffs.append("结果摘要与导出文件中的结果不符")
    return diffs
