from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhengwu.core import audit
from zhengwu.org.permissions import is_staff_member

from . import landing, services
from .forms import LegalRegisterForm, LoginForm, PersonRegisterForm, ZhPasswordChangeForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record("accounts.login", actor=self.request.user, obj=self.request.user)
        return response

    def get_success_url(self):
        # Not into the workbench for a citizen or an enterprise (landing.after_login).
        target = super().get_success_url()
        landed = landing.after_login(self.request.user, target)
        if landed != target:
            messages.info(self.request, f"{landing.STAFF_ONLY}，已为您打开首页。")
        return landed

    def get_default_redirect_url(self):
        if is_staff_member(self.request.user):
            return str(reverse_lazy("workbench:home"))
        return str(reverse_lazy("portal:home"))


class LogoutView(auth_views.LogoutView):
    """退出 is a POST (a link or an image must not log anyone out); the address opened in the
    browser (typed, bookmarked) shows the 退出登录 button instead of an empty 405."""

    next_page = reverse_lazy("portal:home")
    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "accounts/logout.html")


def register_person(request):
    from .views_phone import register  # the phone is proven by an SMS code (issue 31)

    return register(request, PersonRegisterForm, services.register_person, "accounts/register_person.html",
                    services.check_person)


def register_legal(request):
    from functools import partial

    from .views_phone import register

    # 账号认领: an entity registered on the platform is claimed here by its representative (claims).
    return register(request, LegalRegisterForm, partial(services.register_legal, claim=True),
                    "accounts/register_legal.html", partial(services.check_legal, claim=True))


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ZhPasswordChangeForm
    success_url = reverse_lazy("portal:home")

    def form_valid(self, form):
        was_temporary = form.user.must_change_password
        response = super().form_valid(form)
        services.password_changed_by_owner(form.user)
        audit.record("accounts.password_change", actor=self.request.user, obj=self.request.user,
                     after={"was_temporary": was_temporary})
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, "密码已修改。")
        return response

    def get_success_url(self):
        # Where the user was going: an applicant to 我的办件, staff to the workbench.
        if is_staff_member(self.request.user):
            return str(reverse_lazy("workbench:home"))
        if hasattr(self.request.user, "applicant"):
            return str(reverse_lazy("cases:my_cases"))
        return str(self.success_url)


@require_POST
def toggle_font(request):
    """适老化: switch large-font mode; the choice persists in a cookie for a year."""
    wanted = request.POST.get("font")  # the size the button offers (the 长辈版 page is large by default)
    large = wanted == "large" if wanted in ("large", "normal") else request.COOKIES.get("zw_font") != "large"
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    response = redirect(target)
    response.set_cookie("zw_font", "large" if large else "normal", max_age=365 * 24 * 3600, samesite="Lax")
    return response
