"""The citizen's side of a ticket beyond filing it: photos sent with the complaint, and the
citizen's own rating of the reply (网上评价).

Photos are stored through the project's default storage — encrypted at rest
(:mod:`zhengwu.core.storage`), named by their SHA-256, never at a guessable URL — and read only by
staff who may see the ticket, each read audited (:func:`open_photo`).
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core import audit, files

from .. import rules
from ..models import Ticket, TicketPhoto
from .base import locked, record_event

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = ("jpg", "png")  # sniffed from the first bytes, never from the name


def check_photos(uploads) -> list[dict]:
    """Check the uploaded photos before anything is written: at most :data:`MAX_PHOTOS`, each a
    JPEG or PNG (by its content) of at most 5 MB. The checked photos, or ``ValidationError``."""
    uploads = [u for u in uploads or [] if u is not None and getattr(u, "name", "")]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError({"photos": f"照片最多{MAX_PHOTOS}张（现在{len(uploads)}张）"})
    out = []
    for u in uploads:
        name = str(u.name)[:255]
        if not u.size:
            raise ValidationError({"photos": f"照片“{name}”是空文件，请重新选择"})
        if u.size > MAX_PHOTO_BYTES:
            raise ValidationError({"photos": f"照片“{name}”超过大小限制：每张不能超过{MAX_PHOTO_BYTES // 1024 // 1024}MB"})
        digest, head = hashlib.sha256(), b""
        for chunk in u.chunks():
            if len(head) < 4096:
                head += chunk[: 4096 - len(head)]
            digest.update(chunk)
        ext = files.sniff(head)
        if ext not in PHOTO_TYPES:
            raise ValidationError({"photos": f"照片“{name}”的格式不支持：只接受 JPG 或 PNG 图片"})
        out.append({"upload": u, "name": name, "content_type": files.FILE_TYPES[ext], "size": u.size,
                    "sha256": digest.hexdigest()})
    return out


@transaction.atomic
def add_photos(user, ticket: Ticket, checked: list[dict]) -> list[TicketPhoto]:
    """Store the checked photos with the ticket (a photo already stored with it is not stored twice:
    a resent form adds nothing)."""
    have = set(TicketPhoto.objects.filter(ticket=ticket).values_list("sha256", flat=True))
    stored = []
    for p in checked:
        if p["sha256"] in have:
            continue
        photo = TicketPhoto(ticket=ticket, original_name=p["name"], content_type=p["content_type"], size=p["size"],
                            sha256=p["sha256"])
        photo.file.save(p["sha256"], p["upload"], save=False)  # streamed through the storage's cipher
        photo.save()
        have.add(p["sha256"])
        stored.append(photo)
    if stored:
        record_event(ticket, "note", user, opinion=f"诉求人上传照片{len(stored)}张",
                     data={"photos": [p.sha256 for p in stored]}, public=True)
        audit.record("hotline.photo.upload", actor=user, obj=ticket,
                     after={"number": ticket.number, "photos": [{"sha256": p.sha256, "size": p.size} for p in stored]})
    return stored


def open_photo(user, ticket: Ticket, photo_id: int, *, purpose: str = "查看诉求照片"):
    """(an open file, content type, name) of one photo of ``ticket``, for staff the caller has
    already checked may see the ticket; the read is audited."""
    photo = TicketPhoto.objects.filter(ticket=ticket, pk=photo_id).first()
    if photo is None:
        raise PermissionDenied("照片不存在或无权查看")
    handle = photo.file.open("rb")
    with transaction.atomic():
        audit.record("hotline.photo.read", actor=user, obj=ticket,
                     after={"number": ticket.number, "photo": photo.pk, "sha256": photo.sha256, "purpose": purpose})
    return handle, photo.content_type, f"{ticket.number}-{photo.pk}.{'png' if photo.content_type.endswith('png') else 'jpg'}"


@transaction.atomic
def rate_by_citizen(user, ticket: Ticket, level) -> Ticket:
    """网上评价: the citizen rates the reply once — 满意 / 基本满意 / 不满意 (levels 4 / 3 / 2 of the
    callback's scale) — after it is answered. The level is the ticket's satisfaction (the
    figures' 满意率) and goes to 好差评 as the callback's would."""
    applicant = getattr(user, "applicant", None) if getattr(user, "is_authenticated", False) else None
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise ValidationError({"satisfaction": "请选择评价：满意、基本满意或不满意"}) from None
    if level not in rules.CITIZEN_RATINGS:
        raise ValidationError({"satisfaction": "评价应为 满意、基本满意、不满意 之一"})
    ticket = locked(ticket.pk, None)
    if applicant is None or ticket.applicant_id != applicant.pk:
        raise PermissionDenied("只能评价本人提交的诉求")
    if ticket.state not in rules.RATEABLE_STATES or not ticket.reply:
        raise ValidationError({"satisfaction": "诉求答复后才能评价"})
    if ticket.satisfaction_source == "citizen":
        raise ValidationError({"satisfaction": "您已评价过该诉求，每件诉求只能评价一次"})
    if ticket.satisfaction is not None:
        raise ValidationError({"satisfaction": "回访时已记录您的满意度，不能重复评价"})
    now = timezone.now()
    ticket.satisfaction, ticket.satisfaction_source, ticket.rated_at = level, "citizen", now
    ticket.lock_version += 1
    ticket.save(update_fields=["satisfaction", "satisfaction_source", "rated_at", "lock_version", "updated_at"])
    record_event(ticket, "rate", user, opinion=rules.CITIZEN_RATINGS[level],
                 data={"satisfaction": level, "satisfaction_label": rules.CITIZEN_RATINGS[level]}, at=now)
    audit.record("hotline.rate", actor=user, obj=ticket, after={"number": ticket.number, "satisfaction": level})
    from .. import integrations

    integrations.rate_ticket(ticket, user, "")
    return ticket
