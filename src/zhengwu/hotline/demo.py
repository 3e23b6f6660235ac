"""Demo data of the 12345 hotline (idempotent): the taxonomy, keyword rules, a knowledge base, a
trained dispatch model, a demo Open311/API client and tickets in several states.

Demo staff (password ``Demo@2026zw``): rexian 热线坐席, duban 督办, bumen_sj / shenpi_sj 市场监管局,
lingdao 领导; citizen 41010519900307123X.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
DEMO_API_KEY = "zw_demo0012_hotline-demo-key-2026"  # an 应用密钥 with the hotline scope (demo only)

RULES = [
    ("燃气 泄漏", "城乡建设/安全生产/事故处理", "应急管理局", "燃气泄漏一律按安全事故派应急管理局"),
    ("电动车 充电 楼道", "公共安全/消防安全/消防隐患", "消防救援大队", ""),
    ("欠薪", "劳动保障/劳资纠纷/拖欠工资", "人社局", ""),
]


def articles() -> list[tuple[str, str, str, str, str, str]]:
    """The demo knowledge base (data/knowledge.csv): 标题, 常见问法, 分类 path, 关键词, 答复口径, 政策依据.
    The 标题 is the entry's stable key (the labelled set data/eval/knowledge_eval.csv names entries by it)."""
    import csv

    with open(DATA / "knowledge.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return [tuple(r) for r in rows[1:] if r and r[0].strip()]


# (type, urgency, content, address, street code, phone, category path, what happens)
TICKETS = [
    ("complaint", "normal", "经八路一家烧烤店后厨卫生脏乱差，吃完后腹泻，商家拒绝赔偿，希望市场监管部门查处。",
     "经八路88号", "410105001000", "13803710101", "市场监管/食品安全/餐饮卫生", "dispatched"),
    ("complaint", "urgent", "花园路健身房突然关门，会员卡里还有三千多元无法退费，老板电话打不通，涉及几百名会员。",
     "花园路丰产路口", "410105002000", "13803710102", "市场监管/消费维权/预付卡退费", "handling"),
    ("complaint", "normal", "人民路一家超市价格标签与结算价格不一致，多收了二十元，店家拒不退还差价。",
     "人民路12号", "410105003000", "13803710103", "市场监管/价格监管/乱收费", "replied"),
    ("complaint", "normal", "文化路一家蛋糕店的面包发霉，孩子吃后身体不适，保留了小票。",
     "文化路56号", "410105008000", "13803710104", "市场监管/食品安全/餐饮卫生", "closed"),
    ("help", "normal", "东风路阳光小区垃圾桶满了三天没人清运，气味难闻蚊蝇滋生。",
     "东风路阳光小区", "410105010000", "13803710105", "城市管理/市容环境/垃圾清运", "registered"),
    ("complaint", "normal", "南阳路工地夜间施工噪音扰民，凌晨一点还在打桩，老人孩子无法休息。",
     "南阳路与黄河路交叉口工地", "410105006000", "13803710106", "环境保护/噪声污染/施工噪声", "returned"),
    ("report", "emergency", "丰产路锦绣华庭地下车库燃气泄漏，味道很大，请立即处理。",
     "丰产路锦绣华庭", "410105009000", "13803710107", "城乡建设/安全生产/事故处理", "dispatched"),
    ("consult", "normal", "咨询租房提取公积金需要什么材料。", "", "410105000000", "13803710108",
     "住房保障/住房公积金/公积金提取", "direct"),
    ("cannot_do", "normal", "在政务服务中心办理营业执照变更，窗口说系统故障让下周再来，已经跑了三次办不成。",
     "金水区政务服务中心", "410105000000", "13803710109", None, "registered"),
    ("complaint", "normal", "花园路健身房关门跑路，办的年卡无法退款，希望尽快处理。",
     "花园路丰产路口", "410105002000", "13803710110", "市场监管/消费维权/预付卡退费", "merged"),
]


def load(stdout) -> None:
    from zhengwu.accounts.models import ApiKey, User
    from zhengwu.org.models import Department

    from . import classifier, knowledge, rules, services
    from .models import Category, ClassifierModel, KeywordRule, KnowledgeArticle, Ticket

    if not Department.objects.filter(short_name="市场监管局").exists():
        stdout.write("12345热线演示数据：缺少演示部门，跳过")
        return
    if not Category.objects.exists():
        report = services.import_categories(None, (DATA / "taxonomy.csv").read_bytes(), "taxonomy.csv")
        if not report["ok"]:
            raise RuntimeError(f"demo taxonomy: {report['errors'][:3]}")
    cats = {c.path: c for c in Category.objects.all()}
    depts = {d.short_name: d for d in Department.objects.filter(region__code="410105000000")}
    for words, path, dept, note in RULES:
        KeywordRule.objects.get_or_create(keywords=words, defaults={
            "category": cats.get(path), "department": depts.get(dept), "priority": 10, "note": note})
    for title, question, path, keywords, answer, source in articles():
        KnowledgeArticle.objects.get_or_create(title=title, defaults={
            "question": question, "category": cats.get(path), "keywords": keywords, "answer": answer, "source": source})
    knowledge.invalidate()
    ApiKey.objects.get_or_create(prefix=DEMO_API_KEY.split("_")[1], defaults={
        "name": "演示接入系统（网格化平台）", "key_hash": hashlib.sha256(DEMO_API_KEY.encode()).hexdigest(),
        "scopes": [rules.API_SCOPE], "note": "演示数据：正式环境请停用并用 zhengwu apikey create 另发"})
    if not ClassifierModel.objects.filter(is_active=True).exists():
        path = DATA / "training_sample.csv"
        row, _trained = services.train_model(None, path.read_bytes(), path.name)
        stdout.write(f"派单模型：{classifier.describe(row)}")
    classifier.invalidate()

    if Ticket.objects.exists():
        stdout.write(f"12345热线：{Category.objects.filter(level=3).count()} 个三级分类，已有工单，未重复创建")
        _ledger_tickets(stdout)
        return
    rexian = User.objects.get(username="rexian")
    handler = User.objects.get(username="bumen_sj")
    main = None
    for i, (ttype, urgency, content, address, street, phone, path, fate) in enumerate(TICKETS):
        cat = cats.get(path)
        data = {"ticket_type": ttype, "urgency": urgency, "content": content, "address": address, "region": street,
                "phone": phone, "caller_name": ["张先生", "李女士", "王先生", "赵女士", "刘先生"][i % 5],
                "category": cat.pk if cat else None}
        if fate == "merged" and main is not None:
            data["merge_into"] = main.number
        if fate == "direct":
            kb = KnowledgeArticle.objects.get(title="公积金提取需要哪些材料")
            data["knowledge"], data["answer"] = kb.pk, ""
        t = services.register(rexian, data, channel="phone", idempotency_key=f"demo-{i}")
        if fate in ("registered", "direct", "merged"):
            continue
        if fate == "returned":  # dispatched to the wrong department, which returns it
            dept = depts["市场监管局"]
        elif ttype in rules.TYPE_ROUTES:
            dept = depts[rules.TYPE_ROUTES[rules.TicketType(ttype)]]
        else:
            dept = cat.department
        t = services.dispatch(rexian, t, t.lock_version, dept.pk)
        if path and path.endswith("预付卡退费") and main is None:
            main = t
        if dept.short_name != "市场监管局" or fate == "dispatched":
            continue
        if fate == "returned":
            t = services.claim(handler, t, t.lock_version)
            services.return_ticket(handler, t, t.lock_version, "夜间施工噪声不属于市场监管职责，应由生态环境部门处理",
                                   depts["生态环境分局"].pk)
            continue
        t = services.claim(handler, t, t.lock_version)
        if fate == "handling":
            t = services.request_extension(handler, t, t.lock_version, 3, "涉及会员人数多，需逐一核实退费金额")
            continue
        t = services.reply(handler, t, t.lock_version, "经现场核查，商家存在问题，已责令整改并督促退还多收款项，诉求人已收到退款。")
        if fate == "replied":
            continue
        t = services.callback(rexian, t, t.lock_version, reached=True, resolved=True, satisfaction=5, note="诉求人表示满意")
        t = services.close(rexian, t, t.lock_version)
    _ledger_tickets(stdout)
    stdout.write(f"12345热线：{Category.objects.filter(level=3).count()} 个三级分类，{KnowledgeArticle.objects.count()} 条知识，"
                 f"{Ticket.objects.count()} 张演示工单（坐席 rexian，督办 duban，市场监管局 bumen_sj/shenpi_sj）；"
                 f"接入密钥 {DEMO_API_KEY}")


# 效能投诉 and 办不成事 tickets for the ledgers (台账): (type, content, phone, fate, reply, outcome). The
# outcome is what 督办 duban records: (finding, rectification, accountability, note, subject department,
# window, item, resolution, resolution note).
LEDGER_TICKETS = [
    ("efficiency", "在区政务服务中心办理营业执照变更，A03窗口工作人员上班时间玩手机，让群众排队等候四十多分钟。",
     "13803710201", "closed", "经调取窗口监控核实，该工作人员当日确有上班时间使用手机情况，已批评教育并调整岗位。",
     ("verified", "已对当事人批评教育，窗口实行AB岗和弹性窗口，高峰时段增开窗口。", "talk", "市场监管局窗口工作人员王某，已约谈",
      "市场监管局", "A03", "营业执照变更登记", "", "")),
    ("efficiency", "补办社保卡时窗口人员态度生硬，没有一次性告知所需材料，前后跑了两趟才办成。",
     "13803710202", "closed", "经核实，窗口人员未按一次性告知制度告知材料，已组织全员培训。",
     ("partly", "组织人社窗口一次性告知制度培训，材料清单张贴上墙并在网上公开。", "criticism",
      "人社局窗口工作人员李某，金政服〔2026〕12号通报", "人社局", "", "社会保障卡补领", "", "")),
    ("efficiency", "户籍窗口中午十一点半就不再取号，说要下班了，耽误办事。",
     "13803710203", "replied", "经查看取号记录和监控，当日11:50仍正常取号办理，反映情况与事实不符。",
     ("unfounded", "", "none", "", "公安分局", "", "户口迁移", "", "")),
    ("efficiency", "反映不动产登记窗口以加急为名额外收费两百元，没有开收据。",
     "13803710204", "handling", "", None),
    ("cannot_do", "个体户注销，系统显示有未结税务事项，税务说已结清，市场监管说要等税务推送，两边推诿办不成。",
     "13803710205", "closed", "已协调税务和市场监管现场会商，当日完成清税信息推送并办结注销。",
     ("verified", "建立注销业务部门联动机制，清税信息实时推送。", "none", "", "税务局", "", "个体工商户注销登记",
      "done", "协调税务局、市场监管局现场会商，当日办结注销。")),
    ("cannot_do", "为卧床的父亲申请高龄津贴，窗口要求本人到场拍照，老人无法出门。",
     "13803710206", "closed", "已安排民政局工作人员上门采集信息，高龄津贴已审核通过。",
     ("partly", "对行动不便老人开通上门办理服务，写入办事指南。", "none", "", "民政局", "", "高龄津贴申领",
      "done", "民政局工作人员上门采集照片和信息，三个工作日内办结。")),
    ("cannot_do", "孩子户籍在外地，想在本区参加中考报名被告知不符合条件，希望通融。",
     "13803710207", "replied", "依据本市中招政策，随迁子女须在本市连续就读满三年并有完整学籍，诉求人子女不符合条件，已当面解释。",
     ("unfounded", "", "none", "", "教育局", "", "中考报名资格审核", "explained",
      "依据郑州市当年中招工作意见，随迁子女须在本市连续就读满三年，不符合条件，已向诉求人解释并告知其他升学途径。")),
    ("cannot_do", "办理施工许可，图审系统多次退回，不说明原因，已经拖了一个月。",
     "13803710208", "handling", "", None),
]


def _ledger_tickets(stdout) -> None:
    """A handful of 效能投诉 and 办不成事 tickets, some with outcomes recorded by duban (idempotent: each
    ticket by its idempotency key, each outcome once)."""
    from zhengwu.accounts.models import User
    from zhengwu.org.models import Department, Window

    from . import rules, services
    from .models import LedgerOutcome, Ticket

    users = {u.username: u for u in User.objects.filter(username__in=["rexian", "duban", "admin"])}
    if len(users) < 3:
        return
    rexian, duban, admin = users["rexian"], users["duban"], users["admin"]
    depts = {d.short_name: d for d in Department.objects.filter(region__code="410105000000")}
    made = 0
    for i, (ttype, content, phone, fate, reply, outcome) in enumerate(LEDGER_TICKETS):
        key = f"demo-ledger-{i}"
        t = Ticket.objects.filter(idempotency_key=key).first()
        if t is None:
            t = services.register(rexian, {"ticket_type": ttype, "content": content, "phone": phone,
                                           "caller_name": ["钱女士", "孙先生", "周女士", "吴先生"][i % 4],
                                           "address": "金水区政务服务中心", "region": "410105000000"},
                                  channel="phone", idempotency_key=key)
            bureau = depts[rules.TYPE_ROUTES[rules.TicketType(ttype)]]
            t = services.dispatch(rexian, t, t.lock_version, bureau.pk)
            t = services.claim(admin, t, t.lock_version)  # the bureau's 效能监督 / 办不成事反映窗口
            if fate in ("replied", "closed"):
                t = services.reply(admin, t, t.lock_version, reply)
            if fate == "closed":
                t = services.callback(rexian, t, t.lock_version, reached=True, resolved=True, satisfaction=4,
                                      note="诉求人认可处理结果")
                t = services.close(rexian, t, t.lock_version)
            made += 1
        if outcome is None or LedgerOutcome.objects.filter(ticket=t).exists():
            continue
        finding, rect, acc, note, dept, window, item, resolution, resolution_note = outcome
        w = Window.objects.filter(number=window).order_by("pk").first() if window else None
        services.record_outcome(duban, t, 0, {
            "finding": finding, "rectification": rect, "accountability": acc, "accountability_note": note,
            "subject_department": depts[dept].pk if dept in depts else None, "subject_window": w.pk if w else None,
            "subject_item": item, "resolution": resolution, "resolution_note": resolution_note})
    if made:
        stdout.write(f"12345热线台账：{made} 张效能投诉、办不成事演示工单（督办 duban 登记核查结论，领导 lingdao 查看）")
