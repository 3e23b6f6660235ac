"""The Content-Security-Policy header: django-csp's middleware, its site-wide policy built once.

django-csp builds the header text from ``settings.CONTENT_SECURITY_POLICY`` on every response
(about 40 µs, more than a cached page costs to serve). Our policy has no nonce and views rarely
change it, so the text is built once per settings object and reused; a response that asks for
anything of its own (a ``@csp_update``/``@csp_replace``/``@csp_exempt`` view, a nonce that was
read, a report-only policy, Django's debug pages) goes through django-csp unchanged. A response
that already carries the header keeps it (file downloads set a stricter sandbox policy).
"""

from __future__ import annotations

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

_OWN_POLICY_ATTRS = ("_csp_exempt", "_csp_config", "_csp_update", "_csp_replace",
                     "_csp_exempt_ro", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


class CSPMiddleware(_DjangoCSPMiddleware):
    _built: tuple[object, str] | None = None

    def _site_policy(self) -> str:
        config = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        built = CSPMiddleware._built
        if built is None or built[0] is not config:  # settings replaced (tests): build again
            built = CSPMiddleware._built = (config, build_policy())
        return built[1]

    def process_response(self, request, response):
        if (getattr(request, "_csp_nonce", None) is not None or settings.DEBUG
                or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
                or (settings.CONTENT_SECURITY_POLICY or {}).get("EXCLUDE_URL_PREFIXES")
                or any(getattr(response, a, None) is not None for a in _OWN_POLICY_ATTRS)):
            return super().process_response(request, response)
        if HEADER not in response:
            policy = self._site_policy()
            if policy:
                response[HEADER] = policy
        # As django-csp does: a nonce read after the header went out is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
