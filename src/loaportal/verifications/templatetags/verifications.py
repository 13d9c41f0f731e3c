"""How the verification pages show deadlines: the time left in days and hours, and a moment in
the DLI's own time zone with the zone named."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
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


# A key no address of the portal contains otherwise.
_ANY_PK = 9_876_543_210_123

# One row of verifications/includes/requests_table.html, spaced as the template spaced it.
_ROW = (
    "\n    <tr>\n"
    '      <td data-label="{}"><gcds-link href="{}">{}</gcds-link></td>\n'
    "      {}\n"
    '      <td class="portal-breakable" data-label="{}">{}, {}</td>\n'
    '      <td data-label="{}">{}</td>\n'
    '      <td data-label="{}">{}</td>\n'
    '      <td data-label="{}">{}</td>\n'
    '      <td data-label="{}">{}</td>\n'
    '      <td data-label="{}">{}</td>\n'
    '      <td{} data-label="{}">{}</td>\n'
    "    </tr>\n  "
)
# A name or address may break anywhere rather than widen the table; "Unassigned" stays whole.
_BREAKABLE = mark_safe(' class="portal-breakable"')  # noqa: S308


@register.simple_tag
def request_rows(
    requests: Any,
    *,
    zone: ZoneInfo,
    now: dt.datetime,
    show_dli: bool = False,
    flag_unassigned: bool = False,
) -> SafeString:
    """The rows of the requests table (``verifications/includes/requests_table.html``): the
    application number linking to the request (the officers' page with ``show_dli``), the DLI
    (``show_dli``), student, date of birth, student ID, due date in ``zone``, time left (pending
    requests), status as of ``now``, assignee ("Unassigned" in bold with ``flag_unassigned``).

    Built here, as Django's admin builds its change list's rows, rather than by a ``{% for %}``
    of template tags: the 25 rows of 9 cells were a third of the queue page's CPU
    (docs/performance.md); the HTML is the same, every value escaped by ``format_html``.
    """
    # Translations of the template's own words are trusted as the template is (not escaped,
    # like a {% translate %} of a literal).
    label_number, label_dli = mark_safe(_("Application number")), mark_safe(_("DLI"))  # noqa: S308
    label_student, label_birth = mark_safe(_("Student")), mark_safe(_("Date of birth"))  # noqa: S308
    label_student_id, label_due = mark_safe(_("Student ID")), mark_safe(_("Due"))  # noqa: S308
    label_left, label_status = mark_safe(_("Time left")), mark_safe(_("Status"))  # noqa: S308
    label_assigned, unassigned = mark_safe(_("Assigned to")), mark_safe(_("Unassigned"))  # noqa: S308
    unassigned_html = format_html("<strong>{}</strong>", unassigned) if flag_unassigned else None
    # Each row's address is the same but for the key: reversed once, not once a row (a
    # reverse() was a fifth of the rows' time).
    detail = "verifications:officer_detail" if show_dli else "verifications:request_detail"
    url_start, url_end = reverse(detail, kwargs={"pk": _ANY_PK}).split(str(_ANY_PK))
    rows = []
    for vr in requests:
        assignee = vr.assigned_to
        rows.append(
            format_html(
                _ROW,
                label_number,
                f"{url_start}{vr.pk}{url_end}",
                vr.application_number,
                format_html('<td data-label="{}">{}</td>', label_dli, vr.institution.dli_number)
                if show_dli
                else "",
                label_student,
                vr.surname,
                vr.given_names,
                label_birth,
                vr.date_of_birth.isoformat() if vr.date_of_birth else "",  # as date:"Y-m-d"
                label_student_id,
                vr.student_id or "–",
                label_due,
                in_zone(vr.due_at, zone),
                label_left,
                time_left_text(vr.time_left(now)) if vr.status == "pending" else "–",
                label_status,
                status_label(vr, now),
                _BREAKABLE if assignee else "",
                label_assigned,
                (assignee.full_name or assignee.email)
                if assignee
                else (unassigned_html or unassigned),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308  (each row built by format_html)
