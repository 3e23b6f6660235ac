from django.conf import settings


def platform(request):
    """Platform name and the persisted large-font (适老化) preference for every page."""
    return {
        "platform_name": settings.ZHENGWU_PLATFORM_NAME,
        "large_font": request.COOKIES.get("zw_font") == "large",
    }
