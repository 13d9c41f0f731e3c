"""DLI onboarding by IRCC officers: create the DLI and invite its primary user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from loaportal.core.normalize import email_normalize
from loaportal.institutions.models import Institution, Membership
from loaportal.institutions.selectors import membership_primary
from loaportal.institutions.services import InstitutionError, institution_create
from loaportal.invitations.models import Invitation
from loaportal.invitations.selectors import invitation_language_latest
from loaportal.invitations.services import (
    SentInvitation,
    invitation_resend,
    invitation_revoke,
    invitation_send,
)

if TYPE_CHECKING:
    from loaportal.accounts.models import User

MSG_HAS_PRIMARY = _("This DLI already has a primary user.")


def institution_onboard(
    *,
    dli_number: str,
    name_en: str,
    name_fr: str = "",
    province: str = "",
    primary_email: str,
    language: str = "fr",
    officer: User | None = None,
) -> SentInvitation:
    """Create a DLI and email its primary representative an invitation code.

    Side effects: a bilingual invitation email to ``primary_email``.
    """
    with transaction.atomic():
        institution = institution_create(
            dli_number=dli_number,
            name_en=name_en,
            name_fr=name_fr,
            province=province,
            created_by=officer,
        )
        return invitation_send(
            institution=institution,
            email=primary_email,
            role=Membership.Role.PRIMARY,
            invited_by=officer,
            language=language,
        )


def institution_primary_invitation_send(
    *,
    institution: Institution,
    email: str | None = None,
    language: str | None = None,
    officer: User | None = None,
) -> SentInvitation:
    """Send (or re-send with a fresh code) the primary user's invitation of a DLI.

    A pending primary invitation is replaced (its code stops working). Refused once the DLI has
    a primary user: changing the primary user is a request officers decide. Without
    ``language``, the invitation keeps the language of the DLI's last primary invitation.
    """
    with transaction.atomic():
        if membership_primary(institution=institution) is not None:
            raise InstitutionError(MSG_HAS_PRIMARY, code="has_primary")
        pending = (
            Invitation.objects.pending()
            .filter(institution=institution, role=Membership.Role.PRIMARY)
            .order_by("-created_at")
            .first()
        )
        if pending and (email is None or pending.email == email_normalize(email)):
            return invitation_resend(invitation=pending, sent_by=officer, language=language)
        if pending:
            invitation_revoke(invitation=pending, revoked_by=officer)
        if not email:
            raise InstitutionError(_("An email address is required."), code="email_required")
        return invitation_send(
            institution=institution,
            email=email,
            role=Membership.Role.PRIMARY,
            invited_by=officer,
            language=language
            or invitation_language_latest(institution=institution, role=Membership.Role.PRIMARY)
            or "fr",
        )
