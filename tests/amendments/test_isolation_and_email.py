"""Each DLI sees only its own amendments; a decision is emailed to every user of the DLI in
their own language."""

from __future__ import annotations

import pytest

from loaportal.amendments.selectors import (
    correction_requests_visible_to,
    extension_requests_visible_to,
)
from tests.amendments.helpers import (
    ask_correction,
    ask_extension,
    decide_correction,
    decide_extension,
    decided_request,
    pending_request,
)
from tests.factories import UserFactory


@pytest.fixture
def world(dli, other_dli):
    a_extension = ask_extension(pending_request(dli.institution), dli.primary)
    b_extension = ask_extension(pending_request(other_dli.institution), other_dli.primary)
    a_correction = ask_correction(decided_request(dli.institution, dli.primary), dli.primary)
    b_correction = ask_correction(
        decided_request(other_dli.institution, other_dli.primary), other_dli.primary
    )
    return a_extension, b_extension, a_correction, b_correction


def test_selectors_keep_each_dli_to_its_own(dli, other_dli, officer, world):
    a_extension, b_extension, a_correction, b_correction = world
    for user in (dli.primary, dli.secondaries[0]):
        assert list(extension_requests_visible_to(user=user)) == [a_extension]
        assert list(correction_requests_visible_to(user=user)) == [a_correction]
    assert list(extension_requests_visible_to(user=other_dli.secondaries[0])) == [b_extension]
    assert set(extension_requests_visible_to(user=officer)) == {a_extension, b_extension}
    assert set(correction_requests_visible_to(user=officer)) == {a_correction, b_correction}
    nobody = UserFactory()
    assert not extension_requests_visible_to(user=nobody).exists()
    assert not correction_requests_visible_to(user=nobody).exists()


def about(mail, address, vr):
    """The emails to ``address`` about this request (not the "new requests" announcements)."""
    return [m for m in mail.for_address(address) if vr.application_number in m.subject]


def test_the_decision_reaches_every_user_of_the_dli_in_their_language(
    mail, dli, other_dli, officer
):
    dli.primary.preferred_language = "fr"
    dli.primary.save(update_fields=["preferred_language"])
    dli.secondaries[0].preferred_language = "en"
    dli.secondaries[0].save(update_fields=["preferred_language"])
    vr = pending_request(dli.institution)
    extension = ask_extension(vr, dli.secondaries[0], days=20)
    assert about(mail, dli.primary.email, vr) == []  # nothing until IRCC decides
    decide_extension(extension, officer, days=15, reason="Grève confirmée.")
    [french] = about(mail, dli.primary.email, vr)
    [english] = about(mail, dli.secondaries[0].email, vr)
    assert vr.application_number in french.subject and "prolongé" in french.subject
    assert "15 jours de plus" in french.text and "Grève confirmée." in french.text
    assert "extended" in english.subject and "15 more days" in english.text
    assert about(mail, other_dli.primary.email, vr) == []

    matched = decided_request(dli.institution, dli.primary)
    decide_correction(ask_correction(matched, dli.primary), officer, reason="")
    [french] = about(mail, dli.primary.email, matched)
    [english] = about(mail, dli.secondaries[0].email, matched)
    assert "corrigé" in french.subject
    assert "Non vérifiée – Lettre annulée ou retirée" in french.text
    assert "Not verified – Cancelled or withdrawn" in english.text


def test_a_refusal_is_emailed_with_its_reason(mail, dli, officer):
    vr = pending_request(dli.institution)
    extension = ask_extension(vr, dli.primary)
    decide_extension(extension, officer, approve=False, reason="Not a listed ground.")
    [message] = about(mail, dli.primary.email, vr)
    assert "Not a listed ground." in message.text
