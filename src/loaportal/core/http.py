"""The request as the portal's middleware leaves it, for the type checker.

Django builds the request; the middleware add attributes to it. Annotate a parameter with
``PortalRequest`` where these attributes are read or set, instead of ``HttpRequest``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from loaportal.core.roles import Roles


class PortalRequest(HttpRequest):
    # SecurityHeadersMiddleware: the Content-Security-Policy nonce of this response.
    csp_nonce: str
    # AccessMiddleware: who this user is here (``core.roles``) and their current membership.
    roles: Roles
    membership: Any | None
    # AccessMiddleware: the view is not public (its response is never cached).
    _loaportal_private: bool
