"""Officers' verification pages: every request with filters (and its CSV export), the requests
at risk by DLI, a request's page with its history, and "Add a request" (the same service as the
CSV import and, later, the IRCC API)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.decorators import rate_limit
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from loaportal.core.access import officer
from loaportal.core.exceptions import ApplicationError
from loaportal.core.forms import form_add_service_error
from loaportal.core.pagination import DeferredJoinPaginator
from loaportal.institutions.selectors import institution_by_number
from loaportal.verifications.deadlines import DEADLINE_ZONE
from loaportal.verifications.export import export_filename, export_rows
from loaportal.verifications.forms import OfficerFilterForm, RequestCreateForm
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.selectors import (
    verification_at_risk,
    verification_at_risk_by_dli,
    verification_request_list_for_officers,
)
from loaportal.verifications.services import (
    verification_export_record,
    verification_request_create,
)
from loaportal.verifications.views import (
    _csv_response,
    _detail_context,
    _visible,
    signed_in_user,
)

PAGE_SIZE = 50
# Officers see every DLI's requests: deadlines are shown in Eastern time, where they are set.
EASTERN = DEADLINE_ZONE


def _officer_filters(
    request: HttpRequest,
) -> tuple[OfficerFilterForm, dict[str, Any], QuerySet[VerificationRequest]]:
    """The officers' list as filtered by the query string: the same for the page and its CSV
    export."""
    form = OfficerFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    requests = verification_request_list_for_officers(
        dli=(filters.get("dli") or "").strip() or None,
        status=filters.get("status") or None,
        requested_from=filters.get("requested_from"),
        requested_to=filters.get("requested_to"),
        query=(filters.get("q") or "").strip(),
    )
    return form, filters, requests


@officer
@require_GET
def officer_list(request: HttpRequest) -> HttpResponse:
    form, _filters, requests = _officer_filters(request)
    page = DeferredJoinPaginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "verifications/officer_list.html",
        {
            "form": form,
            "page": page,
            "now": timezone.now(),
            "params": params.urlencode(),
            "eastern": EASTERN,
        },
    )


@officer
@rate_limit(action="verification_export", limit_get=True)  # type: ignore[untyped-decorator]  # allauth: no types
@require_GET
def officer_export(request: HttpRequest) -> StreamingHttpResponse:
    """The officers' list as filtered on the page, as a CSV file (moments in Eastern time),
    streamed. Each export is recorded in the audit trail with its filters."""
    _form, filters, requests = _officer_filters(request)
    now = timezone.now()
    verification_export_record(user=signed_in_user(request), institution=None, filters=filters)
    return _csv_response(
        export_rows(requests, zone=EASTERN, now=now),
        filename=export_filename(prefix="all", now=now, zone=EASTERN),
    )


@officer
@require_GET
def officer_at_risk(request: HttpRequest) -> HttpResponse:
    """Every DLI's pending requests due within 24 hours: how many per DLI (and how many of
    those nobody has), then the list, soonest first."""
    now = timezone.now()
    number = (request.GET.get("dli") or "").strip()
    dli = institution_by_number(dli_number=number) if number else None
    requests = verification_at_risk(institution=dli, now=now)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "verifications/officer_at_risk.html",
        {
            "institutions": verification_at_risk_by_dli(now=now),
            "dli": dli,
            "page": page,
            "params": urlencode({"dli": dli.dli_number}) if dli else "",
            "now": now,
            "eastern": EASTERN,
        },
    )


@officer
@require_GET
def officer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    verification_request = _visible(request, pk)
    context = _detail_context(request, verification_request, now=timezone.now(), officer=True)
    return render(request, "verifications/officer_request.html", context)


@officer
def officer_create(request: HttpRequest) -> HttpResponse:
    form = RequestCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["document"]
        try:
            created = verification_request_create(
                application_number=data["application_number"].strip(),
                dli_number=data["dli_number"].strip(),
                surname=data["surname"].strip(),
                given_names=data["given_names"].strip(),
                date_of_birth=data["date_of_birth"],
                document=upload,
                document_name=upload.name,
                program=data["program"].strip(),
                start_date=data["start_date"],
                student_id=data["student_id"].strip(),
                loa_number=data["loa_number"].strip(),
                campus=data["campus"].strip(),
                created_by=signed_in_user(request),
            )
        except (ApplicationError, ValidationError) as exc:
            form_add_service_error(form, exc, default="document")
        else:
            messages.success(
                request,
                _("Request %(number)s was added.") % {"number": created.application_number},
            )
            return redirect("verifications:officer_detail", pk=created.pk)
    return render(request, "verifications/officer_create.html", {"form": form})
