"""JSON API of the supervision part of 取号叫号 (效能监察), mounted by api.py under /api/v1/queueing/.

Session authentication; 督办人员, 领导 and 系统管理员 only, within the regions of their grants (a
hall outside them is 404). The live page polls ``halls/{id}/supervision/live`` every 15 s.
"""

from __future__ import annotations

import orjson
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Router

from zhengwu.accounts.api_auth import SessionAuth
from zhengwu.core import errors
from zhengwu.core.schemas import ERRORS
from zhengwu.org.permissions import has_role

from . import figures
from . import supervision_rules as rules
from .services import supervision

router = Router(auth=SessionAuth(), tags=["大厅取号叫号与预约"])


class HallNotFound(errors.NotFound):
    message = "大厅不存在或不在您的管辖范围"


def hall_for(user, hall_id: int):
    if not has_role(user, *supervision.ROLES):
        raise PermissionDenied("仅督办人员、领导和系统管理员可以查看效能监察")
    hall = supervision.halls_for(user).filter(pk=hall_id).first()
    if hall is None:
        raise HallNotFound()
    return hall


@router.get("/halls/{hall_id}/supervision/live", response={200: dict, **ERRORS}, summary="效能监察：大厅实时数据",
            url_name="queueing_supervision_live",
            description="当前等候人数（按业务类型）、今日平均等待/办理时间、超时等待的号、窗口开关与饱和度、今日超时提醒。")
def live(request, hall_id: int):
    hall = hall_for(request.auth, hall_id)
    return HttpResponse(orjson.dumps(supervision.live(hall)), content_type="application/json")


@router.get("/halls/{hall_id}/supervision/figures", response={200: dict, **ERRORS},
            summary="效能监察：按窗口/业务类型/时段/日期统计",
            description="start、end 为 YYYY-MM-DD（默认本月，最长一年）；by=window|business_type|hour|day。"
                        "过去的日期读日汇总，今天读实时数据。")
def figures_json(request, hall_id: int, start: str | None = None, end: str | None = None,
                 by: str | None = None):
    hall = hall_for(request.auth, hall_id)
    try:
        s, e = rules.parse_range(start, end, timezone.localdate())
        group = rules.parse_group(by)
    except rules.RuleError as exc:
        raise ValidationError({exc.field: [exc.message]}) from None
    rep = figures.report(hall, start=s, end=e, by=group)
    return HttpResponse(orjson.dumps(rep.as_json()), content_type="application/json")
