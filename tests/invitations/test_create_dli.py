import io

import pytest
from django.core.management import CommandError, call_command

from loaportal.institutions.models import Institution, Membership
from loaportal.invitations.models import Invitation
from tests.conftest import INVITATION_CODE

pytestmark = pytest.mark.django_db


def test_create_dli_onboards_and_emails_primary(mail):
    out = io.StringIO()
    call_command(
        "create_dli",
        "--number",
        "O19390898172",
        "--name",
        "Maple College",
        "--name-fr",
        "Collège Érable",
        "--primary-email",
        "Rep@Maple.example",
        "--language",
        "en",
        stdout=out,
    )
    institution = Institution.objects.get(dli_number="O19390898172")
    assert (institution.name_en, institution.name_fr) == ("Maple College", "Collège Érable")
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("rep@maple.example", Membership.Role.PRIMARY)
    assert INVITATION_CODE.match(mail.wait_for("rep@maple.example").first_line)
    assert "Invitation sent to rep@maple.example" in out.getvalue()


@pytest.mark.parametrize("number", ["19390898172", "O1939089817", "Q19390898172", "O1939089817X"])
def test_create_dli_refuses_bad_numbers(number):
    with pytest.raises(CommandError, match="letter O followed by 11 digits"):
        call_command(
            "create_dli", "--number", number, "--name", "X", "--primary-email", "a@b.example"
        )
    assert not Institution.objects.exists()


def test_resend_replaces_the_code(mail):
    call_command(
        "create_dli", "--number", "O19390898172", "--name", "X", "--primary-email", "a@b.example"
    )
    first = mail.wait_for("a@b.example").first_line
    call_command("create_dli", "--number", "O19390898172", "--resend")
    second = mail.wait_for("a@b.example", count=2).first_line
    assert first != second
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "create_dli",
            "--number",
            "O19390898172",
            "--name",
            "X",
            "--primary-email",
            "a@b.example",
        )


def test_resent_primary_invitation_keeps_the_dli_language_unless_another_is_chosen(db):
    from loaportal.invitations.onboarding import (
        institution_onboard,
        institution_primary_invitation_send,
    )

    sent = institution_onboard(
        dli_number="O19390898173",
        name_en="Cedar College",
        primary_email="rep@cedar.example",
        language="en",
    )
    institution = sent.invitation.institution
    call_command("create_dli", "--number", "O19390898173", "--resend", stdout=io.StringIO())
    assert Invitation.objects.order_by("-id").first().language == "en"
    # A new address, no language given: still the DLI's language.
    again = institution_primary_invitation_send(institution=institution, email="new@cedar.example")
    assert again.invitation.language == "en"
    # A language chosen for a pending invitation's re-send is the one it goes out in.
    chosen = institution_primary_invitation_send(institution=institution, language="fr")
    assert (chosen.invitation.email, chosen.invitation.language) == ("new@cedar.example", "fr")
