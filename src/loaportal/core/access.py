"""Who may use each view.

Every view declares its rule with one decorator from this module; ``AccessMiddleware`` enforces
it before the view runs, and refuses any view that declares nothing (deny by default). A test
walks the whole URLconf to prove every page is declared and that the non-public ones require a
completed sign-in (password and emailed code) and accepted terms.

Rules:
- ``public``: anyone (landing, sign-up, sign-in steps, error pages).
- ``signed_in``: a completed sign-in and accepted current terms.
- ``member``: a signed-in user who belongs to a DLI (officers do not).
- ``primary``: the primary user of their DLI.
- ``officer``: an IRCC officer (staff account).
- ``token``: a program presenting an API token (``Authorization: Bearer``); the view
  authenticates it (``loaportal.api``), and a browser session never counts there.

Who is an officer, a member or a primary user is answered by ``core.roles``; the middleware
puts the answer on the request (``request.roles``, ``request.membership``). Checks that belong
to a higher layer (the terms to accept) are gates that app registers with ``register_gate``:
``core`` imports nothing above it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from loaportal.core.http import PortalRequest
from loaportal.core.roles import NOBODY, Roles, roles_of

ACCESS_ATTRIBUTE = "loaportal_access"


class Access(enum.StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    MEMBER = "member"
    PRIMARY = "primary"
    OFFICER = "officer"
    TOKEN = "token"  # noqa: S105 (a rule's name)


def access(rule: Access) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        setattr(view, ACCESS_ATTRIBUTE, rule)
        return view

    return decorator


public = access(Access.PUBLIC)
signed_in = access(Access.SIGNED_IN)
member = access(Access.MEMBER)
primary = access(Access.PRIMARY)
officer = access(Access.OFFICER)
token = access(Access.TOKEN)


def view_access(
    view: Callable[..., Any], namespaces: list[str] | tuple[str, ...] = ()
) -> Access | None:
    rule = getattr(view, ACCESS_ATTRIBUTE, None)
    if rule is None and "admin" in namespaces:
        # The Django admin is the officers' back office.
        return Access.OFFICER
    return rule


def roles_satisfy(roles: Roles, rule: Access) -> bool:
    """Whether a signed-in user with these roles meets a rule (``PUBLIC`` and ``SIGNED_IN``:
    always)."""
    if rule in (Access.PUBLIC, Access.SIGNED_IN):
        return True
    if rule is Access.OFFICER:
        return roles.is_officer
    if rule is Access.PRIMARY:
        return roles.is_primary
    return rule is Access.MEMBER and roles.is_member


def user_satisfies(user: Any, rule: Access) -> bool:
    """Whether a signed-in user meets a role rule."""
    return roles_satisfy(roles_of(user), rule)


# A gate sees a signed-in user's request to a non-public page before the role check and may
# answer it instead of the view (for example: the terms to accept first).
Gate = Callable[[HttpRequest], HttpResponse | None]
_gates: list[Gate] = []


def register_gate(gate: Gate) -> None:
    if gate not in _gates:
        _gates.append(gate)


def _personal(request: HttpRequest) -> bool:
    """Whether the response may show personal data: a page that is not public, or any page
    for someone signed in or in the middle of signing in or up (their session holds state)."""
    if getattr(request, "_loaportal_private", False):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    session = getattr(request, "session", None)
    return session is not None and not session.is_empty()


class AccessMiddleware:
    """Enforces each view's rule, and marks every response that may carry personal data
    ``Cache-Control: no-store`` (no copy kept by the browser or a proxy)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _personal(request):
            add_never_cache_headers(response)
        return response

    def process_view(
        self,
        request: PortalRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        request.roles = roles_of(request.user) if request.user.is_authenticated else NOBODY
        request.membership = request.roles.membership
        match = request.resolver_match
        rule = view_access(view_func, match.namespaces if match else ())
        request._loaportal_private = rule is not Access.PUBLIC
        if rule is None:
            # An undeclared view is a programming error; never serve it.
            raise PermissionDenied("This view does not declare its access rule.")
        if rule in (Access.PUBLIC, Access.TOKEN):
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("account_login"))
        for gate in _gates:
            response = gate(request)
            if response is not None:
                return response
        if not roles_satisfy(request.roles, rule):
            raise PermissionDenied
        return None
