from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("elder/", views.elder, name="elder"),
    path("favicon.ico", views.favicon, name="favicon"),
]
