"""基础库 bench data: 人口库 persons and 法人库 entities, loaded through the importer's own bulk path
(:func:`zhengwu.datashare.services.loading.import_rows`: the same checks, encryption, blind
indexes, COPY and upsert as ``zhengwu registry-load``), so the load rate measured here is the
importer's. Rows are deterministic for a seed; every 身份证号 and 统一社会信用代码 is valid and
unique (city size: 10,000,000 persons, 2,000,000 法人).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator

from zhengwu.core.identifiers import make_id_number, make_uscc

REGIONS = ("410102", "410103", "410104", "410105", "410106", "410108", "410122", "410181")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彬鑫浩宇轩然博文思佳欣怡子涵"
NATIONS = ("汉族",) * 18 + ("回族", "满族")
STREETS = ("花园路", "农业路", "经三路", "文化路", "金水路", "丰产路", "纬五路", "东风路", "红专路", "政七街")
KINDS = ("有限责任公司（自然人投资或控股）", "个体工商户", "股份有限公司", "农民专业合作社", "有限责任公司（法人独资）")
PERSON_HEADER = ["身份证号", "姓名", "性别", "出生日期", "民族", "户籍地址", "户籍区划", "联系电话"]
LEGAL_HEADER = ["统一社会信用代码", "名称", "法定代表人", "法定代表人身份证号", "类型", "住所", "登记区划", "登记状态",
                "成立日期", "注册资本"]
EPOCH = dt.date(1940, 1, 1)


def person_id(i: int) -> str:
    """The i-th bench 身份证号 (unique for i < 8 × 1000 × 30,000)."""
    region = REGIONS[i % len(REGIONS)]
    rest = i // len(REGIONS)
    born = EPOCH + dt.timedelta(days=(rest // 1000) % 30_000)
    return make_id_number(f"{region}{born:%Y%m%d}{rest % 1000:03d}")


def person_rows(n: int, seed: int = 1, offset: int = 0) -> Iterator[tuple[int, list]]:
    rnd = random.Random(seed)
    yield 1, PERSON_HEADER
    for k in range(n):
        i = offset + k
        number = person_id(i)
        name = SURNAMES[rnd.randrange(len(SURNAMES))] + "".join(GIVEN[rnd.randrange(len(GIVEN))]
                                                               for _ in range(rnd.randint(1, 2)))
        yield k + 2, [
            number, name, "男" if int(number[16]) % 2 else "女", f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
            NATIONS[rnd.randrange(len(NATIONS))], f"河南省郑州市{STREETS[rnd.randrange(len(STREETS))]}{rnd.randint(1, 300)}号",
            number[:6] + "000000", f"13{rnd.randint(0, 999_999_999):09d}",
        ]


def legal_rows(n: int, seed: int = 1, offset: int = 0) -> Iterator[tuple[int, list]]:
    rnd = random.Random(seed + 1)
    yield 1, LEGAL_HEADER
    for k in range(n):
        i = offset + k
        region = REGIONS[i % len(REGIONS)]
        yield k + 2, [
            make_uscc("9", "1", region, f"{i:08d}"), f"郑州{GIVEN[i % len(GIVEN)]}{GIVEN[(i // 7) % len(GIVEN)]}商贸有限公司{i}",
            SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 3) % len(GIVEN)], person_id(i * 5 + 3), KINDS[i % len(KINDS)],
            f"郑州市{STREETS[rnd.randrange(len(STREETS))]}{rnd.randint(1, 300)}号", region + "000000", "存续",
            (dt.date(1995, 1, 1) + dt.timedelta(days=i % 10_000)).isoformat(), f"{rnd.randint(1, 5000)}万元人民币",
        ]


def load(kind: str, n: int, *, seed: int = 1, workers: int = 1, offset: int = 0) -> dict:
    """Load ``n`` generated rows through the importer; returns rows, seconds and rows/s."""
    from zhengwu.datashare.services import loading

    batch = loading.start_batch(kind, f"bench-{kind}-{n}.csv")
    rows = person_rows(n, seed, offset) if kind == "person" else legal_rows(n, seed, offset)
    t = time.monotonic()
    loading.import_rows(batch, rows, workers=workers)
    seconds = time.monotonic() - t
    return {"rows": batch.rows_total, "loaded": batch.rows_loaded, "bad": batch.rows_bad,
            "inserted": batch.summary.get("inserted"), "updated": batch.summary.get("updated"),
            "seconds": round(seconds, 1), "rows_per_second": round(batch.rows_total / max(seconds, 1e-6))}


def gen_persons(ctx) -> int:
    # One process: on this 2-core machine a second (spawned) worker measured slower (8,700 vs
    # 12,100 rows/s at 1,000,000 persons), PostgreSQL's COPY and index inserts need the other core.
    done = load("person", ctx.size.persons, seed=ctx.seed)
    ctx.timings["persons"] = {"rows_per_second": done["rows_per_second"]}
    return done["loaded"]


def gen_legal_entities(ctx) -> int:
    done = load("legal", ctx.size.legal_entities, seed=ctx.seed)
    ctx.timings["legal_entities"] = {"rows_per_second": done["rows_per_second"]}
    return done["loaded"]
