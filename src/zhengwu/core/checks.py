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
