"""Officers' pages: the queues of extension and correction requests (waiting ones first,
oldest first; the extension queue shows the day IRCC answers by) and a page for each request
with "Approve" and "Refuse" (a refusal needs a reason)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from loaportal.amendments.business_days import answer_by
from loaportal.amendments.forms import ApproveForm, ExtensionApproveForm, RefuseForm
from loaportal.amendments.selectors import (
    correction_request_queue,
    correction_requests_visible_to,
    extension_request_queue,
    extension_requests_visible_to,
)
from loaportal.amendments.services import (
    correction_request_decide,
    extension_days_left,
    extension_request_decide,
)
from loaportal.core.access import officer
from loaportal.core.exceptions import ApplicationError
from loaportal.core.forms import form_add_service_error
from loaportal.core.http import SignedInRequest
from loaportal.verifications.deadlines import DEADLINE_ZONE

PAGE_SIZE = 50
# Officers see every DLI's requests: dates in Eastern time, where the deadlines are set.
EASTERN = DEADLINE_ZONE


def _decide(
    request: SignedInRequest,
    *,
    action: str | None,
    form: Form,
    decide: Callable[..., Any],
    detail: str,
    pk: int,
    approved: str,
    refused: str,
) -> HttpResponse | None:
    """Run the officer's "approve" or "refuse" through ``decide`` (the service, given
    ``approve``, ``reason`` and the form's other fields) and redirect to the request's page; a
    service error on one of the form's fields stays on the form (``None``: render the page)."""
    if action not in ("approve", "refuse") or not form.is_valid():
        return None
    try:
        decide(approve=action == "approve", **form.cleaned_data)
    except ApplicationError as exc:
        if exc.field in form.fields:
            form_add_service_error(form, exc)
            return None
        messages.error(request, str(exc.message))
    else:
        messages.success(request, approved if action == "approve" else refused)
    return redirect(detail, pk=pk)


@officer
def extension_queue(request: SignedInRequest) -> HttpResponse:
    page = Paginator(extension_request_queue(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for extension in page.object_list:
        extension.answer_by = answer_by(extension.requested_at)
    return render(
        request,
        "amendments/officer_extensions.html",
        {"page": page, "eastern": EASTERN, "today": timezone.localdate(timezone=EASTERN)},
    )


@officer
def extension_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    extension = get_object_or_404(extension_requests_visible_to(user=request.user), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    approve_form = ExtensionApproveForm(
        request.POST if action == "approve" else None,
        days_requested=extension.days_requested,
        prefix="approve",
    )
    refuse_form = RefuseForm(request.POST if action == "refuse" else None, prefix="refuse")
    form = approve_form if action == "approve" else refuse_form
    done = _decide(
        request,
        action=action,
        form=form,
        decide=lambda **data: extension_request_decide(
            extension_request=extension, officer=request.user, **data
        ),
        detail="amendments:officer_extension_detail",
        pk=extension.pk,
        approved=_("The extension was approved."),
        refused=_("The extension was refused."),
    )
    if done is not None:
        return done
    return render(
        request,
        "amendments/officer_extension.html",
        {
            "extension": extension,
            "vr": extension.verification_request,
            "answer_by": answer_by(extension.requested_at),
            "days_left": extension_days_left(verification_request=extension.verification_request),
            "approve_form": approve_form,
            "refuse_form": refuse_form,
            "eastern": EASTERN,
            "now": timezone.now(),
        },
    )


@officer
def correction_queue(request: SignedInRequest) -> HttpResponse:
    page = Paginator(correction_request_queue(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "amendments/officer_corrections.html", {"page": page, "eastern": EASTERN}
    )


@officer
def correction_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    correction = get_object_or_404(correction_requests_visible_to(user=request.user), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    approve_form = ApproveForm(request.POST if action == "approve" else None, prefix="approve")
    refuse_form = RefuseForm(request.POST if action == "refuse" else None, prefix="refuse")
    form = approve_form if action == "approve" else refuse_form
    done = _decide(
        request,
        action=action,
        form=form,
        decide=lambda **data: correction_request_decide(
            correction_request=correction, officer=request.user, **data
        ),
        detail="amendments:officer_correction_detail",
        pk=correction.pk,
        approved=_("The correction was approved."),
        refused=_("The correction was refused."),
    )
    if done is not None:
        return done
    return render(
        request,
        "amendments/officer_correction.html",
        {
            "correction": correction,
            "vr": correction.verification_request,
            "approve_form": approve_form,
            "refuse_form": refuse_form,
            "eastern": EASTERN,
        },
    )
