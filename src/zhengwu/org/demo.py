"""Demo district: 河南省郑州市金水区 — its streets, departments, hall, windows and staff.

The department list is shared with the catalogue's demo data (which refers to departments by
``short_name``). USCCs are generated with valid check characters; they are not real codes.
"""

from __future__ import annotations

import hashlib

from django.utils import timezone

from zhengwu.core.identifiers import make_uscc

from .models import Department, Hall, Region, Role, Window
from .services import grant_role, load_package_regions

DISTRICT_CODE = "410105000000"
DISTRICT_PREFIX = "410105"
DEMO_PASSWORD = "Demo@2026zw"

STREETS = [
    ("410105001000", "经八路街道"), ("410105002000", "花园路街道"), ("410105003000", "人民路街道"),
    ("410105004000", "杜岭街道"), ("410105005000", "大石桥街道"), ("410105006000", "南阳路街道"),
    ("410105007000", "南阳新村街道"), ("410105008000", "文化路街道"), ("410105009000", "丰产路街道"),
    ("410105010000", "东风路街道"), ("410105011000", "北林路街道"), ("410105013000", "未来路街道"),
    ("410105015000", "凤凰台街道"), ("410105017000", "国基路街道"), ("410105018000", "丰庆路街道"),
]
COMMUNITIES = [
    ("410105001001", "经八路社区", "410105001000"),
    ("410105002001", "花园路社区", "410105002000"),
    ("410105003001", "人民路社区", "410105003000"),
]

# short_name, full name, kind, phone
DEPARTMENTS: list[tuple[str, str, str, str]] = [
    ("政务服务和大数据管理局", "郑州市金水区政务服务和大数据管理局", "government", "0371-65500001"),
    ("公安分局", "郑州市公安局金水分局", "vertical", "0371-65500110"),
    ("人社局", "郑州市金水区人力资源和社会保障局", "government", "0371-65500002"),
    ("医保局", "郑州市金水区医疗保障局", "government", "0371-65500003"),
    ("市场监管局", "郑州市金水区市场监督管理局", "government", "0371-65500004"),
    ("住建局", "郑州市金水区住房和城乡建设局", "government", "0371-65500005"),
    ("不动产登记中心", "郑州市不动产登记中心金水分中心", "institution", "0371-65500006"),
    ("民政局", "郑州市金水区民政局", "government", "0371-65500007"),
    ("卫健委", "郑州市金水区卫生健康委员会", "government", "0371-65500008"),
    ("教育局", "郑州市金水区教育局", "government", "0371-65500009"),
    ("交通运输局", "郑州市金水区交通运输局", "government", "0371-65500010"),
    ("税务局", "国家税务总局郑州市金水区税务局", "vertical", "0371-65500011"),
    ("公积金中心", "郑州住房公积金管理中心金水区管理部", "institution", "0371-65500012"),
    ("残联", "郑州市金水区残疾人联合会", "other", "0371-65500013"),
    ("退役军人事务局", "郑州市金水区退役军人事务局", "government", "0371-65500014"),
    ("自然资源局", "郑州市自然资源和规划局金水分局", "vertical", "0371-65500015"),
    ("生态环境分局", "郑州市生态环境局金水分局", "vertical", "0371-65500016"),
    ("文广旅局", "郑州市金水区文化广电和旅游局", "government", "0371-65500017"),
    ("农业农村局", "郑州市金水区农业农村工作委员会", "government", "0371-65500018"),
    ("水务局", "郑州市金水区水利局", "government", "0371-65500019"),
    ("城管局", "郑州市金水区城市管理局", "government", "0371-65500020"),
    ("应急管理局", "郑州市金水区应急管理局", "government", "0371-65500021"),
    ("司法局", "郑州市金水区司法局", "government", "0371-65500022"),
    ("商务局", "郑州市金水区商务局", "government", "0371-65500023"),
    ("烟草专卖局", "郑州市烟草专卖局金水区分局", "vertical", "0371-65500024"),
    ("消防救援大队", "郑州市金水区消防救援大队", "vertical", "0371-65500119"),
    ("发改委", "郑州市金水区发展和改革委员会", "government", "0371-65500025"),
    ("财政局", "郑州市金水区财政局", "government", "0371-65500026"),
    ("统计局", "郑州市金水区统计局", "government", "0371-65500027"),
    ("档案馆", "郑州市金水区档案馆", "institution", "0371-65500028"),
]

WINDOWS = [
    ("A01", "综合受理窗口", "comprehensive", None, ""),
    ("A02", "综合受理窗口", "comprehensive", None, ""),
    ("A03", "综合出件窗口", "comprehensive", None, ""),
    ("B01", "企业开办专区", "theme", ["市场监管局", "税务局", "公安分局", "人社局", "公积金中心"], "企业开办"),
    ("C01", "不动产登记专窗", "dedicated", ["不动产登记中心", "税务局"], ""),
    ("C02", "公安户政专窗", "dedicated", ["公安分局"], ""),
    ("C03", "社保医保专窗", "dedicated", ["人社局", "医保局"], ""),
    ("C04", "公积金专窗", "dedicated", ["公积金中心"], ""),
]

