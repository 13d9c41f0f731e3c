"""How the verification pages show deadlines: the time left in days and hours, and a moment in
the DLI's own time zone with the zone named."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def time_left_text(left: dt.timedelta) -> str:
    """``3 days and 4 hours left`` / ``Less than an hour left`` / ``Deadline passed``."""
    if left <= dt.timedelta(0):
        return _("Deadline passed")
    total_hours = int(left.total_seconds() // 3600)
    days, hours = divmod(total_hours, 24)
    if days == 0 and hours == 0:
        return _("Less than an hour left")
    day_text = ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hour_text = ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    if days == 0:
        return _("%(hours)s left") % {"hours": hour_text}
    return _("%(days)s and %(hours)s left") % {"days": day_text, "hours": hour_text}


@register.simple_tag
def time_left(verification_request: Any, now: dt.datetime | None = None) -> str:
    return time_left_text(verification_request.time_left(now))


@register.filter
def in_zone(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    """``2026-12-08 23:59 EST``: the moment in ``zone`` (a ZoneInfo), the zone named."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


@register.simple_tag
def status_label(verification_request: Any, now: dt.datetime | None = None) -> str:
    """The status as of ``now``: "No response" as soon as the deadline passes, job or not."""
    status = verification_request.effective_status(now)
    return str(type(verification_request).Status(status).label)


@register.simple_tag
def event_outcome_label(event: Any) -> str:
    """A history entry's outcome as its label ("Verified – Matched"), or the code if unknown."""
    from loaportal.verifications.models import VerificationRequest

    try:
        return str(VerificationRequest.Status(event.outcome).label)
    except ValueError:
        return str(event.outcome)
