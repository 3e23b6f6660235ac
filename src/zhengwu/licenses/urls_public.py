"""URLs of 证照验证 (public), 我的证照 and 亮证 (holder), 亮证核验 (workbench); namespace ``licenses``."""

from django.urls import path

from . import views_public as pub
from . import views_show

urlpatterns: list = [
    path("licences/verify", pub.verify, name="verify"),
    path("licences/mine/", pub.my_licences, name="my_licences"),
    path("licences/mine/<int:pk>/", pub.my_licence, name="my_licence"),
    path("licences/mine/<int:pk>/file.pdf", pub.my_licence_pdf, name="my_licence_pdf"),
    path("licences/mine/<int:pk>/show/", pub.show, name="show"),
    path("workbench/licences/show/", views_show.show_check, name="show_check"),
]
