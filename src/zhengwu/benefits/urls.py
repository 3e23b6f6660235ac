"""免申即享 pages under one namespace: the workbench's 政策管理 and the holder's 我可享受的政策."""

from django.urls import path

from . import views_citizen as cit
from . import views_staff as v

app_name = "benefits"
P = "workbench/benefits/"

urlpatterns = [
    path(f"{P}", v.policy_list, name="staff_policies"),
    path(f"{P}new/", v.policy_new, name="staff_policy_new"),
    path(f"{P}<int:pk>/", v.policy_detail, name="staff_policy"),
    path(f"{P}<int:pk>/edit/", v.policy_edit, name="staff_policy_edit"),
    path(f"{P}<int:pk>/state/<str:target>/", v.policy_state, name="staff_policy_state"),
    path(f"{P}<int:pk>/run/", v.policy_run, name="staff_policy_run"),
    path(f"{P}<int:pk>/grant/", v.policy_grant, name="staff_policy_grant"),
    path(f"{P}<int:pk>/export.xlsx", v.policy_export, name="staff_policy_export"),
    path("benefits/mine/", cit.mine, name="mine"),
    path("benefits/mine/<int:pk>/<str:action>/", cit.decide, name="decide"),
]
