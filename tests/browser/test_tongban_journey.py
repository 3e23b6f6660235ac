"""跨域通办 as people walk it, under the strict CSP: a window of the neighbouring 二七区 (`daishou`)
receives a 金水区 item within its 全市通办 scope for a walk-in citizen and forwards it; 金水区's window
(`chuangkou`) accepts it; 金水区 decides (the 缴款单 opens on 准予); the citizen pays at the receiving
window's counter (delivery is refused before); the result is handed over there; the citizen sees
where the case was received and its timeline."""

import pytest
from django.utils import timezone

from tests.browser.journey import PDF
from tests.browser.journey import demo_people as _demo
from tests.browser.journey import log_in as _login
from tests.browser.journey import new_page as _page
from tests.browser.journey import no_csp as _no_csp
from tests.browser.journey import submit as _submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _item(name, scope, fees=()):
    from zhengwu.catalog.models import ItemVersion, Material, ServiceItem
    from zhengwu.catalog.models.items import ItemStatus, VersionState
    from zhengwu.org.models import Department

    dept = Department.objects.get(short_name="市场监管局")
    item = ServiceItem.objects.create(region=dept.region, department=dept, name=name, item_type="01",
                                      status=ItemStatus.PUBLISHED, promised_days=5, statutory_days=20,
                                      online_depth=4, visits=0, service_object="both")
    version = ItemVersion.objects.create(
        service_item=item, number=1, state=VersionState.PUBLISHED, name=name, item_type="01", service_object="both",
        case_type="committed", statutory_days=20, promised_days=5, online_depth=4, channels=["online", "window"],
        published_at=timezone.now(), tongban_scope=scope, fees=list(fees))
    Material.objects.create(version=version, seq=1, name="申请书", necessity="required")
    item.published_version = version
    item.save()
    return item


def test_receive_elsewhere_decide_at_home_hand_over_where_received(live_server, browser):
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.accounts.models import User
    from zhengwu.cases.models import Case, CrossIntake
    from zhengwu.cases.services import approval
    from zhengwu.payments.models import PaymentOrder

    _demo()
    item = _item("个体工商户注册登记", "city", fees=[{"name": "工本费", "standard": "20元/证", "amount": "20.00",
                                                 "basis": "《演示收费依据》", "rule": "", "reductions": []}])
    _item("个体工商户区内通办事项", "district")
    base = live_server.url

    # 二七区's window finds the 金水区 item; the district-only one is not offered.
    clerk = _page(browser)
    _login(clerk, base, "daishou")
    clerk.goto(f"{base}/workbench/cases/tongban/")
    clerk.fill("#cross-q", "个体工商户")
    _submit(clerk, "#btn-cross-search")
    rows = clerk.locator("#cross-items tbody tr").all_inner_texts()
    assert len(rows) == 1 and "个体工商户注册登记" in rows[0] and "全市通办" in rows[0]
    _submit(clerk, f"#btn-receive-{item.pk}")
    assert "异地代收" in clerk.locator("#cross-banner").inner_text()
    clerk.fill("#id_number", CITIZEN_ID)
    _submit(clerk, "#btn-lookup")
    assert clerk.locator("#id_item").input_value() == str(item.pk)
    _submit(clerk, "#btn-start")
    clerk.locator("input[type=file]").first.set_input_files({"name": "申请书.pdf", "mimeType": "application/pdf",
                                                            "buffer": PDF})
    with clerk.expect_navigation(wait_until="load"):
        clerk.click("button[name=op][value=submit]")
    _no_csp(clerk)
    case = Case.objects.get(service_item=item)
    assert case.state == "submitted" and CrossIntake.objects.get(case=case).forwarded_at is not None
    clerk.goto(f"{base}/workbench/cases/tongban/")
    assert case.number in clerk.locator("#received-cases").inner_text()

    # 金水区's window sees where it came from and accepts it.
    home = _page(browser)
    _login(home, base, "chuangkou")
    home.goto(f"{base}/workbench/cases/{case.pk}/")
    assert "二七区 D01窗口异地代收" in home.locator("#case-cross").inner_text()
    _submit(home, "#btn-accept")
    assert Case.objects.get(pk=case.pk).state == "in_review"
    approver = User.objects.get(username="shenpi_sj")
    for step in ("review", "decide"):
        fresh = Case.objects.get(pk=case.pk)
        approval.act_on_step(approver, fresh, step, "pass", fresh.lock_version)
    assert Case.objects.get(pk=case.pk).state == "concluded"

    # The citizen pays the fee at the receiving window's counter, then the result is handed over there.
    clerk.goto(f"{base}/workbench/cases/{case.pk}/")
    assert "未缴款前不能登记送达" in clerk.locator("#payment-panel").inner_text()
    _submit(clerk, "#btn-deliver")
    assert "缴款后方可登记送达" in clerk.content() and Case.objects.get(pk=case.pk).state == "concluded"
    clerk.goto(f"{base}/workbench/cases/{case.pk}/")
    _submit(clerk, "#payment-panel a")
    clerk.select_option("#pay-method", "cash")
    _submit(clerk, "#btn-pay")
    assert "20.00" in clerk.content()  # the 收据
    assert PaymentOrder.objects.get(case=case).state == "paid"
    clerk.goto(f"{base}/workbench/cases/{case.pk}/")
    assert clerk.locator("#panel-deliver").is_visible()
    _submit(clerk, "#btn-deliver")
    assert Case.objects.get(pk=case.pk).state == "delivered"
    _no_csp(clerk)

    # The citizen sees it too.
    citizen = _page(browser)
    _login(citizen, base, CITIZEN_ID)
    citizen.goto(f"{base}/cases/{case.pk}/")
    assert "二七区 D01窗口代收" in citizen.locator("#case-cross").inner_text()
    assert "代收窗口已将申请转交" in citizen.content()
    _no_csp(citizen)
