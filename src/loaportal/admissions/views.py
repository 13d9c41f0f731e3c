"""Matching help: upload the admissions list, read the suggestions, confirm some (or all the
confirmed ones at once), delete the list. Only the user's own DLI's list is ever read."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loaportal.accounts.models import User
from loaportal.admissions.forms import AdmissionsUploadForm
from loaportal.admissions.selectors import admissions_list_visible_to, suggestions_open
from loaportal.admissions.services import (
    admissions_confirm,
    admissions_list_delete,
    admissions_list_upload,
    admissions_match,
)
from loaportal.core.access import member
from loaportal.core.exceptions import ApplicationError
from loaportal.core.forms import form_add_service_error

PAGE_SIZE = 50
FIELD_LABELS = {
    "name": gettext_lazy("name"),
    "date_of_birth": gettext_lazy("date of birth"),
    "student_id": gettext_lazy("student ID"),
    "program": gettext_lazy("program"),
    "start_date": gettext_lazy("start date"),
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # the ``member`` rule admits signed-in members only
    return request.user


@member
def index(request: HttpRequest) -> HttpResponse:
    """The page, and its four actions (``action``): upload (the default), confirm, match
    again, delete."""
    action = request.POST.get("action", "upload") if request.method == "POST" else ""
    if action in ACTIONS:
        return ACTIONS[action](request)
    form = AdmissionsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            admissions_list_upload(
                user=_user(request),
                file_name=upload.name or "",
                content=upload.read(settings.DECISION_FILE_MAX_BYTES + 1),
            )
        except ApplicationError as exc:
            form_add_service_error(form, exc, default="file")
        else:
            messages.success(request, _("The admissions list was read; see the suggestions."))
            return redirect("admissions:index")
    admissions_list = admissions_list_visible_to(user=_user(request)).first()
    page = None
    if admissions_list is not None:
        page = Paginator(
            suggestions_open(admissions_list=admissions_list, now=timezone.now()), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        for suggestion in page.object_list:
            # For the template: the fields' names in the page's language.
            suggestion.agreeing_labels = [FIELD_LABELS[f] for f in suggestion.agreeing]
            suggestion.differing_labels = [FIELD_LABELS[f] for f in suggestion.differing]
    return render(
        request,
        "admissions/index.html",
        {
            "form": form,
            "admissions_list": admissions_list,
            "page": page,
            "retention_days": settings.ADMISSIONS_RETENTION_DAYS,
        },
    )


def _confirm(request: HttpRequest) -> HttpResponse:
    """Record the suggestions the person ticked, each through ``verification_decide``."""
    ids = [int(value) for value in request.POST.getlist("confirm") if value.isdigit()]
    if not ids:
        messages.error(request, _("Tick the suggestions you confirm first."))
        return redirect("admissions:index")
    result = admissions_confirm(user=_user(request), suggestion_ids=ids)
    if result.recorded:
        messages.success(request, _("Decisions recorded: %(count)s.") % {"count": result.recorded})
    for number, reason in result.refused:
        messages.error(request, f"{number}: {reason}")
    return redirect("admissions:index")


def _rematch(request: HttpRequest) -> HttpResponse:
    """Suggest again (for requests that arrived since the upload)."""
    admissions_list = admissions_list_visible_to(user=_user(request)).first()
    if admissions_list is not None:
        admissions_match(admissions_list=admissions_list)
        messages.success(request, _("The suggestions were made again."))
    return redirect("admissions:index")


def _delete(request: HttpRequest) -> HttpResponse:
    if admissions_list_delete(user=_user(request)):
        messages.success(request, _("The admissions list was deleted."))
    return redirect("admissions:index")


ACTIONS = {"confirm": _confirm, "rematch": _rematch, "delete": _delete}
