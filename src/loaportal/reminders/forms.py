"""The "Notifications" page's form. The rules (valid scope and hour, who may choose) are the
service's (``reminder_preference_update``); this form checks the shape."""

from __future__ import annotations

from datetime import time

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from loaportal.reminders.models import ReminderPreference


def hour_choices() -> list[tuple[int, str]]:
    """Each hour of the day, written as the active language writes a time ("8 h 00", "8 a.m.")."""
    return [(hour, formats.time_format(time(hour), "TIME_FORMAT")) for hour in range(24)]


class ReminderPreferenceForm(forms.Form):
    daily_summary = forms.ChoiceField(
        label=_("Daily summary by email"),
        choices=[
            ("on", _("Yes, email me a summary of the requests due within 3 days")),
            ("off", _("No, do not send me a daily summary")),
        ],
        widget=forms.RadioSelect,
        help_text=_("No email is sent on a day when no request is due within 3 days."),
        error_messages={
            "required": _("Choose whether to receive a daily summary."),
            "invalid_choice": _("Choose whether to receive a daily summary."),
        },
    )
    scope = forms.ChoiceField(
        label=_("Requests in the summary"),
        choices=ReminderPreference.Scope.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose which requests the summary lists."),
            "invalid_choice": _("Choose which requests the summary lists."),
        },
    )
    hour = forms.TypedChoiceField(
        label=_("Time of day"),
        choices=hour_choices,
        coerce=int,
        error_messages={
            "required": _("Choose an hour of the day."),
            "invalid_choice": _("Choose an hour of the day."),
        },
    )

    @classmethod
    def initial_from(cls, preference: ReminderPreference) -> dict[str, object]:
        return {
            "daily_summary": "on" if preference.daily_summary else "off",
            "scope": preference.scope,
            "hour": preference.hour,
        }
