"""Extension and correction requests: a member of the request's DLI asks, an officer decides.

State machine of both (``AmendmentRequest.TRANSITIONS``): submitted → approved | refused.

- ``extension_request_create``: a pending request whose deadline has not passed; 1 to 30 days
  (30 in all over the request's extensions); one of the four grounds; an explanation.
- ``extension_request_decide``: approve (the days asked, or fewer) or refuse (with a reason).
  Only an approval moves the deadline (``verifications.services.verification_extend_deadline``).
- ``correction_request_create``: a decided request; an outcome it may become
  (``VerificationRequest.CORRECTIONS``); one of the three grounds; an explanation.
- ``correction_request_decide``: approve (``verification_correct`` changes the outcome) or
  refuse (with a reason).

Every step locks the rows it changes (``select_for_update``) in one transaction, appends to the
verification request's history and to the audit trail (naming the member or the officer), and
checks the request's DLI against the user's current membership. A decision emails every user of
the DLI in their own language. Errors are ``AmendmentError`` (or the ``VerificationError`` of
the service it calls), each with a stable ``code``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.amendments.models import (
    EXTENSION_MAX_DAYS,
    AmendmentRequest,
    AmendmentStatus,
    CorrectionRequest,
    ExtensionRequest,
)
from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.core.exceptions import ApplicationError
from loaportal.core.roles import is_officer
from loaportal.institutions.selectors import membership_current, membership_list
from loaportal.notifications.services import email_send_template
from loaportal.verifications.deadlines import institution_zone
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.services import (
    verification_correct,
    verification_extend_deadline,
    verification_history_append,
)

if TYPE_CHECKING:
    from loaportal.accounts.models import User

EXPLANATION_MAX_LENGTH = 2000

MSG_DAYS_INVALID = _("Enter a number of days from 1 to 30.")
MSG_DAYS_OVER_LIMIT = _(
    "A request can be extended by 30 days in all: at most %(remaining)s more day(s) can be "
    "asked for."
)
MSG_NO_DAYS_LEFT = _("This request has already been extended by 30 days, the most allowed.")
MSG_DAYS_GRANTED_INVALID = _(
    "Grant from 1 day to the %(requested)s day(s) asked for (at most %(remaining)s more)."
)
MSG_GROUND_INVALID = _("Choose the ground for the request.")
MSG_EXPLANATION_REQUIRED = _("Explain why you ask for this. IRCC reads it to decide.")
MSG_EXPLANATION_TOO_LONG = _("The explanation is too long (at most 2,000 characters).")
MSG_REASON_REQUIRED = _("Enter the reason for the refusal. The DLI will see it.")
MSG_REASON_TOO_LONG = _("The reason is too long (at most 2,000 characters).")
MSG_NOT_A_MEMBER = _("Only a user of the DLI named in the request can ask IRCC to amend it.")
MSG_NOT_PENDING = _(
    "Only a request waiting for a decision, whose deadline has not passed, can be extended."
)
MSG_EXTENSION_OPEN = _(
    "An extension request for this verification request is already waiting for IRCC's decision."
)
MSG_NOT_DECIDED = _("Only a decided request can be corrected.")
MSG_CORRECTION_OPEN = _(
    "A correction request for this verification request is already waiting for IRCC's decision."
)
MSG_OUTCOME_INVALID = _("Choose the result the decision should become.")
MSG_OFFICERS_ONLY = _("Only an IRCC officer can decide a request.")
MSG_ALREADY_DECIDED = _("This request has already been decided by IRCC.")


class AmendmentError(ApplicationError):
    code = "amendment_error"


# --- Checks ------------------------------------------------------------------------------------


def _explanation(value: str) -> str:
    text = (value or "").strip()
    if not text:
        raise AmendmentError(
            MSG_EXPLANATION_REQUIRED, code="explanation_required", field="explanation"
        )
    if len(text) > EXPLANATION_MAX_LENGTH:
        raise AmendmentError(
            MSG_EXPLANATION_TOO_LONG, code="explanation_too_long", field="explanation"
        )
    return text


def _reason(value: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise AmendmentError(MSG_REASON_REQUIRED, code="reason_required", field="reason")
    if len(text) > EXPLANATION_MAX_LENGTH:
        raise AmendmentError(MSG_REASON_TOO_LONG, code="reason_too_long", field="reason")
    return text


def _ground(value: str, choices: type[ExtensionRequest.Ground | CorrectionRequest.Ground]) -> str:
    if value not in choices.values:
        raise AmendmentError(MSG_GROUND_INVALID, code="ground_invalid", field="ground")
    return value


def _days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise AmendmentError(MSG_DAYS_INVALID, code="days_invalid", field="days")
    try:
        days = int(value)
    except ValueError:
        raise AmendmentError(MSG_DAYS_INVALID, code="days_invalid", field="days") from None
    if not 1 <= days <= EXTENSION_MAX_DAYS:
        raise AmendmentError(MSG_DAYS_INVALID, code="days_invalid", field="days")
    return days


def _lock_request_of_member(
    verification_request: VerificationRequest, user: User
) -> VerificationRequest:
    """The request, locked, once ``user`` is checked to be a current member of its DLI (read
    now, not from the roles cached for the page: the check guards a write)."""
    locked = (
        VerificationRequest.objects.select_for_update(of=("self",))
        .select_related("institution")
        .get(pk=verification_request.pk)
    )
    membership = membership_current(user)
    if (
        not user.is_active
        or membership is None
        or membership.institution_id != locked.institution_id
    ):
        raise AmendmentError(MSG_NOT_A_MEMBER, code="not_a_member")
    return locked


def extension_days_granted(*, verification_request: VerificationRequest) -> int:
    """How many days this request's approved extensions added in all."""
    total = ExtensionRequest.objects.filter(
        verification_request=verification_request, status=AmendmentStatus.APPROVED
    ).aggregate(total=Sum("days_granted"))["total"]
    return int(total or 0)


