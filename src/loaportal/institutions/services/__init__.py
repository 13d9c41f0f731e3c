"""DLI rules: creating a DLI (``onboarding``), memberships (``memberships``). Import from here."""

from loaportal.institutions.services.memberships import user_deactivate
from loaportal.institutions.services.onboarding import (
    MSG_DLI_EXISTS,
    InstitutionError,
    institution_create,
)

__all__ = [
    "MSG_DLI_EXISTS",
    "InstitutionError",
    "institution_create",
    "user_deactivate",
]
