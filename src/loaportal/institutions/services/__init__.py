"""DLI rules: onboarding by officers (``onboarding``) and the DLI's user-change requests
(``user_changes``). Import from here."""

from loaportal.institutions.services.onboarding import (
    MSG_DLI_EXISTS,
    MSG_HAS_PRIMARY,
    InstitutionError,
    institution_create,
    institution_onboard,
    institution_primary_invitation_send,
)
from loaportal.institutions.services.user_changes import (
    MSG_ALREADY_DECIDED,
    MSG_CHANGE_PENDING,
    MSG_EXPLANATION_REQUIRED,
    MSG_NEW_PRIMARY_REQUIRED,
    MSG_NOT_A_SECONDARY,
    MSG_NOT_PRIMARY,
    MSG_OFFICERS_ONLY,
    MSG_REFUSAL_REASON_REQUIRED,
    MSG_REMOVAL_PENDING,
    MSG_TARGET_GONE,
    UserChangeRequestError,
    user_change_request_approve,
    user_change_request_refuse,
    user_change_request_submit,
)

__all__ = [
    "MSG_ALREADY_DECIDED",
    "MSG_CHANGE_PENDING",
    "MSG_DLI_EXISTS",
    "MSG_EXPLANATION_REQUIRED",
    "MSG_HAS_PRIMARY",
    "MSG_NEW_PRIMARY_REQUIRED",
    "MSG_NOT_A_SECONDARY",
    "MSG_NOT_PRIMARY",
    "MSG_OFFICERS_ONLY",
    "MSG_REFUSAL_REASON_REQUIRED",
    "MSG_REMOVAL_PENDING",
    "MSG_TARGET_GONE",
    "InstitutionError",
    "UserChangeRequestError",
    "institution_create",
    "institution_onboard",
    "institution_primary_invitation_send",
    "user_change_request_approve",
    "user_change_request_refuse",
    "user_change_request_submit",
]
