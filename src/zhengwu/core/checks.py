"""The platform's own system checks, run by ``zhengwu check --deploy`` beside Django's: IDs
``zhengwu.W0xx`` (warnings), messages in Chinese. The rules themselves are in
:mod:`zhengwu.core.setting_rules`."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from . import setting_rules


@checks.register(checks.Tags.security, deploy=True)
def public_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """zhengwu.W001 / W002: ZHENGWU_PUBLIC_URL unset, or not an https address."""
    problem = setting_rules.public_url_problem(getattr(settings, "ZHENGWU_PUBLIC_URL", ""))
    if problem is None:
        return []
    ident, message = problem
    return [checks.Warning(message, hint=setting_rules.PUBLIC_URL_HINT, id=ident)]


# Django's own HTTPS checks (security.W004/W008/W012/W016) are silenced in settings
# (SILENCED_SYSTEM_CHECKS) and said here in Chinese, naming the one variable that sets all four
# (ZHENGWU_HTTPS) instead of Django's settings.
_HTTPS_PARTS = [
    ("SECURE_HSTS_SECONDS", "HSTS（浏览器记住只用 https 访问）"),
    ("SECURE_SSL_REDIRECT", "http 访问跳转到 https"),
    ("SESSION_COOKIE_SECURE", "登录会话 Cookie 只经 https 发送"),
    ("CSRF_COOKIE_SECURE", "CSRF Cookie 只经 https 发送"),
]


@checks.register(checks.Tags.security, deploy=True)
def https(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """zhengwu.W003: the parts of HTTPS that are off (Django's four checks, in one Chinese message)."""
    off = [label for name, label in _HTTPS_PARTS if not getattr(settings, name, None)]
    if not off:
        return []
    if not getattr(settings, "ZHENGWU_HTTPS", False):
        return [checks.Warning(
            "未设置 ZHENGWU_HTTPS=1：" + "、".join(off) + "均未开启，登录会话可能经明文 http 被截获",
            hint="门户经 https 对外服务时设置 ZHENGWU_HTTPS=1（一次开启以上四项；HSTS 时长见 ZHENGWU_HSTS_SECONDS）；"
                 "只在内网用 http 试运行时可忽略",
            id="zhengwu.W003")]
    return [checks.Warning("已设置 ZHENGWU_HTTPS=1，但" + "、".join(off) + "未开启",
                           hint="检查 ZHENGWU_HSTS_SECONDS 是否被设为 0", id="zhengwu.W003")]
