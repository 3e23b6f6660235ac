"""``{% oidc_providers "citizen" as providers %}``: the configured 统一身份认证 providers (login page)."""

from django import template

register = template.Library()


@register.simple_tag
def oidc_providers(role: str = ""):
    from zhengwu.accounts import oidc_client

    try:
        found = oidc_client.providers().values()
    except ValueError:  # a broken setting: no button rather than a page that fails
        return []
    return [p for p in found if not role or p.role == role]
