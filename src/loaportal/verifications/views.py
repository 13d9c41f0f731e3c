"""The DLI's verification pages: the queue (with its CSV export), a request's page with its
document, its assignment and the decision (choose, "Continue", check the summary, "Submit
verification"), the document, and the primary user's at-risk view.

Every object is looked up through ``verification_request_visible_to``: a request of another
DLI is a 404, never the object.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from allauth.decorators import rate_limit
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from loaportal.accounts.models import User
from loaportal.core.access import member, primary, signed_in
from loaportal.core.exceptions import ApplicationError
from loaportal.core.forms import form_add_service_error
from loaportal.core.pagination import DeferredJoinPaginator
from loaportal.core.roles import roles_of
from loaportal.institutions.models import Institution
from loaportal.verifications.deadlines import institution_zone
from loaportal.verifications.document_serving import verification_document_response
from loaportal.verifications.export import export_filename, export_rows
from loaportal.verifications.forms import AssignForm, DecisionForm, QueueSearchForm
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.panels import request_panels
from loaportal.verifications.selectors import (
    UNASSIGNED,
    verification_assignees,
    verification_at_risk,
    verification_at_risk_counts,
    verification_event_list,
    verification_queue,
    verification_request_visible_to,
    verification_tab_counts,
)
from loaportal.verifications.services import (
    AlreadyDecided,
    PastDeadline,
    verification_assign,
    verification_decide,
    verification_export_record,
)

PAGE_SIZE = 25
# A search or an assignee filter counts (and pages through) at most this many matches; the page
# then asks to refine the search (ADR 0019).
SEARCH_COUNT_LIMIT = 1000

TABS = (
    ("todo", gettext_lazy("To do")),
    ("mine", gettext_lazy("Assigned to me")),
    ("due_soon", gettext_lazy("Due within 3 days")),
    ("decided", pgettext_lazy("verification queue tab", "Decided")),
    ("no_response", gettext_lazy("No response")),
)


@dataclass
class QueueFilters:
    """What a queue view shows, read from its query string: the same for the page and its
    CSV export, so that "Download CSV" gives exactly the filtered view."""

    institution: Institution
    tab: str
    form: QueueSearchForm
    query: str
    assignee: str

    def params(self) -> str:
        """The search and the filter, for links that keep them (tabs, pages, export)."""
        pairs = [("q", self.query), ("assignee", self.assignee)]
        return urlencode([(key, value) for key, value in pairs if value])

    def as_dict(self) -> dict[str, str]:
        return {"tab": self.tab, "q": self.query, "assignee": self.assignee}

    def requests(self, *, user: User, now: datetime) -> QuerySet[VerificationRequest]:
        return verification_queue(
            institution=self.institution,
            tab=self.tab,
            query=self.query,
            assignee=self.assignee or None,
            user=user,
            now=now,
        )


def _queue_filters(request: HttpRequest) -> QueueFilters:
    institution = roles_of(request.user).institution
    assert institution is not None  # the ``member`` rule admits members only
    tab = request.GET.get("tab")
    if tab not in dict(TABS):
        tab = "todo"
    form = QueueSearchForm(request.GET, assignees=verification_assignees(institution=institution))
    # A field that does not validate is dropped, not the others (a colleague who has left
    # the DLI, in an old link, leaves the search as it was).
    form.is_valid()
    query = (form.cleaned_data.get("q") or "").strip()
    assignee = form.cleaned_data.get("assignee") or ""
    return QueueFilters(institution, tab, form, query, assignee)


@member
def queue(request: HttpRequest) -> HttpResponse:
    """The DLI's requests, by due date, in tabs with their counts; search, assignee filter;
    pages; links to the CSV export of this view and (primary user) the at-risk view."""
    filters = _queue_filters(request)
    institution = filters.institution
    user = signed_in_user(request)
    now = timezone.now()
    requests = filters.requests(user=user, now=now)
    filtered = bool(filters.query or filters.assignee)
    # The tab's count comes with the tab counts; a search or filter's matches are counted
    # there too, up to SEARCH_COUNT_LIMIT, so that its cost stays bounded however large the DLI.
    counts = verification_tab_counts(
        institution=institution,
        user=user,
        now=now,
        matching=requests if filtered else None,
        matching_limit=SEARCH_COUNT_LIMIT,
    )
    count = counts["matching"] if filtered else counts[filters.tab]
    paginator = DeferredJoinPaginator(
        requests,
        PAGE_SIZE,
        count=min(count, SEARCH_COUNT_LIMIT) if filtered else count,
        count_capped=count > SEARCH_COUNT_LIMIT if filtered else False,
    )
    page = paginator.get_page(request.GET.get("page"))
    params = filters.params()
    return render(
        request,
        "verifications/queue.html",
        {
            "institution": institution,
            "tabs": [(key, label, counts.get(key, 0)) for key, label in TABS],
            "tab": filters.tab,
            "tab_label": dict(TABS)[filters.tab],
            "form": filters.form,
            "query": filters.query,
            "filtered": filtered,
            "count_capped": paginator.count_capped,
            "count_limit": SEARCH_COUNT_LIMIT,
            "filter_params": params,
            "params": urlencode({"tab": filters.tab}) + (f"&{params}" if params else ""),
            "page": page,
            "now": now,
            "zone": institution_zone(institution),
        },
    )


def _csv_response(rows: Iterator[bytes], *, filename: str) -> StreamingHttpResponse:
    """A CSV file streamed as an attachment (the middleware adds ``no-store``)."""
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member
@rate_limit(action="verification_export", limit_get=True)  # type: ignore[untyped-decorator]  # allauth: no types
@require_GET
def queue_export(request: HttpRequest) -> StreamingHttpResponse:
    """The queue as filtered on the page (tab, search, assignee), as a CSV file, streamed.
    Each export is recorded in the audit trail with its filters."""
    filters = _queue_filters(request)
    user = signed_in_user(request)
    now = timezone.now()
    requests = filters.requests(user=user, now=now)
    verification_export_record(
        user=user, institution=filters.institution, filters=filters.as_dict()
    )
    zone = institution_zone(filters.institution)
    return _csv_response(
        export_rows(requests, zone=zone, now=now),
        filename=export_filename(prefix=filters.institution.dli_number, now=now, zone=zone),
    )


@primary
@require_GET
def at_risk(request: HttpRequest) -> HttpResponse:
    """The primary user's view of the DLI's pending requests due within 24 hours, the
    unassigned ones flagged."""
    institution = roles_of(request.user).institution
    assert institution is not None  # the ``primary`` rule admits primary users only
    now = timezone.now()
    requests = verification_at_risk(institution=institution, now=now)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "verifications/at_risk.html",
        {
            "institution": institution,
            "counts": verification_at_risk_counts(institution=institution, now=now),
            "page": page,
            "params": "",
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
            "institution", "decided_by", "assigned_to"
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
        | {
            "form": form,
            "confirming": confirming,
            "assign_form": _assign_form(verification_request),
        },
    )


def _assign_form(verification_request: VerificationRequest, *, data: Any = None) -> AssignForm:
    assigned = verification_request.assigned_to_id
    return AssignForm(
        data,
        assignees=verification_assignees(institution=verification_request.institution),
        initial={"assignee": str(assigned) if assigned else UNASSIGNED},
    )


@member
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign a request to a colleague of the DLI, to oneself ("Take it"), or to nobody. The
    choices are the DLI's users; the service checks again, under its lock."""
    verification_request = _visible(request, pk)
    user = signed_in_user(request)
    form = _assign_form(verification_request, data=request.POST)
    if form.is_valid():
        assignee: User | None = form.cleaned_data["assignee"]
        try:
            verification_assign(
                verification_request=verification_request, assignee=assignee, assigned_by=user
            )
        except ApplicationError as exc:
            if exc.field == "assignee":
                form_add_service_error(form, exc)
            else:
                messages.error(request, str(exc.message))
                return redirect("verifications:request_detail", pk=verification_request.pk)
        else:
            if assignee is None:
                text = _("Nobody is assigned to this request now.")
            elif assignee == user:
                text = _("You are now assigned to this request.")
            else:
                text = _("This request is now assigned to %(name)s.") % {
                    "name": assignee.full_name or assignee.email
                }
            messages.success(request, text)
            return redirect("verifications:request_detail", pk=verification_request.pk)
    now = timezone.now()
    return render(
        request,
        "verifications/request.html",
        _detail_context(request, verification_request, now=now)
        | {"form": DecisionForm(), "confirming": False, "assign_form": form},
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
