"""A small catalogue of a district, written the way real 政务服务网 listings are, for search,
API and portal tests. Test modules import the fixtures they use from here.

Items are written straight to the tables (a published version plus the item's headline copy):
these tests are about reading the catalogue, not about the editing workflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

# name, popular name, keywords, department, service object, themes, materials, extra guide fields
ITEMS: list[tuple[str, str, str, str, str, list[str], list[str], dict]] = [
    ("出生登记", "新生儿上户口", "新生儿落户，报户口，出生入户", "公安分局", "person", ["户籍办理", "生育收养"],
     ["出生医学证明", "父母双方居民户口簿", "父母双方居民身份证", "结婚证"], {"visits": 1, "promised_days": 0,
                                                                    "case_type": "instant", "statutory_days": None}),
    ("户口迁移（市内迁入）", "市内迁户口", "迁户口，投靠", "公安分局", "person", ["户籍办理"],
     ["居民户口簿", "居民身份证", "房屋产权证明"], {}),
    ("居民身份证申领", "第一次办身份证", "办身份证，首次申领", "公安分局", "person", ["证件办理"],
     ["居民户口簿", "近期免冠照片"], {}),
    ("居民身份证换领", "身份证到期换证", "身份证过期，身份证换领", "公安分局", "person", ["证件办理"],
     ["居民户口簿", "原居民身份证"], {}),
    ("死亡人员户口注销", "去世后注销户口", "销户，死亡注销", "公安分局", "person", ["户籍办理", "死亡殡葬"],
     ["死亡医学证明", "居民户口簿"], {}),
    ("机动车驾驶证期满换证", "驾照到期换新证", "驾驶证换证，有效期满", "公安分局", "person", ["交通出行"],
     ["机动车驾驶证", "居民身份证", "身体条件证明"], {}),
    ("机动车驾驶证遗失补证", "驾照丢了补办", "驾驶证补领", "公安分局", "person", ["交通出行"],
     ["居民身份证", "机动车驾驶证遗失声明"], {}),
    ("机动车注册登记", "新车上牌", "上牌照，车辆登记", "公安分局", "both", ["交通出行"],
     ["机动车所有人身份证明", "购车发票", "机动车交通事故责任强制保险凭证"], {}),
    ("出生医学证明首次签发", "办出生证", "出生证明", "卫健委", "person", ["生育收养", "医疗卫生"],
     ["父母双方居民身份证", "分娩记录"], {}),
    ("生育登记", "生孩子登记", "准生证，生育服务证", "卫健委", "person", ["生育收养"],
     ["夫妻双方居民身份证", "结婚证"], {}),
    ("新生儿参加城乡居民基本医疗保险登记", "宝宝办医保", "新生儿参保，婴儿医保", "医保局", "person",
     ["生育收养", "社会保障"], ["出生医学证明", "居民户口簿"], {}),
    ("异地就医备案", "外地看病先备案", "异地就医，跨省就医", "医保局", "person", ["医疗卫生", "社会保障"],
     ["社会保障卡", "异地就医备案登记表"], {}),
    ("食品经营许可（新办）", "开饭店办食品经营许可证", "饭店，餐饮，食品经营", "市场监管局", "legal",
     ["准营准办"], ["食品经营许可申请书", "营业执照", "法定代表人身份证明", "食品安全管理制度"], {}),
    ("小餐饮登记", "开小吃店登记", "小吃店，小饭馆，小餐饮，快餐店", "市场监管局", "both", ["准营准办", "就业创业"],
     ["小餐饮登记申请表", "经营者身份证明", "经营场所使用证明"], {}),
    ("个体工商户设立登记", "开店办营业执照", "个体户，开店，营业执照，做生意", "市场监管局", "both",
     ["设立变更", "就业创业"], ["个体工商户登记申请书", "经营者身份证明", "经营场所证明"], {}),
    ("公司设立登记", "开公司", "注册公司，企业开办，营业执照", "市场监管局", "legal", ["设立变更"],
     ["公司登记申请书", "公司章程", "法定代表人身份证明", "住所使用证明"], {}),
    ("住房公积金提取（租房）", "租房提取公积金", "租房提取，公积金提取", "公积金中心", "person", ["住房保障"],
     ["居民身份证", "房屋租赁合同"], {}),
    ("住房公积金提取（购房）", "买房提取公积金", "购房提取，公积金提取", "公积金中心", "person", ["住房保障"],
     ["居民身份证", "购房合同", "购房发票"], {}),
    ("住房公积金个人住房贷款", "公积金贷款买房", "公积金贷款", "公积金中心", "person", ["住房保障"],
     ["居民身份证", "购房合同", "婚姻状况证明"], {}),
    ("住房公积金缴存登记", "单位开公积金账户", "公积金开户，缴存", "公积金中心", "legal", ["社会保障", "人力资源"],
     ["营业执照", "住房公积金缴存登记表"], {}),
    ("职工退休申请", "办退休", "退休审批，养老金", "人社局", "person", ["离职退休", "社会保障"],
     ["居民身份证", "人事档案"], {}),
    ("失业保险金申领", "领失业金", "失业金，失业登记", "人社局", "person", ["就业创业", "社会保障"],
     ["居民身份证", "解除劳动合同证明"], {}),
    ("社会保障卡补换", "社保卡丢了补办", "社保卡补办，社保卡换卡", "人社局", "person", ["社会保障", "证件办理"],
     ["居民身份证"], {}),
    ("结婚登记", "领结婚证", "结婚，领证", "民政局", "person", ["婚姻登记"],
     ["居民户口簿", "居民身份证", "本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明"], {}),
    ("最低生活保障审批", "申请低保", "低保，困难救助", "民政局", "person", ["社会救助"],
     ["居民户口簿", "家庭收入情况说明"], {}),
    ("存量房转移登记", "二手房过户", "二手房过户，房产过户", "不动产登记中心", "both", ["住房保障"],
     ["不动产权证书", "存量房买卖合同", "完税凭证"], {}),
]

BUNDLES = [
    ("开小吃店一件事", "开小吃店", "小吃店，餐饮店，开店", "legal", ["个体工商户设立登记", "小餐饮登记", "食品经营许可（新办）"]),
    ("新生儿出生一件事", "孩子出生一次办", "新生儿，出生，上户口，办医保", "person",
     ["出生医学证明首次签发", "出生登记", "新生儿参加城乡居民基本医疗保险登记"]),
]


@dataclass
class Catalogue:
    items: dict[str, object] = field(default_factory=dict)
    bundles: dict[str, object] = field(default_factory=dict)
    departments: dict[str, object] = field(default_factory=dict)
    other_region_item: object = None
    draft_item: object = None
    disabled_item: object = None

    def item(self, name: str):
        return self.items[name]


def make_published_item(department, name, *, popular_name="", keywords="", service_object="person", themes=(),
                        materials=(), status="published", region=None, **guide):
    """A service item with one version; published (the default) or left in ``status``."""
    from zhengwu.catalog.denorm import copy_headline
    from zhengwu.catalog.models import ItemVersion, Material, ServiceItem

    fields = dict(
        name=name, popular_name=popular_name, keywords=keywords, item_type="20" if service_object == "person" else "01",
        legal_basis="《中华人民共和国行政许可法》", service_object=service_object, themes=list(themes),
        acceptance_conditions=f"符合{name}的法定条件，材料齐全。", case_type="committed", statutory_days=20,
        promised_days=5, visits=1, channels=["window", "online"], online_depth=3,
        process_steps=[{"name": "受理", "description": "窗口或网上受理", "days": 1},
                       {"name": "审核", "description": "审核材料并作出决定", "days": 3},
                       {"name": "办结", "description": "送达结果", "days": 1}],
        locations="金水区政务服务中心（郑州市金水区北三环南、文化路东）", office_hours="周一至周五 9:00-12:00，13:30-17:30",
        consult_phone="0371-65500000", complaint_phone="12345",
        fees=[], results=[{"name": f"{name}结果通知", "type": "其他", "sample": ""}],
        special_procedures=[], tongban_scope="city",
    )
    fields.update(guide)
    item = ServiceItem(region=region or department.region, department=department, status="draft", name=name)
    item.save()
    published = status in ("published", "disabled")
    version = ItemVersion.objects.create(service_item=item, number=1, state="published" if published else "draft",
                                         **fields)
    Material.objects.bulk_create([
        Material(version=version, seq=i, name=m, necessity="required" if i < 3 else "tolerated",
                 form="original" if i % 2 else "copy", copies=1,
                 source="government" if "证" in m else "applicant")
        for i, m in enumerate(materials, start=1)
    ])
    copy_headline(version, item)
    item.status = status
    item.published_version = version if published else None
    item.save()
    return item


def build_catalogue(district, other_district, make_department) -> Catalogue:
    from zhengwu.catalog import search
    from zhengwu.catalog.models import Bundle, BundleItem

    cat = Catalogue()
    for n, (name, popular, keywords, dept, obj, themes, materials, extra) in enumerate(ITEMS):
        if dept not in cat.departments:
            cat.departments[dept] = make_department(name=f"金水区{dept}", short_name=dept, sort_order=len(cat.departments))
        cat.items[name] = make_published_item(cat.departments[dept], name, popular_name=popular, keywords=keywords,
                                              service_object=obj, themes=themes, materials=materials, **extra)
    other_police = make_department(name="中原区公安分局", short_name="公安分局", region=other_district)
    cat.other_region_item = make_published_item(other_police, "出生登记", popular_name="新生儿上户口",
                                                keywords="新生儿落户，报户口", themes=["户籍办理"],
                                                materials=["出生医学证明"])
    cat.draft_item = make_published_item(cat.departments["公安分局"], "新生儿入户（草稿未发布）",
                                         popular_name="孩子出生上户口", keywords="上户口", status="draft")
    cat.disabled_item = make_published_item(cat.departments["公安分局"], "出生入户（已停用）",
                                            popular_name="新生儿上户口旧版", keywords="上户口", status="disabled")
    for name, popular, keywords, target, members in BUNDLES:
        lead = cat.items[members[0]].department
        bundle = Bundle.objects.create(region=district, name=name, popular_name=popular, keywords=keywords,
                                       description=f"{name}：一次告知、一表申请、一窗受理、一次办结。",
                                       target=target, lead_department=lead, status="published",
                                       promised_days=5, visits=1)
        for seq, member in enumerate(members, start=1):
            BundleItem.objects.create(bundle=bundle, service_item=cat.items[member], seq=seq)
        cat.bundles[name] = bundle
    search.rebuild_index()
    return cat


@pytest.fixture
def search_catalogue(district, other_district, make_department) -> Catalogue:
    return build_catalogue(district, other_district, make_department)
