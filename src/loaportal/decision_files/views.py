"""Verify by file: download the pending requests, upload decisions, follow the check, read
the preview, "Confirm and record", follow the recording, read and download the result.

Every file is looked up through ``decision_file_visible_to`` (another DLI's file is a 404).
The check and the recording run in the worker; the pages read the file's counters, and the
status endpoint gives them to the page's script for the progress bar.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from loaportal.accounts.models import User
from loaportal.core.access import member
from loaportal.core.exceptions import ApplicationError
from loaportal.core.forms import form_add_service_error
from loaportal.core.roles import roles_of
from loaportal.decision_files.exports import (
    export_file_name,
    pending_csv,
    pending_xlsx,
    result_csv,
)
from loaportal.decision_files.forms import UploadForm
from loaportal.decision_files.models import DecisionFile, DecisionFileRow
from loaportal.decision_files.selectors import (
    decision_file_recent,
    decision_file_rows,
    decision_file_same_earlier,
    decision_file_visible_to,
    pending_requests_for_export,
)
from loaportal.decision_files.services import (
    decision_file_confirm,
    decision_file_upload,
    pending_requests_export_record,
)
from loaportal.institutions.models import Institution
from loaportal.verifications.deadlines import institution_zone
from loaportal.verifications.models import VerificationRequest

PAGE_SIZE = 50
Result = DecisionFileRow.Result

PREVIEW_TABS = (
    (Result.ERROR, gettext_lazy("Errors")),
    (Result.READY, gettext_lazy("To record")),
)
RESULT_TABS = (
    (Result.RECORDED, gettext_lazy("Recorded")),
    (Result.REFUSED, gettext_lazy("Refused when recording")),
    (Result.ERROR, gettext_lazy("Errors")),
)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # the ``member`` rule admits signed-in members only
    return request.user


def _institution(request: HttpRequest) -> Institution:
    institution: Institution | None = roles_of(request.user).institution
    assert institution is not None  # the ``member`` rule admits members only
    return institution


def _visible(request: HttpRequest, pk: int) -> DecisionFile:
    return get_object_or_404(decision_file_visible_to(user=_user(request)).defer("content"), pk=pk)


@member
def index(request: HttpRequest) -> HttpResponse:
    """Download the pending requests, upload a decision file, the user's recent files."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = settings.DECISION_FILE_MAX_BYTES
        try:
            decision_file = decision_file_upload(
                user=_user(request),
                file_name=upload.name or "",
                # One byte over the limit is enough for the service to refuse it.
                content=upload.read(limit + 1),
            )
        except ApplicationError as exc:
            form_add_service_error(form, exc, default="file")
        else:
            return redirect("decision_files:detail", pk=decision_file.pk)
    institution = _institution(request)
    return render(
        request,
        "decision_files/index.html",
        {
            "form": form,
            "files": decision_file_recent(user=_user(request)),
            "pending_count": pending_requests_for_export(
                institution=institution, now=timezone.now()
            ).count(),
            "outcomes": [
                (code, VerificationRequest.Status(code).label)
                for code in VerificationRequest.OUTCOMES
            ],
            "max_rows": formats.number_format(settings.DECISION_FILE_MAX_ROWS, force_grouping=True),
            "max_megabytes": f"{settings.DECISION_FILE_MAX_BYTES / 1024 / 1024:g}",
        },
    )


def _pending_download(request: HttpRequest, extension: str) -> HttpResponse:
    institution = _institution(request)
    now = timezone.now()
    requests = pending_requests_for_export(institution=institution, now=now)
    zone = institution_zone(institution)
    if extension == "xlsx":
        content = pending_xlsx(requests.iterator(), zone=zone)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = pending_csv(requests.iterator(), zone=zone)
        content_type = "text/csv; charset=utf-8"
    pending_requests_export_record(
        user=_user(request), institution=institution, file_format=extension
    )
    response = HttpResponse(content, content_type=content_type)
    name = export_file_name("pending-requests", now=now, extension=extension)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@member
@require_GET
def download_csv(request: HttpRequest) -> HttpResponse:
    """The DLI's pending requests as CSV, with empty ``outcome`` and ``comment`` columns."""
    return _pending_download(request, "csv")


@member
@require_GET
def download_xlsx(request: HttpRequest) -> HttpResponse:
    """The DLI's pending requests as an Excel workbook."""
    return _pending_download(request, "xlsx")


def _progress_text(decision_file: DecisionFile) -> str:
    done = formats.number_format(decision_file.done_rows, force_grouping=True)
    total = formats.number_format(decision_file.phase_rows, force_grouping=True)
    if decision_file.status == DecisionFile.Status.RECORDING:
        return _("%(done)s of %(total)s rows recorded") % {"done": done, "total": total}
    if decision_file.status == DecisionFile.Status.UPLOADED:
        return _("Waiting for its turn to be checked…")
    return _("%(done)s of %(total)s rows checked") % {"done": done, "total": total}


@member
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The file's progress, its preview (before confirmation) or its result."""
    decision_file = _visible(request, pk)
    tabs = RESULT_TABS if decision_file.status == DecisionFile.Status.RECORDED else PREVIEW_TABS
    counts = {
        Result.ERROR: decision_file.error_rows,
        Result.READY: decision_file.ready_rows,
        Result.RECORDED: decision_file.recorded_rows,
        Result.REFUSED: decision_file.refused_rows,
    }
    labels: dict[str, object] = dict(tabs)
    show = request.GET.get("show", "")
    if show not in labels:
        show = next((key for key, _label in tabs if counts[key]), tabs[0][0])
    page = None
    if decision_file.status in (DecisionFile.Status.CHECKED, DecisionFile.Status.RECORDED):
        page = Paginator(
            decision_file_rows(decision_file=decision_file, result=show), PAGE_SIZE
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "decision_files/detail.html",
        {
            "file": decision_file,
            "same_earlier": decision_file_same_earlier(decision_file=decision_file),
            "tabs": [(key, label, counts[key]) for key, label in tabs],
            "show": show,
            "show_label": labels[show],
            "page": page,
            "progress_text": _progress_text(decision_file),
            "zone": institution_zone(_institution(request)),
        },
    )


@member
@require_GET
def status(request: HttpRequest, pk: int) -> JsonResponse:
    """Where the file's check or recording stands, for the progress bar."""
    decision_file = _visible(request, pk)
    return JsonResponse(
        {
            "status": decision_file.status,
            "in_progress": decision_file.in_progress,
            "done": decision_file.done_rows,
            "total": decision_file.phase_rows,
            "text": _progress_text(decision_file),
        }
    )


@member
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Confirm and record": the worker records the rows the preview showed as ready."""
    decision_file = _visible(request, pk)
    try:
        decision_file_confirm(decision_file=decision_file, user=_user(request))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("decision_files:detail", pk=decision_file.pk)


@member
@require_GET
def result(request: HttpRequest, pk: int) -> HttpResponse:
    """Every row of the file and what became of it, as CSV in the page's language."""
    decision_file = _visible(request, pk)
    rows = DecisionFileRow.objects.filter(decision_file=decision_file).select_related("request")
    response = HttpResponse(
        result_csv(rows.order_by("line").iterator(chunk_size=2000)),
        content_type="text/csv; charset=utf-8",
    )
    name = export_file_name(
        f"decision-file-{decision_file.pk}-result", now=timezone.now(), extension="csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
