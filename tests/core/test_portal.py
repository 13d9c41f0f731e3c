from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command

from loaportal.accounts.models import User
from loaportal.invitations.models import Invitation
from tests import flows
from tests.factories import MembershipFactory, UserFactory


@pytest.mark.parametrize(
    "password",
    ["fourteen chars", "password" * 3, "loaportal loaportal 1", "1234567890123456", "x" * 129],
)
def test_passwords_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Tr0ub4dor&3-extra",
        "çà et là sous la pluie fine",
        ("the quick brown fox jumps " * 6)[:128],
    ],
)
def test_passwords_accepted_without_composition_rules(password):
    validate_password(password)


@pytest.mark.django_db
def test_argon2id_with_deliberate_parameters(production_password_hasher):
    user = UserFactory()
    hasher = identify_hasher(user.password)
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.memory_cost == 19456 and hasher.time_cost == 2 and hasher.parallelism == 1


@pytest.mark.django_db
def test_security_headers_and_language_toggle(client):
    response = client.get("/fr/compte/connexion/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert b'<html lang="fr">' in response.content
    assert b'lang-href="/en/account/sign-in/"' in response.content


def test_officers_sign_in_with_the_code_to_reach_the_back_office(client, mail):
    UserFactory(email="officer@ircc.example", is_staff=True, is_superuser=True)
    response = client.get("/en/back-office/")
    assert response.status_code == 302 and response["Location"].startswith(
        flows.url("account_login")
    )
    response = client.get("/en/back-office/login/")
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    flows.sign_in(client, mail, email="officer@ircc.example")
    assert client.get("/en/back-office/").status_code == 200


def test_dli_users_cannot_use_the_back_office(signed_in):
    client = signed_in(MembershipFactory(user__email="member@college.example").user)
    assert client.get("/en/back-office/").status_code == 403


@pytest.mark.django_db
def test_load_demo_gives_a_fresh_invitation_and_an_officer(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "Demo invitation for primary@demo-college.example:" in out
    assert Invitation.objects.filter(revoked_at__isnull=True, used_at__isnull=True).count() == 1
    assert User.objects.get(email="officer@loaportal.example").is_staff
    call_command("load_demo")  # again: the old code is replaced, nothing is duplicated
    assert Invitation.objects.filter(revoked_at__isnull=True, used_at__isnull=True).count() == 1
    assert User.objects.count() == 1


def test_package_ships_static_assets_templates_and_catalog():
    """Everything the portal serves is package data (``scripts/check-package.sh``, run by
    ``make test``, installs the built wheel in a fresh environment and serves from it)."""
    package = Path(settings.PACKAGE_DIR)
    for relative in (
        "core/static/gcds/gcds.esm.js",
        "core/static/gcds/gcds.css",
        "core/static/fonts/fonts.css",
        "core/static/loaportal/portal.js",
        "locale/fr/LC_MESSAGES/django.mo",
        "templates/base.html",
    ):
        assert (package / relative).is_file(), relative
