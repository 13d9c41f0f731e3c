"""Who reads the audit trail: officers all of it (admin, read-only), a primary user their DLI's."""

from __future__ import annotations

from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from tests import flows
from tests.factories import OfficerFactory, dli_with_users


def test_primary_user_reads_their_dlis_events_and_filters_them(signed_in):
    dli = dli_with_users(secondaries=1)
    other = dli_with_users(name="other-college", secondaries=0)
    audit_record(
        event_type=AuditEvent.Type.SIGNIN_FAILED,
        institution=other.institution,
        target_email=other.primary.email,
    )
    secondary_client = signed_in(dli.secondaries[0])
    assert secondary_client.get(flows.url("audit:log")).status_code == 403

    client = signed_in(dli.primary)
    home = client.get(flows.url("home"))
    assert flows.url("audit:log").encode() in home.content
    page = client.get(flows.url("audit:log"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Signed in" in content and dli.secondaries[0].email in content
    assert "127.0.0.1" in content
    assert other.primary.email not in content

    filtered = client.get(flows.url("audit:log"), {"event_type": "terms_accepted"}).content.decode()
    assert "Terms accepted" in filtered
    assert "Verification code sent</td>" not in filtered


def test_officers_browse_and_filter_in_the_back_office_but_cannot_change(signed_in):
    officer = OfficerFactory()
    dli = dli_with_users(secondaries=0)
    event = audit_record(
        event_type=AuditEvent.Type.SIGNIN_FAILED,
        institution=dli.institution,
        target_email="intruder@college.example",
        ip_address="198.51.100.7",
    )
    client = signed_in(officer)
    changelist = flows.url("admin:audit_auditevent_changelist")
    assert (
        flows.url("admin:audit_auditevent_changelist").encode()
        in client.get(flows.url("home")).content
    )
    page = client.get(changelist, {"event_type__exact": "signin_failed", "q": "intruder"})
    assert page.status_code == 200
    assert b"intruder@college.example" in page.content and b"198.51.100.7" in page.content
    assert b"Sign-in failed" in page.content  # the registry's label, in the list and filter
    page = client.get(changelist, {"event_type__exact": "signin_succeeded", "q": "intruder"})
    assert b"intruder@college.example" not in page.content

    change = flows.url("admin:audit_auditevent_change", object_id=event.pk)
    detail = client.get(change)
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    assert b"Sign-in failed" in detail.content
    assert client.post(change, {"actor_email": "forged@x.example"}).status_code == 403
    delete = flows.url("admin:audit_auditevent_delete", object_id=event.pk)
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).actor_email == ""


def test_dli_users_cannot_open_the_back_office(signed_in):
    dli = dli_with_users(secondaries=0)
    client = signed_in(dli.primary)
    assert client.get(flows.url("admin:audit_auditevent_changelist")).status_code == 403
