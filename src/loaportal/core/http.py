"""The request as the portal's middleware leaves it, for the type checker.

Django builds the request; the middleware add attributes to it. Annotate a parameter with
``PortalRequest`` where these attributes are read or set, instead of ``HttpRequest``, and with
``SignedInRequest`` in a view that only a signed-in user reaches (``request.user`` is then a
``User``, never ``AnonymousUser``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from loaportal.core.roles import Roles

if TYPE_CHECKING:
    # The stubs' name for AUTH_USER_MODEL (``accounts.User``, a floor above ``core``).
    from django.contrib.auth.models import _User as User


class PortalRequest(HttpRequest):
    # SecurityHeadersMiddleware: the Content-Security-Policy nonce of this response.
    csp_nonce: str
    # AccessMiddleware: who this user is here (``core.roles``) and their current membership.
    roles: Roles
    membership: Any | None
    # AccessMiddleware: the view is not public (its response is never cached).
    _loaportal_private: bool


class SignedInRequest(PortalRequest):
    """A request that ``AccessMiddleware`` let through to a view that is not public, or to the
    back office: the user completed their sign-in."""

    user: User


class MemberRequest(SignedInRequest):
    """A request to a ``member`` or ``primary`` view: the user has a current membership
    (an ``institutions.Membership``, a floor above ``core``), never None."""

    membership: Any
