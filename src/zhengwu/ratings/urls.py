"""URLs of the ratings app (namespace `ratings`): citizen pages under ratings/, staff pages under
workbench/ratings/."""

from django.urls import path

from . import views_list
from . import views_public as pub
from . import views_staff as st

app_name = "ratings"
W = "workbench/ratings/"

urlpatterns: list = [
    path("ratings/case/<int:pk>/", pub.rate_case, name="rate_case"),
    path("ratings/case/<int:pk>/followup/", pub.followup, name="followup"),
    path("ratings/q/<str:token>/", pub.qr_rate, name="qr_rate"),
    path("ratings/public/", pub.public_figures, name="public"),
    path("ratings/mine/", pub.my_ratings, name="mine"),
    path("ratings/screen/", pub.screen, name="screen"),
    path(f"{W}", views_list.rating_list, name="list"),
    path(f"{W}tablet/", st.tablet_start, name="tablet_start"),
    path(f"{W}tablet/<int:window_id>/", st.tablet, name="tablet"),
    path(f"{W}tablet/<int:window_id>/visit/<int:visit_id>/", st.tablet_rate, name="tablet_rate"),
    path(f"{W}windows/<int:window_id>/qr/", st.window_qr, name="window_qr"),
    path(f"{W}rectifications/", st.rect_list, name="rect_list"),
    path(f"{W}rectifications/<int:pk>/", st.rect_detail, name="rect_detail"),
    path(f"{W}rectifications/<int:pk>/<str:action>/", st.rect_action, name="rect_action"),
    path(f"{W}overdue/", st.overdue, name="overdue"),
    path(f"{W}appeals/", st.appeals, name="appeals"),
    path(f"{W}appeals/<int:pk>/decide/", st.appeal_decide, name="appeal_decide"),
    path(f"{W}figures/", st.figures, name="figures"),
    path(f"{W}ranking/", st.ranking, name="ranking"),
    path(f"{W}export/ratings.xlsx", st.export_ratings, name="export_ratings"),
    path(f"{W}export/rectifications.xlsx", st.export_rectifications, name="export_rectifications"),
    path(f"{W}rules/", st.rules_edit, name="rules"),
]
