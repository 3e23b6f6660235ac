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

# 统一身份认证 (OpenID Connect): views_oidc
from . import views_oidc  # noqa: E402

urlpatterns += [
    path("oidc/<str:name>/login/", views_oidc.oidc_login, name="oidc_login"),
    path("oidc/<str:name>/callback/", views_oidc.oidc_callback, name="oidc_callback"),
    path("oidc/<str:name>/link/", views_oidc.oidc_link_start, name="oidc_link"),
    path("security/identities/<int:pk>/unlink/", views_oidc.oidc_unlink, name="oidc_unlink"),
]

# Verified phones, 账户与安全, second factor, enterprise agents (issue 31).
from . import views_agents, views_otp, views_phone  # noqa: E402

urlpatterns += [
    path("sms-code/", views_phone.sms_code, name="sms_code"),
    path("security/", views_phone.security, name="security"),
    path("otp/setup/", views_otp.setup, name="otp_setup"),
    path("otp/verify/", views_otp.verify, name="otp_verify"),
    path("otp/remove/", views_otp.remove, name="otp_remove"),
    path("agents/", views_agents.manage, name="agents"),
    path("agents/<int:pk>/revoke/", views_agents.revoke, name="agent_revoke"),
    path("acting/", views_agents.acting, name="acting"),
]