def extension_days_left(*, verification_request: VerificationRequest) -> int:
    """How many more days may still be asked for (30 in all per request)."""
    return max(
        0, EXTENSION_MAX_DAYS - extension_days_granted(verification_request=verification_request)
    )


def extension_days_left_of(*, extensions: Iterable[ExtensionRequest]) -> int:
    """``extension_days_left`` from a request's extension requests already read (its page)."""
    granted = sum(e.days_granted or 0 for e in extensions if e.status == AmendmentStatus.APPROVED)
    return max(0, EXTENSION_MAX_DAYS - granted)


def _save_new(
    amendment: ExtensionRequest | CorrectionRequest, *, open_message: Any, open_code: str
) -> None:
    model: type[ExtensionRequest] | type[CorrectionRequest] = type(amendment)
    if model.objects.filter(
        verification_request_id=amendment.verification_request_id,
        status=AmendmentStatus.SUBMITTED,
    ).exists():
        raise AmendmentError(open_message, code=open_code)
    try:
        # The partial unique constraint settles a race the check above cannot see.
        with transaction.atomic():
            amendment.save()
    except IntegrityError as exc:
        raise AmendmentError(open_message, code=open_code) from exc


# --- Extensions --------------------------------------------------------------------------------


def extension_request_create(
    *,
    verification_request: VerificationRequest,
    requested_by: User,
    days: int,
    ground: str,
    explanation: str,
    now: datetime | None = None,
) -> ExtensionRequest:
    """A member asks IRCC for ``days`` more days to verify a pending request.

    Refuses (``AmendmentError``): ``days_invalid`` (not 1 to 30), ``days_over_limit`` (more
    than the 30 days in all allow), ``ground_invalid``, ``explanation_required``/``_too_long``,
    ``not_a_member`` (not a current member of the request's DLI), ``not_pending`` (decided, or
    its deadline passed), ``already_open`` (an extension request is already waiting; also a
    partial unique constraint). The deadline does not move until an officer approves.
    Side effects: an ``extension_requested`` history entry and audit entry.
    """
    days = _days(days)
    ground = _ground(ground, ExtensionRequest.Ground)
    explanation = _explanation(explanation)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_request_of_member(verification_request, requested_by)
        if not locked.is_decidable(now):
            raise AmendmentError(MSG_NOT_PENDING, code="not_pending")
        remaining = extension_days_left(verification_request=locked)
        if remaining == 0:
            raise AmendmentError(MSG_NO_DAYS_LEFT, code="no_days_left")
        if days > remaining:
            raise AmendmentError(
                MSG_DAYS_OVER_LIMIT % {"remaining": remaining}, code="days_over_limit", field="days"
            )
        extension = ExtensionRequest(
            verification_request=locked,
            institution=locked.institution,
            requested_by=requested_by,
            requested_at=now,
            days_requested=days,
            ground=ground,
            explanation=explanation,
            due_at_when_requested=locked.due_at,
        )
        _save_new(extension, open_message=MSG_EXTENSION_OPEN, open_code="already_open")
        details = {"extension_request": extension.pk, "days": days, "ground": ground}
        verification_history_append(
            verification_request=locked,
            kind=VerificationEvent.Kind.EXTENSION_REQUESTED,
            actor=requested_by,
            comment=explanation,
            details=details,
            now=now,
        )
        audit_record(
            event_type=AuditEvent.Type.EXTENSION_REQUESTED,
            actor=requested_by,
            institution=locked.institution,
            subject=extension,
            details={"application_number": locked.application_number, **details},
        )
    return extension


