"""URLs of 资源目录, 三张清单, 信息系统普查 (workbench) and 开放数据 (public pages, CKAN Action
API, DCAT) — mounted by :mod:`zhengwu.datashare.urls` under the "datashare" namespace."""

from django.urls import path

from . import open_data, views_catalogue, views_lists, views_systems

urlpatterns = [
    path("workbench/data/resources/", views_catalogue.resource_list, name="resource_list"),
    path("workbench/data/resources/new/", views_catalogue.resource_edit, name="resource_new"),
    path("workbench/data/resources/import/", views_catalogue.resource_import, name="resource_import"),
    path("workbench/data/resources/<int:pk>/", views_catalogue.resource_detail, name="resource_detail"),
    path("workbench/data/resources/<int:pk>/edit/", views_catalogue.resource_edit, name="resource_edit"),
    path("workbench/data/resources/<int:pk>/action/", views_catalogue.resource_action, name="resource_action"),
    path("workbench/data/lists/", views_lists.lists, name="lists_home"),
    path("workbench/data/lists/unanswered/", views_lists.unanswered, name="needs_unanswered"),
    path("workbench/data/lists/<str:kind>/", views_lists.lists, name="lists"),
    path("workbench/data/needs/<int:pk>/answer/", views_lists.need_answer, name="need_answer"),
    path("workbench/data/duties/<int:pk>/done/", views_lists.duty_done, name="duty_done"),
    path("workbench/data/systems/", views_systems.system_list, name="system_list"),
    path("workbench/data/systems/new/", views_systems.system_edit, name="system_new"),
    path("workbench/data/systems/import/", views_systems.system_import, name="system_import"),
    path("workbench/data/systems/<int:pk>/edit/", views_systems.system_edit, name="system_edit"),
    path("open-data/", views_catalogue.open_list, name="open_list"),
    path("open-data/<int:pk>/", views_catalogue.open_detail, name="open_detail"),
    path("open-data/catalog.ttl", open_data.dcat_catalog, {"fmt": "ttl"}, name="dcat_ttl"),
    path("open-data/catalog.rdf", open_data.dcat_catalog, {"fmt": "rdf"}, name="dcat_rdf"),
    path("open-data/catalog.jsonld", open_data.dcat_catalog, {"fmt": "jsonld"}, name="dcat_jsonld"),
    path("api/3/action/<str:name>", open_data.action, name="ckan_action"),
    path("api/action/<str:name>", open_data.action, name="ckan_action_unversioned"),
]
