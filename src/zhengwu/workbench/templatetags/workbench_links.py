"""``{% load workbench_links %}``: ``{% if url|openable:user %}`` — show a link only to someone the
page behind it admits (:func:`zhengwu.workbench.views.may_open`, the check its view declares)."""

from django import template

from zhengwu.workbench.views import may_open

register = template.Library()


@register.filter
def openable(url, user) -> bool:
    return may_open(user, url)
