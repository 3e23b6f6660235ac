"""Demo 资源目录, 信息系统, 三张清单 for the demo district (idempotent: what exists is kept).

Written through the services as the demo 系统管理员, so the audit trail and the published
snapshots are the real ones.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhengwu.org.models import Department

from .models import DataNeed, DataResource, InfoSystem, NegativeEntry, ProvideDuty
from .services import catalogue, lists, systems

# department short name, name, build year, deployment, connected
SYSTEMS = [
    ("公安分局", "人口信息管理系统", 2012, "vertical", True),
    ("市场监管局", "市场主体登记注册系统", 2015, "vertical", True),
    ("不动产登记中心", "不动产登记信息平台", 2017, "gov_cloud", True),
    ("人社局", "社会保险经办系统", 2014, "vertical", True),
    ("民政局", "婚姻登记管理系统", 2013, "vertical", False),
    ("住建局", "建筑市场监管平台", 2019, "gov_cloud", False),
    ("卫健委", "出生医学证明管理系统", 2016, "own_room", False),
]

P, L = "person", "legal"
# code, name, provider, system, share, condition/basis, open, cycle, format, registry, fields, publish
RESOURCES = [
    ("101001/000001", "人口基本信息", "公安分局", "人口信息管理系统", "conditional", "仅用于办理政务服务事项时核验申请人身份，按需申请、授权使用",
     "closed", "实时", "接口", P,
     [("id_number", "公民身份号码", 18, True), ("name", "姓名", 50, True), ("gender", "性别", 2, False),
      ("birth_date", "出生日期", None, True), ("household_address", "户籍地址", 200, True)], True),
    ("101002/000001", "法人基本信息", "市场监管局", "市场主体登记注册系统", "unconditional", "", "open", "实时", "接口", L,
     [("uscc", "统一社会信用代码", 18, False), ("name", "名称", 200, False), ("legal_rep", "法定代表人", 50, False),
      ("reg_date", "成立日期", None, False), ("address", "住所", 200, False)], True),
    ("101005/000001", "不动产登记信息", "不动产登记中心", "不动产登记信息平台", "conditional", "权利人本人或经授权的部门办理相关事项时查询",
     "closed", "每日", "接口", "",
     [("cert_no", "不动产权证书号", 40, False), ("owner", "权利人", 100, True), ("location", "坐落", 200, False),
      ("area", "面积", 12, False)], True),
    ("101006/000001", "社保参保信息", "人社局", "社会保险经办系统", "conditional", "办理社保相关事项时核验参保状态",
     "closed", "每月", "接口", "",
     [("id_number", "公民身份号码", 18, True), ("insurance_type", "险种", 20, False), ("status", "参保状态", 10, False)],
     True),
    ("201001/000001", "市场主体年度登记统计", "市场监管局", "市场主体登记注册系统", "unconditional", "", "open", "每年", "XLSX", "",
     [("year", "年度", 4, False), ("kind", "市场主体类型", 40, False), ("count", "登记数量", 10, False)], True),
    ("201002/000001", "建筑业企业资质名录", "住建局", "建筑市场监管平台", "unconditional", "", "open", "每月", "XLSX", "",
     [("uscc", "统一社会信用代码", 18, False), ("name", "企业名称", 200, False), ("qualification", "资质类别及等级", 100, False)],
     False),
    ("301001/000001", "婚姻登记信息", "民政局", "婚姻登记管理系统", "none", "《婚姻登记条例》及个人信息保护相关规定，仅依当事人申请出具",
     "closed", "实时", "数据库", "",
     [("id_number", "公民身份号码", 18, True), ("marriage_state", "婚姻状况", 10, True)], False),
]


def load(stdout) -> None:
    from zhengwu.accounts.models import User

    admin = User.objects.filter(username="admin").first()
    depts = {d.short_name: d for d in Department.objects.exclude(short_name="")}
    if admin is None or "公安分局" not in depts:
        stdout.write("数据共享演示数据：缺少演示部门或管理员，跳过")
        return
    for short, name, year, deployment, connected in SYSTEMS:
        if not InfoSystem.objects.filter(department=depts[short], name=name).exists():
            systems.save_system(admin, {"department": depts[short].pk, "name": name, "build_year": year,
                                        "deployment": deployment, "connected": "是" if connected else "否"})
    made = 0
    for (code, name, short, system, share, text, open_type, cycle, fmt, registry, fields,
         publish) in RESOURCES:
        if DataResource.objects.filter(code=code).exists():
            continue
        dept = depts[short]
        data = {"code": code, "name": name, "provider": dept, "share_type": share, "open_type": open_type,
                "share_condition": text if share == "conditional" else "",
                "no_share_basis": text if share == "none" else "",
                "source_system": InfoSystem.objects.filter(department=dept, name=system).first(),
                "summary": f"{dept.name}提供的{name}", "category": "基础信息资源" if code[0] == "1" else
                "主题信息资源" if code[0] == "2" else "部门信息资源",
                "update_cycle": cycle, "format": fmt, "registry": registry}
        items = [{"key": k, "name": n, "length": ln, "personal": pers,
                  "data_type": "日期型" if k.endswith("_date") else "字符型"} for k, n, ln, pers in fields]
        r = catalogue.create_resource(admin, data, items)
        if publish:
            r = catalogue.transition(admin, r.pk, r.lock_version, "submit")
            catalogue.transition(admin, r.pk, r.lock_version, "approve")
        made += 1
    if not DataNeed.objects.exists():
        lists.create_need(admin, {"department": depts["市场监管局"].pk, "provider": depts["公安分局"].pk,
                                  "description": "企业开办时核验法定代表人身份", "fields_wanted": "公民身份号码、姓名"})
        need = lists.create_need(admin, {"department": depts["不动产登记中心"].pk, "provider": depts["市场监管局"].pk,
                                         "description": "企业不动产登记时核验法人信息",
                                         "fields_wanted": "统一社会信用代码、名称、法定代表人"})
        lists.answer_need(admin, need.pk, resource=DataResource.objects.get(code="101002/000001").pk,
                          answer="已编目，无条件共享")
        old = lists.create_need(admin, {"department": depts["人社局"].pk, "provider": depts["民政局"].pk,
                                        "description": "办理遗属待遇时核验婚姻状况", "fields_wanted": "婚姻状况"})
        DataNeed.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=45))
    if not ProvideDuty.objects.exists():
        lists.create_duty(admin, {"department": depts["住建局"].pk, "description": "建筑业企业资质名录按月更新",
                                  "resource": DataResource.objects.get(code="201002/000001").pk,
                                  "due_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat()})
        lists.create_duty(admin, {"department": depts["卫健委"].pk, "description": "出生医学证明信息编目并接入共享平台",
                                  "due_date": (timezone.localdate() - dt.timedelta(days=10)).isoformat()})
    if not NegativeEntry.objects.exists():
        lists.create_negative(admin, {"department": depts["民政局"].pk, "description": "婚姻登记档案原件影像",
                                      "resource": DataResource.objects.get(code="301001/000001").pk,
                                      "legal_basis": "《婚姻登记档案管理办法》第十二条、《中华人民共和国个人信息保护法》第二十八条"})
    stdout.write(f"数据共享演示数据：信息资源 {made} 个已新建")

    from . import demo_registries

    demo_registries.load(stdout)
