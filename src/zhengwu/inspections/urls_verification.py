"""Pages of the verification part of 监管 (see urls.py): 告知承诺 后核查 in the workbench."""

from django.urls import path

from . import views_verification as v

P = "workbench/inspections/commitments/"

urlpatterns: list = [
    path(P, v.queue, name="verification_queue"),
    path(f"{P}days/", v.department_days, name="verification_days"),
    path(f"{P}<int:pk>/", v.check_detail, name="verification_check"),
    path(f"{P}<int:pk>/record/", v.check_record, name="verification_record"),
]
