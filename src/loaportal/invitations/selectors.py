from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from loaportal.core.roles import roles_of
from loaportal.invitations.models import Invitation, InvitationQuerySet

if TYPE_CHECKING:
    from loaportal.accounts.models import User
    from loaportal.institutions.models import Institution


def invitation_pending_list(
    *, institution: Institution, role: str | None = None
) -> QuerySet[Invitation]:
    """The DLI's invitations not yet used or cancelled (some may have expired), oldest first."""
    invitations = Invitation.objects.pending().filter(institution=institution)
    if role:
        invitations = invitations.filter(role=role)
    return invitations.select_related("invited_by").order_by("created_at", "id")


def invitation_language_latest(*, institution: Institution, role: str | None = None) -> str | None:
    """The language of the DLI's most recent invitation (of ``role``), or None if it has none.

    The officers' "send the primary user's invitation" form starts from it, so a DLI onboarded
    in English is invited again in English unless the officer chooses otherwise.
    """
    invitations = Invitation.objects.filter(institution=institution)
    if role:
        invitations = invitations.filter(role=role)
    return invitations.order_by("-created_at", "-id").values_list("language", flat=True).first()


def invitation_visible_to(*, user: User) -> InvitationQuerySet:
    """The invitations this user may look up: all for an officer, their DLI's for its primary
    user."""
    roles = roles_of(user)
    invitations = Invitation.objects.select_related("institution", "invited_by")
    if roles.is_officer:
        return invitations
    if roles.is_primary:
        return invitations.filter(institution=roles.institution)
    return invitations.none()
