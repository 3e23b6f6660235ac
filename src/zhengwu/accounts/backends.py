"""Login by what people know: staff by username, citizens by 身份证号, enterprises by 统一社会信用代码.

Applicants' usernames are derived from their identifier so that the standard password machinery
works and no clear ID number is stored outside its encrypted column: a citizen's username is
``p-`` + the blind index of the ID number; an enterprise's is ``e-`` + its USCC (public).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from stdnum.cn import uscc

from zhengwu.core import identifiers
from zhengwu.core.middleware import client_ip
from zhengwu.core.pii import blind_index
from zhengwu.speedups.prepared import ByPk


def login_username(identifier: str) -> str:
    """The username for what a person typed in the login box."""
    value = (identifier or "").strip()
    upper = value.upper()
    # Not stdnum's ric.is_valid: it refuses a region code created after the holder's birth year
    # (a person born 1950 in a county coded in 1983), which would leave the clear number as username.
    if len(upper) == 18 and identifiers.is_id_number_form(upper):
        return "p-" + blind_index("id_number", upper)
    # stdnum's form (every code registered so far) or GB 32100's, which also allows a letter in
    # positions 1–2 (N 农业, Y 其他 …) that stdnum does not.
    if len(upper) == 18 and (uscc.is_valid(upper) or identifiers.uscc_problem(upper) is None):
        return "e-" + upper
    return value


def axes_username(request, credentials) -> str:
    """django-axes records the derived username, never a clear ID number."""
    raw = (credentials or {}).get("username") or (request.POST.get("username") if request is not None and hasattr(request, "POST") else "")
    return login_username(raw or "")


def axes_client_ip(request) -> str:
    """The address a login failure is counted against (with the username, settings' axes block):
    :func:`zhengwu.core.middleware.client_ip`."""
    return client_ip(request)


class IdentifierBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return None
        return super().authenticate(request, username=login_username(username), password=password, **kwargs)

    def get_user(self, user_id):
        """The session's user with their applicant record in the same query: a citizen's or
        enterprise's pages and API calls all start from ``user.applicant`` (staff get None).
        Every logged-in request asks this: the query is compiled once (:mod:`zhengwu.speedups.prepared`)."""
        user = _SESSION_USER.get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def _users_with_applicant():
    from django.contrib.auth import get_user_model

    return get_user_model()._default_manager.select_related("applicant")


_SESSION_USER = ByPk(_users_with_applicant)
