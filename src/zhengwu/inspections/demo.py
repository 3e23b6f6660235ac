"""Demo 双随机、一公开 and 告知承诺 后核查 (idempotent: rows are found by their natural keys and
never created twice).

- 监管事项 for 市场监管局 and four other departments;
- 20 执法人员 (three with an expired 执法证, one 暂停执法), the first linked to ``shenpi_sj``;
- 200 检查对象: the 法人库's rows (datashare.LegalEntityRecord) first, the rest generated with
  valid 统一社会信用代码 (:func:`zhengwu.core.identifiers.make_uscc`);
- one 抽查计划 of 市场监管局, published and drawn through the draw part's services, with a few
  results recorded and published through the results part's — each step skipped, with a message,
  while that part is not merged, so the registers load anyway;
- three applications for 食品经营许可证核发 filed online by the demo citizen and accepted on
  commitment (告知承诺) by the window clerk through the cases app's services, so the 告知承诺核查
  queue of 市场监管局 holds three pending checks (cases and checks as the services wrote them);
- the 告知承诺 checks of demo cases accepted on commitment (the job's :func:`create_missing`).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

DISTRICT = "410105000000"
PLAN_NUMBER = "SJ-DEMO-2026-001"
OBJECTS = 200
INSPECTORS = 20

ITEMS = [  # department short name, code, name, legal basis, method
    ("市场监管局", "SJ-001", "食品经营者经营活动的监督检查", "《中华人民共和国食品安全法》第一百一十条", "现场检查"),
    ("市场监管局", "SJ-002", "企业公示信息的检查", "《企业信息公示暂行条例》第十四条", "书面检查"),
    ("市场监管局", "SJ-003", "特种设备使用单位的监督检查", "《中华人民共和国特种设备安全法》第五十七条", "现场检查"),
    ("卫健委", "WJ-001", "公共场所卫生的监督检查", "《公共场所卫生管理条例》第十条", "现场检查"),
    ("生态环境分局", "HB-001", "排污单位的监督检查", "《中华人民共和国环境保护法》第二十四条", "现场检查"),
    ("应急管理局", "YJ-001", "生产经营单位安全生产的监督检查", "《中华人民共和国安全生产法》第六十五条", "现场检查"),
    ("消防救援大队", "XF-001", "消防安全重点单位的监督检查", "《中华人民共和国消防法》第五十三条", "现场检查"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "志强", "海燕", "文静", "晓东", "丽娟", "国栋", "春梅", "子涵", "明"]
INDUSTRIES = ["餐饮服务", "食品销售", "批发和零售业", "住宿业", "制造业", "居民服务业", "娱乐业", "医药零售"]
STREETS = ["经三路", "花园路", "农业路", "纬五路", "文化路", "北环路", "东风路", "金水路"]
SUBREGIONS = ["410105001000", "410105002000", "410105003000"]


def _code(n: int, salt: str) -> str:
    """8 characters of a stable digest: the body of a generated 组织机构代码."""
    digest = hashlib.sha256(f"{salt}{n}".encode()).hexdigest().upper()
    return "".join(c for c in digest if c in "0123456789ABCDEFGHJKLMNPQRTUWXY")[:8]


def load(stdout) -> None:
    from zhengwu.org.models import Department, Region

    district = Region.objects.filter(code=DISTRICT).first()
    market = Department.objects.filter(short_name="市场监管局", region__code=DISTRICT).first()
    if district is None or market is None:
        stdout.write("监管演示数据：缺少演示辖区或市场监管局，跳过")
        return
    items = _items()
    inspectors = _inspectors(district, market)
    objects = _objects()
    stdout.write(f"监管演示数据：监管事项新增 {items} 项，执法人员新增 {inspectors} 名，检查对象新增 {objects} 个")
    _plan(stdout, district, market)
    _commitment_cases(stdout, market)
    from .services import verification

    made = verification.create_missing()
    if made:
        stdout.write(f"告知承诺后核查：为已受理的告知承诺办件补建核查 {made} 件")


def _items() -> int:
    from zhengwu.org.models import Department

    from .models import SupervisionItem

    made = 0
    for short, code, name, basis, method in ITEMS:
        dept = Department.objects.filter(short_name=short, region__code=DISTRICT).first()
        if dept is None:
            continue
        made += SupervisionItem.objects.get_or_create(department=dept, name=name, defaults={
            "code": code, "legal_basis": basis, "check_method": method,
            "check_content": f"依照{basis}开展{method}，检查相关资质、制度和现场情况"})[1]
    return made


def _inspectors(district, market) -> int:
    from zhengwu.accounts.models import User
    from zhengwu.org.models import Department

    from .models import Inspector

    today = timezone.localdate()
    others = list(Department.objects.filter(short_name__in=["卫健委", "生态环境分局", "应急管理局"],
                                            region__code=DISTRICT).order_by("pk"))
    made = 0
    for i in range(INSPECTORS):
        dept = market if i < 14 or not others else others[i % len(others)]
        expired, suspended = i in (5, 11, 17), i == 8
        _, created = Inspector.objects.get_or_create(cert_number=f"41010520{i + 1:06d}", defaults={
            "name": SURNAMES[i] + GIVEN[i % len(GIVEN)], "department": dept, "region": district,
            "field": "市场监管综合执法" if dept == market else "行政执法",
            "status": Inspector.Status.SUSPENDED if suspended else Inspector.Status.ACTIVE,
            "valid_until": today - dt.timedelta(days=30 + i) if expired else today + dt.timedelta(days=365 * 2 + i)})
        made += created
    user = User.objects.filter(username="shenpi_sj").first()
    if user is not None and not Inspector.objects.filter(user=user).exists():
        Inspector.objects.filter(cert_number="41010520000001", user__isnull=True).update(user=user)
    return made


def _objects() -> int:
    from zhengwu.core.identifiers import make_uscc
    from zhengwu.datashare.models import LegalEntityRecord

    from .models import InspectedObject

    have = set(InspectedObject.objects.filter(uscc__isnull=False).values_list("uscc", flat=True))
    rows = []
    for rec in LegalEntityRecord.objects.order_by("pk")[:OBJECTS]:
        if rec.uscc not in have:
            have.add(rec.uscc)
            rows.append(InspectedObject(uscc=rec.uscc, name=rec.name, category="企业", industry="餐饮服务",
                                        region_code=(rec.region_code or DISTRICT).ljust(12, "0"),
                                        address=rec.address, risk_level="B", source="registry"))
    n = 0
    while len(have) < OBJECTS and n < OBJECTS * 5:
        uscc = make_uscc("9", "1", "410105", _code(n, "insp-demo"))
        n += 1
        if uscc in have:
            continue
        have.add(uscc)
        individual = n % 5 == 0
        rows.append(InspectedObject(
            uscc=uscc, name=f"郑州金水{'个体' if individual else ''}{INDUSTRIES[n % len(INDUSTRIES)][:2]}示范{n:03d}"
                            f"{'店' if individual else '有限公司'}",
            category="个体工商户" if individual else "企业", industry=INDUSTRIES[n % len(INDUSTRIES)],
            region_code=SUBREGIONS[n % len(SUBREGIONS)], address=f"郑州市金水区{STREETS[n % len(STREETS)]}{n}号",
            risk_level="ABBBCCD"[n % 7], source="import"))
    InspectedObject.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _plan(stdout, district, market) -> None:
    """The demo plan: created once, then moved by the draw and results parts' services."""
    from zhengwu.accounts.models import User

    from .models import InspectionPlan, SupervisionItem

    user = User.objects.filter(username="bumen_sj").first()
    today = timezone.localdate()
    plan, created = InspectionPlan.objects.get_or_create(number=PLAN_NUMBER, defaults={
        "name": "2026年度食品经营者双随机抽查", "department": market, "region": district,
        "object_filter": {"categories": ["企业", "个体工商户"], "industries": ["餐饮服务", "食品销售"]},
        "count": 10, "inspectors_per_object": 2, "period_start": today - dt.timedelta(days=20),
        "period_end": today + dt.timedelta(days=40), "created_by": user})
    if created:
        plan.items.set(SupervisionItem.objects.filter(department=market, code__in=["SJ-001", "SJ-002"]))
    try:
        from .services import plans
    except ImportError:
        stdout.write("监管演示数据：抽查计划已创建（草稿）；抽取服务（services/plans.py）尚未合并，未公布、未抽取")
        return
    if plan.state == InspectionPlan.State.DRAFT:
        plans.publish(plan, user)
        plan.refresh_from_db()
    if plan.state == InspectionPlan.State.PUBLISHED:
        plans.draw(plan, user)
        plan.refresh_from_db()
    stdout.write(f"监管演示数据：抽查计划 {plan.number}（{plan.get_state_display()}）")
    _results(stdout, plan, user)


