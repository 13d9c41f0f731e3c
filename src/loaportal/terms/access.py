"""The terms gate: a signed-in user accepts the current terms before any non-public page.

Registered with ``core.access.register_gate`` when the app is ready; ``AccessMiddleware`` asks
it after the sign-in check and before the role check.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from loaportal.terms.selectors import terms_acceptance_required


def terms_gate(request: HttpRequest) -> HttpResponse | None:
    if terms_acceptance_required(user=request.user):
        return redirect_to_login(request.get_full_path(), reverse("terms"))
    return None
