from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("", include("zhengwu.portal.urls")),
    path("", include("zhengwu.catalog.urls")),
    path("", include("zhengwu.cases.urls")),
    path("", include("zhengwu.ratings.urls")),
    path("", include("zhengwu.hotline.urls")),
    path("accounts/", include("zhengwu.accounts.urls")),
    path("workbench/", include("zhengwu.workbench.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
