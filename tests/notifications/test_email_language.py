"""After the bilingual invitation, each person gets email in the language they chose."""

import pytest

from tests import flows
from tests.factories import MembershipFactory

SIGN_IN_SUBJECT = {
    "fr": "est votre code de vérification",
    "en": "is your LOA Portal verification code",
}
DEACTIVATED_SUBJECT = {
    "fr": "Votre compte du Portail de vérification des LA a été désactivé",
    "en": "Your LOA Portal account has been deactivated",
}
OTHER = {"fr": "en", "en": "fr"}


@pytest.mark.parametrize("page", ["fr", "en"])
def test_sign_in_code_in_the_language_of_the_sign_in_page_which_becomes_the_users(
    client, smtp, page
):
    """Issue 8: the demo officer, created with French, signed in on English pages and got French
    codes. The code continues what the person does on the page: it comes in the page's
    language, and the password proved who they are, so that language becomes their choice."""
    user = MembershipFactory(
        user__email="member@college.example", user__preferred_language=OTHER[page]
    ).user
    flows.sign_in_password(client, email=user.email, lang=page)
    message = smtp.wait_for(user.email)
    assert SIGN_IN_SUBJECT[page] in message.subject
    assert message.subject.startswith(message.first_line)
    user.refresh_from_db()
    assert user.preferred_language == page


def test_a_wrong_password_changes_nothing(client, smtp):
    user = MembershipFactory(user__preferred_language="fr").user
    flows.sign_in_password(client, email=user.email, password="not the right password!", lang="en")
    user.refresh_from_db()
    assert user.preferred_language == "fr"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_language_toggle_is_recorded_and_others_emails_follow_it(client, smtp, lang):
    """The account's language follows the person's last choice on the portal, and an email
    someone else causes (here an officer's deactivation) is written in it."""
    from loaportal.institutions.services import user_deactivate
    from tests.factories import OfficerFactory

    user = MembershipFactory(user__preferred_language=OTHER[lang]).user
    flows.sign_in(client, smtp, email=user.email, lang=OTHER[lang])
    client.get(flows.url("home", lang))  # the person switches language
    user.refresh_from_db()
    assert user.preferred_language == lang

    user_deactivate(user=user, deactivated_by=OfficerFactory(preferred_language=OTHER[lang]))
    assert DEACTIVATED_SUBJECT[lang] in smtp.wait_for(user.email, count=2).subject


def test_pages_without_a_language_record_nothing(client, smtp):
    user = MembershipFactory(user__preferred_language="en").user
    flows.sign_in(client, smtp, email=user.email, lang="en")
    client.get("/healthz")
    user.refresh_from_db()
    assert user.preferred_language == "en"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_password_reset_code_in_the_page_language_without_changing_the_choice(client, smtp, lang):
    # Anyone may ask for a reset code: the email follows the page, the account's choice stays.
    user = MembershipFactory(user__preferred_language=OTHER[lang]).user
    client.post(flows.url("account_reset_password", lang), {"email": user.email})
    subject = smtp.wait_for(user.email).subject
    assert ("réinitialiser" in subject) == (lang == "fr")
    user.refresh_from_db()
    assert user.preferred_language == OTHER[lang]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_someone_signing_up_with_a_registered_address_does_not_choose_its_language(
    client, smtp, lang
):
    from loaportal.institutions.models import Membership
    from loaportal.invitations.services import invitation_send
    from tests.factories import InstitutionFactory

    sent = invitation_send(
        institution=InstitutionFactory(), email="x@college.example", role=Membership.Role.PRIMARY
    )
    # The address got an account meanwhile (another way in), in the other language.
    user = MembershipFactory(
        user__email="x@college.example", user__preferred_language=OTHER[lang]
    ).user
    flows.sign_up(client, code=sent.code, email=user.email, lang=lang)
    # The email to the account's owner is in the owner's language, not the stranger's page's.
    message = smtp.wait_for(user.email, count=2)  # after the invitation
    assert ("inscrire" in message.subject) == (OTHER[lang] == "fr")
    user.refresh_from_db()
    assert user.preferred_language == OTHER[lang]


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
