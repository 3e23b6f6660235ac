from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from zhengwu.core.forms import NamedErrorsForm, NamedErrorsMixin


class LoginForm(NamedErrorsMixin, AuthenticationForm):
    username = forms.CharField(
        label="账号", max_length=150,
        help_text="个人：身份证号；企业：统一社会信用代码；工作人员：用户名",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        "invalid_login": "账号或密码不正确。连续失败5次将锁定30分钟。",
        "inactive": "该账号已停用。",
    }


class PersonRegisterForm(NamedErrorsForm):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, help_text="至少8位，包含大写字母、小写字母、数字、特殊字符中的至少3类")
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput)
    phone = forms.CharField(label="手机号码", max_length=20)
    sms_code = forms.CharField(label="短信验证码", max_length=6,
                               help_text="先填写手机号码，再点击下方“获取验证码”；验证码6位数字，5分钟内有效",
                               widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}))


class LegalRegisterForm(NamedErrorsForm):
    name = forms.CharField(label="单位名称", max_length=100)
    uscc = forms.CharField(label="统一社会信用代码", max_length=18)
    legal_rep_name = forms.CharField(label="法定代表人姓名", max_length=50)
    legal_rep_id_number = forms.CharField(label="法定代表人身份证号", max_length=18)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, help_text="至少8位，包含大写字母、小写字母、数字、特殊字符中的至少3类")
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput)
    phone = forms.CharField(label="联系电话（手机）", max_length=20)
    sms_code = forms.CharField(label="短信验证码", max_length=6,
                               help_text="先填写手机号码，再点击下方“获取验证码”；验证码6位数字，5分钟内有效",
                               widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}))


class ZhPasswordChangeForm(NamedErrorsMixin, PasswordChangeForm):
    error_messages = {
        "password_mismatch": "两次输入的新密码不一致",
        "password_incorrect": "原密码不正确",
    }

    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password1")
        if new and self.user.check_password(new):
            self.add_error("new_password1", "新密码不能与原密码（临时密码）相同")
        return cleaned
