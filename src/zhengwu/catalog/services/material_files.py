"""空白表格 and 示例样表 of an item's materials: upload, replace, remove (on the open draft).

Part of the write path of :mod:`zhengwu.catalog.services.items` (which re-exports these names):
same role check, same 乐观锁 on the item, one transaction, one audit event.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from zhengwu.core import audit, files

from .. import rules
from ..models import Material, ServiceItem

MATERIAL_FILE_KINDS = {"blank_form": "空白表格", "sample": "示例样表"}
MATERIAL_FILE_MAX_BYTES = 10 * 1024 * 1024
MATERIAL_FILE_TYPES = "PDF、Word、Excel、OFD、JPG、PNG"


def attach_material_file(actor, item: ServiceItem | int, *, lock_version: int, material_id: int, kind: str,
                         upload=None) -> Material:
    """Attach (or, with ``upload=None``, remove) a material's 空白表格 or 示例样表 on the open draft.

    Published versions are immutable; a new draft copies its predecessor's files.
    """
    from .items import (  # items imports this module
        AUDIT_TYPE,
        _bump,
        _lock,
        _open_version_locked,
        _require,
    )

    label = MATERIAL_FILE_KINDS.get(kind)
    if label is None:
        raise ValidationError({"kind": "文件类别应为“空白表格”或“示例样表”"})
    content, ext = None, None
    if upload is not None:
        if upload.size > MATERIAL_FILE_MAX_BYTES:
            raise ValidationError({"file": f"{label}：文件不能超过 {MATERIAL_FILE_MAX_BYTES // (1024 * 1024)} MB"})
        content = upload.read()
        ext = files.sniff(content[:8192])
        if ext is None:
            raise ValidationError({"file": f"{label}：只接受 {MATERIAL_FILE_TYPES} 文件（按文件内容识别，不看扩展名）"})
    with transaction.atomic():
        item = _lock(item, lock_version)
        _require(actor, rules.roles_for("edit"), item.department, "修改本事项的申请材料")
        version = _open_version_locked(item)
        rules.check_transition(version.state, "edit")
        material = version.materials.select_for_update().filter(pk=material_id).first()
        if material is None:
            raise ValidationError({"material": "该材料不属于当前草稿：请先保存申请材料表"})
        before = getattr(material, kind).name or ""
        if content is None:
            setattr(material, kind, "")
        else:
            digest = hashlib.sha256(content).hexdigest()
            getattr(material, kind).save(f"{digest}.{ext}", ContentFile(content), save=False)
        material.save(update_fields=[kind])
        version.edited_by = actor if getattr(actor, "pk", None) else None
        version.save(update_fields=["edited_by"])
        _bump(item)
        audit.record("catalog.item.material_file", actor=actor, obj=item, object_type=AUDIT_TYPE,
                     before={"version": version.number, "material": material.name, kind: before},
                     after={"version": version.number, "material": material.name, kind: getattr(material, kind).name})
    return material
