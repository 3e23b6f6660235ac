"""URL patterns of the cases app (figures side); included by cases/urls.py (namespace ``cases``)."""

from django.urls import path

from . import views_figures

urlpatterns: list = [
    path("workbench/cases/figures/", views_figures.figures, name="figures"),
    path("workbench/cases/figures/export.xlsx", views_figures.figures_export, name="figures_export"),
]
