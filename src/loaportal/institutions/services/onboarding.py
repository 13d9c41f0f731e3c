"""DLI onboarding by IRCC officers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.core.exceptions import ApplicationError
from loaportal.institutions.models import Institution, Membership
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

MSG_DLI_EXISTS = _("A DLI with this number already exists.")
MSG_HAS_PRIMARY = _("This DLI already has a primary user.")


class InstitutionError(ApplicationError):
    code = "institution_error"


def institution_create(
    *,
    dli_number: str,
    name_en: str,
    name_fr: str = "",
    province: str = "",
    post_secondary: bool = True,
    created_by: User | None = None,
) -> Institution:
    """Create a DLI. Side effects: an ``institution_created`` audit entry.

    Raises ``InstitutionError`` (``MSG_DLI_EXISTS``, field ``dli_number``) if the number is
    taken, including by a DLI created between the check and the insert: the unique constraint
    on ``dli_number`` refuses the insert, inside a savepoint so the caller's transaction
    stays usable.
    """
    institution = Institution(
        dli_number=dli_number.strip().upper(),
        name_en=name_en.strip(),
        name_fr=(name_fr or name_en).strip(),
        province=province,
        post_secondary=post_secondary,
    )
    if Institution.objects.filter(dli_number=institution.dli_number).exists():
        raise InstitutionError(MSG_DLI_EXISTS, code="dli_exists", field="dli_number")
    # Uniqueness: checked just above for the clear message, then by the constraint.
    institution.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            institution.save()
    except IntegrityError as exc:
        if not Institution.objects.filter(dli_number=institution.dli_number).exists():
            raise  # not the number's uniqueness: a bug to see, not a message to show
        raise InstitutionError(MSG_DLI_EXISTS, code="dli_exists", field="dli_number") from exc
    audit_record(
        event_type=AuditEvent.Type.INSTITUTION_CREATED,
        actor=created_by,
        institution=institution,
        details={"dli_number": institution.dli_number},
    )
    return institution


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
        if institution.memberships.filter(role=Membership.Role.PRIMARY).exists():
            raise InstitutionError(MSG_HAS_PRIMARY, code="has_primary")
        pending = (
            Invitation.objects.filter(
                institution=institution,
                role=Membership.Role.PRIMARY,
                used_at__isnull=True,
                revoked_at__isnull=True,
            )
            .order_by("-created_at")
            .first()
        )
        if pending and (email is None or pending.email == email.strip().lower()):
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
