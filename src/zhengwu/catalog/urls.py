"""All catalogue URLs, namespace ``catalog``: portal pages, workbench pages, import/export."""

from . import urls_import, urls_portal, urls_workbench

app_name = "catalog"
urlpatterns = urls_portal.urlpatterns + urls_workbench.urlpatterns + urls_import.urlpatterns
