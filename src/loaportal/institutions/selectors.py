from __future__ import annotations

from typing import TYPE_CHECKING

from loaportal.institutions.models import Institution, Membership

if TYPE_CHECKING:
    from loaportal.accounts.models import User


def membership_for_user(*, user: User) -> Membership | None:
    """The user's active DLI membership, or None (officers, or users removed from their DLI).

    Cached on the user object for the length of a request.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_loaportal_membership", False)
    if cached is not False:
        return cached
    membership = (
        Membership.objects.select_related("institution").filter(user=user).first()
    )
    user._loaportal_membership = membership
    return membership


def institution_by_number(*, dli_number: str) -> Institution | None:
    return Institution.objects.filter(dli_number=dli_number.strip().upper()).first()
