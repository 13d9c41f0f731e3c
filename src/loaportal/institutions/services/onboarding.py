"""Creating a DLI. (Onboarding, which also invites its primary user: ``invitations.onboarding``.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.core.exceptions import ApplicationError
from loaportal.institutions.models import Institution

if TYPE_CHECKING:
    from loaportal.accounts.models import User

MSG_DLI_EXISTS = _("A DLI with this number already exists.")


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
