from __future__ import annotations

from django.db.models import Exists, OuterRef

from loaportal.core.roles import roles_of
from loaportal.terms.models import TermsAcceptance, TermsVersion


def terms_current() -> TermsVersion | None:
    return TermsVersion.objects.order_by("-published_at", "-id").first()


def terms_acceptance_required(*, user) -> bool:
    """Whether the user must accept the current terms before using any other page.

    The terms are written for DLI staff; IRCC officers work under their employer's conditions
    and are not asked to accept them. Cached on the user object for the length of a request.
    """
    cached = getattr(user, "_loaportal_terms_required", None)
    if cached is not None:
        return cached
    if roles_of(user).is_officer:
        required = False
    else:
        # One query on every page: the current version and whether this user accepted it.
        accepted = (
            TermsVersion.objects.order_by("-published_at", "-id")
            .annotate(
                accepted=Exists(TermsAcceptance.objects.filter(user=user, version=OuterRef("pk")))
            )
            .values_list("accepted", flat=True)
            .first()
        )
        required = accepted is False
    user._loaportal_terms_required = required
    return required
