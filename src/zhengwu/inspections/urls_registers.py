"""Pages of the registers part of 监管 (see urls.py): 监管事项目录, 执法人员名录, 检查对象名录库, 回避."""

from django.urls import path

from . import views_registers as v
from . import views_registers_objects as vo

P = "workbench/inspections/"

urlpatterns: list = [
    path(f"{P}items/", v.item_list, name="reg_items"),
    path(f"{P}items/new/", v.item_new, name="reg_item_new"),
    path(f"{P}items/import-catalogue/", v.item_import_catalogue, name="reg_item_import_catalogue"),
    path(f"{P}items/<int:pk>/", v.item_edit, name="reg_item_edit"),
    path(f"{P}inspectors/", v.inspector_list, name="reg_inspectors"),
    path(f"{P}inspectors/new/", v.inspector_new, name="reg_inspector_new"),
    path(f"{P}inspectors/import/", v.inspector_import, name="reg_inspector_import"),
    path(f"{P}inspectors/rates/", v.inspector_rates, name="reg_inspector_rates"),
    path(f"{P}inspectors/<int:pk>/", v.inspector_edit, name="reg_inspector"),
    path(f"{P}inspectors/<int:pk>/conflicts/", vo.conflict_declare, name="reg_conflict_declare"),
    path(f"{P}objects/", vo.object_list, name="reg_objects"),
    path(f"{P}objects/new/", vo.object_new, name="reg_object_new"),
    path(f"{P}objects/import/", vo.object_import, name="reg_object_import"),
    path(f"{P}objects/sync/", vo.object_sync, name="reg_object_sync"),
    path(f"{P}objects/runs/<int:pk>/", vo.object_job, name="reg_object_job"),
    path(f"{P}objects/<int:pk>/", vo.object_detail, name="reg_object"),
    path(f"{P}objects/<int:pk>/edit/", vo.object_edit, name="reg_object_edit"),
    path(f"{P}conflicts/mine/", vo.my_conflicts, name="reg_my_conflicts"),
]
