"""JSON API of the plans part of 监管, mounted by api.py under /api/v1/inspections/."""

from ninja import Router

router = Router(tags=["互联网+监管"])
