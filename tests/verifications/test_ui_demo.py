"""``loaportal load_demo_verifications`` (run by ``make run``): about 30 requests with letters
for the demo DLI, over every status and due date, loaded once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.selectors import verification_tab_counts
from tests import flows

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["now", "just after midnight in Toronto", "just before midnight"])
def demo_clock(request):
    """Load the demo at the real time, and at the two moments a day's edge could move a
    "due today" request to another day."""
    if request.param == "now":
        yield
        return
    eastern = ZoneInfo("America/Toronto")
    today = timezone.now().astimezone(eastern).date()
    moment = (
        dt.datetime.combine(today, dt.time(0, 20), tzinfo=eastern)
        if request.param.startswith("just after")
        else dt.datetime.combine(today, dt.time(23, 50), tzinfo=eastern)
    )
    with time_machine.travel(moment, tick=True):
        yield


def test_the_demo_loads_a_living_queue_once(demo_clock, signed_in):
    call_command("load_demo")
    call_command("load_demo_verifications")
    requests = VerificationRequest.objects.all()
    assert 25 <= requests.count() <= 35
    institution = requests.first().institution
    assert institution.dli_number == "O19390898172"
    now = timezone.now()
    statuses = {r.effective_status(now) for r in requests}
    assert statuses == set(VerificationRequest.Status.values)
    counts = verification_tab_counts(institution=institution, now=now)
    assert all(counts[tab] > 0 for tab in ("todo", "due_soon", "decided", "no_response"))
    # Some due today (Eastern), some overdue and recorded as such in their history.
    eastern = ZoneInfo("America/Toronto")
    today = now.astimezone(eastern).date()
    due_today = [
        r for r in requests if r.is_decidable(now) and r.due_at.astimezone(eastern).date() == today
    ]
    assert len(due_today) >= 2
    assert VerificationEvent.objects.filter(kind="no_response").count() == counts["no_response"]
    # Every request has its letter, a real PDF.
    for request in requests[:5]:
        with request.document.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"

    call_command("load_demo_verifications")
    assert VerificationRequest.objects.count() == requests.count()

    # The demo decisions were made by a member of the demo DLI, and the queue shows them.
    decided = requests.filter(status="verified_matched").first()
    assert decided.decided_by.membership.institution == institution
    client = signed_in(decided.decided_by)
    html = client.get(flows.url("verifications:queue", "en") + "?tab=decided").content.decode()
    assert decided.application_number in html
