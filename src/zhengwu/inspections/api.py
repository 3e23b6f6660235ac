"""监管 JSON API (/api/v1/inspections/…): one router per concern, mounted here."""

from ninja import Router

from . import api_plans, api_registers, api_results, api_verification

PREFIX = "/inspections/"
router = Router(tags=["互联网+监管"])
for _part in (api_registers, api_plans, api_results, api_verification):
    router.add_router("", _part.router)
