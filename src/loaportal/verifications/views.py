"""The DLI's verification pages: the queue, a request's page with its document and the
decision (choose, "Continue", check the summary, "Submit verification"), and the document.

Every object is looked up through ``verification_request_visible_to``: a request of another
DLI is a 404, never the object.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from loaportal.accounts.models import User
from loaportal.core.access import member, signed_in
from loaportal.core.exceptions import ApplicationError
from loaportal.core.forms import form_add_service_error
from loaportal.core.roles import roles_of
from loaportal.verifications.deadlines import institution_zone
from loaportal.verifications.document_serving import verification_document_response
from loaportal.verifications.forms import DecisionForm, QueueSearchForm
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.panels import request_panels
from loaportal.verifications.selectors import (
    verification_event_list,
    verification_queue,
    verification_request_visible_to,
    verification_tab_counts,
)
from loaportal.verifications.services import AlreadyDecided, PastDeadline, verification_decide

PAGE_SIZE = 25

TABS = (
    ("todo", gettext_lazy("To do")),
    ("due_soon", gettext_lazy("Due within 3 days")),
    ("decided", pgettext_lazy("verification queue tab", "Decided")),
    ("no_response", gettext_lazy("No response")),
)


@member
def queue(request: HttpRequest) -> HttpResponse:
    """The DLI's requests, by due date, in tabs with their counts; search; pages."""
    institution = roles_of(request.user).institution
    assert institution is not None  # the ``member`` rule admits members only
    tab = request.GET.get("tab")
    if tab not in dict(TABS):
        tab = "todo"
    form = QueueSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    now = timezone.now()
    requests = verification_queue(institution=institution, tab=tab, query=query, now=now)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = verification_tab_counts(institution=institution, now=now)
    return render(
        request,
        "verifications/queue.html",
        {
            "institution": institution,
            "tabs": [(key, label, counts.get(key, 0)) for key, label in TABS],
            "tab": tab,
            "tab_label": dict(TABS)[tab],
            "form": form,
            "query": query,
            "page": page,
            "now": now,
            "zone": institution_zone(institution),
        },
    )


def signed_in_user(request: HttpRequest) -> User:
    """The user of a view that only signed-in people reach (its access rule says so)."""
    assert isinstance(request.user, User)
    return request.user


def _visible(request: HttpRequest, pk: int) -> VerificationRequest:
    return get_object_or_404(
        verification_request_visible_to(user=signed_in_user(request)).select_related(
            "institution", "decided_by"
        ),
        pk=pk,
    )


@member
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: IRCC's data beside the document, and the decision in two steps."""
    verification_request = _visible(request, pk)
    now = timezone.now()
    form = DecisionForm(request.POST if request.method == "POST" else None)
    confirming = False
    if request.method == "POST":
        if not verification_request.is_decidable(now):
            messages.error(request, _refusal(verification_request))
            return redirect("verifications:request_detail", pk=verification_request.pk)
        action = request.POST.get("action")
        if form.is_valid():
            if action == "submit":
                try:
                    verification_decide(
                        verification_request=verification_request,
                        outcome=form.cleaned_data["outcome"],
                        comment=form.cleaned_data["comment"],
                        decided_by=signed_in_user(request),
                    )
                except (AlreadyDecided, PastDeadline) as exc:
                    # Decided by someone else meanwhile (who, when, what), or too late.
                    messages.error(request, str(exc.message))
                    return redirect("verifications:request_detail", pk=verification_request.pk)
                except ApplicationError as exc:
                    if exc.field in ("outcome", "comment"):
                        form_add_service_error(form, exc)
                    else:
                        messages.error(request, str(exc.message))
                        return redirect("verifications:request_detail", pk=verification_request.pk)
                else:
                    messages.success(request, _("Your verification was submitted."))
                    return redirect("verifications:request_detail", pk=verification_request.pk)
            elif action == "continue":
                confirming = True
    return render(
        request,
        "verifications/request.html",
        _detail_context(request, verification_request, now=now)
        | {"form": form, "confirming": confirming},
    )


def _refusal(verification_request: VerificationRequest) -> str:
    """Why a request can no longer be decided: who decided it, when and what; or its deadline."""
    if verification_request.is_decided:
        return str(AlreadyDecided(verification_request).message)
    return _("The deadline has passed: this request can no longer be decided.")


def _detail_context(
    request: HttpRequest,
    verification_request: VerificationRequest,
    *,
    now: datetime,
    officer: bool = False,
) -> dict[str, Any]:
    status = verification_request.effective_status(now)
    events = list(verification_event_list(verification_request=verification_request))
    if not officer:
        # The DLI's page tells what happened to the request; who opened the document when is
        # for officers (and the primary user's activity page).
        events = [e for e in events if e.kind != VerificationEvent.Kind.DOCUMENT_VIEWED]
    corrections = [e for e in events if e.kind == VerificationEvent.Kind.CORRECTED]
    return {
        "vr": verification_request,
        "status": status,
        "status_label": VerificationRequest.Status(status).label,
        "decidable": verification_request.is_decidable(now),
        "now": now,
        "zone": institution_zone(verification_request.institution),
        "is_image": verification_request.document_content_type.startswith("image/"),
        "events": history_rows(events),
        "last_correction": corrections[-1] if corrections else None,
        "first_decision": next(
            (e for e in events if e.kind == VerificationEvent.Kind.DECIDED), None
        ),
        "panels": request_panels(request, verification_request, now, officer),
    }


def history_rows(events: list[VerificationEvent]) -> list[VerificationEvent]:
    """The history, each decision (the DLI's, or an officer's correction) marked with the
    correction that replaced it (``corrected_by``: the next ``corrected`` entry), if any."""
    rows = list(events)
    replacement: VerificationEvent | None = None
    for event in reversed(rows):
        event.corrected_by = None  # type: ignore[attr-defined]
        if event.kind in (VerificationEvent.Kind.DECIDED, VerificationEvent.Kind.CORRECTED):
            event.corrected_by = replacement  # type: ignore[attr-defined]
            if event.kind == VerificationEvent.Kind.CORRECTED:
                replacement = event
    return rows


@signed_in
@xframe_options_sameorigin
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The document, for the DLI's members and officers only (404 for anyone else)."""
    verification_request = _visible(request, pk)
    return verification_document_response(
        verification_request=verification_request,
        user=signed_in_user(request),
        download=request.GET.get("download") == "1",
    )
