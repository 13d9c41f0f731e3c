"""No code in clear text at rest: after a sign-up from an invitation, a sign-in and a password
reset, once their emails are delivered, no table holds any of the codes that were emailed."""

from __future__ import annotations

import base64
import binascii
import contextlib

from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from django.test import Client

from loaportal.institutions.models import Membership
from loaportal.invitations.services import invitation_send
from loaportal.notifications.models import OutgoingEmail
from tests import flows
from tests.factories import InstitutionFactory

EMAIL = "new@college.example"
NEW_PASSWORD = "a brand new passphrase for the portal"
# A date or time column cannot hold a code, but its text (microseconds) can look like one.
TEMPORAL = {"DateTimeField", "DateField", "TimeField"}


def deliver(smtp, *, count: int) -> str:
    """Run the worker, then the first line (the code) of the ``count``-th email to EMAIL."""
    call_command("worker", "--batch")
    return smtp.wait_for(EMAIL, count=count).first_line


def readable_forms(table: str, column: str, value) -> list[str]:
    """The value as stored, and decoded where the storage merely encodes it."""
    if isinstance(value, memoryview | bytes):
        value = bytes(value).decode("latin-1")
    text = str(value)
    forms = [text]
    if table == "django_session" and column == "session_data":
        forms.append(repr(SessionStore().decode(text)))
    if table == "loaportal_cache" and column == "value":
        with contextlib.suppress(binascii.Error, ValueError):
            forms.append(base64.b64decode(text).decode("latin-1"))
    return forms


def every_stored_text() -> list[tuple[str, str, str]]:
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            description = connection.introspection.get_table_description(cursor, table)
            columns = [
                column.name
                for column in description
                if connection.introspection.get_field_type(column.type_code, column) not in TEMPORAL
            ]
            if not columns:
                continue
            quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        found += [
                            (table, column, form) for form in readable_forms(table, column, value)
                        ]
    return found


def test_no_table_holds_an_emailed_code_once_delivered(client, smtp, database_queue):
    codes = {}
    sent = invitation_send(
        institution=InstitutionFactory(), email=EMAIL, role=Membership.Role.PRIMARY
    )
    codes["invitation"] = deliver(smtp, count=1)
    assert codes["invitation"] == sent.code

    assert flows.sign_up(client, code=sent.code, email=EMAIL).status_code == 302
    codes["email confirmation"] = deliver(smtp, count=2)
    assert flows.confirm(client, email=EMAIL, code=codes["email confirmation"]).status_code == 302

    client = Client()
    assert flows.sign_in_password(client, email=EMAIL).status_code == 302
    codes["sign-in"] = deliver(smtp, count=3)
    assert flows.submit_code(client, code=codes["sign-in"]).status_code == 302
    flows.accept_terms(client)
    assert client.get(flows.url("home")).status_code == 200

    reset = Client()
    reset.post(flows.url("account_reset_password"), {"email": EMAIL})
    codes["password reset"] = deliver(smtp, count=4)
    reset.post(flows.url("account_confirm_password_reset_code"), {"code": codes["password reset"]})
    response = reset.post(flows.url("account_complete_password_reset"), {"password1": NEW_PASSWORD})
    assert response.status_code == 302
    call_command("worker", "--batch")  # the "password was reset" notice

    assert len({*codes.values()}) == 4 and all(codes.values())
    assert not OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).exists()
    needles = {name: {code, code.replace("-", "")} for name, code in codes.items()}
    stored = every_stored_text()
    assert any(table == "notifications_outgoingemail" for table, _, _ in stored)
    leaks = [
        (name, table, column)
        for table, column, text in stored
        for name, forms in needles.items()
        if any(form in text for form in forms)
    ]
    assert leaks == []
