"""The staff case page in plain words: 即办 instead of "0 个工作日", no 版本锁 shown (the hidden
field stays), only the current file of each material with the replaced ones folded away."""

import re

import pytest
from django.urls import reverse

from zhengwu.cases.services import applying

pytestmark = pytest.mark.django_db


def page(client, case) -> str:
    return client.get(reverse("cases:staff_case", args=[case.pk])).content.decode()


def test_instant_item_says_jifan_and_no_lock_is_shown(staff_client, window_staff, publish_item, dept, citizen):
    item = publish_item(dept, "食品小作坊登记", promised_days=0, case_type="instant")
    case = applying.create_draft(citizen, item)
    case = applying.submit(citizen, case, case.lock_version)
    text = page(staff_client(window_staff), case)
    assert re.search(r'id="case-promised">即办', text) and "0 个工作日" not in text
    assert "版本锁" not in text
    assert f'name="lock_version" value="{case.lock_version}"' in text  # still posted with every action


def test_replaced_uploads_are_folded_away(staff_client, window_staff, citizen, item, pdf):
    case = applying.create_draft(citizen, item, form_data={"shop_name": "老王小吃", "area": 30})
    applying.upload_material(citizen, case, pdf("旧执照.pdf"), name="营业执照")
    applying.upload_material(citizen, case, pdf("新执照.pdf", b"%PDF-1.4\n% new\n%%EOF\n"), name="营业执照")
    applying.upload_material(citizen, case, pdf("申请书.pdf"), name="食品经营许可申请书")
    case.refresh_from_db()
    case = applying.submit(citizen, case, case.lock_version)
    text = page(staff_client(window_staff), case)
    table = text[text.index('id="materials"'):text.index("</table>", text.index('id="materials"'))]
    assert "新执照.pdf" in table and "旧执照.pdf" not in table
    history = text[text.index('id="replaced-uploads"'):]
    assert "旧执照.pdf" in history[:history.index("</details>")]
    assert "已被替换的历史文件（1份" in text
