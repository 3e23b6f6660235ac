"""Data: the demo 办事指南 no longer promise a clock stop the case handling will not apply.

Only the procedures 《中华人民共和国行政许可法》第四十五条 names (听证、招标、拍卖、检验、检测、检疫、鉴定、
专家评审) stop a case's clock: the workbench refuses any other, and the catalogue now refuses a
特别程序 of another kind whose text says its time is not counted (``zhengwu.catalog.special_rules``).
The demo catalogue said so of several (公示期不计入办理时限, 离婚冷静期…), and listed the 食品经营许可证核发's
现场核查 both as a 特别程序 and as a step of its 办理流程. Each guide version the demo loaded (the first,
with the demo's change and review notes, in the demo district) whose 特别程序 are not the demo's current ones takes the demo's
特别程序, 受理条件 and 办理流程; the migration prints which. Guides a bureau wrote are left as they
are: the guide prints such a procedure as 计入办理时限, and the editor refuses the promise when the
guide is next edited.
"""

from django.db import migrations
from django.utils import timezone

DEMO_NOTE = "演示数据：按河南政务服务网区县实施清单整理"
DISTRICT = "410105000000"
FIELDS = ("special_procedures", "acceptance_conditions", "process_steps")


def forwards(apps, schema_editor):
    from zhengwu.catalog import special_rules

    ItemVersion = apps.get_model("catalog", "ItemVersion")
    ServiceItem = apps.get_model("catalog", "ServiceItem")
    versions = [v for v in ItemVersion.objects.filter(
        number=1, change_note=DEMO_NOTE, review_note="演示数据", service_item__region__code=DISTRICT,
        service_item__handling_name="") if v.special_procedures]
    if not versions:
        return
    from zhengwu.catalog.demo import build_records

    records = {(r.dept, r.version["name"]): r.version for r in build_records()}
    fixed = []
    for v in versions:
        item = ServiceItem.objects.select_related("department").get(pk=v.service_item_id)
        record = records.get((item.department.short_name, v.name))
        if (record is None or record["special_procedures"] == v.special_procedures
                or special_rules.problems(record["special_procedures"])[0]):
            continue
        for name in FIELDS:
            setattr(v, name, record[name])
        v.save(update_fields=list(FIELDS))
        # A new key for the cached guide page (it carries the item's updated_at).
        ServiceItem.objects.filter(pk=item.pk).update(updated_at=timezone.now())
        fixed.append(v.name)
    if fixed:
        print(f"\n  演示办事指南：更正 {len(fixed)} 个事项的特别程序（非行政许可法第四十五条规定的程序计入办理时限）："
              f"{'、'.join(fixed)}")


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0013_importjob_create_departments"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