# username, display name, role, department short name (None: whole district), window number
STAFF = [
    ("admin", "系统管理员", Role.SYSADMIN, None, None),
    ("chuangkou", "王窗口", Role.WINDOW, None, "A01"),
    ("shenpi_ga", "李审批", Role.APPROVER, "公安分局", None),
    ("shenpi_sj", "赵审批", Role.APPROVER, "市场监管局", None),
    ("shenpi_rs", "钱审批", Role.APPROVER, "人社局", None),
    ("bumen_sj", "孙管理员", Role.DEPT_ADMIN, "市场监管局", None),
    ("shixiang", "周事项", Role.ITEM_ADMIN, None, None),
    # A second 事项管理员: a guide version is approved by someone other than who submitted it (ADR 0059).
    ("shenhe", "何审核", Role.ITEM_ADMIN, None, None),
    ("rexian", "吴坐席", Role.HOTLINE, None, None),
    ("duban", "郑督办", Role.SUPERVISOR, None, None),
    ("shuju", "冯数据", Role.DATA_ADMIN, None, None),
    ("lingdao", "陈局长", Role.LEADER, None, None),
    ("jijian", "纪监察", Role.DISCIPLINE, None, None),
]


def department_uscc(short_name: str) -> str:
    """A stable, valid-looking USCC for a demo department (机关: 1 + 1)."""
    digest = hashlib.sha256(short_name.encode()).hexdigest().upper()
    body = "".join(c for c in digest if c in "0123456789ABCDEFGHJKLMNPQRTUWXY")[:8]
    return make_uscc("1", "1", DISTRICT_PREFIX, body)


def load(stdout) -> None:
    from zhengwu.accounts.models import User

    load_package_regions(stdout)
    district = Region.objects.get(code=DISTRICT_CODE)
    for code, name in STREETS:
        Region.objects.get_or_create(code=code, defaults={"name": name, "parent": district})
    for code, name, parent in COMMUNITIES:
        Region.objects.get_or_create(code=code, defaults={"name": name, "parent": Region.objects.get(code=parent)})

    depts: dict[str, Department] = {}
    for order, (short, name, kind, phone) in enumerate(DEPARTMENTS):
        dept, _ = Department.objects.get_or_create(
            region=district, name=name,
            defaults={"short_name": short, "kind": kind, "phone": phone, "uscc": department_uscc(short),
                      "sort_order": order, "address": "郑州市金水区北三环与文化路交叉口金水区政务服务中心"},
        )
        depts[short] = dept

    hall = Hall.objects.get_or_create(
        region=district, name="金水区政务服务中心",
        defaults={"address": "郑州市金水区北三环与文化路交叉口", "phone": "0371-65500000"},
    )[0]
    windows: dict[str, Window] = {}
    for number, name, kind, dep_names, theme in WINDOWS:
        w, created = Window.objects.get_or_create(hall=hall, number=number,
                                                  defaults={"name": name, "kind": kind, "theme": theme})
        if created:
            w.departments.set(depts.values() if dep_names is None else [depts[d] for d in dep_names])
        windows[number] = w

    for username, display, role, dep, window in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=display, kind=User.Kind.STAFF,
                        is_staff=role == Role.SYSADMIN, is_superuser=role == Role.SYSADMIN)
            user.set_password(DEMO_PASSWORD)
            user.password_changed_at = timezone.now()
            user.save()
        grant_role(None, user, role, district, depts[dep] if dep else None, windows.get(window))
    _load_neighbour()
    stdout.write(f"演示辖区：{district.full_name}，{len(depts)} 个部门，{len(windows)} 个窗口，{len(STAFF)} 名工作人员；"
                 f"邻区代收窗口 1 个（{NEIGHBOUR_STAFF[0]}）")


# 跨域通办: a window of a neighbouring district (郑州市二七区) that receives 金水区's 全市/全省/跨省通办
# items for it (异地代收, zhengwu.cases.services.tongban).
NEIGHBOUR_CODE = "410103000000"
NEIGHBOUR_STAFF = ("daishou", "刘代收")


def _load_neighbour() -> None:
    from zhengwu.accounts.models import User

    region = Region.objects.filter(code=NEIGHBOUR_CODE).first()
    if region is None:
        region = Region.objects.create(code=NEIGHBOUR_CODE, name="二七区",
                                       parent=Region.objects.filter(code="410100000000").first())
    hall = Hall.objects.get_or_create(region=region, name="二七区政务服务中心",
                                      defaults={"address": "郑州市二七区大学路与政通路交叉口", "phone": "0371-68900000"})[0]
    window = Window.objects.get_or_create(hall=hall, number="D01",
                                          defaults={"name": "跨域通办窗口", "kind": Window.Kind.COMPREHENSIVE})[0]
    username, display = NEIGHBOUR_STAFF
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=display, kind=User.Kind.STAFF)
        user.set_password(DEMO_PASSWORD)
        user.password_changed_at = timezone.now()
        user.save()
    grant_role(None, user, Role.WINDOW, region, None, window)
