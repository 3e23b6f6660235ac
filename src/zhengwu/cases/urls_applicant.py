"""URL patterns of the cases app (applicant side); included by cases/urls.py (namespace ``cases``)."""

from django.urls import path

from . import views_applicant as views
from . import views_applying as applying

urlpatterns: list = [
    path("cases/apply/<int:item_id>/", applying.apply, name="apply"),
    path("cases/mine/", views.case_list, name="my_cases"),
    path("cases/<int:pk>/", views.case_detail, name="my_case"),
    path("cases/<int:pk>/edit/", applying.edit, name="edit"),
    path("cases/<int:pk>/withdraw/", applying.withdraw, name="withdraw"),
    path("cases/<int:pk>/pending/<int:pending_id>/", applying.supply_pending, name="supply_pending"),
    path("cases/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("cases/<int:pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("cases/<int:pk>/files/<int:material_id>/", views.case_file, name="case_file"),
    path("cases/<int:pk>/decision.pdf", views.decision_pdf, name="decision_pdf"),
    path("cases/notifications/", views.notifications, name="notifications"),
    path("cases/notifications/read/", views.notifications_read, name="notifications_read"),
    path("cases/notifications/unread/", views.notifications_unread, name="notifications_unread"),
    path("cases/bundle/<int:bundle_id>/apply/", applying.bundle_apply, name="bundle_apply"),
    path("cases/bundle-case/<int:pk>/", applying.bundle_case, name="bundle_case"),
]
