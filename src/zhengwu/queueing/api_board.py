"""JSON API of the board part of 取号叫号, mounted by api.py under /api/v1/queueing/.

Public hall display data only (no login): ticket numbers, window numbers, waiting counts — never
a name. The pages poll these when the push server cannot be reached.
"""

from typing import Optional

from django.shortcuts import get_object_or_404
from ninja import Router

from zhengwu.core.schemas import ErrorOut, Schema

from .push import store

router = Router(tags=["大厅取号叫号与预约"])
ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}  # 400: a malformed id (the API root's handler)


class CallOut(Schema):
    ticket: str
    window: str
    text: str
    at: str
    event_id: int


class BoardOut(Schema):
    calls: list[CallOut]
    waiting: dict[str, int]
    last_event_id: int


class ScreenTicketOut(Schema):
    id: int
    display: str
    status: str
    status_label: str


class ScreenOut(Schema):
    window: str
    window_id: int
    name: str
    hall: int
    open: bool
    clerk: str
    ticket: Optional[ScreenTicketOut] = None
    last_event_id: int


@router.get("/halls/{hall_id}/board", auth=None, response={200: BoardOut, **ERRORS},
            summary="叫号大屏：最近 8 次叫号、各业务类型等候人数、事件流位置（公开，无个人信息）")
def hall_board(request, hall_id: int):
    from zhengwu.org.models import Hall

    hall = get_object_or_404(Hall, pk=hall_id, is_active=True)
    return store.board(hall.pk)


@router.get("/windows/{window_id}/screen", auth=None, response={200: ScreenOut, **ERRORS},
            summary="窗口屏：窗口号、服务人员、当前号码、是否暂停服务（公开）")
def window_screen(request, window_id: int):
    from zhengwu.org.models import Window

    return store.window_screen(get_object_or_404(Window, pk=window_id, is_active=True))
