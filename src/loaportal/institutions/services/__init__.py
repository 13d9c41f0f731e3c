"""DLI rules: onboarding by officers (``onboarding``). Import from here."""

from loaportal.institutions.services.onboarding import (
    MSG_DLI_EXISTS,
    MSG_HAS_PRIMARY,
    InstitutionError,
    institution_create,
    institution_onboard,
    institution_primary_invitation_send,
)

__all__ = [
    "MSG_DLI_EXISTS",
    "MSG_HAS_PRIMARY",
    "InstitutionError",
    "institution_create",
    "institution_onboard",
    "institution_primary_invitation_send",
]
