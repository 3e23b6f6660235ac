"""取号叫号 JSON API (/api/v1/queueing/…): one router per concern, mounted here."""

from ninja import Router

from . import api_board, api_hall, api_queue, api_supervision

PREFIX = "/queueing/"
router = Router(tags=["大厅取号叫号与预约"])
router.add_router("", api_hall.router)
router.add_router("", api_queue.router)
router.add_router("", api_supervision.router)
router.add_router("", api_board.router)