def _results(stdout, plan, user) -> None:
    try:
        from .services import results
    except ImportError:
        stdout.write("监管演示数据：检查结果服务（services/results.py）尚未合并，未录入结果")
        return
    from .models import InspectionTask

    tasks = list(InspectionTask.objects.filter(plan=plan, draw__is_current=True).order_by("pk"))
    if not tasks or any(t.result for t in tasks):
        return
    today = timezone.localdate()
    outcomes = [("ok", "未发现问题"), ("ok", "未发现问题"), ("rectify", "后厨卫生不达标，责令限期整改"),
                ("ok", "未发现问题"), ("not_found", "登记住所无该经营者")]
    for task, (result, note) in zip(tasks, outcomes):
        results.record_result(task, user, result, note, today - dt.timedelta(days=3),
                              files=[], expected_version=task.lock_version)
        if result != "rectify":  # published now (a no-op when recording published it already)
            results.publish(InspectionTask.objects.get(pk=task.pk))
    published = InspectionTask.objects.filter(plan=plan, published_at__isnull=False).count()
    stdout.write(f"监管演示数据：录入检查结果 {min(len(tasks), len(outcomes))} 条，已公示 {published} 条")


COMMITMENT_ITEM = "食品经营许可证核发"
COMMITMENT_CASES = 3
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _commitment_cases(stdout, market) -> None:
    """Applications accepted on commitment today (the cases app's own services write them, and the
    hook creates their checks)."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengwu.accounts.backends import login_username
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.cases.models import Case
    from zhengwu.cases.services import applying, intake
    from zhengwu.catalog.models import ServiceItem

    from .services import verification

    User = get_user_model()
    citizen = User.objects.filter(username=login_username(CITIZEN_ID)).first()
    clerk = User.objects.filter(username="chuangkou").first()
    item = (ServiceItem.objects.filter(department=market, name=COMMITMENT_ITEM, status="published",
                                       published_version__allows_commitment=True).first())
    if citizen is None or clerk is None or item is None:
        stdout.write("告知承诺演示办件：缺少演示申请人、窗口人员或可告知承诺的事项，跳过")
        return
    have = Case.objects.filter(applicant__user=citizen, service_item=item, intake_mode="commitment").count()
    made = 0
    for k in range(have, COMMITMENT_CASES):
        case = applying.create_draft(citizen, item, form_data={
            "applicant_name": "张小民", "shop_address": f"郑州市金水区经三路{61 + k}号1层",
            "main_business": "餐饮服务经营者", "business_items": ["热食类食品制售"], "area": 45,
            "safety_manager": "张小民"})
        for m in item.published_version.materials.filter(necessity="required").order_by("seq"):
            applying.upload_material(citizen, case, SimpleUploadedFile(f"{m.name[:20]}.pdf", PDF,
                                                                       content_type="application/pdf"), material=m)
        case.refresh_from_db()
        case = applying.submit(citizen, case, case.lock_version)
        case = intake.accept_commitment(clerk, case, case.lock_version,
                                        "本人承诺经营场所、设施设备和管理制度符合食品安全要求，所填信息真实，"
                                        "如有不实愿承担相应法律责任。", True)
        verification.ensure_check(case)  # the hook made it; a no-op then
        made += 1
    if made:
        stdout.write(f"告知承诺演示办件：新增 {made} 件（窗口人员以告知承诺方式受理，市场监管局待核查）")
