"""用证 / 免提交 pages (mounted by licenses/urls.py, namespace ``licenses``)."""

from django.urls import path

from . import views_use

urlpatterns = [
    path("my/licences/uses/", views_use.my_uses, name="my_uses"),
    path("workbench/licences/uses/<int:pk>/", views_use.use_licence, name="use_licence"),
    path("workbench/licences/figures/", views_use.figures, name="use_figures"),
    path("workbench/licences/figures/export.xlsx", views_use.figures_export, name="use_figures_export"),
]
