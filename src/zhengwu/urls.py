from django.contrib import admin
from django.urls import include, path

from .api import api
from .catalog import urls as catalog_urls
from .core.metrics import metrics_view
from .portal import urls_catalog as portal_catalog_urls

urlpatterns = [
    # Prefixed routes first: Django tries patterns in order, and every pattern of the "" includes
    # below is tried (and recorded as tried) before a later route matches. The API is the busiest
    # prefix, and no "" include has a pattern under api/v1/ or accounts/.
    path("api/v1/", api.urls),
    path("accounts/", include("zhengwu.accounts.urls")),
    # Prometheus (zhengwu.core.metrics): allowed networks or a bearer token only.
    path("metrics", metrics_view, name="metrics"),
    path("", include("zhengwu.portal.urls")),
    # One namespace "catalog": the public pages (composed in portal) and the workbench/import pages.
    path("", include((portal_catalog_urls.urlpatterns + catalog_urls.urlpatterns, catalog_urls.app_name))),
    path("", include("zhengwu.cases.urls")),
    path("", include("zhengwu.ratings.urls")),
    path("", include("zhengwu.hotline.urls")),
    path("", include("zhengwu.licenses.urls")),
    path("", include("zhengwu.datashare.urls")),
    path("", include("zhengwu.queueing.urls")),
    path("", include("zhengwu.inspections.urls")),
    path("", include("zhengwu.payments.urls")),
    path("", include("zhengwu.insights.urls")),
    path("", include("zhengwu.benefits.urls")),
    path("workbench/", include("zhengwu.workbench.urls")),
    path("admin/", admin.site.urls),
]

# JSON under /api/ and /open311/, the HTML templates (400/403/404/500.html) everywhere else.
handler400 = "zhengwu.core.errors.bad_request"
handler403 = "zhengwu.core.errors.permission_denied"
handler404 = "zhengwu.core.errors.page_not_found"
handler500 = "zhengwu.core.errors.server_error"
