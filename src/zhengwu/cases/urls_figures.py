"""URL patterns of the cases app (figures side); included by cases/urls.py (namespace ``cases``)."""

from django.urls import path

from . import views_figure_cases, views_figures

urlpatterns: list = [
    path("workbench/cases/figures/", views_figures.figures, name="figures"),
    path("workbench/cases/figures/cases/", views_figure_cases.figure_cases, name="figure_cases"),
    path("workbench/cases/figures/export.xlsx", views_figures.figures_export, name="figures_export"),
]
