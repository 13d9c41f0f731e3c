import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from loaportal.accounts.models import User
from loaportal.audit.models import AuditEvent
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


def _demo_officer_password(capsys) -> str:
    call_command("demo_officer_password")
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("Demo officer: officer@loaportal.example / ")
    return line.split(" / ")[1].split()[0]


def test_demo_officer_password_gives_a_new_password_once_the_printed_one_is_lost(capsys, signed_in):
    call_command("load_demo")
    first_run = capsys.readouterr().out
    old_password = re.search(r"officer@loaportal\.example / (\S+)", first_run).group(1)
    call_command("load_demo")
    assert "demo_officer_password" in capsys.readouterr().out  # the second run points to it
    officer = User.objects.get(email="officer@loaportal.example")
    open_session = signed_in(officer)

    password = _demo_officer_password(capsys)
    officer.refresh_from_db()
    assert len(password) >= 15 and password != old_password
    assert officer.check_password(password) and not officer.check_password(old_password)
    # Whoever held the old password is signed out; the new one signs in (then the emailed code).
    assert open_session.get(flows.url("home")).status_code == 302
    response = flows.sign_in_password(Client(), email=officer.email, password=password)
    assert response["Location"] == flows.url("account_confirm_login_code")
    # Audited as a password change that nobody signed in made.
    (event,) = AuditEvent.objects.filter(event_type=AuditEvent.Type.PASSWORD_CHANGED)
    assert (event.actor, event.target_user) == (None, officer)
    assert event.details == {"by": "demo_officer_password", "sessions_ended": 1}
    assert _demo_officer_password(capsys) != password  # a fresh one each time


@pytest.mark.django_db
def test_demo_officer_password_is_refused_in_production_and_without_a_demo_officer(
    settings, capsys
):
    with pytest.raises(CommandError, match="load_demo"):
        call_command("demo_officer_password")
    call_command("load_demo")
    officer = User.objects.get(email="officer@loaportal.example")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused in production"):
        call_command("demo_officer_password")
    assert User.objects.get(pk=officer.pk).password == officer.password
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.PASSWORD_CHANGED).exists()


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


@pytest.mark.django_db
def test_the_demo_officer_signs_in_with_the_code_demo_officer_code_prints(
    capsys, client, mail, settings
):
    """make run: officers need a second factor; the demo officer has an authenticator app
    (key printed by load_demo) and `demo_officer_code` prints its current code."""
    call_command("load_demo")
    out = capsys.readouterr().out
    password = re.search(r"officer@loaportal\.example / (\S+)", out).group(1)
    assert "authenticator app key:" in out
    flows.sign_in_password(client, email="officer@loaportal.example", password=password)
    flows.submit_code(client, code=mail.wait_for("officer@loaportal.example").first_line)
    call_command("demo_officer_code")
    code = re.search(r"code now: (\d{6})", capsys.readouterr().out).group(1)
    response = flows.submit_second_factor(client, email="officer@loaportal.example", code=code)
    assert response.status_code == 302 and response["Location"] != flows.url("mfa_authenticate")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused in production"):
        call_command("demo_officer_code")
