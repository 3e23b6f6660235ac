"""Data: the demo 企业设立登记 serves persons too (服务对象 个人和法人).

A company is registered before it exists: its 投资人 or 法定代表人 applies, usually as a person (the
approval then makes the company an applicant its registrant acts for, ``accounts.entities``). The
demo catalogue listed the item for 法人 only, so a citizen could neither apply for it nor choose
公司等企业 in 开办餐饮店一件事. The version the demo loaded (the first, with the demo's notes, in
the demo district) that still says 法人 only now says 个人和法人. A bureau's own guide is left as is.
"""

from django.db import migrations
from django.utils import timezone

DEMO_NOTE = "演示数据：按河南政务服务网区县实施清单整理"
DISTRICT = "410105000000"


def forwards(apps, schema_editor):
    ItemVersion = apps.get_model("catalog", "ItemVersion")
    ServiceItem = apps.get_model("catalog", "ServiceItem")
    versions = ItemVersion.objects.filter(
        number=1, change_note=DEMO_NOTE, review_note="演示数据", service_item__region__code=DISTRICT,
        service_item__handling_name="", name="企业设立登记", service_object="legal")
    items = list(versions.values_list("service_item_id", flat=True))
    if items:
        versions.update(service_object="both")
        # The item's denormalised copy follows its published version; a new updated_at is a new key for the cached guide.
        ServiceItem.objects.filter(pk__in=items, service_object="legal").update(service_object="both")
        ServiceItem.objects.filter(pk__in=items).update(updated_at=timezone.now())
        print("\n  演示办事指南：“企业设立登记”的服务对象改为个人和法人（投资人以个人身份申请设立）")


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0015_import_submit_for_review"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
