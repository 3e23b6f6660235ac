"""Catalogue URLs of the workbench and of import/export, namespace ``catalog``. The root URLconf
includes them together with the public catalogue pages (zhengwu/portal/urls_catalog.py) under
that one namespace."""

from . import urls_import, urls_workbench

app_name = "catalog"
urlpatterns = urls_workbench.urlpatterns + urls_import.urlpatterns
