"""``make run`` shows reminders working: the demo requests include some due within 3 days and
some within 24 hours, so the worker's first run puts a daily summary and a 24-hour alert in
the demo mailbox."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from loaportal.institutions.models import Institution, Membership
from loaportal.reminders.services import reminders_send
from loaportal.verifications.demo import DEMO_COLLEAGUE_EMAIL
from tests.factories import MembershipFactory
from tests.reminders.conftest import toronto

pytestmark = pytest.mark.django_db


def test_the_demo_data_gives_reminders_to_send(mail, clock):
    clock.move_to(toronto(20, 12))
    call_command("load_demo")
    call_command("load_demo_verifications")
    institution = Institution.objects.get(dli_number="O19390898172")
    primary = MembershipFactory(
        institution=institution, role=Membership.Role.PRIMARY, user__email="primary@demo.example"
    ).user
    sent = reminders_send()
    assert sent.summaries == 2  # the demo registrar and the primary user
    assert sent.alerts == 1 and sent.alerted_requests >= 3
    # The registrar reads French (the default language).
    summaries = [m for m in mail.for_address(DEMO_COLLEAGUE_EMAIL) if "d'ici 3 jours" in m.subject]
    assert len(summaries) == 1
    subjects = sorted(m.subject for m in mail.for_address(primary.email))
    assert any("within 24 hours" in s for s in subjects)
    assert any("due within 3 days" in s for s in subjects)
