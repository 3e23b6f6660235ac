from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("register/person/", views.register_person, name="register_person"),
    path("register/legal/", views.register_legal, name="register_legal"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("font/", views.toggle_font, name="toggle_font"),
]
