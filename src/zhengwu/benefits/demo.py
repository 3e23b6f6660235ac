"""Demo 免申即享: three published policies over the demo 人口库/法人库, each with a 资格比对 done, so
that the demo accounts see them at once — 张小民 a 青年人才生活补贴 to confirm, the demo
enterprise a 小微企业开办补贴, and a few elderly demo residents the 高龄津贴 granted without
application. Idempotent: policies are found by name; runs are only made for a policy without one."""

from __future__ import annotations

import datetime as dt

from zhengwu.core.identifiers import make_id_number

# Elderly residents of the demo district (人口库 only, no accounts): the 高龄津贴 finds the ones ≥ 80.
ELDERS = [("41010519380512", "王秀英", "女", dt.date(1938, 5, 12)), ("41010519420101", "李建国", "男", dt.date(1942, 1, 1)),
          ("41010519441120", "赵桂兰", "女", dt.date(1944, 11, 20)), ("41010519500815", "陈志强", "男", dt.date(1950, 8, 15))]

POLICIES = [
    {"name": "高龄津贴", "department": "民政局", "kind": "person", "mode": "direct", "amount_text": "80周岁以上每人每月100元",
     "description": "本区户籍、年满80周岁的老年人按月享受高龄津贴，由民政部门根据人口库信息直接发放，无需申请。",
     "legal_basis": "《河南省老年人权益保障条例》；金水区高龄津贴发放办法",
     "rules": [{"field": "age", "op": "gte", "value": 80}, {"field": "region", "op": "prefix", "value": "410105"},
               {"field": "alive", "op": "eq", "value": True}]},
    {"name": "青年人才生活补贴", "department": "人社局", "kind": "person", "mode": "confirm",
     "amount_text": "每人每月500元，连续发放12个月",
     "description": "本区户籍、18至40周岁的青年人才，确认后按月享受生活补贴。",
     "legal_basis": "金水区青年人才生活补贴实施细则（演示）",
     "rules": [{"field": "age", "op": "between", "value": 18, "value2": 40},
               {"field": "region", "op": "prefix", "value": "410105"}, {"field": "alive", "op": "eq", "value": True}]},
    {"name": "小微企业开办补贴", "department": "商务局", "kind": "legal", "mode": "confirm", "amount_text": "一次性补贴5000元",
     "description": "本区登记、成立不满5年、注册资本不超过500万元的存续企业，确认后享受一次性开办补贴。",
     "legal_basis": "金水区支持小微企业发展若干措施（演示）",
     "rules": [{"field": "established_on", "op": "within_years", "value": 5},
               {"field": "status", "op": "eq", "value": "存续"}, {"field": "region", "op": "prefix", "value": "410105"},
               {"field": "registered_capital", "op": "lte", "value": 500}]},
]


def load(stdout) -> None:
    from zhengwu.core.pii import blind_index
    from zhengwu.datashare.models import PersonRecord
    from zhengwu.org.models import Department

    from .models import Policy
    from .services import policies, runs

    for body, name, gender, born in ELDERS:
        number = make_id_number(body + "123")
        if not PersonRecord.objects.filter(id_number_index=blind_index("id_number", number)).exists():
            PersonRecord.objects.create(id_number=number, name=name, gender=gender, birth_date=born, nation="汉族",
                                        household_address="河南省郑州市金水区文化路街道", region_code="410105002000",
                                        phone="13803710100")
    made = []
    for spec in POLICIES:
        policy = Policy.objects.filter(name=spec["name"]).first()
        if policy is None:
            department = Department.objects.filter(short_name=spec["department"]).first()
            if department is None:
                continue
            policy = policies.create_policy(None, dict(spec, department=department.pk))
            policy = policies.set_state(None, policy.pk, policy.lock_version, Policy.State.PUBLISHED)
        if not policy.runs.exists():
            run = runs.execute(runs.request_run(None, policy.pk).pk)
            made.append(f"{policy.name} {run.matched} 人/户")
    stdout.write("免申即享演示政策：" + ("；".join(made) if made else "已存在"))
