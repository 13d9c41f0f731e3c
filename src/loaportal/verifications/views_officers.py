"""Officers' verification pages: every request with filters, a request's page with its
history, and "Add a request" (the same service as the CSV import and, later, the IRCC API)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from loaportal.core.access import officer
from loaportal.core.exceptions import ApplicationError
from loaportal.core.forms import form_add_service_error
from loaportal.verifications.forms import OfficerFilterForm, RequestCreateForm
from loaportal.verifications.selectors import verification_request_list_for_officers
from loaportal.verifications.services import verification_request_create
from loaportal.verifications.views import _detail_context, _visible, signed_in_user

PAGE_SIZE = 50
# Officers see every DLI's requests: deadlines are shown in Eastern time, where they are set.
EASTERN = ZoneInfo("America/Toronto")


@officer
@require_GET
def officer_list(request: HttpRequest) -> HttpResponse:
    form = OfficerFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    requests = verification_request_list_for_officers(
        dli=(filters.get("dli") or "").strip() or None,
        status=filters.get("status") or None,
        requested_from=filters.get("requested_from"),
        requested_to=filters.get("requested_to"),
        query=(filters.get("q") or "").strip(),
    )
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
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
