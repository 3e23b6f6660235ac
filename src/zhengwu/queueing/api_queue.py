"""JSON API of the queue part of 取号叫号, mounted by api.py under /api/v1/queueing/."""

from ninja import Router

router = Router(tags=["大厅取号叫号与预约"])
