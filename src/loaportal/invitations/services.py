"""Invitation rules: sending, re-sending, cancelling, checking and redeeming invitation codes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.core.exceptions import ApplicationError
from loaportal.core.normalize import email_normalize
from loaportal.institutions.models import Institution, Membership
from loaportal.institutions.selectors import membership_primary
from loaportal.invitations.codes import code_generate, code_hash
from loaportal.invitations.models import Invitation
from loaportal.notifications.services import email_send_template

if TYPE_CHECKING:
    from loaportal.accounts.models import User

# Messages shown to the person signing up. They speak only of the code and the address typed
# with it, never of whether some other address has an account.
MSG_CODE_UNKNOWN = _(
    "This invitation code is not valid. Check the code in your invitation email and type it again."
)
MSG_CODE_USED = _("This invitation code has already been used. Each code can be used only once.")
MSG_CODE_EXPIRED = _(
    "This invitation code has expired. Ask the person who invited you to send a new invitation."
)
MSG_CODE_REVOKED = _(
    "This invitation code is no longer valid because the invitation was cancelled or a new one "
    "was sent. Use the code in the most recent invitation email."
)
MSG_EMAIL_MISMATCH = _(
    "This email address is not the one the invitation was sent to. Use the same email address "
    "as in your invitation."
)
MSG_PRIMARY_TAKEN = _(
    "This invitation is no longer valid because the DLI already has a primary user. Contact IRCC."
)
# Messages shown to the person sending an invitation.
# One refusal for an address already in the portal, wherever it is used (this DLI, another DLI,
# an IRCC account): saying where would tell the DLI who holds accounts elsewhere (no account
# enumeration, OWASP ASVS 6.3.8).
MSG_EMAIL_UNAVAILABLE = _(
    "This email address cannot be used. Each user of the LOA Portal must have their own email "
    "address, not used for any other account in the portal: use another email address."
)
# Former names of the same message, kept for callers written before it became one.
MSG_ALREADY_MEMBER = MSG_ALREADY_REGISTERED = MSG_EMAIL_UNAVAILABLE
MSG_ALREADY_INVITED = _(
    "An invitation to this email address is already pending for this DLI. You can re-send or "
    "cancel it from the users page."
)
MSG_NOT_PENDING = _("This invitation is no longer pending.")


class InvitationError(ApplicationError):
    code = "invitation_error"


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    code: str


def _expiry(now: datetime) -> datetime:
    return now + timedelta(days=settings.INVITATION_VALIDITY_DAYS)


def _email_invitation(*, sent: SentInvitation) -> None:
    invitation = sent.invitation
    email_send_template(
        to=invitation.email,
        template_prefix="invitations/email/invitation",
        context={
            "code": sent.code,
            "institution": invitation.institution,
            "role": invitation.role,
            "expires_at": invitation.expires_at,
            "languages": [invitation.language, "en" if invitation.language == "fr" else "fr"],
            "portal_url": settings.PORTAL_URL,
        },
        # Bilingual: the person's language is not known yet.
        language=invitation.language,
    )


def _audit(event_type: AuditEvent.Type, *, invitation: Invitation, actor: User | None, **details):
    audit_record(
        event_type=event_type,
        actor=actor,
        institution=invitation.institution,
        target_email=invitation.email,
        subject=invitation,
        details={"invitation": invitation.pk, "role": invitation.role, **details},
    )


def _ensure_invitable(*, institution: Institution, email: str) -> None:
    """Refuse an address that is registered in the portal or already invited to this DLI.

    User emails are unique across the portal (stored in lower case), so the primary and
    secondary users of a DLI always have different emails, and an address registered for
    another DLI or as an officer cannot join this one. The refusal is the same whoever holds
    the address (``MSG_EMAIL_UNAVAILABLE``).
    """
    from loaportal.accounts.models import User

    if User.objects.filter(email__iexact=email).exists():
        raise InvitationError(MSG_EMAIL_UNAVAILABLE, code="email_unavailable", field="email")
    if Invitation.objects.pending().filter(institution=institution, email__iexact=email).exists():
        raise InvitationError(MSG_ALREADY_INVITED, code="already_invited", field="email")


def invitation_email_check(*, institution: Institution, email: str) -> None:
    """Raise ``InvitationError`` unless ``email`` could be invited to ``institution`` now."""
    _ensure_invitable(institution=institution, email=email_normalize(email))


def invitation_send(
    *,
    institution: Institution,
    email: str,
    role: str = Membership.Role.SECONDARY,
    invited_by: User | None = None,
    language: str = "fr",
    now: datetime | None = None,
) -> SentInvitation:
    """Create an invitation and email its code.

    Side effects: one bilingual invitation email, queued when the transaction commits; an
    ``invitation_sent`` audit entry.
    Raises ``InvitationError`` if the address is already registered in the portal or already
    has a pending invitation to this DLI (also enforced by the partial unique constraint
    ``invitations_invitation_one_pending_per_email_dli``, so two simultaneous requests cannot
    both succeed: the loser's IntegrityError becomes the same ``InvitationError``).
    """
    email = email_normalize(email)
    now = now or timezone.now()
    code = code_generate()
    invitation = Invitation(
        code_hash=code_hash(code),
        email=email,
        institution=institution,
        role=role,
        invited_by=invited_by,
        language=language,
        created_at=now,
        expires_at=_expiry(now),
    )
    invitation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            _ensure_invitable(institution=institution, email=email)
            invitation.save()
            sent = SentInvitation(invitation=invitation, code=code)
            _email_invitation(sent=sent)
            _audit(AuditEvent.Type.INVITATION_SENT, invitation=invitation, actor=invited_by)
    except IntegrityError as exc:
        raise InvitationError(MSG_ALREADY_INVITED, code="already_invited", field="email") from exc
    return sent


def invitation_resend(
    *,
    invitation: Invitation,
    sent_by: User | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> SentInvitation:
    """Replace a pending (or expired) invitation with a fresh code; the old code stops working.
    The new invitation is in ``language`` when given, else in the old one's language.

    Side effects: the old invitation is marked revoked; a new invitation email is queued; an
    ``invitation_resent`` audit entry.
    """
    now = now or timezone.now()
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.used_at or current.revoked_at:
            raise InvitationError(MSG_NOT_PENDING, code="not_pending")
        current.revoked_at = now
        current.save(update_fields=["revoked_at"])
        code = code_generate()
        replacement = Invitation.objects.create(
            code_hash=code_hash(code),
            email=current.email,
            institution=current.institution,
            role=current.role,
            invited_by=sent_by if sent_by is not None else current.invited_by,
            language=language or current.language,
            created_at=now,
            expires_at=_expiry(now),
        )
        sent = SentInvitation(invitation=replacement, code=code)
        _email_invitation(sent=sent)
        _audit(
            AuditEvent.Type.INVITATION_RESENT,
            invitation=replacement,
            actor=sent_by,
            replaces=current.pk,
        )
    return sent


def invitation_revoke(
    *,
    invitation: Invitation,
    revoked_by: User | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> Invitation:
    """Cancel a pending invitation: its code stops working.

    Side effects: an ``invitation_cancelled`` audit entry; unless ``notify`` is False, a
    bilingual email telling the invitee the invitation was cancelled.
    """
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.used_at or current.revoked_at:
            raise InvitationError(MSG_NOT_PENDING, code="not_pending")
        current.revoked_at = now or timezone.now()
        current.save(update_fields=["revoked_at"])
        _audit(AuditEvent.Type.INVITATION_CANCELLED, invitation=current, actor=revoked_by)
        if notify:
            email_send_template(
                to=current.email,
                template_prefix="invitations/email/invitation_cancelled",
                context={
                    "institution": current.institution,
                    "languages": [current.language, "en" if current.language == "fr" else "fr"],
                },
                language=current.language,
            )
    return current


def _primary_taken(invitation: Invitation) -> bool:
    """Whether this is a primary invitation to a DLI that has a primary user by now.

    A pending primary invitation can outlive its purpose: an officer may meanwhile have made
    a secondary user primary. A DLI has one primary user (constraint
    ``institutions_membership_one_primary_per_dli``), so such an invitation cannot be redeemed.
    """
    return (
        invitation.role == Membership.Role.PRIMARY
        and membership_primary(institution=invitation.institution) is not None
    )


def invitation_check(*, code: str, email: str, now: datetime | None = None) -> Invitation:
    """The invitation a sign-up may redeem, or ``InvitationError`` saying precisely why not.

    The primary-user check comes last, once the address matches: only the invitee learns that
    their DLI has a primary user.
    """
    invitation = (
        Invitation.objects.select_related("institution").filter(code_hash=code_hash(code)).first()
    )
    if invitation is None:
        raise InvitationError(MSG_CODE_UNKNOWN, code="unknown", field="code")
    status = invitation.status_at(now)
    if status == Invitation.Status.USED:
        raise InvitationError(MSG_CODE_USED, code="used", field="code")
    if status == Invitation.Status.REVOKED:
        raise InvitationError(MSG_CODE_REVOKED, code="revoked", field="code")
    if status == Invitation.Status.EXPIRED:
        raise InvitationError(MSG_CODE_EXPIRED, code="expired", field="code")
    if invitation.email != email_normalize(email):
        raise InvitationError(MSG_EMAIL_MISMATCH, code="email_mismatch", field="email")
    if _primary_taken(invitation):
        raise InvitationError(MSG_PRIMARY_TAKEN, code="primary_taken", field="code")
    return invitation


def invitation_redeem(
    *, invitation: Invitation, user: User, now: datetime | None = None
) -> Membership:
    """Mark the invitation used by ``user`` and make them a member of its DLI in its role.

    Must run inside the sign-up transaction, which ``InvitationError`` must roll back (the
    sign-up form's ``save`` does). The row lock and the pending-state check make a code
    single-use even when two sign-ups race. A primary invitation to a DLI that has a primary
    user by now is refused with ``MSG_PRIMARY_TAKEN``, whether the primary user was there
    before this check or is committed while it runs (then the constraint
    ``institutions_membership_one_primary_per_dli`` refuses the insert).
    """
    now = now or timezone.now()
    current = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if current.status_at(now) != Invitation.Status.PENDING:
        raise InvitationError(MSG_CODE_USED, code="used", field="code")
    if _primary_taken(current):
        raise InvitationError(MSG_PRIMARY_TAKEN, code="primary_taken", field="code")
    current.used_at = now
    current.used_by = user
    current.save(update_fields=["used_at", "used_by"])
    membership = Membership(user=user, institution=current.institution, role=current.role)
    membership.full_clean(exclude=["user"], validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:
        if current.role != Membership.Role.PRIMARY:
            raise
        raise InvitationError(MSG_PRIMARY_TAKEN, code="primary_taken", field="code") from exc
    _audit(AuditEvent.Type.INVITATION_USED, invitation=current, actor=user)
    return membership


def invitation_sign_up(*, invitation: Invitation, create_user: Callable[[], User]) -> User:
    """Sign up with an invitation: create the account and redeem the code, all or nothing.

    ``create_user`` creates the account (django-allauth's sign-up form saves it); this service
    owns the transaction, so an ``InvitationError`` from ``invitation_redeem`` (a code used or
    a primary user taken meanwhile) rolls the new account back.
    """
    with transaction.atomic():
        user = create_user()
        invitation_redeem(invitation=invitation, user=user)
    return user
