"""Reading API tokens: who may see (and revoke) which."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from loaportal.api.models import ApiToken
from loaportal.core.roles import roles_of

if TYPE_CHECKING:
    from loaportal.accounts.models import User


def api_token_visible_to(*, user: User) -> QuerySet[ApiToken]:
    """A primary user: their DLI's tokens; an officer: the IRCC service tokens (DLI tokens are
    the DLI's business); anyone else: none. Newest first."""
    roles = roles_of(user)
    tokens = ApiToken.objects.select_related("created_by", "revoked_by", "institution")
    if roles.is_officer:
        return tokens.filter(kind=ApiToken.Kind.IRCC).order_by("-created_at", "-id")
    if roles.is_primary:
        return tokens.filter(kind=ApiToken.Kind.DLI, institution=roles.institution).order_by(
            "-created_at", "-id"
        )
    return tokens.none()
