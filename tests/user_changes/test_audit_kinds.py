"""User-change requests are recorded under kinds named for them; entries written under the
former kinds (request_submitted, …) still display with their label."""

from __future__ import annotations

import pytest
from django.utils import translation

from loaportal.audit.models import RETIRED_EVENT_TYPES, AuditEvent
from loaportal.audit.services import audit_record
from loaportal.institutions.models import UserChangeRequest
from loaportal.terms.selectors import terms_current
from loaportal.terms.services import terms_accept
from loaportal.user_changes.services import user_change_request_submit
from tests import flows
from tests.factories import dli_with_users

pytestmark = pytest.mark.django_db


def test_a_submitted_request_is_recorded_as_a_user_change_request():
    dli = dli_with_users(secondaries=1)
    user_change_request_submit(
        requested_by=dli.primary,
        kind=UserChangeRequest.Kind.REMOVE_USER,
        reason=UserChangeRequest.Reason.LEFT_DLI,
        membership=dli.secondaries[0].membership,
    )
    kinds = set(AuditEvent.objects.values_list("event_type", flat=True))
    assert "user_change_request_submitted" in kinds
    assert not kinds & RETIRED_EVENT_TYPES


@pytest.mark.parametrize(("lang", "label"), [("en", "Request submitted"), ("fr", "Soumission")])
def test_an_entry_under_a_former_kind_still_displays(client, lang, label):
    dli = dli_with_users(secondaries=0)
    event = audit_record(
        event_type="request_submitted", actor=dli.primary, institution=dli.institution
    )
    with translation.override(lang):
        assert event.get_event_type_display().startswith(label)
    terms_accept(user=dli.primary, version=terms_current())
    client.force_login(dli.primary)
    page = client.get(flows.url("audit:log", lang)).content.decode()
    assert label in page
