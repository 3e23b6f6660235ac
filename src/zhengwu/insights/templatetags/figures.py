"""Figure names and formulas (口径) from the registry, for the domain figures pages — one
definition: ``{% load figures %}`` …

- ``{% figure_formula "cases.on_time_rate" %}``: the registered formula;
  ``{% figure_formula "cases" key fallback %}``: of ``cases.<key>`` when that figure is registered,
  else ``fallback`` (the domain's own text of a figure the registry does not hold);
- ``{% figure_name "cases.on_time_rate" %}``;
- ``{% figures_page_url as url %}``: the 指标口径 page, for whoever may open it (else "").
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from zhengwu.insights import registry

register = template.Library()


def _figure(key: str, sub=None):
    full = f"{key}.{sub}" if sub not in (None, "") else key
    try:
        return registry.get(full)
    except KeyError:
        return None


@register.simple_tag
def figure_formula(key: str, sub=None, fallback: str = "") -> str:
    figure = _figure(key, sub)
    return figure.formula if figure else fallback


@register.simple_tag
def figure_name(key: str, sub=None, fallback: str = "") -> str:
    figure = _figure(key, sub)
    return figure.name if figure else fallback


@register.simple_tag(takes_context=True)
def figures_page_url(context) -> str:
    from zhengwu.org.permissions import is_sysadmin, roles_of

    from ..views import FIGURES_ROLES

    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return ""
    if is_sysadmin(user) or roles_of(user) & set(FIGURES_ROLES):
        return reverse("insights:figures")
    return ""
