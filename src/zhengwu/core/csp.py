"""The Content-Security-Policy header: django-csp's middleware, its site-wide policy built once.

django-csp builds the header text from ``settings.CONTENT_SECURITY_POLICY`` on every response
(more than a cached page costs to serve). Our policy has no nonce and views rarely
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

# What django-csp's view decorators set on a response.
_OWN_POLICY_ATTRS = frozenset(("_csp_exempt", "_csp_config", "_csp_update", "_csp_replace",
                               "_csp_exempt_ro", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro"))


class CSPMiddleware(_DjangoCSPMiddleware):
    _built: tuple[object, object, str | None] | None = None

    @staticmethod
    def _site_policy(config, report_only) -> str | None:
        """The header for this configuration, or None when django-csp must build it (report-only
        or excluded prefixes configured: rare, and its own code then does all of it)."""
        built = CSPMiddleware._built
        if built is None or built[0] is not config or built[1] is not report_only:  # settings replaced
            simple = not ((config or {}).get("EXCLUDE_URL_PREFIXES") or report_only)
            built = CSPMiddleware._built = (config, report_only, build_policy() if simple else None)
        return built[2]

    def process_response(self, request, response):
        policy = self._site_policy(getattr(settings, "CONTENT_SECURITY_POLICY", None),
                                   getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None))
        if (policy is None or settings.DEBUG or getattr(request, "_csp_nonce", None) is not None
                or not _OWN_POLICY_ATTRS.isdisjoint(response.__dict__)):
            return super().process_response(request, response)
        if policy and HEADER not in response:
            response[HEADER] = policy
        # As django-csp does: a nonce read after the header went out is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
