"""URLs of the insights app (namespace ``insights``): workbench pages under workbench/insights/."""

from django.urls import path

from . import views

app_name = "insights"
W = "workbench/insights/"

urlpatterns: list = [
    path(f"{W}figures/", views.figures, name="figures"),
    path(f"{W}leader/", views.leader, name="leader"),
]
