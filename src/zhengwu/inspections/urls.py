"""监管 pages, one URL module per concern under one namespace: the registers (urls_registers), plans
and draws (urls_plans), results, 公示 and figures (urls_results), 告知承诺 后核查 (urls_verification)."""

from . import urls_plans, urls_registers, urls_results, urls_verification

app_name = "inspections"

urlpatterns = (urls_registers.urlpatterns + urls_plans.urlpatterns + urls_results.urlpatterns
               + urls_verification.urlpatterns)
