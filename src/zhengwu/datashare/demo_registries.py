"""Demo 人口库/法人库 rows and one approved 共享申请 with a known key, so that 查询核验, 少填免填,
the window's 人口库核验 and 我的数据使用记录 work in the first minutes of ``make run``.

The key is published in the README (like the 12345 demo key): demo only — an operator revokes
the grant (共享申请 → 撤销) on a real installation.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

DEMO_DATA_KEY = "zw_demo0024_datashare-demo-key-2026"  # data:verify + data:query on 人口基本信息
GRANT_FIELDS = ["name", "gender", "birth_date", "household_address"]


def load(stdout) -> None:
    from zhengwu.accounts.demo import CITIZEN_ID, ENTERPRISE_USCC
    from zhengwu.accounts.models import ApiKey
    from zhengwu.core.pii import blind_index
    from zhengwu.org.models import Department

    from .models import DataResource, LegalEntityRecord, PersonRecord, ShareGrant, ShareRequest

    made = 0
    if not PersonRecord.objects.filter(id_number_index=blind_index("id_number", CITIZEN_ID)).exists():
        PersonRecord.objects.create(id_number=CITIZEN_ID, name="张小民", gender="男", birth_date=dt.date(1990, 3, 7),
                                    nation="汉族", household_address="河南省郑州市金水区花园路街道经三路68号",
                                    region_code="410105001000", phone="13803710001")
        made += 1
    if not LegalEntityRecord.objects.filter(uscc=ENTERPRISE_USCC).exists():
        LegalEntityRecord.objects.create(uscc=ENTERPRISE_USCC, name="郑州金水示范餐饮有限公司", legal_rep="刘企业",
                                         kind="有限责任公司（自然人投资或控股）", address="郑州市金水区经三路88号",
                                         region_code="410105", status="存续", established_on=dt.date(2023, 5, 18),
                                         registered_capital="100万元人民币")
        made += 1

    resource = DataResource.objects.filter(registry="person", version__gte=1).exclude(status="withdrawn") \
        .order_by("pk").first()
    consumer = Department.objects.filter(short_name="人社局").first()
    prefix = DEMO_DATA_KEY.split("_")[1]
    if resource is None or consumer is None or ShareGrant.objects.filter(api_key__prefix=prefix).exists():
        stdout.write(f"数据共享演示基础库：新增 {made} 条")
        return
    key, _ = ApiKey.objects.get_or_create(prefix=prefix, defaults={
        "name": "演示：人社局社保经办系统", "key_hash": hashlib.sha256(DEMO_DATA_KEY.encode()).hexdigest(),
        "scopes": ["data:query", "data:verify"], "department": consumer,
        "note": "演示数据：正式环境请在共享申请中撤销"})
    today = timezone.localdate()
    request = ShareRequest.objects.create(
        number="GX-DEMO-0001", consumer=consumer, resource=resource, fields_requested=GRANT_FIELDS,
        fields_approved=GRANT_FIELDS, purpose="办理社会保险参保登记时核验申请人身份",
        legal_basis="《社会保险法》第五十七条；《政务信息资源共享管理暂行办法》", period_start=today,
        period_end=today + dt.timedelta(days=365), state=ShareRequest.State.APPROVED)
    ShareGrant.objects.create(request=request, api_key=key, consumer=consumer, resource=resource, fields=GRANT_FIELDS,
                              expires_at=timezone.now() + dt.timedelta(days=365))
    calls = _demo_calls(key, consumer, resource)
    stdout.write(f"数据共享演示基础库：新增 {made} 条；演示共享授权（人社局 → {resource.name}），"
                 f"应用密钥 {DEMO_DATA_KEY}；近15天核验调用 {calls} 次（交换监控）")


def _demo_calls(key, consumer, resource) -> int:
    """Two weeks of the demo key's 核验 calls for 交换监控 (a few refused; today ten times the usual
    volume, which the monitoring flags), two of them about the demo citizen (我的数据使用记录);
    then the daily roll-up. Made once, with the grant."""
    import random

    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.core.identifiers import make_id_number
    from zhengwu.core.pii import blind_index

    from .models import QueryCall
    from .services import monitoring

    rnd = random.Random(24)
    today = timezone.localdate()
    citizen = blind_index("id_number", CITIZEN_ID)
    rows, times = [], []
    for back in range(14, -1, -1):
        day = today - dt.timedelta(days=back)
        n = 600 if back == 0 else rnd.randint(40, 70)
        for k in range(n):
            subject = citizen if (back in (3, 9) and k == 0) else blind_index(
                "id_number", make_id_number(f"410105{1960 + rnd.randrange(40)}0{rnd.randint(1, 9)}1{rnd.randint(0, 8)}"
                                            f"{rnd.randrange(1000):03d}"))
            refused = rnd.random() < 0.03
            rows.append(QueryCall(kind="verify", api_key=key, consumer=consumer, consumer_name=key.name,
                                  resource=resource, registry="person", purpose="办理社会保险参保登记时核验申请人身份",
                                  subject_index=subject, fields=["name"],
                                  result="refused" if refused else rnd.choice(["match"] * 9 + ["mismatch"]),
                                  status_code=403 if refused else 200, latency_ms=round(rnd.uniform(2, 9), 2)))
            times.append(timezone.make_aware(dt.datetime.combine(day, dt.time(9)) + dt.timedelta(seconds=k * 40)))
    made = QueryCall.objects.bulk_create(rows, batch_size=1000)
    for row, at in zip(made, times):
        row.at = min(at, timezone.now())
    QueryCall.objects.bulk_update(made, ["at"], batch_size=1000)
    for back in range(14, -1, -1):
        monitoring.rollup_day(today - dt.timedelta(days=back))
    return len(made)
