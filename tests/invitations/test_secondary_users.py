"""The seed's "Créer des comptes pour des utilisateurs additionnels": the primary user invites a
secondary user, who signs up, confirms, signs in and joins the DLI as a secondary user."""

from __future__ import annotations

import pytest
from django.test import Client

from loaportal.institutions.models import Membership
from loaportal.invitations.models import Invitation
from loaportal.invitations.services import (
    MSG_ALREADY_INVITED,
    MSG_EMAIL_UNAVAILABLE,
)
from tests import flows
from tests.conftest import INVITATION_CODE
from tests.factories import MembershipFactory, OfficerFactory, dli_with_users

NEW_EMAIL = "new.colleague@college.example"


def _invite(client, email: str, lang: str = "en"):
    return client.post(flows.url("invitations:create", lang), {"email": email})


def test_primary_invites_a_secondary_user_who_joins_as_secondary(mail, signed_in):
    dli = dli_with_users(secondaries=0)
    client = signed_in(dli.primary)

    home = client.get(flows.url("home"))
    assert b"Create an account for a DLI user" in home.content
    assert flows.url("invitations:create").encode() in home.content

    page = client.get(flows.url("invitations:create"))
    assert page.status_code == 200
    for text in (b"Create a DLI user account", b'label="Email address"', b"New request"):
        assert text in page.content

    response = _invite(client, "New.Colleague@College.example")
    assert response.status_code == 302
    assert response["Location"] == flows.url("invitations:users")
    invitation = Invitation.objects.get(email=NEW_EMAIL)
    assert (invitation.role, invitation.invited_by, invitation.language) == (
        Membership.Role.SECONDARY,
        dli.primary,
        "en",
    )
    code = mail.wait_for(NEW_EMAIL).first_line
    assert INVITATION_CODE.match(code)

    newcomer = Client()
    assert flows.sign_up(newcomer, code=code, email=NEW_EMAIL).status_code == 302
    confirmation = mail.wait_for(NEW_EMAIL, count=2).first_line
    assert flows.confirm(newcomer, email=NEW_EMAIL, code=confirmation).status_code == 302
    flows.sign_in(newcomer, mail, email=NEW_EMAIL)
    home = newcomer.get(flows.url("home"))
    assert home.status_code == 200
    assert b"Secondary user" in home.content
    assert b"Create an account for a DLI user" not in home.content
    membership = Membership.objects.get(user__email=NEW_EMAIL)
    assert (membership.institution, membership.role) == (dli.institution, Membership.Role.SECONDARY)

    # The same email cannot be invited again for this DLI: it is a user of the DLI now.
    response = _invite(client, NEW_EMAIL)
    assert response.status_code == 200
    assert str(MSG_EMAIL_UNAVAILABLE).encode() in response.content
    assert Invitation.objects.filter(email=NEW_EMAIL).count() == 1


def test_the_same_email_cannot_be_invited_twice_while_pending(signed_in):
    dli = dli_with_users(secondaries=0)
    client = signed_in(dli.primary)
    assert _invite(client, NEW_EMAIL).status_code == 302
    response = _invite(client, NEW_EMAIL.upper())
    assert response.status_code == 200
    assert str(MSG_ALREADY_INVITED).encode() in response.content
    assert Invitation.objects.filter(email=NEW_EMAIL).count() == 1


@pytest.mark.parametrize("owner", ["other_dli_user", "officer", "own_primary"])
def test_an_email_registered_for_another_purpose_is_refused(owner, signed_in):
    dli = dli_with_users(secondaries=0)
    if owner == "other_dli_user":
        email = MembershipFactory(user__email="someone@other-college.example").user.email
    elif owner == "officer":
        email = OfficerFactory(email="agent@ircc.example").email
    else:
        email = dli.primary.email
    client = signed_in(dli.primary)
    response = _invite(client, email.upper())
    assert response.status_code == 200
    # One message, whoever holds the address: the page does not say where it is used.
    assert str(MSG_EMAIL_UNAVAILABLE).encode() in response.content
    assert b"another DLI" not in response.content and b"IRCC account" not in response.content
    assert not Invitation.objects.filter(email=email).exists()


def test_a_secondary_user_cannot_invite(signed_in):
    dli = dli_with_users(secondaries=1)
    client = signed_in(dli.secondaries[0])
    home = client.get(flows.url("home"))
    assert b"Create an account for a DLI user" not in home.content
    assert client.get(flows.url("invitations:create")).status_code == 403
    assert _invite(client, NEW_EMAIL).status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_invitation_is_sent_in_the_page_language_first(lang, signed_in):
    dli = dli_with_users(secondaries=0)
    client = signed_in(dli.primary)
    assert _invite(client, NEW_EMAIL, lang=lang).status_code == 302
    assert Invitation.objects.get(email=NEW_EMAIL).language == lang
