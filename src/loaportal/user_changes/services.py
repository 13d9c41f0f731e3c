"""The DLI's requests to IRCC about its users: change the primary user, remove a secondary user.

State machine (``UserChangeRequest.TRANSITIONS``): submitted → approved | refused. Each
transition is one service below; its side effects are listed in its docstring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.core.exceptions import ApplicationError
from loaportal.core.normalize import email_normalize
from loaportal.core.roles import is_officer
from loaportal.institutions.models import Institution, Membership, UserChangeRequest
from loaportal.institutions.selectors import membership_current, membership_primary
from loaportal.institutions.services import user_deactivate
from loaportal.invitations.selectors import invitation_pending_list
from loaportal.invitations.services import (
    InvitationError,
    invitation_email_check,
    invitation_revoke,
    invitation_send,
)
from loaportal.notifications.services import email_send_template

if TYPE_CHECKING:
    from loaportal.accounts.models import User

MSG_NOT_PRIMARY = _("Only the primary user of a DLI can send requests about its users.")
MSG_NOT_A_SECONDARY = _("Select a secondary user of your DLI from the list.")
MSG_NEW_PRIMARY_REQUIRED = _(
    "Select the secondary user who will become the primary user, or enter the email address of "
    "the new person."
)
MSG_EXPLANATION_REQUIRED = _("Explain the reason for the request.")
MSG_CHANGE_PENDING = _(
    "A request to change the primary user of your DLI is already waiting for a decision by IRCC."
)
MSG_REMOVAL_PENDING = _("A request to remove this user is already waiting for a decision by IRCC.")
MSG_ALREADY_DECIDED = _("This request has already been decided.")
MSG_OFFICERS_ONLY = _("Only an IRCC officer can decide a request.")
MSG_REFUSAL_REASON_REQUIRED = _("Enter the reason for the refusal. The DLI will see it.")
MSG_TARGET_GONE = _(
    "The user named in this request is no longer a secondary user of the DLI, so the request "
    "cannot be applied. Refuse it with that reason."
)


class UserChangeRequestError(ApplicationError):
    code = "user_change_request_error"


def _primary_membership_of(user: User) -> Membership:
    # Read now, not from the roles cached for the request: the check guards a write.
    membership = membership_current(user)
    if membership is None or not membership.is_primary or not user.is_active:
        raise UserChangeRequestError(MSG_NOT_PRIMARY, code="not_primary")
    return membership


def _secondary_of(
    *, institution: Institution, membership: Membership | None, field: str
) -> Membership:
    """The membership, re-read from the database and checked to be a secondary of ``institution``.

    Never trusts the object it is given: a form field may carry any id.
    """
    current = (
        Membership.objects.current()
        .select_related("user")
        .filter(
            pk=membership.pk,
            institution=institution,
            role=Membership.Role.SECONDARY,
            user__is_active=True,
        )
        .first()
        if membership is not None
        else None
    )
    if current is None:
        raise UserChangeRequestError(MSG_NOT_A_SECONDARY, code="not_a_secondary", field=field)
    return current


def _email_request(
    template: str, *, change_request: UserChangeRequest, recipients: list[User | None]
) -> None:
    seen: set[str] = set()
    for recipient in recipients:
        if recipient is None or recipient.email in seen:
            continue
        seen.add(recipient.email)
        email_send_template(
            to=recipient.email,
            template_prefix=f"user_changes/email/{template}",
            context={"change_request": change_request, "recipient": recipient},
            language=recipient.preferred_language,
        )


def user_change_request_submit(
    *,
    requested_by: User,
    kind: str,
    reason: str,
    explanation: str = "",
    membership: Membership | None = None,
    new_primary_email: str = "",
    former_primary_outcome: str = "",
) -> UserChangeRequest:
    """The primary user asks IRCC to change the primary user or to remove a secondary user.

    ``membership``: the secondary user to remove, or the one who becomes primary (for a change
    to a new person, give ``new_primary_email`` instead).
    Side effects: a ``user_change_request_submitted`` audit entry; an acknowledgement email to
    the requester.
    Raises ``UserChangeRequestError`` (naming the argument it concerns) when the request is
    not allowed; a request of the same kind already open is also refused by a database
    constraint.
    """
    explanation = explanation.strip()
    new_primary_email = email_normalize(new_primary_email)
    with transaction.atomic():
        requester_membership = _primary_membership_of(requested_by)
        institution = requester_membership.institution
        if reason == UserChangeRequest.Reason.OTHER and not explanation:
            raise UserChangeRequestError(
                MSG_EXPLANATION_REQUIRED, code="explanation_required", field="explanation"
            )
        change_request = UserChangeRequest(
            institution=institution,
            kind=kind,
            reason=reason,
            explanation=explanation,
            requested_by=requested_by,
            former_primary=requested_by,
        )
        if kind == UserChangeRequest.Kind.REMOVE_USER:
            target = _secondary_of(
                institution=institution, membership=membership, field="membership"
            )
            change_request.target_user = target.user
            change_request.former_primary = None
            pending_message = MSG_REMOVAL_PENDING
        elif kind == UserChangeRequest.Kind.CHANGE_PRIMARY:
            if membership is not None:
                target = _secondary_of(
                    institution=institution, membership=membership, field="membership"
                )
                change_request.target_user = target.user
            elif new_primary_email:
                try:
                    invitation_email_check(institution=institution, email=new_primary_email)
                except InvitationError as exc:
                    raise UserChangeRequestError(
                        exc.message, code=exc.code, field="new_primary_email"
                    ) from exc
                change_request.new_primary_email = new_primary_email
            else:
                raise UserChangeRequestError(
                    MSG_NEW_PRIMARY_REQUIRED, code="new_primary_required", field="membership"
                )
            change_request.former_primary_outcome = former_primary_outcome
            pending_message = MSG_CHANGE_PENDING
        else:
            raise ValueError(f"unknown request kind {kind!r}")
        change_request.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                change_request.save()
        except IntegrityError as exc:
            raise UserChangeRequestError(pending_message, code="already_pending") from exc
        audit_record(
            event_type=AuditEvent.Type.USER_CHANGE_REQUEST_SUBMITTED,
            actor=requested_by,
            institution=institution,
            target_user=change_request.target_user,
            target_email=change_request.new_primary_email,
            subject=change_request,
            details={
                "request": change_request.pk,
                "kind": change_request.kind,
                "reason": change_request.reason,
                "former_primary_outcome": change_request.former_primary_outcome,
            },
        )
        _email_request(
            "user_change_request_submitted",
            change_request=change_request,
            recipients=[requested_by],
        )
    return change_request


def _lock_open(change_request: UserChangeRequest, *, to: str, officer: User) -> UserChangeRequest:
    if not is_officer(officer):
        raise UserChangeRequestError(MSG_OFFICERS_ONLY, code="officers_only")
    current = (
        UserChangeRequest.objects.select_for_update(of=("self",))
        .select_related("institution", "requested_by", "target_user")
        .get(pk=change_request.pk)
    )
    if not current.can_become(to):
        raise UserChangeRequestError(MSG_ALREADY_DECIDED, code="already_decided")
    return current


def _decide(
    change_request: UserChangeRequest,
    *,
    to: str,
    officer: User,
    event_type: AuditEvent.Type,
    **details: Any,
) -> None:
    change_request.status = to
    change_request.decided_by = officer
    change_request.decided_at = timezone.now()
    change_request.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
    audit_record(
        event_type=event_type,
        actor=officer,
        institution=change_request.institution,
        target_user=change_request.target_user,
        target_email=change_request.new_primary_email,
        subject=change_request,
        details={"request": change_request.pk, "kind": change_request.kind, **details},
    )
    primary = membership_primary(institution=change_request.institution)
    _email_request(
        "user_change_request_decided",
        change_request=change_request,
        recipients=[change_request.requested_by, primary.user if primary else None],
    )


def _apply_removal(change_request: UserChangeRequest, *, officer: User) -> None:
    target = (
        Membership.objects.current()
        .filter(
            institution=change_request.institution,
            user=change_request.target_user,
            role=Membership.Role.SECONDARY,
            user__is_active=True,
        )
        .first()
    )
    target_user = change_request.target_user  # found as ``target.user`` just above
    if target is None or target_user is None:
        raise UserChangeRequestError(MSG_TARGET_GONE, code="target_gone")
    user_deactivate(
        user=target_user,
        deactivated_by=officer,
        reason=change_request.reason,
        event_type=AuditEvent.Type.USER_REMOVED,
        end_reason=Membership.EndReason.REMOVED,
        details={"request": change_request.pk},
    )


def _revoke_primary_invitations(change_request: UserChangeRequest, *, officer: User) -> list[int]:
    """Cancel the DLI's primary invitations not yet used: the approved request names the primary.

    Left pending, an older primary invitation could be redeemed instead of (or, when a
    secondary user was promoted, only to be refused after) the outcome the officer approved.
    Expired ones are cancelled too, so nobody re-sends them. Their invitees are told, except an
    invitee who is the request's new primary user: they receive the new invitation instead.
    """
    now = timezone.now()
    revoked = []
    for invitation in invitation_pending_list(
        institution=change_request.institution, role=Membership.Role.PRIMARY
    ):
        notify = (
            invitation.email != change_request.new_primary_email and invitation.expires_at > now
        )
        invitation_revoke(invitation=invitation, revoked_by=officer, now=now, notify=notify)
        revoked.append(invitation.pk)
    return revoked


def _apply_primary_change(change_request: UserChangeRequest, *, officer: User) -> None:
    institution = change_request.institution
    new_primary = None
    if change_request.target_user_id:
        new_primary = (
            Membership.objects.current()
            .select_related("user")
            .filter(
                institution=institution,
                user=change_request.target_user,
                role=Membership.Role.SECONDARY,
                user__is_active=True,
            )
            .first()
        )
        if new_primary is None:
            raise UserChangeRequestError(MSG_TARGET_GONE, code="target_gone")
    revoked_invitations = _revoke_primary_invitations(change_request, officer=officer)
    former = membership_primary(institution=institution)
    # Demote or remove the former primary first: a DLI has at most one primary user
    # (constraint institutions_membership_one_primary_per_dli).
    if former is not None:
        if change_request.former_primary_outcome == UserChangeRequest.FormerPrimary.REMOVE:
            user_deactivate(
                user=former.user,
                deactivated_by=officer,
                reason=change_request.reason,
                event_type=AuditEvent.Type.USER_REMOVED,
                end_reason=Membership.EndReason.REMOVED,
                details={"request": change_request.pk},
            )
        else:
            former.role = Membership.Role.SECONDARY
            former.save(update_fields=["role"])
    details = {
        "request": change_request.pk,
        "former_primary": former.user.email if former else "",
        "former_primary_outcome": change_request.former_primary_outcome,
    }
    if revoked_invitations:
        details["invitations_cancelled"] = revoked_invitations
    if new_primary is not None:
        new_primary.role = Membership.Role.PRIMARY
        new_primary.save(update_fields=["role"])
    else:
        try:
            sent = invitation_send(
                institution=institution,
                email=change_request.new_primary_email,
                role=Membership.Role.PRIMARY,
                invited_by=officer,
                language=change_request.requested_by.preferred_language,
            )
        except InvitationError as exc:
            raise UserChangeRequestError(exc.message, code=exc.code) from exc
        details["invitation"] = sent.invitation.pk
    audit_record(
        event_type=AuditEvent.Type.PRIMARY_CHANGED,
        actor=officer,
        institution=institution,
        target_user=new_primary.user if new_primary else None,
        target_email=change_request.new_primary_email,
        details=details,
    )


def user_change_request_approve(
    *, change_request: UserChangeRequest, decided_by: User
) -> UserChangeRequest:
    """An officer approves a request; it is applied at once, all or nothing.

    Side effects, in one transaction:
    - removal: the secondary user's membership ends, their account is deactivated and their
      sessions end (``user_removed`` audit entry, email to them);
    - primary change: the DLI's primary invitations not yet used are cancelled (an
      ``invitation_cancelled`` audit entry and an email to each invitee, see
      ``_revoke_primary_invitations``); the former primary becomes a secondary user or is
      removed, as requested; then the secondary user named becomes primary, or the new person
      is sent a primary invitation (``primary_changed`` audit entry). Other secondary users
      are untouched;
    - ``user_change_request_approved`` audit entry; decision email to the requester and the
      DLI's primary user, each in their language.
    Raises ``UserChangeRequestError`` if the request is no longer open or can no longer be
    applied (nothing changes then).
    """
    with transaction.atomic():
        current = _lock_open(
            change_request, to=UserChangeRequest.Status.APPROVED, officer=decided_by
        )
        # Lock the DLI's memberships so that no other change interleaves with this one.
        list(
            Membership.objects.select_for_update().current().filter(institution=current.institution)
        )
        if current.kind == UserChangeRequest.Kind.REMOVE_USER:
            _apply_removal(current, officer=decided_by)
        else:
            _apply_primary_change(current, officer=decided_by)
        _decide(
            current,
            to=UserChangeRequest.Status.APPROVED,
            officer=decided_by,
            event_type=AuditEvent.Type.USER_CHANGE_REQUEST_APPROVED,
        )
    return current


def user_change_request_refuse(
    *, change_request: UserChangeRequest, decided_by: User, reason: str
) -> UserChangeRequest:
    """An officer refuses a request, with a reason the DLI sees.

    Side effects: ``user_change_request_refused`` audit entry; decision email to the requester
    and the DLI's primary user, each in their language. Nothing else changes.
    """
    reason = reason.strip()
    if not reason:
        raise UserChangeRequestError(
            MSG_REFUSAL_REASON_REQUIRED, code="refusal_reason_required", field="reason"
        )
    with transaction.atomic():
        current = _lock_open(
            change_request, to=UserChangeRequest.Status.REFUSED, officer=decided_by
        )
        current.refusal_reason = reason
        _decide(
            current,
            to=UserChangeRequest.Status.REFUSED,
            officer=decided_by,
            event_type=AuditEvent.Type.USER_CHANGE_REQUEST_REFUSED,
            refusal_reason=reason,
        )
    return current