def _lock_open(amendment: ExtensionRequest | CorrectionRequest, *, officer: User) -> Any:
    if not officer.is_active or not is_officer(officer):
        raise AmendmentError(MSG_OFFICERS_ONLY, code="officers_only")
    model: type[ExtensionRequest] | type[CorrectionRequest] = type(amendment)
    locked = (
        model.objects.select_for_update(of=("self",))
        .select_related("institution", "verification_request")
        .get(pk=amendment.pk)
    )
    if not locked.is_open:
        raise AmendmentError(MSG_ALREADY_DECIDED, code="already_decided")
    return locked


def _record_decision(
    amendment: AmendmentRequest, *, approve: bool, officer: User, reason: str, now: datetime
) -> None:
    amendment.status = AmendmentStatus.APPROVED if approve else AmendmentStatus.REFUSED
    amendment.decided_by = officer
    amendment.decided_at = now
    amendment.decision_reason = reason
    amendment.save()


def _email_decision(amendment: ExtensionRequest | CorrectionRequest, *, template: str) -> None:
    """The decision, to every current user of the DLI, each in their own language (queued
    through the outbox: sent only if the transaction commits)."""
    verification_request = amendment.verification_request
    zone = institution_zone(amendment.institution)
    for membership in membership_list(institution=amendment.institution):
        user = membership.user
        if not user.is_active:
            continue
        email_send_template(
            to=user.email,
            template_prefix=f"amendments/email/{template}",
            context={
                "amendment": amendment,
                "vr": verification_request,
                "institution": amendment.institution,
                "recipient": user,
                "zone": zone.key,
                "portal_url": settings.PORTAL_URL,
            },
            language=user.preferred_language,
        )


def extension_request_decide(
    *,
    extension_request: ExtensionRequest,
    officer: User,
    approve: bool,
    days: int | None = None,
    reason: str,
    now: datetime | None = None,
) -> ExtensionRequest:
    """An officer approves (``days``: the days granted, by default those asked; never more,
    nor past 30 in all) or refuses (``reason`` required) an extension request.

    Approval moves the request's deadline (``verification_extend_deadline``: the end of the
    day, Eastern, ``days`` calendar days after the current deadline's day), which reopens a
    request whose deadline passed while IRCC was deciding. Refusal changes nothing but the
    history. Refuses (``AmendmentError``): ``officers_only``, ``already_decided`` (two
    officers at once: one wins), ``reason_required``, ``days_invalid``; and the
    ``VerificationError`` of ``verification_extend_deadline`` (``request_decided``,
    ``extended_deadline_passed``). Side effects: an ``extension_approved``/``_refused`` history
    entry and audit entry naming the officer; the decision emailed to the DLI's users.
    """
    reason = _reason(reason, required=not approve)
    now = now or timezone.now()
    with transaction.atomic():
        locked: ExtensionRequest = _lock_open(extension_request, officer=officer)
        verification_request = locked.verification_request
        details: dict[str, Any] = {"extension_request": locked.pk}
        if approve:
            granted = locked.days_requested if days is None else _days(days)
            remaining = extension_days_left(verification_request=verification_request)
            if granted > min(locked.days_requested, remaining):
                raise AmendmentError(
                    MSG_DAYS_GRANTED_INVALID
                    % {"requested": locked.days_requested, "remaining": remaining},
                    code="days_invalid",
                    field="days",
                )
            verification_request = verification_extend_deadline(
                verification_request=verification_request,
                days=granted,
                extended_by=officer,
                asked_at=locked.requested_at,
                comment=reason,
                details=details,
                now=now,
            )
            locked.days_granted = granted
            details |= {"days": granted, "due_at": verification_request.due_at.isoformat()}
        else:
            verification_history_append(
                verification_request=verification_request,
                kind=VerificationEvent.Kind.EXTENSION_REFUSED,
                actor=officer,
                comment=reason,
                details=details,
                now=now,
            )
        _record_decision(locked, approve=approve, officer=officer, reason=reason, now=now)
        locked.verification_request = verification_request
        audit_record(
            event_type=(
                AuditEvent.Type.EXTENSION_APPROVED if approve else AuditEvent.Type.EXTENSION_REFUSED
            ),
            actor=officer,
            institution=locked.institution,
            subject=locked,
            details={
                "application_number": verification_request.application_number,
                "reason": reason,
                **details,
            },
        )
        _email_decision(locked, template="extension_decided")
    return locked


