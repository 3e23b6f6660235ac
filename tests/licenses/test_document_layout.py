"""The licence PDF's layout (pdftotext -bbox on the unsealed page): a long label does not run into
its value, and the foot's 电子证照标识 and address stop short of where the seal is stamped."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from zhengwu.licenses import documents, rules

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
IDENTIFIER = "1.2.156.3005.2.114101053F94AC2P5K54002.11410105MA46AC54025.20260000000003.001.Q"


def _words(tmp_path, pdf: bytes) -> list[tuple[float, float, float, float, str]]:
    path = tmp_path / "licence.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in WORD.findall(out)]


def test_long_labels_and_the_foot_leave_room_for_values_and_the_seal(tmp_path, settings):
    settings.ZHENGWU_PUBLIC_URL = "https://zwfw.example.gov.cn"
    pdf = documents.licence_pdf(
        title="食品经营许可证", rows=[("经营者名称", "张小民"), ("社会信用代码（身份证号码）", "41010519900307123X")],
        identifier=IDENTIFIER, issuer_name="郑州市金水区市场监督管理局", issued_on_text="2026年12月07日",
        seal_xy=rules.DEFAULT_SEAL)
    words = _words(tmp_path, pdf)
    label = next(w for w in words if w[4].startswith("社会信用代码"))
    value = next(w for w in words if "41010519900307123X" in w[4])
    assert label[2] < value[0], (label, value)  # the label ends before its value starts
    sx, sy = rules.DEFAULT_SEAL
    r = 119.0 / 2
    top, bottom = 842 - (sy + r), 842 - (sy - r)  # the seal's band, from the page's top as pdftotext counts
    # The issuer and the date are meant to be under the seal (as on a paper licence); nothing else is.
    in_band = [w for w in words if w[3] > top and w[1] < bottom and w[0] < sx
               and not w[4].startswith("发证机关") and "年12月07日" not in w[4]]
    assert any("电子证照标识" in w[4] for w in in_band)
    assert all(w[2] <= sx - r for w in in_band), [w for w in in_band if w[2] > sx - r]
    text = "".join(w[4] for w in words)
    assert IDENTIFIER in text.replace("电子证照标识：", "") and "https://zwfw.example.gov.cn/licences/verify" in text


def test_a_long_face_shrinks_to_keep_every_row_above_the_seal(tmp_path):
    """A 食品经营许可证 with long 住所/经营场所 and every 经营项目: the rows are set smaller rather than
    证照编号 and 有效期 left off; none runs into the next or down to the seal."""
    place = "郑州市金水区花园路街道经三路与农业路交叉口东北角某某大厦裙楼一层至三层101、102、201、301室" * 2
    items = "、".join(["预包装食品销售", "散装食品销售", "特殊食品销售", "热食类食品制售", "冷食类食品制售",
                      "生食类食品制售", "半成品制售", "自制饮品制售"])
    rows = [("经营者名称", "郑州市金水区欧阳小吃店"), ("社会信用代码（身份证号码）", "92410105MA9XKT3Q3P"),
            ("法定代表人（负责人）", "欧阳小吃"), ("住所", place), ("经营场所", place), ("主体业态", "餐饮服务经营者"),
            ("经营项目", items), ("日常监督管理机构", "郑州市金水区市场监督管理局"), ("投诉举报电话", "12315"),
            ("签发日期", "2026-12-07"), ("证照编号", "00220260000000002"), ("有效期", "2026年12月07日至2031年12月07日")]
    pdf = documents.licence_pdf(title="食品经营许可证", rows=rows, identifier=IDENTIFIER,
                                issuer_name="郑州市金水区市场监督管理局", issued_on_text="2026年12月07日",
                                seal_xy=rules.DEFAULT_SEAL)
    words = _words(tmp_path, pdf)
    for label, _value in rows:
        assert any(w[4].startswith(label) for w in words), label
    floor = 842 - documents.ROWS_FLOOR  # the foot (seal, QR code, identifier) below, as pdftotext counts
    validity = next(w for w in words if w[4].startswith("有效期"))
    assert validity[3] < floor, validity
    tops = sorted({round(w[1], 1) for w in words if w[3] < floor and w[1] > 842 - 700})
    assert all(b - a >= 8 for a, b in zip(tops, tops[1:], strict=False)), tops  # no line on top of another
