"""Who is this user here: an IRCC officer, a member of a DLI, its primary user, and which DLI.

The one place that answers it. The access rules (``core.access``), the admin (``core.admin``),
the services and the templates (``roles`` in every page's context, ``request.roles`` and
``request.membership`` set by ``AccessMiddleware``) all ask here.

- **officer**: an active staff account. Officers use the back office, never a DLI's pages.
- **member**: an active account with a current (not ended) membership of a DLI.
- **primary**: the member whose membership's role is primary (one per DLI).

Memberships live in ``institutions``, a layer above ``core``: that app registers how to read a
user's current membership (``register_membership_lookup``, called from its ``AppConfig.ready``),
so ``core`` imports nothing above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# Set once by institutions: the user's current membership, read from the database, or None.
_membership_lookup: Callable[[Any], Any | None] | None = None

CACHE_ATTRIBUTE = "_loaportal_roles"


def register_membership_lookup(lookup: Callable[[Any], Any | None]) -> None:
    global _membership_lookup
    _membership_lookup = lookup


def _current_membership(user: Any) -> Any | None:
    if _membership_lookup is None:
        raise ImproperlyConfigured("No membership lookup registered (is institutions installed?)")
    return _membership_lookup(user)


@dataclass(frozen=True)
class Roles:
    """What one user is in the portal. ``membership`` is an ``institutions.Membership``."""

    is_officer: bool = False
    membership: Any | None = None

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def is_primary(self) -> bool:
        return self.membership is not None and self.membership.is_primary

    @property
    def institution(self) -> Any | None:
        return self.membership.institution if self.membership is not None else None


NOBODY = Roles()


def is_officer(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
    )


def roles_of(user: Any) -> Roles:
    """The user's roles; nothing for an anonymous or inactive user.

    Cached on the user object for the length of a request; a service that changes the user's
    membership calls ``roles_forget``.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached: Roles | None = getattr(user, CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    roles = Roles(is_officer=is_officer(user), membership=_current_membership(user))
    setattr(user, CACHE_ATTRIBUTE, roles)
    return roles


def roles_forget(user: Any) -> None:
    """Drop the cached roles of this user object (after its membership changed)."""
    if user is not None and hasattr(user, CACHE_ATTRIBUTE):
        delattr(user, CACHE_ATTRIBUTE)


def institution_of(user: Any) -> Any | None:
    """The DLI of the user's current membership, read now (no cache), whether or not the
    account is active; None for officers and anonymous visitors. For the audit trail."""
    if user is None or not getattr(user, "pk", None):
        return None
    membership = _current_membership(user)
    return membership.institution if membership is not None else None
