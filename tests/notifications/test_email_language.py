"""After the bilingual invitation, each person gets email in the language they chose."""

import pytest

from tests import flows
from tests.factories import MembershipFactory


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "est votre code de vérification"), ("en", "is your LOA Portal verification code")],
)
def test_sign_in_code_in_the_users_language(client, mail, language, expected):
    user = MembershipFactory(
        user__email="member@college.example", user__preferred_language=language
    ).user
    # Whatever language the page is shown in, the email follows the person's choice.
    flows.sign_in_password(client, email=user.email, lang="en" if language == "fr" else "fr")
    message = mail.wait_for(user.email)
    assert expected in message.subject
    assert message.subject.startswith(message.first_line)


def test_sign_up_records_the_language_of_the_pages(client, mail):
    from loaportal.accounts.models import User
    from loaportal.institutions.models import Membership
    from loaportal.invitations.services import invitation_send
    from tests.factories import InstitutionFactory

    sent = invitation_send(
        institution=InstitutionFactory(), email="new@college.example", role=Membership.Role.PRIMARY
    )
    flows.sign_up(client, code=sent.code, email="new@college.example", lang="fr")
    assert User.objects.get(email="new@college.example").preferred_language == "fr"
    confirmation = mail.wait_for("new@college.example", count=2)
    assert "inscription" in confirmation.subject
