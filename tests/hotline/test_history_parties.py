"""流转记录 says who did what to whom: the 12345 operator acts for 12345热线 (→ the department the
ticket goes to), a department's staff for their department; the dispatch form names the units the
same way (full names) for 主办单位 and 协办单位."""

import re

import pytest

from zhengwu.hotline import rules, services

pytestmark = pytest.mark.django_db
W = "/workbench/hotline"


def _history(html):
    block = re.search(r'id="history">(.*?)</ol>', html, re.S).group(1)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip()
            for li in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


@pytest.mark.parametrize("action, actor, dept, system, text", [
    ("dispatch", "吴坐席", "市场监管局", False, "吴坐席（12345热线）→ 市场监管局"),
    ("urge", "", "市场监管局", True, "系统 → 市场监管局"),
    ("claim", "孙管理员", "市场监管局", False, "孙管理员（市场监管局）"),
    ("register", "吴坐席", "", False, "吴坐席（12345热线）"),
    ("submit", "张市民", "", False, "张市民"),
])
def test_event_parties(action, actor, dept, system, text):
    assert rules.event_parties(action, actor, dept, by_system=system) == text


def test_history_names_the_centre_and_the_department(client, centre, handler, dispatched, market):
    t = dispatched()
    services.claim(handler, t, t.lock_version)
    client.force_login(centre)
    lines = _history(client.get(f"{W}/tickets/{t.pk}/").content.decode())
    dispatch = next(line for line in lines if line.startswith("派单"))
    claim = next(line for line in lines if line.startswith("签收"))
    assert f"派单 · {centre.display_name}（12345热线）→ 市场监管局 · " in dispatch
    assert f"签收 · {handler.display_name}（市场监管局） · " in claim


def test_dispatch_form_names_lead_and_co_units_alike(client, centre, new_ticket, market, urban):
    t = new_ticket()
    client.force_login(centre)
    html = client.get(f"{W}/tickets/{t.pk}/").content.decode()
    form = html[html.index('id="form-dispatch"'):]
    form = form[:form.index("</form>")]
    lead = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', form[form.index('id="d-department"'):])
    co = re.findall(r'<label class="form-check-label small" for="d-co-\d+">([^<]+)</label>', form)
    assert market.name in lead and urban.name in lead
    assert co and set(co) <= set(lead) and market.name in co


def test_console_and_ticket_name_co_units_as_the_lead(client, centre, new_ticket, market, urban):
    client.force_login(centre)
    html = client.get(f"{W}/console/").content.decode()
    co = re.findall(r'<label class="form-check-label small" for="f-co-\d+">([^<]+)</label>', html)
    assert urban.name in co and urban.short_name not in co
    t = new_ticket()
    services.dispatch(centre, t, t.lock_version, market.pk, co_departments=[urban.pk])
    info = re.search(r'id="ticket-department">(.*?)</dd>', client.get(f"{W}/tickets/{t.pk}/").content.decode()).group(1)
    assert info == f"{market.name}；协办：{urban.name}"
