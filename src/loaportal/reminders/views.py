"""The "Notifications" page of a DLI user's account: their reminder choices."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from loaportal.core.access import member
from loaportal.core.forms import form_add_service_error
from loaportal.core.http import MemberRequest
from loaportal.reminders.forms import ReminderPreferenceForm
from loaportal.reminders.selectors import reminder_preference_of
from loaportal.reminders.services import ReminderError, reminder_preference_update
from loaportal.verifications.deadlines import institution_zone


@member
def preferences(request: MemberRequest) -> HttpResponse:
    """Daily summary on or off, which requests, at what hour; the primary user's alert."""
    preference = reminder_preference_of(user=request.user)
    if request.method == "POST":
        form = ReminderPreferenceForm(request.POST)
        if form.is_valid():
            try:
                reminder_preference_update(
                    user=request.user,
                    daily_summary=form.cleaned_data["daily_summary"] == "on",
                    scope=form.cleaned_data["scope"],
                    hour=form.cleaned_data["hour"],
                )
            except ReminderError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, _("Your notification choices were saved."))
                return redirect("reminders:preferences")
    else:
        form = ReminderPreferenceForm(initial=ReminderPreferenceForm.initial_from(preference))
    institution = request.membership.institution
    return render(
        request,
        "reminders/preferences.html",
        {
            "form": form,
            "institution": institution,
            "zone": institution_zone(institution).key,
            "is_primary": request.membership.is_primary,
        },
    )
