from django import template

register = template.Library()


@register.filter
def pct(value):
    """0.9731 → 97.3%; None → —."""
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value) * 100:.1f}%"
    except (TypeError, ValueError):
        return "—"


@register.simple_tag(takes_context=True)
def rating_qr(context, case, scale=3):
    """An inline SVG QR code to rate ``case`` (a fresh single-use signed token), for receipts."""
    from django.urls import reverse
    from django.utils.safestring import mark_safe

    from zhengwu.ratings import qr, services

    request = context.get("request")
    path = reverse("ratings:qr_rate", args=[services.issue_token("case", case.pk)])
    link = request.build_absolute_uri(path) if request is not None else services.public_base_url() + path
    return mark_safe(qr.svg(link, scale=int(scale)))


@register.filter
def problems(tags):
    """The 差评问题 among a rating's tags (rules.bad_problems_of)."""
    from zhengwu.ratings import rules

    return rules.bad_problems_of(tags)


@register.inclusion_tag("ratings/_problems.html")
def rating_problems(rating, element_id=""):
    """A 差评's problems as badges (nothing for a rating without any)."""
    from zhengwu.ratings import rules

    return {"problems": rules.bad_problems_of(rating.tags), "element_id": element_id}
