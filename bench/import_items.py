"""Benchmark of 事项导入: generate an N-row 实施清单 (.xlsx and .csv) and time its import.

Usage (from the repository root; the database is the one the environment points at, and the
region must exist — run ``zhengwu migrate`` and ``zhengwu demo`` first)::

    ZHENGWU_DATA_DIR=/tmp/h2sqlite .venv/bin/python bench/import_items.py --rows 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zw_import_bench ZHENGWU_DATA_DIR=/tmp/h2 \\
        .venv/bin/python bench/import_items.py --rows 100000 --format csv

It times, in order: the first import (every row new), the same file again (every row
unchanged: no writes), the file with every tenth row changed (new published versions), and
an export of the region. The files are deterministic (fixed seed): the same --rows gives the
same bytes. ``--generate-only`` writes the files without importing.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

DEPARTMENTS = [
    "郑州市公安局金水分局", "郑州市金水区人力资源和社会保障局", "郑州市金水区医疗保障局", "郑州市金水区市场监督管理局",
    "郑州市金水区住房和城乡建设局", "郑州市不动产登记中心金水分中心", "郑州市金水区民政局", "郑州市金水区卫生健康委员会",
    "郑州市金水区教育局", "郑州市金水区交通运输局", "国家税务总局郑州市金水区税务局", "郑州住房公积金管理中心金水区管理部",
    "郑州市金水区残疾人联合会", "郑州市金水区退役军人事务局", "郑州市自然资源和规划局金水分局", "郑州市生态环境局金水分局",
    "郑州市金水区文化广电和旅游局", "郑州市金水区农业农村工作委员会", "郑州市金水区水利局", "郑州市金水区城市管理局",
    "郑州市金水区应急管理局", "郑州市金水区司法局", "郑州市金水区商务局", "郑州市金水区消防救援大队",
    # Not in the demo district: the import creates them (kind 其他, create_departments=True) and reports them.
    "郑州市金水区人民防空办公室", "郑州市金水区科学技术局", "郑州市金水区机关事务管理局", "郑州市金水区地方金融监督管理局",
]
TYPES = ["行政许可", "行政确认", "公共服务", "行政给付", "其他行政权力", "行政检查", "行政奖励", "行政裁决"]
TYPE_CODES = {"行政许可": "01", "行政确认": "07", "公共服务": "20", "行政给付": "05", "其他行政权力": "10",
              "行政检查": "06", "行政奖励": "08", "行政裁决": "09"}
SUBJECTS = ["食品经营", "建筑施工", "医疗机构执业", "道路运输", "排污", "娱乐场所", "烟草专卖零售", "养老机构",
            "民办学校", "公共场所卫生", "消防安全检查", "户口迁移", "最低生活保障", "职业技能培训补贴", "失业保险金",
            "残疾人两项补贴", "高龄津贴", "生育津贴", "住房公积金提取", "不动产登记", "出版物零售", "文物保护工程"]
ACTIONS = ["许可（新办）", "许可（变更）", "许可（延续）", "许可（注销）", "申领", "核准", "备案", "审批", "登记", "确认"]
MATERIALS = ["申请书", "营业执照", "法定代表人身份证明", "经营场所使用证明", "从业人员健康证明", "平面布局图",
             "设备设施清单", "管理制度文本", "居民身份证", "户口簿", "委托书及受托人身份证明", "相关资质证明",
             "环境影响评价文件", "消防验收合格证明", "劳动合同", "银行账户信息"]
BASES = ["《中华人民共和国行政许可法》第十二条", "《中华人民共和国食品安全法》第三十五条", "《社会救助暂行办法》第九条",
         "《河南省优化营商环境条例》第二十条", "《住房公积金管理条例》第二十四条"]
HEADER = ["实施主体", "事项名称", "事项类型", "基本编码", "实施编码", "主项名称", "法定时限（工作日）", "承诺时限（工作日）",
          "办件类型", "到现场次数", "受理条件", "设定依据", "服务对象", "申请材料", "收费", "通俗名称", "关键词"]


def make_rows(n: int, seed: int = 2026, changed_every: int = 0) -> list[list]:
    """N rows; with ``changed_every`` > 0 every such row gets a shorter 承诺时限 (a change)."""
    from zhengwu.core.identifiers import make_uscc

    rng = random.Random(seed)
    usccs = [make_uscc("1", "1", "410105", f"B{i:07d}") for i in range(len(DEPARTMENTS))]
    rows = []
    for i in range(n):
        d = i % len(DEPARTMENTS)
        kind = TYPES[rng.randrange(len(TYPES))]
        name = f"{SUBJECTS[rng.randrange(len(SUBJECTS))]}{ACTIONS[rng.randrange(len(ACTIONS))]}（第{i + 1}项）"
        base = f"41{TYPE_CODES[kind]}{i // 10:05d}{i % 10:03d}"  # 主项 i//10, 子项 i%10 (000 = the 主项 itself)
        impl = f"{usccs[d]}4{base}" if i % 2 == 0 else ""
        statutory = rng.choice([None, 5, 10, 15, 20, 30, 60])
        if statutory is None:
            case, promised = ("即办件", 0) if rng.random() < 0.5 else ("承诺件", rng.choice([3, 5, 7]))
        elif rng.random() < 0.2:
            case, promised = "即办件", 0
        else:
            case, promised = "承诺件", max(1, statutory // rng.choice([2, 3, 4]))
        if changed_every and i % changed_every == 0 and case == "承诺件" and promised > 1:
            promised -= 1
        mats = rng.sample(MATERIALS, rng.randrange(2, 6))
        fee = "不收费" if rng.random() < 0.8 else "工本费：10元/证（依据：豫发改收费〔2017〕1号）"
        rows.append([
            DEPARTMENTS[d], name, kind, base, impl, name.split("（第")[0] if i % 10 else "",
            "" if statutory is None else statutory, promised, case, rng.choice([0, 0, 1, 1, 2]),
            "申请人符合法律法规规定的条件，材料齐全、符合法定形式。", BASES[rng.randrange(len(BASES))],
            rng.choice(["自然人", "法人", "自然人、法人"]), "\n".join(mats), fee,
            f"办{name[:6]}", f"{name[:2]}，{name[2:4]}，办证",
        ])
    return rows


def write_files(rows: list[list], out: Path, stem: str) -> dict[str, Path]:
    import csv

    from zhengwu.catalog import importer

    xlsx, csv_path = out / f"{stem}.xlsx", out / f"{stem}.csv"
    with open(xlsx, "wb") as f:
        importer.write_xlsx(f, HEADER, rows)
    with open(csv_path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return {"xlsx": xlsx, "csv": csv_path}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", default="/tmp/zhengwu-bench")
    parser.add_argument("--region", default="410105000000")
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx", help="which file to import")
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    # A bench loader publishes a whole catalogue directly: the import does so only with 双人复核 off (ADR 0060).
    os.environ["ZHENGWU_CATALOG_FOUR_EYES"] = "0"
    import django

    django.setup()
    from django.db import connection

    from zhengwu.catalog.models import ServiceItem
    from zhengwu.catalog.services import imports
    from zhengwu.org.models import Region

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    files = write_files(make_rows(args.rows), out, f"items-{args.rows}")
    changed = write_files(make_rows(args.rows, changed_every=10), out, f"items-{args.rows}-changed")
    print(f"generated {files['xlsx']} ({files['xlsx'].stat().st_size / 1e6:.1f} MB), {files['csv']} "
          f"({files['csv'].stat().st_size / 1e6:.1f} MB) and the changed variant in {time.perf_counter() - t:.1f} s")
    if args.generate_only:
        return
    region = Region.objects.get(code=args.region)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; items in region before: "
          f"{ServiceItem.objects.filter(region=region).count()}")

    def timed(label: str, path: Path) -> None:
        data = path.read_bytes()
        t0, c0 = time.perf_counter(), time.process_time()
        report = imports.import_items(data, path.name, region, create_departments=True)
        s, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"{label:<28} {report.rows:>7} rows in {s:6.1f} s = {report.rows / s:7.0f} rows/s  "
              f"[this process's CPU {cpu:5.1f} s; load {os.getloadavg()[0]:.1f}]  "
              f"(新增 {report.created}, 更新 {report.updated}, 无变化 {report.unchanged}, 失败 {report.failed}"
              f"{', ' + report.fatal if report.fatal else ''})")
        print(f"{'':<28} phases (s): {report.timings}")

    timed(f"import {args.format} (new)", files[args.format])
    timed(f"import {args.format} (unchanged)", files[args.format])
    timed(f"import {args.format} (10% changed)", changed[args.format])
    t0, c0 = time.perf_counter(), time.process_time()
    n = imports.export_items(region, out / "export.xlsx")
    s, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{'export xlsx':<28} {n:>7} rows in {s:6.1f} s = {n / s:7.0f} rows/s  [this process's CPU {cpu:5.1f} s]")


if __name__ == "__main__":
    main()
