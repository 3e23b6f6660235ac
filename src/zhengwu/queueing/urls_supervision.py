"""Pages of the supervision part of 取号叫号 (see urls.py): 效能监察 under workbench/queueing/supervision/."""

from django.urls import path

from . import views_supervision as v

S = "workbench/queueing/supervision/"

urlpatterns: list = [
    path(S, v.index, name="supervision"),
    path(f"{S}<int:hall_id>/", v.live, name="supervision_live"),
    path(f"{S}<int:hall_id>/figures/", v.figures_page, name="supervision_figures"),
    path(f"{S}<int:hall_id>/figures.xlsx", v.export, name="supervision_export"),
]