# --- Corrections -------------------------------------------------------------------------------


def correction_request_create(
    *,
    verification_request: VerificationRequest,
    requested_by: User,
    outcome: str,
    ground: str,
    explanation: str,
    now: datetime | None = None,
) -> CorrectionRequest:
    """A member asks IRCC to change a decided request's outcome to ``outcome``.

    Refuses (``AmendmentError``): ``ground_invalid``, ``explanation_required``/``_too_long``,
    ``not_a_member``, ``not_decided`` (pending or no response), ``outcome_invalid`` (not one
    ``VerificationRequest.CORRECTIONS`` allows from the current outcome), ``already_open``.
    Side effects: a ``correction_requested`` history entry and audit entry.
    """
    ground = _ground(ground, CorrectionRequest.Ground)
    explanation = _explanation(explanation)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_request_of_member(verification_request, requested_by)
        if not locked.is_decided:
            raise AmendmentError(MSG_NOT_DECIDED, code="not_decided")
        if outcome not in VerificationRequest.CORRECTIONS.get(locked.status, frozenset()):
            raise AmendmentError(MSG_OUTCOME_INVALID, code="outcome_invalid", field="outcome")
        correction = CorrectionRequest(
            verification_request=locked,
            institution=locked.institution,
            requested_by=requested_by,
            requested_at=now,
            ground=ground,
            explanation=explanation,
            current_outcome=locked.status,
            requested_outcome=outcome,
        )
        _save_new(correction, open_message=MSG_CORRECTION_OPEN, open_code="already_open")
        details = {
            "correction_request": correction.pk,
            "ground": ground,
            "previous_outcome": locked.status,
        }
        verification_history_append(
            verification_request=locked,
            kind=VerificationEvent.Kind.CORRECTION_REQUESTED,
            actor=requested_by,
            outcome=outcome,
            comment=explanation,
            details=details,
            now=now,
        )
        audit_record(
            event_type=AuditEvent.Type.CORRECTION_REQUESTED,
            actor=requested_by,
            institution=locked.institution,
            subject=correction,
            details={
                "application_number": locked.application_number,
                "outcome": outcome,
                **details,
            },
        )
    return correction


def correction_request_decide(
    *,
    correction_request: CorrectionRequest,
    officer: User,
    approve: bool,
    reason: str,
    now: datetime | None = None,
) -> CorrectionRequest:
    """An officer approves or refuses (``reason`` required) a correction request.

    Approval changes the request's outcome (``verification_correct``): a ``corrected`` history
    entry beside the first ``decided`` one, which stays; the status everywhere is the new one.
    Refuses (``AmendmentError``): ``officers_only``, ``already_decided``, ``reason_required``;
    and the ``VerificationError`` of ``verification_correct``. Side effects: a ``corrected`` or
    ``correction_refused`` history entry and a ``correction_approved``/``_refused`` audit entry
    naming the officer; the decision emailed to the DLI's users.
    """
    reason = _reason(reason, required=not approve)
    now = now or timezone.now()
    with transaction.atomic():
        locked: CorrectionRequest = _lock_open(correction_request, officer=officer)
        verification_request = locked.verification_request
        details: dict[str, Any] = {
            "correction_request": locked.pk,
            "previous_outcome": locked.current_outcome,
        }
        if approve:
            verification_request = verification_correct(
                verification_request=verification_request,
                outcome=locked.requested_outcome,
                expected_outcome=locked.current_outcome,
                corrected_by=officer,
                comment=locked.explanation,
                reason=reason,
                details={"correction_request": locked.pk},
                now=now,
            )
        else:
            verification_history_append(
                verification_request=verification_request,
                kind=VerificationEvent.Kind.CORRECTION_REFUSED,
                actor=officer,
                outcome=locked.requested_outcome,
                comment=reason,
                details=details,
                now=now,
            )
        _record_decision(locked, approve=approve, officer=officer, reason=reason, now=now)
        locked.verification_request = verification_request
        audit_record(
            event_type=(
                AuditEvent.Type.CORRECTION_APPROVED
                if approve
                else AuditEvent.Type.CORRECTION_REFUSED
            ),
            actor=officer,
            institution=locked.institution,
            subject=locked,
            details={
                "application_number": verification_request.application_number,
                "outcome": locked.requested_outcome,
                "reason": reason,
                **details,
            },
        )
        _email_decision(locked, template="correction_decided")
    return locked
