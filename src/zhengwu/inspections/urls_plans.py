"""Pages of the plans part of 监管 (see urls.py): the workbench's 抽查计划 and the public plan pages."""

from django.urls import path

from . import views_plans as wb
from . import views_plans_public as pub

urlpatterns: list = [
    path("workbench/inspections/plans/", wb.plan_list, name="plans"),
    path("workbench/inspections/plans/new/", wb.plan_new, name="plan_new"),
    path("workbench/inspections/plans/<int:pk>/", wb.plan_detail, name="plan"),
    path("workbench/inspections/plans/<int:pk>/edit/", wb.plan_edit, name="plan_edit"),
    path("workbench/inspections/plans/<int:pk>/<slug:action>/", wb.plan_act, name="plan_act"),
    path("inspections/plans/", pub.plan_list, name="public_plans"),
    path("inspections/verify/", pub.verify_page, name="public_verify"),
    path("inspections/plans/<str:number>/", pub.plan_page, name="public_plan"),
    path("inspections/plans/<str:number>/inputs.json", pub.inputs_download, name="public_plan_inputs"),
    path("inspections/plans/<str:number>/draws/<int:seq>.json", pub.draw_download, name="public_plan_draw"),
]
