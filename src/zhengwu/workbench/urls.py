from django.urls import path

from . import feeds, views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("feeds/", feeds.queue, name="feeds"),
    path("feeds/resend/", feeds.resend, name="feeds_resend"),
]
