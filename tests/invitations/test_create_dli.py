import io

import pytest
from django.core.management import CommandError, call_command

from loaportal.institutions.models import Institution, Membership
from loaportal.invitations.models import Invitation
from tests.conftest import INVITATION_CODE

pytestmark = pytest.mark.django_db


def test_create_dli_onboards_and_emails_primary(smtp):
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
    assert INVITATION_CODE.match(smtp.wait_for("rep@maple.example").first_line)
    assert "Invitation sent to rep@maple.example" in out.getvalue()


@pytest.mark.parametrize("number", ["19390898172", "O1939089817", "Q19390898172", "O1939089817X"])
def test_create_dli_refuses_bad_numbers(number):
    with pytest.raises(CommandError, match="letter O followed by 11 digits"):
        call_command(
            "create_dli", "--number", number, "--name", "X", "--primary-email", "a@b.example"
        )
    assert not Institution.objects.exists()


def test_resend_replaces_the_code(smtp):
    call_command(
        "create_dli", "--number", "O19390898172", "--name", "X", "--primary-email", "a@b.example"
    )
    first = smtp.wait_for("a@b.example").first_line
    call_command("create_dli", "--number", "O19390898172", "--resend")
    second = smtp.wait_for("a@b.example", count=2).first_line
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
