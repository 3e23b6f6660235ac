"""``{% load icons %}`` … ``{% icon "printer" %}`` / ``{% icon name label="打印" css="zw-icon-lg" %}``."""

from django import template

from zhengwu.core.icons import icon as _icon

register = template.Library()


@register.simple_tag
def icon(name, label="", css=""):
    return _icon(name, label, css)
