"""The DLI's pages: "Request an extension" and "Request a correction" from a verification
request's page, and the list of the DLI's extension and correction requests.

Every object is looked up through a ``*_visible_to`` selector: another DLI's request is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from loaportal.amendments.forms import CorrectionRequestForm, ExtensionRequestForm
from loaportal.amendments.selectors import (
    correction_requests_visible_to,
    extension_requests_visible_to,
)
from loaportal.amendments.services import (
    AmendmentError,
    correction_request_create,
    extension_days_left,
    extension_request_create,
)
from loaportal.core.access import member
from loaportal.core.exceptions import ApplicationError
from loaportal.core.forms import form_add_service_error
from loaportal.core.http import MemberRequest
from loaportal.verifications.deadlines import institution_zone
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.selectors import verification_request_visible_to

LIST_SIZE = 100


def _visible_request(request: MemberRequest, pk: int) -> VerificationRequest:
    return get_object_or_404(verification_request_visible_to(user=request.user), pk=pk)


def _back(verification_request: VerificationRequest) -> HttpResponse:
    return redirect("verifications:request_detail", pk=verification_request.pk)


@member
def extension_create(request: MemberRequest, pk: int) -> HttpResponse:
    """ "Request an extension" of a pending request whose deadline has not passed."""
    verification_request = _visible_request(request, pk)
    now = timezone.now()
    if not verification_request.is_decidable(now):
        messages.error(
            request, _("Only a pending request whose deadline has not passed can be extended.")
        )
        return _back(verification_request)
    form = ExtensionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            extension_request_create(
                verification_request=verification_request,
                requested_by=request.user,
                days=form.cleaned_data["days"],
                ground=form.cleaned_data["ground"],
                explanation=form.cleaned_data["explanation"],
            )
        except ApplicationError as exc:
            if exc.field in form.fields:
                form_add_service_error(form, exc)
            else:
                messages.error(request, str(exc.message))
                return _back(verification_request)
        else:
            messages.success(
                request,
                _(
                    "Your extension request was sent to IRCC. Until IRCC approves it, the "
                    "original deadline still counts."
                ),
            )
            return _back(verification_request)
    return render(
        request,
        "amendments/extension_create.html",
        {
            "vr": verification_request,
            "form": form,
            "zone": institution_zone(verification_request.institution),
            "days_left": extension_days_left(verification_request=verification_request),
            "now": now,
        },
    )


@member
def correction_create(request: MemberRequest, pk: int) -> HttpResponse:
    """ "Request a correction" of a decided request."""
    verification_request = _visible_request(request, pk)
    if not verification_request.is_decided:
        messages.error(request, _("Only a decided request can be corrected."))
        return _back(verification_request)
    form = CorrectionRequestForm(request.POST or None, current_outcome=verification_request.status)
    if request.method == "POST" and form.is_valid():
        try:
            correction_request_create(
                verification_request=verification_request,
                requested_by=request.user,
                outcome=form.cleaned_data["outcome"],
                ground=form.cleaned_data["ground"],
                explanation=form.cleaned_data["explanation"],
            )
        except AmendmentError as exc:
            if exc.field in form.fields:
                form_add_service_error(form, exc)
            else:
                messages.error(request, str(exc.message))
                return _back(verification_request)
        else:
            messages.success(
                request,
                _(
                    "Your correction request was sent to IRCC. You will receive an email when "
                    "it is decided."
                ),
            )
            return _back(verification_request)
    return render(
        request,
        "amendments/correction_create.html",
        {
            "vr": verification_request,
            "form": form,
            "zone": institution_zone(verification_request.institution),
        },
    )


@member
def amendment_list(request: MemberRequest) -> HttpResponse:
    """The DLI's extension and correction requests, most recent first."""
    return render(
        request,
        "amendments/amendment_list.html",
        {
            "extensions": extension_requests_visible_to(user=request.user).order_by(
                "-requested_at", "-id"
            )[:LIST_SIZE],
            "corrections": correction_requests_visible_to(user=request.user).order_by(
                "-requested_at", "-id"
            )[:LIST_SIZE],
            "zone": institution_zone(request.membership.institution),
            "list_size": LIST_SIZE,
        },
    )
