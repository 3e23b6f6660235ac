"""URL patterns of the catalogue (import side); included by catalog/urls.py."""

from django.urls import path

from . import views_import as v
from . import views_import_review as vr

P = "workbench/catalog/import/"

urlpatterns: list = [
    path(P, v.import_page, name="wb_import"),
    path(f"{P}export/", v.export, name="wb_export"),
    path(f"{P}template/", v.template, name="wb_import_template"),
    path(f"{P}jobs/<int:pk>/", v.import_job, name="wb_import_job"),
    path(f"{P}jobs/<int:pk>/errors.csv", v.import_job_errors, name="wb_import_job_errors"),
    path(f"{P}jobs/<int:pk>/review/", vr.import_batch, name="wb_import_batch"),
]
