"""The second factor (issue 13, item 5): optional for DLI users, required for officers; the
sign-in order (password, emailed code, second factor); each TOTP code once; limits; audit
entries; emails; an officer's reset by another officer."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management import CommandError, call_command

from loaportal.accounts.mfa import LAST_STEP_KEY, totp_accept_once
from loaportal.audit.models import AuditEvent
from tests import flows
from tests.factories import (
    OFFICER_TOTP_SECRET,
    PASSWORD,
    MembershipFactory,
    OfficerFactory,
    add_totp,
    totp_code,
)


def events(kind: str, email: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=kind, target_email=email).order_by("pk"))


def code_at(step_offset: int = 0, secret: str = OFFICER_TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step_offset))


def set_up_totp(client, lang: str = "en") -> str:
    """Through the set-up page: the secret it shows, then a code of it."""
    page = client.get(flows.url("mfa_activate_totp", lang))
    if page.status_code == 302:  # the password again first (allauth's reauthentication)
        assert page["Location"].startswith(flows.url("account_reauthenticate", lang))
        confirmed = client.post(page["Location"], {"password": PASSWORD})
        assert confirmed.status_code == 302, confirmed.content[:2000]
        page = client.get(flows.url("mfa_activate_totp", lang))
    assert page.status_code == 200, page
    secret = page.context["form"].secret
    response = client.post(flows.url("mfa_activate_totp", lang), {"code": code_at(0, secret)})
    assert response.status_code == 302, response.content[:2000]
    return secret


# --- Sign-in order ------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_password_then_emailed_code_then_second_factor(client, mail, lang):
    user = MembershipFactory(user__email="two@college.example").user
    add_totp(user)
    response = flows.sign_in_password(client, email=user.email, lang=lang)
    assert response["Location"] == flows.url("account_confirm_login_code", lang)
    # The second-factor page is not reachable before the emailed code.
    early = client.get(flows.url("mfa_authenticate", lang))
    assert early.status_code == 302 and early["Location"] != flows.url("home", lang)
    response = flows.submit_code(client, code=mail.wait_for(user.email).first_line, lang=lang)
    assert response["Location"] == flows.url("mfa_authenticate", lang)
    # Not signed in yet.
    assert client.get(flows.url("home", lang)).status_code == 302
    page = client.get(flows.url("mfa_authenticate", lang))
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()
    response = flows.submit_second_factor(client, email=user.email, lang=lang)
    assert response.status_code == 302
    flows.accept_terms(client, lang=lang)
    assert client.get(flows.url("home", lang)).status_code == 200


def test_an_account_without_a_second_factor_signs_in_as_before(client, mail):
    user = MembershipFactory(user__email="one@college.example").user
    flows.sign_in_password(client, email=user.email)
    response = flows.submit_code(client, code=mail.wait_for(user.email).first_line)
    assert response["Location"] != flows.url("mfa_authenticate")
    flows.accept_terms(client)
    assert client.get(flows.url("home")).status_code == 200


def test_spaces_and_hyphens_in_a_pasted_code_are_ignored(client, mail):
    user = MembershipFactory(user__email="paste@college.example").user
    add_totp(user)
    flows.sign_in_password(client, email=user.email)
    flows.submit_code(client, code=mail.wait_for(user.email).first_line)
    code = totp_code(user)
    response = flows.submit_second_factor(client, email=user.email, code=f" {code[:3]}-{code[3:]} ")
    assert response.status_code == 302 and response["Location"] != flows.url("mfa_authenticate")


# --- Each code once ---------------------------------------------------------------------------
def test_a_totp_code_is_accepted_once(db):
    authenticator = add_totp(OfficerFactory(second_factor=False))
    code = code_at(0)
    assert totp_accept_once(authenticator, code) is True
    assert totp_accept_once(authenticator, code) is False
    # An older step's code is refused too, once a newer one was used.
    assert totp_accept_once(authenticator, code_at(-1)) is False
    assert totp_accept_once(authenticator, code_at(1)) is True
    authenticator.refresh_from_db()
    assert authenticator.data[LAST_STEP_KEY] == int(time.time()) // 30 + 1


def test_a_replayed_code_at_sign_in_is_refused_and_audited(client, mail):
    user = MembershipFactory(user__email="replay@college.example").user
    add_totp(user)
    code = totp_code(user)
    assert totp_accept_once(Authenticator.objects.get(user=user), code)  # seen by someone else
    flows.sign_in_password(client, email=user.email)
    flows.submit_code(client, code=mail.wait_for(user.email).first_line)
    response = flows.submit_second_factor(client, email=user.email, code=code)
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert len(events("mfa_failed", user.email)) == 1


def test_the_code_typed_at_set_up_cannot_then_sign_in(signed_in, db):
    user = MembershipFactory(user__email="setup@college.example").user
    client = signed_in(user)
    secret = set_up_totp(client)
    assert not totp_accept_once(
        Authenticator.objects.get(user=user, type="totp"), code_at(0, secret)
    )


# --- Limits -----------------------------------------------------------------------------------
def test_five_wrong_codes_end_the_pending_sign_in(client, mail):
    user = MembershipFactory(user__email="guess@college.example").user
    add_totp(user)
    flows.sign_in_password(client, email=user.email)
    flows.submit_code(client, code=mail.wait_for(user.email).first_line)
    right = totp_code(user)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(4):
        assert flows.submit_second_factor(client, email=user.email, code=wrong).status_code == 200
    response = flows.submit_second_factor(client, email=user.email, code=wrong)
    assert response["Location"] == flows.url("account_login")
    response = flows.submit_second_factor(client, email=user.email, code=right)
    assert response.status_code == 302 and response["Location"].startswith(
        flows.url("account_login")
    )
    assert client.get(flows.url("home")).status_code == 302
    assert len(events("mfa_failed", user.email)) == 5


def test_wrong_codes_are_limited_per_account_across_sign_ins(settings, mail):
    from django.test import Client

    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "mfa_failed_account": "3/5m/key",
    }
    user = MembershipFactory(user__email="spread@college.example").user
    add_totp(user)
    statuses = []
    for attempt in range(3):
        client = Client(REMOTE_ADDR=f"198.51.100.{attempt + 1}")
        flows.sign_in_password(client, email=user.email)
        flows.submit_code(client, code=mail.wait_for(user.email, count=attempt + 1).first_line)
        response = flows.submit_second_factor(client, email=user.email, code="000000")
        statuses.append(response.status_code)
    response = flows.submit_second_factor(client, email=user.email, code=totp_code(user))
    assert response.status_code == 200
    assert "Too many incorrect codes" in response.content.decode()
    assert client.get(flows.url("home")).status_code == 302


# --- Officers must have one -----------------------------------------------------------------
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_officer_without_a_second_factor_is_sent_to_set_one_up(signed_in, lang):
    officer = OfficerFactory(second_factor=False, is_superuser=True)
    client = signed_in(officer)
    setup = flows.url("mfa_index", lang)
    for name in ("home", "officers:dli_list", "verifications:officer_list", "admin:index"):
        response = client.get(flows.url(name, lang))
        assert response.status_code == 302 and response["Location"] == setup, name
    assert client.get(setup).status_code == 200
    # Setting one up asks for the password again, and that page is open to them too.
    response = client.get(flows.url("mfa_activate_totp", lang))
    assert response["Location"].startswith(flows.url("account_reauthenticate", lang))
    assert client.get(response["Location"]).status_code == 200
    set_up_totp(client, lang)
    assert client.get(flows.url("officers:dli_list", lang)).status_code == 200
    assert client.get(flows.url("admin:index", lang)).status_code == 200


def test_dli_users_may_add_one_but_need_not(signed_in):
    user = MembershipFactory(user__email="free@college.example").user
    client = signed_in(user)
    home = client.get(flows.url("home"))
    assert home.status_code == 200
    assert flows.url("mfa_index") in home.content.decode()


def test_an_officer_cannot_remove_the_last_second_factor(signed_in):
    officer = OfficerFactory()
    client = signed_in(officer)
    page = client.get(flows.url("mfa_deactivate_totp"))
    assert page["Location"].startswith(flows.url("account_reauthenticate"))
    client.post(page["Location"], {"password": PASSWORD})
    page = client.get(flows.url("mfa_deactivate_totp"))
    assert page.status_code == 200
    assert "must keep a second factor" in page.content.decode()
    client.post(flows.url("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=officer, type="totp").exists()


# --- Emails and audit ---------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_adding_and_removing_an_app_is_emailed_and_audited(signed_in, mail, lang):
    user = MembershipFactory(
        user__email=f"notify-{lang}@college.example", user__preferred_language=lang
    ).user
    client = signed_in(user)
    set_up_totp(client, lang)
    added = mail.wait_for(user.email)
    expected = {
        "fr": "Une application d’authentification a été ajoutée",
        "en": "An authenticator app was added",
    }[lang]
    assert expected in added.subject
    assert [e.details["kind"] for e in events("mfa_authenticator_added", user.email)] == ["totp"]
    assert len(events("mfa_recovery_codes_generated", user.email)) == 1
    codes = client.get(flows.url("mfa_view_recovery_codes", lang))
    assert codes.status_code == 200 and len(codes.context["unused_codes"]) == 10

    response = client.post(flows.url("mfa_deactivate_totp", lang))
    assert response.status_code == 302
    removed = mail.wait_for(user.email, count=2)
    assert removed.subject != added.subject
    assert {e.details["kind"] for e in events("mfa_authenticator_removed", user.email)} == {
        "totp",
        "recovery_codes",
    }


def test_a_recovery_code_signs_in_once_and_is_audited(client, mail, signed_in):
    user = MembershipFactory(user__email="recover@college.example").user
    set_up_totp(signed_in(user))
    recovery = Authenticator.objects.get(user=user, type="recovery_codes").wrap()
    code = recovery.get_unused_codes()[0]
    before = len(mail.for_address(user.email))
    flows.sign_in_password(client, email=user.email)
    flows.submit_code(client, code=mail.wait_for(user.email, count=before + 1).first_line)
    response = flows.submit_second_factor(client, email=user.email, code=code)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] != flows.url("mfa_authenticate"), response["Location"]
    used = events("mfa_recovery_code_used", user.email)
    assert len(used) == 1 and used[0].details["remaining"] == 9


# --- A lost second factor ---------------------------------------------------------------------
def test_another_officer_resets_a_lost_second_factor(mail, signed_in):
    lost = OfficerFactory(email="lost@ircc.example")
    other = OfficerFactory(email="helper@ircc.example")
    client = signed_in(lost)
    call_command(
        "reset_second_factor", lost.email, by=other.email, reason="Ticket 1234, phone lost"
    )
    assert not Authenticator.objects.filter(user=lost).exists()
    (entry,) = events("mfa_reset", lost.email)
    assert entry.actor_id == other.pk and entry.details["reason"] == "Ticket 1234, phone lost"
    assert entry.details["removed"] == ["totp"]
    assert mail.wait_for(lost.email).subject
    # Their session ended; at the next sign-in they set up a new one.
    assert client.get(flows.url("home"))["Location"].startswith(flows.url("account_login"))


def test_a_reset_needs_another_active_officer_and_a_reason(db):
    lost = OfficerFactory(email="lost2@ircc.example")
    member = MembershipFactory(user__email="member@college.example").user
    with pytest.raises(CommandError, match="another active IRCC officer"):
        call_command("reset_second_factor", lost.email, by=member.email, reason="x")
    with pytest.raises(CommandError, match="your own"):
        call_command("reset_second_factor", lost.email, by=lost.email, reason="x")
    with pytest.raises(CommandError, match="Say why"):
        call_command("reset_second_factor", lost.email, by=OfficerFactory().email, reason="  ")
    assert Authenticator.objects.filter(user=lost).exists()


def test_nobody_removes_another_persons_security_key(signed_in):
    owner = MembershipFactory(user__email="owner@college.example").user
    key = Authenticator.objects.create(
        user=owner, type="webauthn", data={"name": "Key", "credential": {}}
    )
    other = MembershipFactory(user__email="other@college.example").user
    client = signed_in(other)
    remove = flows.url("mfa_remove_webauthn", pk=key.pk)
    response = client.get(remove)
    client.post(response["Location"], {"password": PASSWORD})
    assert client.get(remove).status_code == 404
    assert client.post(remove).status_code == 404
    assert Authenticator.objects.filter(pk=key.pk).exists()
