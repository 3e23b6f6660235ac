from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render

from .models import Profile


class LoginForm(AuthenticationForm):
    username = forms.CharField(label="账号", max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)
    error_messages = {"invalid_login": "账号或密码不正确", "inactive": "该账号已停用"}


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    profile = Profile.objects.filter(user=request.user).first()
    return render(request, "idp/home.html", {"profile": profile})
