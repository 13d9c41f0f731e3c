"""A TOTP code is accepted once, also when it arrives twice at the same moment (issue 13,
item 5): two requests in one process on PostgreSQL, and several pending sign-ins posting the
same code at once to several server processes (gunicorn workers).

allauth marks a used code with ``cache.add``, atomic on Redis and on the database cache but
lost with the cache (eviction, a Redis outage); the portal keeps the last accepted time step on
the authenticator's row and compares it with the row locked (``accounts.mfa.totp_accept_once``).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from loaportal.accounts import mfa_forms
from tests import flows
from tests.concurrency import run_concurrently
from tests.factories import OFFICER_TOTP_SECRET, PASSWORD, MembershipFactory, add_totp, totp_code
from tests.processes import Browser, Portal, portal_processes

SIGN_INS = 4


def test_two_simultaneous_requests_with_one_code_sign_in_once(transactional_db, smtp, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs concurrent writers: run with DATABASE_URL=postgres://… (SQLite's IMMEDIATE "
            "transactions serialise writers, so there is no race to test)"
        )
    user = MembershipFactory(user__email="race@college.example").user
    add_totp(user)
    clients = []
    for count in (1, 2):
        client = Client()
        flows.sign_in_password(client, email=user.email)
        flows.submit_code(client, code=smtp.wait_for(user.email, count=count).first_line)
        clients.append(client)
    code = totp_code(user)
    # Both requests reach the comparison before either has made it.
    both_there = threading.Barrier(2, timeout=10)
    accept_once = mfa_forms.totp_accept_once

    def wait_then_accept(authenticator, entered):
        both_there.wait()
        return accept_once(authenticator, entered)

    monkeypatch.setattr(mfa_forms, "totp_accept_once", wait_then_accept)
    pending = list(clients)
    lock = threading.Lock()

    def submit():
        with lock:
            client = pending.pop()
        response = flows.submit_second_factor(client, email=user.email, code=code)
        return response.status_code, response.get("Location", "")

    results = run_concurrently(submit, count=2)
    signed_in = [r for r in results if isinstance(r, tuple) and r[0] == 302]
    refused = [r for r in results if isinstance(r, tuple) and r[0] == 200]
    assert len(signed_in) == 1 and len(refused) == 1, results


CREATE_USER = """
import json
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from loaportal.accounts.models import User
user = User.objects.create_user({email!r}, {password!r}, surname="Tremblay",
                                phone="+16135550123", preferred_language="en")
EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
Authenticator.objects.create(user=user, type="totp", data={{"secret": {secret!r}}})
print(json.dumps(user.pk))
"""
SIGNED_IN = """
import json
from loaportal.audit.models import AuditEvent
print(json.dumps(AuditEvent.objects.filter(
    event_type="signin_succeeded", target_email={email!r}).count()))
"""


@pytest.fixture(scope="module")
def portal(django_db_setup, django_db_blocker, _smtp_controller, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("portal")
    with (
        django_db_blocker.unblock(),
        portal_processes(tmp_path=tmp_path, smtp_port=_smtp_controller.port, workers=3) as portal,
    ):
        assert len(portal.worker_pids()) >= 2
        yield portal


def pending_sign_in(portal: Portal, smtp, email: str, count: int) -> tuple[Browser, str]:
    browser = portal.browser()
    login = flows.url("account_login")
    browser.post(
        login,
        {"csrfmiddlewaretoken": browser.form_token(login), "login": email, "password": PASSWORD},
    )
    confirm = flows.url("account_confirm_login_code")
    token = browser.form_token(confirm)
    code = smtp.wait_for(email, count=count).first_line
    response = browser.post(
        confirm, {"csrfmiddlewaretoken": token, "action": "verify", "code": code}
    )
    assert response.location == flows.url("mfa_authenticate"), response.body[-2000:]
    return browser, browser.form_token(flows.url("mfa_authenticate"))


def test_one_code_posted_by_several_sign_ins_at_once_to_several_processes(smtp, portal):
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    email = "processes@college.example"
    portal.shell(CREATE_USER.format(email=email, password=PASSWORD, secret=OFFICER_TOTP_SECRET))
    sessions = [pending_sign_in(portal, smtp, email, n + 1) for n in range(SIGN_INS)]
    code = format_hotp_value(hotp_value(OFFICER_TOTP_SECRET, int(time.time()) // 30))
    release = threading.Barrier(SIGN_INS, timeout=60)
    results: list[object] = [None] * SIGN_INS

    def post(index: int) -> None:
        browser, token = sessions[index]
        try:
            release.wait()
            response = browser.post(
                flows.url("mfa_authenticate"), {"csrfmiddlewaretoken": token, "code": code}
            )
            results[index] = response.status
        except Exception as exc:  # asserted on below
            results[index] = exc

    threads = [threading.Thread(target=post, args=(i,)) for i in range(SIGN_INS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == [200] * (SIGN_INS - 1) + [302], results  # type: ignore[type-var]
    assert portal.shell(SIGNED_IN.format(email=email)) == 1
