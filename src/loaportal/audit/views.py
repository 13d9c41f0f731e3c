from django.core.paginator import Paginator
from django.shortcuts import render

from loaportal.audit.forms import AuditFilterForm
from loaportal.audit.selectors import audit_events_for_institution
from loaportal.core.access import primary

PAGE_SIZE = 50


@primary
def audit_log(request):
    """The DLI's own audit trail, for its primary user."""
    membership = request.membership
    form = AuditFilterForm(request.GET or None)
    event_type = form.cleaned_data["event_type"] if form.is_valid() else ""
    events = audit_events_for_institution(institution=membership.institution, event_type=event_type)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/audit_log.html",
        {"membership": membership, "filter_form": form, "page": page, "event_type": event_type},
    )
