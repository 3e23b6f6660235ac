"""基础库 pages (workbench, 数据管理员)."""

from django.urls import path

from . import views_registries as v

urlpatterns = [
    path("workbench/data/registries/", v.import_page, name="registry_import"),
    path("workbench/data/registries/batches/<int:pk>/", v.batch_page, name="registry_batch"),
    path("workbench/data/registries/batches/<int:pk>/report/", v.batch_report, name="registry_report"),
    path("workbench/data/registries/browse/", v.browse, name="registry_browse"),
]
