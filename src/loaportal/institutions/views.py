"""The account home page: the DLI, the user's role, and what they can do."""

from __future__ import annotations

from django.shortcuts import render

from loaportal.core.access import signed_in
from loaportal.institutions.selectors import user_change_request_queue


@signed_in
def home(request):
    """The account home page: the DLI, the user's role, and what they can do."""
    context = {"membership": request.membership}
    if request.roles.is_officer and request.membership is None:
        context["open_request_count"] = user_change_request_queue().count()
    return render(request, "accounts/home.html", context)
