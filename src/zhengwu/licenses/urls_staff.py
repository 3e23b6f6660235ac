"""Workbench URLs of the registry (mounted by licenses/urls.py under the "licenses" namespace)."""

from django.urls import path

from . import views_staff as v

P = "workbench/licences/"

urlpatterns = [
    path(f"{P}", v.licence_list, name="staff_licences"),
    path(f"{P}<int:pk>/", v.licence_detail, name="staff_licence"),
    path(f"{P}<int:pk>/pdf/", v.licence_pdf, name="staff_licence_pdf"),
    path(f"{P}<int:pk>/reveal/", v.licence_reveal, name="staff_licence_reveal"),
    path(f"{P}<int:pk>/change/", v.licence_change, name="staff_licence_change"),
    path(f"{P}<int:pk>/<str:action>/", v.licence_action, name="staff_licence_action"),
    path(f"{P}types/", v.type_list, name="staff_types"),
    path(f"{P}types/new/", v.type_new, name="staff_type_new"),
    path(f"{P}types/<int:pk>/", v.type_edit, name="staff_type_edit"),
]
